"""The security headers and `next` as Chromium takes them (issue 14), on a real `scheduler serve`.

Chromium reports every Content-Security-Policy violation on the console: the main pages, the
participant's and the console's, with their scripts and live updates running, report none. The
bookmark page's Back link, given `next=/\\evil.example/x` (which Chromium follows to
http://evil.example/x), stays on the site.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.console_data import PASSWORD, email, make_user
from tests.test_browser_live import CHROMIUM_ARGS
from tests.test_browser_path import register
from tests.test_live_data import seed, server

playwright = pytest.importorskip("playwright.sync_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs Debian's /usr/bin/chromium"),
]

PAGES = ["/", "/day/2025-07-08", "/day/2025-07-08?view=list", "/sessions", "/sessions/s-open", "/rooms",
         "/tracks", "/speakers", "/speakers/sp-m1", "/changes", "/now", "/no-such-page"]  # fmt: skip
PARTICIPANT_PAGES = ["/my", "/bookmark/s-open", "/join/s-open?t=TOKEN"]
CONSOLE_PAGES = ["/console/", "/console/audit", "/console/versions"]


@pytest.fixture
def base(engine: Engine, database_url: str, tmp_path: Path) -> Iterator[str]:
    seed(engine)
    make_user(engine, "admin")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(tmp_path),
        "JOIN_URL_TEMPLATE": "https://meet.example.org/{room}",
        "SOCKETIO_MESSAGE_QUEUE": "",
    }
    with server(env, "2025-07-08T15:44:30", tmp_path / "server.log") as url:
        yield url


@pytest.fixture
def page() -> Iterator[Any]:
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser.new_context(locale="en-GB").new_page()
        browser.close()


def _register(page: Any, base: str) -> str:
    page.goto(base + "/register")
    return register(page, base)


@pytest.mark.db
def test_no_page_breaks_the_content_security_policy(base: str, page: Any) -> None:
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    for path in PAGES:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
    token = _register(page, base)
    for path in PARTICIPANT_PAGES:
        page.goto(base + path.replace("TOKEN", token))
        page.wait_for_load_state("networkidle")
    page.goto(base + "/console/login")
    page.fill("input[name=email]", email("admin"))
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    for path in CONSOLE_PAGES:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
    violations = [m for m in messages if "Content Security Policy" in m]
    assert not violations, violations
    # The check sees violations: an inline script is refused, and said so.
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = '1';"
                  " document.body.append(s); }")  # fmt: skip
    page.wait_for_timeout(200)
    assert any("Content Security Policy" in m for m in messages), messages


@pytest.mark.db
def test_the_back_link_of_a_hostile_next_stays_on_the_site(base: str, page: Any) -> None:
    _register(page, base)
    page.goto(base + "/bookmark/s-open?next=/\\evil.example/x")
    page.click("a:has-text('Back')")
    page.wait_for_load_state()
    assert page.url == base + "/sessions/s-open"
    assert re.match(r"http://127\.0\.0\.1:\d+/", page.url)
