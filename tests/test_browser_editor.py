"""The timetable editor in headless Chromium on a real `scheduler serve`: dragging with real mouse
events (down, move, up) to a free slot and onto a speaker's other session, the same move from lists
with the keyboard, a second editor seeing the change live over Socket.IO, three pins kept by a
re-plan whose draft the independent checker accepts, and axe on the page."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from scheduler.check import check
from scheduler.db import transaction
from scheduler.store import export_problem
from scheduler.versions import drafts, save_draft, version_schedule
from tests import axe
from tests.console_data import PASSWORD, email, make_user
from tests.test_browser_live import BROWSER_MARKS, CHROMIUM_ARGS
from tests.test_live_data import DAY1, at, event_of, schedule, seed, server

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = BROWSER_MARKS
# Tall enough that the whole first day's grid is in view: the mouse can only reach what is shown.
VIEWPORT = {"width": 1280, "height": 2200}


@pytest.fixture
def served(engine: Engine, database_url: str, tmp_path: Path) -> Iterator[tuple[str, int, Any]]:
    """A server on the small live event with a draft to edit, an editor and an admin, a browser."""
    event_id = seed(engine)
    with transaction(engine) as db:
        number = save_draft(db, event_of(db, event_id), schedule(), note="to edit").number
    make_user(engine, "editor")
    make_user(engine, "admin")
    env = {**os.environ, "DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path), "LIVE_TICKER": "0",
           "JOB_HEARTBEAT_SECONDS": "0.5"}  # fmt: skip
    env.pop("JOB_QUEUE_URL", None)
    with (
        server(env, "2025-07-01T10:00", tmp_path / "server.log") as base,
        playwright_api.sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield base, number, browser
        finally:
            browser.close()


def _signed_in(browser: Any, base: str, role: str) -> Any:
    page = browser.new_context(viewport=VIEWPORT).new_page()
    page.goto(base + "/console/login")
    page.fill("#login-email", email(role))
    page.fill("#login-password", PASSWORD)
    page.click("form button[type=submit]:text('Sign in')")
    page.wait_for_url("**/console/")
    return page


def _cell(room: str, start: str) -> str:
    return f'td[data-room="{room}"][data-start="{start}"]'


def _drag(page: Any, session: str, target: str) -> None:
    """Real pointer events: press on the card, move in steps to the cell, release."""
    page.evaluate("document.querySelector('.editor-grid').scrollIntoView()")
    card = page.locator(f'.ed-card[data-session="{session}"]').bounding_box()
    cell = page.locator(target).bounding_box()
    page.mouse.move(card["x"] + card["width"] / 2, card["y"] + card["height"] / 2)
    page.mouse.down()
    page.mouse.move(cell["x"] + cell["width"] / 2, cell["y"] + cell["height"] / 2, steps=8)
    page.mouse.up()


def test_drag_keyboard_and_a_second_editor(served: tuple[str, int, Any]) -> None:
    base, number, browser = served
    editor_url = f"{base}/console/versions/{number}/edit?day=2025-07-08"
    page = _signed_in(browser, base, "editor")
    page.goto(editor_url)
    axe.assert_accessible(page, "editor")
    page.set_viewport_size({"width": 390, "height": 900})
    axe.assert_accessible(page, "editor at 390px")
    page.set_viewport_size(VIEWPORT)
    other = _signed_in(browser, base, "admin")
    other.goto(editor_url)
    other.wait_for_timeout(500)  # its Socket.IO connection joins the draft's room

    # To a free slot: accepted, and the second editor sees it without reloading.
    _drag(page, "s-next", _cell("room-c", "2025-07-08T10:00"))
    page.wait_for_selector("[data-status]:has-text('Done:')")
    assert page.locator(_cell("room-c", "2025-07-08T10:00") + ' [data-session="s-next"]').count() == 1
    other.wait_for_selector(_cell("room-c", "2025-07-08T10:00") + ' [data-session="s-next"]')
    assert "Another editor changed this draft" in other.inner_text("[data-status]")

    # Onto a speaker's other session: refused, the speaker named, the card back where it was.
    _drag(page, "s-next", _cell("room-c", "2025-07-08T16:00"))
    page.wait_for_selector("[data-drag-refused]:has-text('speaker overlap')")
    assert "Speaker sp-nd" in page.inner_text("[data-drag-refused]")
    assert page.locator(_cell("room-c", "2025-07-08T10:00") + ' [data-session="s-next"]').count() == 1
    axe.assert_accessible(page, "editor with a refusal")

    # The list path, with the keyboard only: choose session, room and start, press the button.
    page.goto(editor_url)
    page.focus("#e-session")
    page.select_option("#e-session", "s-next")
    page.keyboard.press("Tab")
    page.select_option("#e-room", "room-b")
    page.keyboard.press("Tab")
    page.select_option("#e-start", "2025-07-08T11:00")
    page.focus("button[value=move]")
    page.keyboard.press("Enter")
    page.wait_for_selector(".alert-success:has-text('Done (move)')")
    assert page.locator(_cell("room-b", "2025-07-08T11:00") + ' [data-session="s-next"]').count() == 1

    # The second editor never reloaded, yet its view followed every edit: its own drag is current.
    other.wait_for_function("document.getElementById('editor').dataset.revision === '2'")
    # s-day2 comes from the second day, which neither page shows: the second editor gets a card for it.
    send = "r => fetch(r.api.replace('EDIT', 'move'), {method: 'POST', credentials: 'same-origin', headers: "
    send += "{'Content-Type': 'application/json', 'X-CSRF-Token': r.csrf}, body: JSON.stringify(r.body)})"
    page.evaluate(
        send,
        {
            "api": page.get_attribute("#editor", "data-api"),
            "csrf": page.get_attribute("#editor", "data-csrf"),
            "body": {"session": "s-day2", "room": "room-c", "start": "2025-07-08T11:00", "revision": 2},
        },
    )
    other.wait_for_selector(_cell("room-c", "2025-07-08T11:00") + ' [data-session="s-day2"]')
    _drag(other, "s-morning", _cell("room-a", "2025-07-08T12:00"))
    other.wait_for_selector("[data-status]:has-text('Done:')")
    assert other.get_attribute("#editor", "data-revision") == "4"


def test_three_pins_hold_through_a_replan(served: tuple[str, int, Any], engine: Engine) -> None:
    base, number, browser = served
    page = _signed_in(browser, base, "editor")
    page.goto(f"{base}/console/versions/{number}/edit")
    pins = ("s-open", "s-par", "s-morning")
    page.select_option("#e-session", pins[0])  # one on its own, two as a selection
    page.click("[data-list-form] button[value=pin]")
    page.wait_for_selector(".alert-success:has-text('Done (pin)')")
    page.select_option("#e-pin-many", list(pins[1:]))
    page.click("text=Pin the selection")
    page.wait_for_selector(".alert-success:has-text('Done (pin)')")
    assert page.locator(".ed-card .badge:text('pinned')").count() == 3
    page.fill("#e-replan-time", "5")
    page.click("text=Re-plan around the 3 pins")
    page.wait_for_url("**/console/jobs/*")
    page.wait_for_selector("text=Review draft version", timeout=90_000)
    assert "Nothing else had to move" in page.inner_text("[data-replan]")
    axe.assert_accessible(page, "re-plan job")
    with transaction(engine) as db:
        event = event_of(db, 1)
        result, edited = drafts(db, event)[:2]
        assert edited.number == number and set(result.pins) == set(pins)
        after, before = version_schedule(db, result), version_schedule(db, edited)
        for key in pins:
            assert after.assignment(key) == before.assignment(key)
        assert after.assignment("s-open").start == at(DAY1, "16:00")  # type: ignore[union-attr]
        assert check(export_problem(db, event), after).valid
