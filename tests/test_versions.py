"""Drafts and publishing: numbering, calendar sequences, one-version cancellations and the changelog."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session as DbSession

from scheduler import models, versions
from scheduler.agenda import latest_published
from scheduler.db import transaction
from scheduler.problem_file import parse_problem
from scheduler.schedule_file import parse_schedule
from scheduler.store import export_problem, import_problem
from scheduler.versions import (
    PublishRefused,
    VersionError,
    publish,
    publish_schedule,
    save_draft,
    version_schedule,
)
from solver.domain import Schedule
from tests.test_store import problem_data

pytestmark = pytest.mark.db

Row = TypeVar("Row", models.PublishedEntry, models.VersionChange)
T1, T2, T3, T4 = (datetime(2025, 6, day, 12, 0) for day in (1, 2, 3, 4))


def schedule(*assignments: tuple[str, str, str, str], **more: Any) -> Schedule:
    data = {
        "format": "agenda-schedule/1",
        "status": "feasible",
        "assignments": [
            {"session": s, "room": r, "start": f"2025-07-07T{a}", "end": f"2025-07-07T{b}"}
            for s, r, a, b in assignments
        ],
        **more,
    }
    return parse_schedule(data)


OPENING = ("s-1", "room-a", "09:00", "10:00")
WORKSHOP = ("s-2", "room-b", "14:00", "15:30")
ROUNDTABLE = ("s-3", "room-b", "10:15", "11:00")
ROUNDTABLE_MOVED = ("s-3", "room-a", "11:00", "11:45")
FIRST = schedule(OPENING, WORKSHOP, ROUNDTABLE, objective=12.5, bound=10, solve_seconds=1.5)
SECOND = schedule(
    OPENING,
    ROUNDTABLE_MOVED,
    unscheduled=[{"session": "s-2", "reason": "speaker away", "x-why": 1}],
    conflicts=[{"message": "tight", "sessions": ["s-2"], "rules": ["r1"]}],
    **{"x-solver": {"seed": 3}},
)


@pytest.fixture
def event_id(engine: Engine) -> int:
    with transaction(engine) as db:
        return import_problem(db, parse_problem(problem_data())).id


def version_rows(db: DbSession, table: type[Row], number: int) -> Sequence[Row]:
    """The rows of `table` (entries or changes) that belong to version `number`."""
    return db.scalars(
        select(table).join(models.ScheduleVersion).where(models.ScheduleVersion.number == number)
    ).all()


def entries(engine: Engine, number: int) -> dict[str, tuple[Any, ...]]:
    """A published version's entries by session key: room key, start, end, sequence, cancelled, changed_at."""
    with transaction(engine) as db:
        return {
            e.session.key: (
                e.room.key,
                f"{e.start:%H:%M}",
                f"{e.end:%H:%M}",
                e.sequence,
                e.cancelled,
                e.changed_at,
            )
            for e in version_rows(db, models.PublishedEntry, number)
        }


def changes(engine: Engine, number: int) -> list[tuple[str, str, str | None, str | None]]:
    with transaction(engine) as db:
        return sorted(
            (c.session.key, c.kind, c.before_room and c.before_room.key, c.after_room and c.after_room.key)
            for c in version_rows(db, models.VersionChange, number)
        )


def publish_at(engine: Engine, event_id: int, plan: Schedule, now: datetime, **options: Any) -> int:
    with transaction(engine) as db:
        return publish_schedule(db, db.get(models.Event, event_id), plan, now, **options).number


def test_drafts_are_numbered_per_event_and_read_back_whole(engine: Engine, event_id: int) -> None:
    with transaction(engine) as db:
        event = db.get(models.Event, event_id)
        first = save_draft(db, event, FIRST, note="first try", now=T1)
        second = save_draft(db, event, SECOND)
        assert (first.number, second.number) == (1, 2)
        assert (first.state, first.note, first.created_at, first.published_at) == (
            "draft",
            "first try",
            T1,
            None,
        )
        assert version_schedule(db, first) == FIRST
        assert version_schedule(db, second) == SECOND
        assert second.report["x-solver"] == {"seed": 3}


def test_drafts_never_reach_readers(engine: Engine, event_id: int) -> None:
    with transaction(engine) as db:
        event = db.get(models.Event, event_id)
        save_draft(db, event, FIRST)
        assert latest_published(db, event) is None


def test_first_publication_makes_every_session_new(engine: Engine, event_id: int) -> None:
    with transaction(engine) as db:
        event = db.get(models.Event, event_id)
        draft = save_draft(db, event, FIRST, note="plan A")
        published = publish(db, event, draft, T1)
        assert (published.number, published.state, published.published_at) == (2, "published", T1)
        assert published.note == "plan A"
        assert latest_published(db, event) is published
        assert version_schedule(db, published) == FIRST
    assert entries(engine, 2) == {
        "s-1": ("room-a", "09:00", "10:00", 0, False, T1),
        "s-2": ("room-b", "14:00", "15:30", 0, False, T1),
        "s-3": ("room-b", "10:15", "11:00", 0, False, T1),
    }
    assert changes(engine, 2) == [("s-1", "new", None, "room-a"), ("s-2", "new", None, "room-b"),
                                  ("s-3", "new", None, "room-b")]  # fmt: skip


def test_moves_raise_the_sequence_and_dropped_sessions_are_cancelled_for_one_version(
    engine: Engine, event_id: int
) -> None:
    assert publish_at(engine, event_id, FIRST, T1) == 1
    assert publish_at(engine, event_id, SECOND, T2) == 2
    assert entries(engine, 2) == {
        "s-1": ("room-a", "09:00", "10:00", 0, False, T1),
        "s-3": ("room-a", "11:00", "11:45", 1, False, T2),
        "s-2": ("room-b", "14:00", "15:30", 1, True, T2),
    }
    assert changes(engine, 2) == [("s-2", "cancelled", "room-b", None), ("s-3", "moved", "room-b", "room-a")]
    assert publish_at(engine, event_id, SECOND, T3) == 3
    assert "s-2" not in entries(engine, 3)
    assert changes(engine, 3) == []


def test_an_unchanged_publication_repeats_the_entries_exactly(engine: Engine, event_id: int) -> None:
    publish_at(engine, event_id, FIRST, T1)
    publish_at(engine, event_id, SECOND, T2)
    publish_at(engine, event_id, SECOND, T3)
    publish_at(engine, event_id, SECOND, T4)
    assert entries(engine, 4) == entries(engine, 3)
    assert changes(engine, 4) == []


def test_a_session_back_after_cancellation_outranks_its_cancellation(engine: Engine, event_id: int) -> None:
    publish_at(engine, event_id, FIRST, T1)
    publish_at(engine, event_id, SECOND, T2)  # s-2 cancelled with sequence 1
    publish_at(engine, event_id, SECOND, T3)  # s-2 absent
    publish_at(engine, event_id, FIRST, T4)
    assert entries(engine, 4)["s-2"] == ("room-b", "14:00", "15:30", 2, False, T4)
    assert entries(engine, 4)["s-3"] == ("room-b", "10:15", "11:00", 2, False, T4)
    assert ("s-2", "new", None, "room-b") in changes(engine, 4)


def test_publishing_a_schedule_that_breaks_a_rule_is_refused_unless_forced(
    engine: Engine, event_id: int
) -> None:
    clash = schedule(OPENING, ("s-2", "room-a", "09:00", "10:30"), ROUNDTABLE)
    with pytest.raises(PublishRefused) as refused:
        publish_at(engine, event_id, clash, T1)
    assert {"s-1", "s-2"} <= {s for v in refused.value.violations for s in v.sessions}
    assert "hard rule" in str(refused.value)
    with transaction(engine) as db:
        assert db.scalar(select(func.count()).select_from(models.ScheduleVersion)) == 0
    assert publish_at(engine, event_id, clash, T1, force=True) == 1


def test_infeasible_schedules_and_unknown_ids_are_refused(engine: Engine, event_id: int) -> None:
    infeasible = parse_schedule({"format": "agenda-schedule/1", "status": "infeasible",
                                 "conflicts": [{"message": "no room"}]})  # fmt: skip
    with pytest.raises(VersionError, match="infeasible"):
        publish_at(engine, event_id, infeasible, T1, force=True)
    with pytest.raises(VersionError, match="session 's-404'"), transaction(engine) as db:
        save_draft(db, db.get(models.Event, event_id), schedule(("s-404", "room-a", "09:00", "10:00")))
    with transaction(engine) as db:
        # An infeasible result is still worth keeping as a draft: its conflicts say what to fix.
        draft = save_draft(db, db.get(models.Event, event_id), infeasible)
        assert version_schedule(db, draft) == infeasible


def test_a_failure_half_way_through_publishing_leaves_no_trace(
    engine: Engine, event_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish_at(engine, event_id, FIRST, T1)

    def crash(*args: Any) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(versions, "_changes", crash)
    with pytest.raises(RuntimeError):
        publish_at(engine, event_id, SECOND, T2)
    with transaction(engine) as db:
        event = db.get(models.Event, event_id)
        assert latest_published(db, event).number == 1
        assert db.scalar(select(func.count()).select_from(models.PublishedEntry)) == 3


def test_a_published_session_dropped_by_a_reimport_is_cancelled_at_the_next_publication(
    engine: Engine, event_id: int
) -> None:
    publish_at(engine, event_id, FIRST, T1)
    with transaction(engine) as db:
        original_id = db.scalar(select(models.Session.id).where(models.Session.key == "s-2"))
    without = problem_data()
    without["sessions"] = [s for s in without["sessions"] if s["id"] != "s-2"]
    without["rules"] = {"no_overlap": [], "x-rules": 1}
    with transaction(engine) as db:
        event = import_problem(db, parse_problem(without))
        assert [s.id for s in export_problem(db, event).sessions] == ["s-1", "s-3"]
        assert next(s for s in event.sessions if s.key == "s-2").removed_at is not None
    publish_at(engine, event_id, schedule(OPENING, ROUNDTABLE), T2)
    assert entries(engine, 2)["s-2"] == ("room-b", "14:00", "15:30", 1, True, T2)
    with transaction(engine) as db:
        event = import_problem(db, parse_problem(problem_data()))
        revived = next(s for s in event.sessions if s.key == "s-2")
        assert (revived.id, revived.removed_at) == (original_id, None)
        assert [s.key for s in revived.speakers] == ["sp-3"]


def test_concurrent_publishers_take_turns(engine: Engine, event_id: int) -> None:
    """The second publisher waits for the first and builds on its version, never on a stale one."""
    first_written, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction(engine) as db:
                publish_schedule(db, db.get(models.Event, event_id), FIRST, T1)
                first_written.set()
                release.wait(10)
        except BaseException as error:
            errors.append(error)
            first_written.set()

    def second() -> None:
        first_written.wait(10)
        try:
            publish_at(engine, event_id, SECOND, T2)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_written.wait(10)
    threads[1].join(0.5)  # give the second publisher time to block on the first
    release.set()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert entries(engine, 2)["s-3"] == ("room-a", "11:00", "11:45", 1, False, T2)
    assert changes(engine, 2) == [("s-2", "cancelled", "room-b", None), ("s-3", "moved", "room-b", "room-a")]
