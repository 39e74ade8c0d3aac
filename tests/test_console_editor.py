"""The timetable editor in the console: its API answers (checked moves, refusals in words, stale
revisions, overrides), the page's list path without a script, and a re-plan around pins run as a
real job whose draft keeps every pin and passes the independent checker."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask.testing import FlaskClient

from scheduler.check import check
from scheduler.db import transaction
from scheduler.store import export_problem
from scheduler.versions import find_version, save_draft, version_schedule
from tests.console_data import Console, csrf, make_token
from tests.test_live_data import event_of, schedule

pytestmark = pytest.mark.db
pytest_plugins = ("tests.console_fixtures",)
API = "/console/api/v1"


def _draft(console: Console) -> int:
    with transaction(console.engine) as db:
        return save_draft(db, event_of(db, console.event_id), schedule(), note="to edit").number


def _api(console: Console, role: str = "editor") -> tuple[FlaskClient, dict[str, str]]:
    return console.app.test_client(), {"Authorization": f"Bearer {make_token(console.engine, role)}"}


def _edit(console: Console, number: int, edit: str, body: dict[str, Any], role: str = "editor") -> Any:
    client, headers = _api(console, role)
    return client.post(f"{API}/versions/{number}/edits/{edit}", json=body, headers=headers)


def test_a_move_to_a_free_slot_is_answered_with_the_new_revision(console: Console) -> None:
    number = _draft(console)
    body = {"session": "s-next", "room": "room-c", "start": "2025-07-08T10:00", "revision": 0}
    answer = _edit(console, number, "move", body)
    assert answer.status_code == 200, answer.get_json()
    data = answer.get_json()
    assert data["revision"] == 1 and data["override"] == []
    assert data["changes"][0] == {
        "session": "s-next", "kind": "moved", "room": "room-c", "start": "2025-07-08T10:00:00",
        "end": "2025-07-08T10:45:00", "describe": data["changes"][0]["describe"],
    }  # fmt: skip
    client, headers = _api(console, "viewer")
    state = client.get(f"{API}/versions/{number}/editor", headers=headers).get_json()
    assert state["revision"] == 1 and state["can_undo"] and not state["can_redo"]
    assert {"session": "s-next", "room": "room-c", "start": "2025-07-08T10:00:00",
            "end": "2025-07-08T10:45:00"} in state["assignments"]  # fmt: skip


def test_a_move_onto_a_speakers_session_is_refused_with_the_speakers_name(console: Console) -> None:
    number = _draft(console)
    body = {"session": "s-next", "room": "room-c", "start": "2025-07-08T16:00", "revision": 0}
    refused = _edit(console, number, "move", body)
    assert refused.status_code == 409
    issue = refused.get_json()["issues"][0]
    assert issue.startswith("speaker overlap:") and "Speaker sp-nd" in issue
    kept = _edit(console, number, "move", {**body, "override": True})
    assert kept.status_code == 200 and kept.get_json()["override"]
    client, headers = _api(console, "viewer")
    state = client.get(f"{API}/versions/{number}/editor", headers=headers).get_json()
    assert "speaker sp-nd" in state["overrides"]["s-next"][0]


def test_a_stale_revision_and_a_viewer_are_refused(console: Console) -> None:
    number = _draft(console)
    body = {"session": "s-next", "room": "room-c", "start": "2025-07-08T10:00", "revision": 0}
    assert _edit(console, number, "move", body).status_code == 200
    stale = _edit(console, number, "move", {**body, "start": "2025-07-08T11:00"})
    assert stale.status_code == 409 and "changed since you loaded it" in stale.get_json()["message"]
    assert _edit(console, number, "move", {**body, "revision": 1}, role="viewer").status_code == 403
    assert _edit(console, number, "teleport", {"revision": 1}).status_code == 404
    assert _edit(console, number, "move", {"session": "s-next"}).status_code == 400
    assert _edit(console, 1, "undo", {"revision": 0}).status_code == 400  # version 1 is published


def test_pin_unpin_swap_undo_through_the_api(console: Console) -> None:
    number = _draft(console)
    pinned = _edit(console, number, "pin", {"sessions": ["s-open", "s-par"], "what": "room", "revision": 0})
    assert pinned.status_code == 200 and pinned.get_json()["pins"]["s-open"]["room"] == "room-a"
    refused = _edit(console, number, "swap", {"session": "s-open", "other": "s-par", "revision": 1})
    assert refused.status_code == 400 and "pinned" in refused.get_json()["message"]
    assert (
        _edit(console, number, "unpin", {"sessions": ["s-open", "s-par"], "revision": 1}).status_code == 200
    )
    swapped = _edit(
        console, number, "swap", {"session": "s-open", "other": "s-par", "revision": 2, "override": 1}
    )
    assert swapped.status_code == 200 and len(swapped.get_json()["changes"]) == 2
    undone = _edit(console, number, "undo", {"revision": 3})
    assert undone.status_code == 200 and {c["session"] for c in undone.get_json()["changes"]} == {
        "s-open",
        "s-par",
    }


def test_the_page_shows_the_grid_and_the_list_path_moves_a_session(console: Console) -> None:
    number = _draft(console)
    client = console.client("editor")
    page = client.get(f"/console/versions/{number}/edit?day=2025-07-08&track=C2")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-room="room-c" data-start="2025-07-08T10:00"' in html
    assert 'data-session="s-next"' in html and "ed-dimmed" in html  # C1-only sessions are dimmed
    review = f"/console/versions/{number}?day=2025-07-08"
    assert 'change-moved" data-session="s-next"' not in client.get(review).get_data(as_text=True)
    token = csrf(client, f"/console/versions/{number}/edit")
    form = {"csrf_token": token, "revision": "0", "action": "move", "session": "s-next", "room": "room-c",
            "start": "2025-07-08T10:00", "keep_day": "2025-07-08"}  # fmt: skip
    moved = client.post(f"/console/versions/{number}/edit", data=form)
    assert moved.status_code == 302 and "day=2025-07-08" in moved.headers["Location"]
    # The review of the draft (its changes and its grid) follows the edit.
    assert 'change-moved" data-session="s-next"' in client.get(review).get_data(as_text=True)
    refused = client.post(
        f"/console/versions/{number}/edit", data={**form, "revision": "1", "start": "2025-07-08T16:00"}
    )
    assert refused.status_code == 409 and "Speaker sp-nd" in refused.get_data(as_text=True)
    assert console.client("viewer").get(f"/console/versions/{number}/edit").status_code == 200


@pytest.mark.slow
def test_a_replan_keeps_three_pins_and_the_agenda_stays_valid(console: Console) -> None:
    number = _draft(console)
    # A kept override leaves the draft broken: the re-plan must repair it around the pins.
    body = {
        "session": "s-next",
        "room": "room-c",
        "start": "2025-07-08T16:00",
        "revision": 0,
        "override": True,
    }
    assert _edit(console, number, "move", body).status_code == 200
    pins = ["s-open", "s-par", "s-morning"]
    assert _edit(console, number, "pin", {"sessions": pins, "revision": 1}).status_code == 200
    client, headers = _api(console)
    started = client.post(f"{API}/versions/{number}/replan", json={"time_limit": 5}, headers=headers)
    assert started.status_code == 202, started.get_json()
    job = started.get_json()
    assert job["kind"] == "replan"
    deadline = time.monotonic() + 120
    while job["state"] not in ("done", "stopped", "failed"):
        assert time.monotonic() < deadline, job
        time.sleep(0.3)
        job = client.get(f"{API}/jobs/{job['id']}", headers=headers).get_json()
    assert job["state"] == "done", job
    moved = {m["session"]: m["why"] for m in job["progress"]["moved"]}
    assert "s-next" in moved and "speaker overlap" in moved["s-next"]
    assert not set(pins) & set(moved)
    page = console.client("viewer").get(f"/console/jobs/{job['id']}").get_data(as_text=True)
    assert "What moved, and why" in page and "speaker overlap" in page
    with transaction(console.engine) as db:
        event = event_of(db, console.event_id)
        before = version_schedule(db, find_version(db, event, number))
        result = find_version(db, event, job["draft"])
        after = version_schedule(db, result)
        assert set(result.pins) == set(pins)
        for key in pins:
            assert before.assignment(key) == after.assignment(key)
        assert check(export_problem(db, event), after).valid
