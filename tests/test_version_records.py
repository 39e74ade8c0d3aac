"""scheduler.versions to the letter: the drafts list, finding and re-publishing versions, what every
refusal says, and the times the changelog records for each change."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest
from sqlalchemy import Engine, select

from scheduler import models
from scheduler.db import transaction
from scheduler.problem_file import parse_problem
from scheduler.store import import_problem
from scheduler.versions import (
    PublishRefused,
    VersionError,
    drafts,
    find_version,
    publish,
    publish_schedule,
    save_draft,
)
from tests.test_store import problem_data
from tests.test_versions import FIRST, OPENING, ROUNDTABLE, SECOND, T1, T2, T3, entries, publish_at, schedule

pytestmark = pytest.mark.db


@pytest.fixture
def events(engine: Engine) -> tuple[int, int]:
    """Two events with the same sessions and rooms: 'store-test-forum-2025' and 'other-forum'."""
    other = copy.deepcopy(problem_data())
    other["event"]["name"] = "Other Forum"
    with transaction(engine) as db:
        return (import_problem(db, parse_problem(problem_data())).id,
                import_problem(db, parse_problem(other)).id)


def test_drafts_are_listed_newest_first_and_only_the_events(engine: Engine, events: tuple[int, int]) -> None:
    first, second = events
    with transaction(engine) as db:
        event, other = db.get(models.Event, first), db.get(models.Event, second)
        save_draft(db, event, FIRST, note="one", now=T1)
        publish_schedule(db, event, FIRST, T2)
        save_draft(db, other, SECOND, note="elsewhere")
        save_draft(db, event, SECOND, note="three")
        assert [(v.number, v.note) for v in drafts(db, event)] == [(3, "three"), (1, "one")]
        assert [v.note for v in drafts(db, other)] == ["elsewhere"]


def test_versions_are_found_by_number_within_their_event(engine: Engine, events: tuple[int, int]) -> None:
    first, second = events
    with transaction(engine) as db:
        event, other = db.get(models.Event, first), db.get(models.Event, second)
        mine = save_draft(db, event, FIRST)
        theirs = save_draft(db, other, FIRST)
        assert find_version(db, event, 1) is mine and find_version(db, other, 1) is theirs
        with pytest.raises(VersionError, match="^event 'store-test-forum-2025' has no version 2$"):
            find_version(db, event, 2)
        with pytest.raises(VersionError, match="^version 1 belongs to another event$"):
            publish(db, event, theirs, T1)


def test_republishing_a_version_without_a_note_says_where_it_came_from(
    engine: Engine, events: tuple[int, int]
) -> None:
    with transaction(engine) as db:
        event = db.get(models.Event, events[0])
        draft = save_draft(db, event, FIRST)
        assert publish(db, event, draft, T1).note == "from version 1"


def test_a_refusal_lists_every_broken_rule(engine: Engine, events: tuple[int, int]) -> None:
    clash = schedule(OPENING, ("s-2", "room-a", "09:00", "10:30"), ROUNDTABLE)
    with pytest.raises(PublishRefused) as refused:
        publish_at(engine, events[0], clash, T1)
    lines = str(refused.value).splitlines()
    assert lines[0] == f"the schedule breaks {len(refused.value.violations)} hard rule(s):"
    assert lines[1:] == [f"  {v.rule}: {v.message}" for v in refused.value.violations]
    assert "  room overlap: s-1 and s-2 overlap in room-a on 7 July 09:00-10:00" in lines


def test_unknown_and_repeated_ids_are_named(engine: Engine, events: tuple[int, int]) -> None:
    with transaction(engine) as db:
        event = db.get(models.Event, events[0])
        unknown = schedule(("s-404", "room-a", "09:00", "10:00"), ("s-1", "room-z", "11:00", "12:00"))
        with pytest.raises(VersionError) as caught:
            save_draft(db, event, unknown)
        assert str(caught.value) == ("the schedule names what event 'store-test-forum-2025' does not have: "
                                     "session 's-404', room 'room-z'")
        # The file reader refuses these already; a schedule built in code reaches this check.
        placed = schedule(OPENING, ROUNDTABLE).assignments
        once = schedule(("s-2", "room-b", "14:00", "15:30")).assignments
        twice = replace(FIRST, assignments=(*placed, *once, *placed))
        with pytest.raises(VersionError, match="^the schedule assigns sessions more than once: s-1, s-3$"):
            save_draft(db, event, twice)


def test_the_changelog_records_times_before_and_after(engine: Engine, events: tuple[int, int]) -> None:
    publish_at(engine, events[0], FIRST, T1)
    publish_at(engine, events[0], SECOND, T2)
    with transaction(engine) as db:
        rows = db.scalars(select(models.VersionChange).join(models.ScheduleVersion)
                          .where(models.ScheduleVersion.number == 2)).all()
        got = {c.session.key: (c.kind, *(t and f"{t:%H:%M}" for t in (c.before_start, c.before_end,
                                                                      c.after_start, c.after_end)))
               for c in rows}
    assert got == {"s-3": ("moved", "10:15", "11:00", "11:00", "11:45"),
                   "s-2": ("cancelled", "14:00", "15:30", None, None)}


def test_sequences_are_counted_per_event(engine: Engine, events: tuple[int, int]) -> None:
    first, second = events
    publish_at(engine, first, FIRST, T1)
    publish_at(engine, first, SECOND, T2)  # s-3 moves: sequence 1 in the first event
    publish_at(engine, second, SECOND, T3)
    assert {key: entry[3] for key, entry in entries(engine, 1).items()} == {"s-1": 0, "s-2": 0, "s-3": 0}
    with transaction(engine) as db:
        other = db.scalars(select(models.PublishedEntry).join(models.ScheduleVersion)
                           .where(models.ScheduleVersion.event_id == second)).all()
        assert sorted((e.session.key, e.sequence) for e in other) == [("s-1", 0), ("s-3", 0)]


def test_a_move_in_time_alone_is_in_the_changelog(engine: Engine, events: tuple[int, int]) -> None:
    publish_at(engine, events[0], FIRST, T1)
    later = schedule(OPENING, ("s-2", "room-b", "14:00", "15:30"), ("s-3", "room-b", "10:30", "11:15"))
    publish_at(engine, events[0], later, T2)
    with transaction(engine) as db:
        [change] = db.scalars(select(models.VersionChange).join(models.ScheduleVersion)
                              .where(models.ScheduleVersion.number == 2)).all()
        assert (change.session.key, change.kind, change.before_room.key, change.after_room.key) == (
            "s-3", "moved", "room-b", "room-b")
        assert (f"{change.before_start:%H:%M}", f"{change.after_end:%H:%M}") == ("10:15", "11:15")


def test_notes_default_to_nothing_and_publishing_a_draft_is_checked(
    engine: Engine, events: tuple[int, int]
) -> None:
    with transaction(engine) as db:
        event = db.get(models.Event, events[0])
        assert save_draft(db, event, FIRST).note == ""
        assert publish_schedule(db, event, FIRST, T1).note == ""
        clash = save_draft(db, event, schedule(OPENING, ("s-2", "room-a", "09:00", "10:30"), ROUNDTABLE))
        with pytest.raises(PublishRefused):
            publish(db, event, clash, T2)
        assert publish(db, event, clash, T2, force=True).number == 4


def test_an_infeasible_result_is_refused_in_words(engine: Engine, events: tuple[int, int]) -> None:
    infeasible = replace(FIRST, status="infeasible", assignments=())
    with pytest.raises(VersionError, match="^an infeasible schedule has no agenda to publish$"):
        publish_at(engine, events[0], infeasible, T1, force=True)
