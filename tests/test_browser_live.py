"""A participant's day in headless Chromium: register, bookmark, watch Now & Next, join.

The server is a real `scheduler serve --clock 15:44:30` process; the join provider is a loopback page
served by this test. The join button must appear when the session opens at 15:45, pushed over
Socket.IO without a reload, and a `scheduler live delay` from the command line must show up on the
open page.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.test_live_data import REDIS_URL, cli, redis_available, seed, server

playwright_api = pytest.importorskip("playwright.sync_api")

# The marks of every test that starts a server and drives Debian's Chromium against it.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.db,
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs Debian's /usr/bin/chromium"),
]
pytestmark = BROWSER_MARKS

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OPENS_WITHIN_MS = 90_000


class Provider(BaseHTTPRequestHandler):
    """The virtual meeting room: records who came, and with which headers."""

    visits: list[tuple[str, str | None]] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        Provider.visits.append((self.path, self.headers.get("Referer")))
        body = b"<!doctype html><title>Provider</title><h1>Virtual room</h1>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def provider() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
    Provider.visits = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def env(engine: Engine, database_url: str, tmp_path: Path, provider: str) -> dict[str, str]:
    seed(engine)
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(tmp_path),
        "JOIN_URL_TEMPLATE": provider + "/room/{room}-{date}?lang={channel}",
        "LIVE_TICK_SECONDS": "0.5",
    }
    if redis_available():
        environment |= {
            "SOCKETIO_MESSAGE_QUEUE": REDIS_URL,
            "SOCKETIO_CHANNEL": f"test-browser-{uuid.uuid4().hex}",
        }
    return environment


def _register_and_bookmark(page: object, base: str) -> None:
    page.goto(base + "/register")  # type: ignore[attr-defined]
    page.fill("#r-name", "Ada Lovelace")  # type: ignore[attr-defined]
    page.fill("#r-email", "ada@example.org")  # type: ignore[attr-defined]
    page.select_option("#r-country", "KE")  # type: ignore[attr-defined]
    page.check("input[name=stakeholder_group][value=civil-society]")  # type: ignore[attr-defined]
    page.select_option("#r-language", "fr")  # type: ignore[attr-defined]
    page.click("form[action$='/register'] button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_selector("[data-link-sent]")  # type: ignore[attr-defined]
    page.goto(base + "/my")  # type: ignore[attr-defined]
    assert "/my/" in page.input_value("[data-personal-link]")  # type: ignore[attr-defined]
    for key in ("s-open", "s-par"):
        page.goto(base + "/sessions")  # type: ignore[attr-defined]
        # Once /me.json says who this is, the link bookmarks in place (static/personal.js).
        page.wait_for_selector("[data-me-link]:has-text('My agenda')")  # type: ignore[attr-defined]
        page.click(f'a.bookmark-link[data-bookmark="{key}"]')  # type: ignore[attr-defined]
        page.wait_for_selector(f'[data-bookmark-actions="{key}"] .bookmark-state')  # type: ignore[attr-defined]
    page.goto(base + "/my")  # type: ignore[attr-defined]
    assert page.locator('[data-bookmark="s-open"]').count() == 1  # type: ignore[attr-defined]
    assert page.locator('[data-bookmark="s-par"]').count() == 1  # type: ignore[attr-defined]


def test_join_button_is_pushed_when_the_session_opens(
    env: dict[str, str], tmp_path: Path, provider: str
) -> None:
    join_button = '.live-card[data-session="s-open"] [data-field="join"]'
    with (
        server(env, "2025-07-08T15:44:30", tmp_path / "server.log") as base,
        playwright_api.sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            _register_and_bookmark(page, base)

            page.goto(base + "/now")
            page.wait_for_selector("[data-live-status]:text('Live')")
            page.evaluate("window.loadedOnce = true")
            assert page.locator(join_button).is_hidden(), (
                "the session opened before the page did: raise the clock margin"
            )

            page.wait_for_selector(join_button, state="visible", timeout=OPENS_WITHIN_MS)
            assert (
                page.locator('.live-card[data-session="s-open"] [data-field="phase_label"]').inner_text()
                == "Join open"
            )

            delayed = cli(env, "live", "delay", "s-par", "10")
            assert delayed.returncode == 0, delayed.stderr
            page.wait_for_selector('.live-card[data-session="s-par"] [data-field="delay"]:text("+10 min")')
            page.wait_for_selector("[data-live-notices]:has-text('Parallel track is delayed by 10 minutes')")
            assert page.evaluate("window.loadedOnce") is True, "the page reloaded"

            page.click(join_button)
            page.wait_for_url(provider + "/room/**")
            assert page.inner_text("h1") == "Virtual room"
            rooms = [visit for visit in Provider.visits if visit[0].startswith("/room/")]
            assert rooms == [("/room/room-a-2025-07-08?lang=fr", None)]  # no Referer: the token stays ours
        finally:
            browser.close()
