"""The agenda in a real browser: Debian's headless Chromium against `scheduler serve` on loopback.

A visitor in New York opens the day's timetable, filters it by an Action Line, opens a session and
sees its Geneva time with their own local time beside it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.agenda_data import PublishedEvent
from tests.test_browser_live import CHROMIUM_ARGS
from tests.test_live_data import server

pytest_plugins = ("tests.agenda_fixtures",)
playwright = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path("/tmp")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture
def site(agenda_event: PublishedEvent, database_url: str, tmp_path: Path) -> Iterator[str]:
    """`scheduler serve` for the published test event, as a subprocess; yields its base URL."""
    env = {**os.environ, "DATABASE_URL": database_url}
    # The clock only matters to Now & Next; these pages show the agenda whatever the time.
    with server(env, "2025-07-08T09:00", tmp_path / "server.log") as base:
        yield base


@pytest.fixture
def browser() -> Iterator[object]:
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def test_new_york_visitor_filters_the_grid_and_sees_local_times(site: str, browser: object) -> None:
    context = browser.new_context(
        timezone_id="America/New_York", locale="en-US", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto(f"{site}/day/2025-07-08")
    assert page.locator(".tt-session").count() == 3
    # The time axis gives the visitor's clock: 10:00 in Geneva (UTC+2) is 04:00 in New York (UTC-4).
    axis = page.locator(".tt-mark", has=page.locator('time[datetime="2025-07-08T10:00:00+02:00"]'))
    assert axis.inner_text().split() == ["10:00", "04:00"]
    page.screenshot(path=str(SCREENSHOTS / "agenda-day-grid.png"))

    # Keyboard users land on the skip link first.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"

    page.select_option("#f-track", "C1")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"/day/2025-07-08\?.*track=C1"))
    titles = page.locator(".tt-session .tt-title").all_inner_texts()
    assert titles == ["Action Line C1: the role of governments"]

    page.click("text=Action Line C1: the role of governments")
    page.wait_for_url("**/sessions/s-c1")
    when = page.locator(".facts .when").first
    assert when.locator("time").first.inner_text() == "10:00"
    assert when.locator(".local-time .local-range").inner_text() == "04:00–04:45"
    assert when.locator(".local-time .zone-name").inner_text() == "New York time"
    assert "New York time" in page.locator("[data-tz-note] .tz-viewer").first.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "agenda-session.png"), full_page=True)
    context.close()


def test_geneva_visitor_and_phone_layout(site: str, browser: object) -> None:
    """In the event's own zone there is no second clock; on a phone the grid is a time-ordered list."""
    geneva = browser.new_context(timezone_id="Europe/Paris", locale="fr-CH")
    page = geneva.new_page()
    page.goto(f"{site}/sessions/s-open")
    assert page.locator(".facts time").first.inner_text() == "10:00"
    assert page.locator(".local-time").count() == 0
    geneva.close()

    phone = browser.new_context(timezone_id="Asia/Tokyo", viewport={"width": 390, "height": 844})
    page = phone.new_page()
    page.goto(f"{site}/day/2025-07-08")
    tops = [box["y"] for box in (s.bounding_box() for s in page.locator(".tt-session").all()) if box]
    assert len(tops) == 3 and tops == sorted(tops)
    # 14:00 in Geneva is 21:00 in Tokyo; the card shows it on a phone.
    late = page.locator(".tt-session", has_text="second line")
    assert "21:00–22:30 Tokyo time" in late.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "agenda-day-phone.png"), full_page=True)
    phone.close()
