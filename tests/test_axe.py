"""The accessibility check itself: it must fail on a real violation, or a green run means nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import axe
from tests.test_browser_live import CHROMIUM_ARGS

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]

GOOD = """<!doctype html><html lang="en"><head><title>Fine</title></head>
<body><main><h1>Agenda</h1><a href="/day">Monday</a></main></body></html>"""
# A link whose only content is an image without alternative text has no accessible name.
BAD = GOOD.replace('<a href="/day">Monday</a>', '<a href="/day"><img src="data:,"></a>')


@pytest.fixture
def page() -> Iterator[object]:
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def test_a_clean_page_passes(page: object) -> None:
    page.set_content(GOOD)
    axe.assert_accessible(page, "the clean page")


def test_a_violation_fails_the_check_and_is_named(page: object) -> None:
    page.set_content(BAD)
    found = axe.violations(page)
    assert {"link-name", "image-alt"} <= {v["id"] for v in found}
    with pytest.raises(AssertionError, match="link-name"):
        axe.assert_accessible(page, "the broken page")


def test_a_content_security_policy_does_not_stop_the_check(page: object) -> None:
    strict = GOOD.replace(
        "<title>", "<meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'none'\"><title>"
    )
    page.set_content(strict)
    assert axe.violations(page) == []
