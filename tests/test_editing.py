"""The timetable editor's domain (scheduler/editing.py): each edit checked, logged, undoable, and
refused on a stale revision; the incremental check agrees with the full one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from scheduler import editing
from scheduler.audit import Actor
from scheduler.check import check, check_sessions
from scheduler.db import transaction
from scheduler.models import AuditEntry, ScheduleVersion
from scheduler.problem_file import parse_problem
from scheduler.schedule_file import parse_schedule
from scheduler.store import export_problem
from scheduler.versions import save_draft, version_schedule
from solver import solve
from solver.domain import Problem, Schedule
from tests.strategies import problems_with_schedules
from tests.test_live_data import DAY1, DAY2, at, event_of, schedule, seed
from tests.test_live_data import problem as live_problem
from tests.test_solver_properties import OPTIONS, planted_events

pytestmark = pytest.mark.db
EDITOR = Actor("editor@example.org", "console", None)


def _draft(engine: Engine) -> tuple[int, int]:
    """The small live event with a draft equal to its published agenda: (event id, draft number)."""
    event_id = seed(engine)
    with transaction(engine) as db:
        return event_id, save_draft(db, event_of(db, event_id), schedule(), note="to edit").number


def _version(db: object, event_id: int, number: int) -> ScheduleVersion:
    return db.scalars(  # type: ignore[attr-defined,no-any-return]
        select(ScheduleVersion).where(ScheduleVersion.event_id == event_id, ScheduleVersion.number == number)
    ).one()


def _move(db: object, event_id: int, number: int, session: str, room: str, when: datetime, revision: int = 0,
          **options: bool) -> editing.Outcome:  # fmt: skip
    draft = _version(db, event_id, number)
    return editing.move(_as(db, draft, revision), session, room, when, **options)


def _as(db: object, draft: ScheduleVersion, revision: int) -> editing.Editing:
    return editing.Editing(db, draft, revision, EDITOR)  # type: ignore[arg-type]


def test_a_move_to_a_free_slot_is_made_logged_and_counted(engine: Engine) -> None:
    event_id, number = _draft(engine)
    with transaction(engine) as db:
        draft = _version(db, event_id, number)
        outcome = editing.move(_as(db, draft, 0), "s-next", "room-c", at(DAY1, "10:00"))
        assert outcome.revision == 1 and not outcome.violations
        assert [c.session for c in outcome.changes] == ["s-next"]
    with transaction(engine) as db:
        draft = _version(db, event_id, number)
        placed = version_schedule(db, draft).assignment("s-next")
        assert placed is not None and (placed.room, placed.start) == ("room-c", at(DAY1, "10:00"))
        assert placed.end == at(DAY1, "10:45")
        line = db.scalars(select(AuditEntry).where(AuditEntry.action == "draft.move")).one()
        assert line.actor == EDITOR.name and "s-next" in line.subject and "room-c" in (line.after or "")


def test_a_move_onto_a_speakers_other_session_is_refused_naming_the_speaker(engine: Engine) -> None:
    event_id, number = _draft(engine)
    with pytest.raises(editing.EditRefused) as refused, transaction(engine) as db:
        # sp-nd speaks in s-par at 16:00 in room-b.
        _move(db, event_id, number, "s-next", "room-c", at(DAY1, "16:00"))
    assert [v.rule for v in refused.value.violations] == ["speaker overlap"]
    assert "speaker sp-nd" in refused.value.violations[0].message
    with transaction(engine) as db:
        assert _version(db, event_id, number).revision == 0  # nothing was written


def test_an_override_keeps_the_move_and_stores_what_it_breaks(engine: Engine) -> None:
    event_id, number = _draft(engine)
    with transaction(engine) as db:
        outcome = _move(db, event_id, number, "s-next", "room-c", at(DAY1, "16:00"), override=True)
        assert [v.rule for v in outcome.violations] == ["speaker overlap"]
    with transaction(engine) as db:
        draft = _version(db, event_id, number)
        assert "speaker sp-nd" in draft.overrides["s-next"][0]
        line = db.scalars(select(AuditEntry).where(AuditEntry.action == "draft.move")).one()
        assert line.detail["override"]
        # Moving it somewhere clean drops the override.
        editing.move(_as(db, draft, 1), "s-next", "room-c", at(DAY1, "10:00"))
        assert draft.overrides == {}


def test_an_edit_on_a_stale_revision_is_refused_with_the_reason(engine: Engine) -> None:
    event_id, number = _draft(engine)
    with transaction(engine) as db:
        _move(db, event_id, number, "s-next", "room-c", at(DAY1, "10:00"))
    with (
        transaction(engine) as db,
        pytest.raises(editing.StaleRevision, match="has changed since you loaded"),
    ):
        _move(db, event_id, number, "s-day2", "room-c", at(DAY2, "11:00"))


def test_swap_unschedule_place_and_their_effects(engine: Engine) -> None:
    event_id, number = _draft(engine)
    with transaction(engine) as db:
        draft = _version(db, event_id, number)
        # Swapping the two 16:00 sessions keeps their track clash (C1/C2 both ways): no effect in words.
        swapped = editing.swap(_as(db, draft, 0), "s-open", "s-par", override=True)
        assert {c.session for c in swapped.changes} == {"s-open", "s-par"}
        assert {v.rule for v in swapped.violations} >= {"capacity"}  # 90 people in room-b's 50 seats
        with pytest.raises(editing.EditRefused, match="hard rule"):
            editing.unschedule(_as(db, draft, 1), "s-day2")  # not optional
        gone = editing.unschedule(_as(db, draft, 1), "s-morning", override=True)
        assert gone.changes[0].kind == "cancelled"
        back = editing.move(_as(db, draft, 2), "s-morning", "room-a", at(DAY1, "11:00"))
        assert back.changes[0].kind == "new" and not back.violations
        moved = editing.move(_as(db, draft, 3), "s-par", "room-b", at(DAY1, "12:00"), override=True)
        assert any("removes a track clash" in effect for effect in moved.effects)


def test_pins_block_moves_and_undo_redo_walk_the_history(engine: Engine) -> None:
    event_id, number = _draft(engine)
    with transaction(engine) as db:
        draft = _version(db, event_id, number)
        editing.pin(_as(db, draft, 0), ["s-open", "s-day2"], "both")
        assert draft.pins["s-open"] == {"room": "room-a", "start": at(DAY1, "16:00").isoformat()}
        with pytest.raises(editing.EditError, match="pinned"):
            editing.move(_as(db, draft, 1), "s-open", "room-c", at(DAY1, "10:00"))
        editing.move(_as(db, draft, 1), "s-next", "room-c", at(DAY1, "10:00"))
        editing.undo(_as(db, draft, 2))
        assert version_schedule(db, draft).assignment("s-next").start == at(DAY1, "17:15")  # type: ignore[union-attr]
        editing.undo(_as(db, draft, 3))
        assert draft.pins == {}
        editing.redo(_as(db, draft, 4))
        assert set(draft.pins) == {"s-open", "s-day2"}
        editing.redo(_as(db, draft, 5))
        assert version_schedule(db, draft).assignment("s-next").start == at(DAY1, "10:00")  # type: ignore[union-attr]
        with pytest.raises(editing.EditError, match="nothing to redo"):
            editing.redo(_as(db, draft, 6))
        editing.unpin(_as(db, draft, 6), ["s-day2"])
        assert set(draft.pins) == {"s-open"}
        actions = db.scalars(select(AuditEntry.action).where(AuditEntry.action.startswith("draft."))).all()
        assert actions.count("draft.undo") == 2 and actions.count("draft.redo") == 2


def test_published_versions_are_not_edited(engine: Engine) -> None:
    event_id = seed(engine)
    with transaction(engine) as db, pytest.raises(editing.EditError, match="only drafts"):
        editing.move(_as(db, _version(db, event_id, 1), 0), "s-next", "room-c", datetime(2025, 7, 8, 10))


@settings(max_examples=150, deadline=None)
@given(problems_with_schedules(), st.data())
def test_the_incremental_check_finds_exactly_the_full_checks_violations_of_its_sessions(
    given_data: tuple[dict, dict], data: st.DataObject
) -> None:
    problem_data, schedule_data = given_data
    problem = parse_problem(problem_data)
    agenda = parse_schedule(schedule_data, problem)
    ids = [s.id for s in problem.sessions]
    focus = set(data.draw(st.lists(st.sampled_from(ids), max_size=3))) if ids else set()
    full = {v for v in check(problem, agenda).violations if focus.intersection(v.sessions)}
    assert set(check_sessions(problem, agenda, focus)) == full


KEYS = st.sampled_from(["s-morning", "s-open", "s-next", "s-par", "s-day2"])
EDITS = st.lists(
    st.one_of(
        st.tuples(
            st.just("move"),
            KEYS,
            st.sampled_from(["room-a", "room-b", "room-c"]),
            st.sampled_from([DAY1, DAY2]),
            st.sampled_from(["09:00", "10:00", "11:30", "14:15", "16:00", "17:15"]),
        ),
        st.tuples(st.just("swap"), KEYS, KEYS),
        st.tuples(st.just("unschedule"), KEYS),
        st.tuples(st.just("undo")),
    ),
    min_size=1,
    max_size=8,
)


def _make(edit: editing.Editing, step: tuple[Any, ...]) -> None:
    kind, *args = step
    if kind == "move":
        session, room, day, clock = args
        editing.move(edit, session, room, at(day, clock))
    elif kind == "swap":
        editing.swap(edit, *args)
    elif kind == "unschedule":
        editing.unschedule(edit, *args)
    else:
        editing.undo(edit)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(EDITS)
def test_accepted_edits_keep_the_draft_valid(engine: Engine, edits: list[tuple[Any, ...]]) -> None:
    """Moves, swaps, unschedules and undos without override: whatever is accepted leaves a draft
    the full checker accepts."""
    with transaction(engine) as db:
        if not db.scalars(select(ScheduleVersion)).first():
            seed(engine)
    with transaction(engine) as db:
        event = db.scalars(select(ScheduleVersion)).first().event  # type: ignore[union-attr]
        draft = save_draft(db, event, schedule())
        problem = export_problem(db, event)
        assert check(problem, version_schedule(db, draft)).valid
        for step in edits:
            try:
                _make(editing.Editing(db, draft, draft.revision, EDITOR, problem), step)
            except editing.EditError:  # refused (EditRefused), or not possible as asked
                continue
            assert check(problem, version_schedule(db, draft)).valid


@settings(max_examples=8, deadline=None)
@given(planted_events(), st.data())
def test_a_replan_never_moves_a_pinned_session(event: tuple[Problem, Schedule], data: st.DataObject) -> None:
    problem, planted = event
    assignments = st.sampled_from(planted.assignments)
    chosen = data.draw(st.lists(assignments, max_size=4, unique_by=lambda a: a.session), label="pins")
    kinds = data.draw(st.lists(st.sampled_from(["both", "room", "start"]), min_size=len(chosen),
                               max_size=len(chosen)), label="kinds")  # fmt: skip
    pins = {
        a.session: {"room": a.room if kind != "start" else None,
                    "start": a.start.isoformat() if kind != "room" else None}
        for a, kind in zip(chosen, kinds, strict=True)
    }  # fmt: skip
    pinned = editing.pinned_problem(problem, pins)
    result = solve(pinned, OPTIONS, baseline=planted)
    assert result.status in ("optimal", "feasible")
    for key, pin in pins.items():
        placed = result.assignment(key)
        assert placed is not None
        assert pin["room"] in (None, placed.room) and pin["start"] in (None, placed.start.isoformat())
    assert check(pinned, result).valid
    assert editing.pins_in_conflict(pins, result) == []


def test_pins_that_cannot_all_hold_are_named() -> None:
    """s-next kept as an override beside s-par (both have speaker sp-nd at 16:00), then both pinned."""
    draft = schedule(moves={"s-next": ("room-c", at(DAY1, "16:00"))})
    pins = {key: {"room": None, "start": at(DAY1, "16:00").isoformat()} for key in ("s-next", "s-par")}
    result = solve(editing.pinned_problem(live_problem(), pins), OPTIONS, baseline=draft)
    assert result.status == "infeasible"
    assert editing.pins_in_conflict(pins, result) == ["s-next", "s-par"]


def test_of_two_edits_made_at_once_on_one_revision_the_second_is_refused(engine: Engine) -> None:
    """Both pass the early revision check; the first to write takes the revision, so the second's
    write (`_claim`, an UPDATE ... WHERE revision = seen) finds it gone and writes nothing."""
    event_id, number = _draft(engine)
    with transaction(engine) as second_db:
        second = editing._Editor(_as(second_db, _version(second_db, event_id, number), 0))
        with transaction(engine) as first_db:
            _move(first_db, event_id, number, "s-next", "room-c", at(DAY1, "10:00"))
        with pytest.raises(editing.StaleRevision, match="it is at revision 1, you saw 0"):
            second.apply("move", {"s-day2": ("room-c", at(DAY2, "11:00"))}, override=False)
    with transaction(engine) as db:
        placed = version_schedule(db, _version(db, event_id, number)).assignment("s-day2")
        assert placed is not None and placed.start == at(DAY2, "09:00")
