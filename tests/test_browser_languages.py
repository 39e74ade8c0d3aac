"""Languages in a real browser (Debian's Chromium against `scheduler serve`): French chosen by the
browser's Accept-Language, Arabic right to left without horizontal overflow and with the timetable
reading from the right, Chinese drawn with a CJK font, and axe-core clean in every offered language.

Arabic and Chinese use stand-in catalogues (tests.pseudo) until theirs are complete: the structure,
the direction, the dates and the data are theirs, the interface words English between markers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import axe, pseudo, test_browser_agenda
from tests.agenda_data import PublishedEvent
from tests.test_live_data import server
from webapp import i18n

pytest_plugins = ("tests.agenda_fixtures",)
playwright = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path("/tmp")
MAIN_PAGES = ("/", "/day/2025-07-08", "/sessions", "/sessions/s-open", "/speakers", "/register")
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC")

browser = test_browser_agenda.browser  # the same fixture: Debian's Chromium, launched once a test

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture
def site(agenda_event: PublishedEvent, database_url: str, tmp_path: Path) -> Iterator[str]:
    complete = set(i18n.catalogue_paths(i18n.TRANSLATIONS))
    stand_ins = tmp_path / "catalogues"
    for code in ("ar", "zh"):
        if code not in complete:
            pseudo.write_catalogue(stand_ins, code)
    env = {**os.environ, "DATABASE_URL": database_url, "EXTRA_TRANSLATIONS": str(stand_ins)}
    with server(env, "2025-07-08T09:00", tmp_path / "server.log") as base:
        yield base


WIDER_THAN_THE_PAGE = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  return [...document.querySelectorAll("body *")]
    .filter(e => {
      const r = e.getBoundingClientRect();
      return r.width && (r.left < -1 || r.right > width + 1);
    })
    .filter(e => !e.closest(".timetable-scroll, .table-scroll, .visually-hidden, .site-nav ul"))
    .slice(0, 5).map(e => e.tagName + "." + e.className + ": " + (e.textContent || "").trim().slice(0, 40));
}"""


def overflows(page: object) -> list[str]:
    """What sticks out of the page sideways (scrolling regions may: they scroll)."""
    return page.evaluate(WIDER_THAN_THE_PAGE)


def test_french_by_accept_language_then_arabic_right_to_left(site: str, browser: object) -> None:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{site}/day/2025-07-08")
    assert page.get_attribute("html", "lang") == "fr" and page.get_attribute("html", "dir") == "ltr"
    assert page.locator("h1").inner_text() == "mardi 8 juillet 2025"
    assert page.locator(".site-nav").get_by_text("Intervenants").count() == 1

    page.click('.language-switch a[hreflang="ar"]')
    page.wait_for_url("**lang=ar")
    assert page.get_attribute("html", "dir") == "rtl" and page.get_attribute("html", "lang") == "ar"
    # The grid reads from the right: the first room's column is right of the second's.
    first, second = (page.locator(f".tt-room.tt-col-{n}").bounding_box() for n in (2, 3))
    assert first["x"] > second["x"]
    assert overflows(page) == []
    page.screenshot(path=str(SCREENSHOTS / "languages-ar-1280.png"))
    # The choice stays (cookie), on every page and at phone width.
    page.set_viewport_size({"width": 390, "height": 844})
    for path in MAIN_PAGES:
        page.goto(f"{site}{path}")
        assert page.get_attribute("html", "dir") == "rtl", path
        assert overflows(page) == [], path
    page.screenshot(path=str(SCREENSHOTS / "languages-ar-390.png"), full_page=True)
    context.close()


def test_chinese_is_drawn_with_a_cjk_font(site: str, browser: object) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{site}/sessions/s-hostile?lang=zh")
    assert page.get_attribute("html", "lang") == "zh"
    assert page.locator(".fact-date").inner_text().startswith("2025年7月")
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith('"Noto Sans CJK SC"')
    # Which fonts Chromium really drew the date with (not only what the CSS asks for).
    cdp = context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": ".fact-date"})["nodeId"]
    used = {font["familyName"] for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]}
    assert used & set(CJK_FONTS), used
    page.screenshot(path=str(SCREENSHOTS / "languages-zh.png"), full_page=True)
    context.close()


def test_axe_finds_nothing_in_any_offered_language(site: str, browser: object) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(site)
    offered = page.eval_on_selector_all(".language-switch a", "links => links.map(a => a.hreflang)")
    assert {"en", "fr", "ar"} <= set(offered)
    for code in offered:
        for path in MAIN_PAGES:
            page.goto(f"{site}{path}?lang={code}")
            axe.assert_accessible(page, f"{path} in {code}")
    context.close()
