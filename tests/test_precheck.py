"""solver.precheck: each counting check finds the conflict it is for, names it in plain words, and
stays silent one step short of it (the checks must never raise a false alarm)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

from bench.synthetic import generate
from solver.domain import (
    Break,
    Calendar,
    Conflict,
    Day,
    Event,
    Fixed,
    NoOverlapRule,
    Period,
    Problem,
    Room,
    Rules,
    Session,
    Speaker,
    Window,
)
from solver.precheck import precheck

TUE, WED = date(2025, 7, 8), date(2025, 7, 9)
LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")


def at(day: date, clock: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock))


def event(*sessions: Session, rooms: tuple[Room, ...] = (), speakers: tuple[Speaker, ...] = (),
          days: tuple[date, ...] = (TUE,), no_overlap: tuple[NoOverlapRule, ...] = ()) -> Problem:
    """09:00-18:30 with lunch 12:30-13:30 (blocks of 210 and 300 minutes), 15-min grid and changeover."""
    lunch = (Break(time(12, 30), time(13, 30), "Lunch"),)
    return Problem(
        event=Event("Test", "Europe/Zurich"),
        calendar=Calendar(15, tuple(Day(d, time(9), time(18, 30), lunch) for d in days),
                          changeover_minutes=15),
        rooms=rooms or (Room("room-a", "A", 100, ("hybrid",)), Room("room-b", "B", 200, ("hybrid",))),
        speakers=speakers,
        sessions=sessions,
        rules=Rules(no_overlap),
    )


def sessions(count: int, minutes: int, **fields: Any) -> list[Session]:
    return [Session(f"s-{n}", f"Session {n}", minutes, **fields) for n in range(1, count + 1)]


def only(conflicts: list[Conflict]) -> Conflict:
    assert len(conflicts) == 1, [c.message for c in conflicts]
    return conflicts[0]


# --- rooms ---------------------------------------------------------------------------------------

PLENARY = (Room("room-c", "Plenary C", 2200, ("hybrid", "plenary"), 6),
           Room("room-h", "Hall H", 3000, ("hybrid",)))


def test_names_the_requirements_no_room_meets_together() -> None:
    big = Session("s-1", "Opening", 60, expected_attendance=2500, interpretation=LANGUAGES)
    conflict = only(precheck(event(big, rooms=PLENARY)))
    assert conflict.message == "s-1: no room with 6 interpretation booths seats 2500"
    assert conflict.sessions == ("s-1",)
    assert set(conflict.rules) == {"booths", "capacity"}


def test_names_a_single_missing_feature() -> None:
    signing = Session("s-1", "Signing", 60, requires=("hybrid", "sign-language"))
    assert only(precheck(event(signing, rooms=PLENARY))).message == "s-1: no room offers 'sign-language'"


def test_a_room_that_meets_everything_is_no_conflict() -> None:
    assert precheck(event(Session("s-1", "Opening", 60, expected_attendance=2200, interpretation=LANGUAGES),
                          rooms=PLENARY)) == []


def test_an_event_without_rooms_places_nothing() -> None:
    roomless = replace(event(Session("s-1", "Talk", 30)), rooms=())
    assert only(precheck(roomless)).message == "s-1 cannot be placed: the event has no rooms"


def test_a_fixed_room_too_small_and_an_unknown_fixed_room() -> None:
    small = Session("s-1", "Big", 60, expected_attendance=150, fixed=Fixed(room="room-a"))
    conflict = only(precheck(event(small)))
    assert conflict.message == "s-1 is fixed in room-a, which lacks 150 seats"
    assert conflict.rooms == ("room-a",)
    lost = Session("s-1", "Lost", 60, fixed=Fixed(room="room-z"))
    assert "room-z, which is not a room" in only(precheck(event(lost))).message


def test_optional_sessions_may_be_left_out_so_are_never_a_conflict() -> None:
    big = Session("s-1", "Opening", 60, expected_attendance=5000, optional=True)
    assert precheck(event(big)) == []


# --- possible starts -----------------------------------------------------------------------------


def test_a_window_too_short_for_the_session() -> None:
    tight = Session("s-1", "Tight", 60, window=Window(at(TUE, "10:00"), at(TUE, "10:45")))
    conflict = only(precheck(event(tight)))
    assert "s-1 (60 min) has no possible start" in conflict.message
    assert "window" in conflict.rules
    roomy = replace(tight, window=Window(at(TUE, "10:00"), at(TUE, "11:00")))
    assert precheck(event(roomy)) == []


def test_longer_than_any_stretch_between_breaks() -> None:
    assert only(precheck(event(Session("s-1", "Marathon", 315)))).rules == ("day hours", "break")
    assert precheck(event(Session("s-1", "Long", 300))) == []


def test_a_fixed_start_off_the_grid_or_across_lunch() -> None:
    off_grid = Session("s-1", "Odd", 30, fixed=Fixed(start=at(TUE, "10:05")))
    assert "fixed start" in only(precheck(event(off_grid))).rules
    lunch = Session("s-1", "Lunch", 60, fixed=Fixed(start=at(TUE, "12:00")))
    assert only(precheck(event(lunch))).sessions == ("s-1",)


def test_a_speaker_available_for_less_than_the_session() -> None:
    busy = Speaker("sp-1", "Busy", available=(Period(at(TUE, "10:00"), at(TUE, "10:45")),))
    conflict = only(precheck(event(Session("s-1", "Talk", 60, speakers=("sp-1",)), speakers=(busy,))))
    assert conflict.speakers == ("sp-1",)
    assert "speaker availability" in conflict.rules


def test_every_room_that_fits_is_unavailable() -> None:
    rooms = (Room("room-a", "A", 100, unavailable=(Period(at(TUE, "09:00"), at(TUE, "18:30"), "set-up"),)),
             Room("room-b", "B", 20))
    conflict = only(precheck(event(Session("s-1", "Talk", 60, expected_attendance=50), rooms=rooms)))
    assert conflict.rooms == ("room-a",)
    assert "room unavailable" in conflict.rules


# --- counting time -------------------------------------------------------------------------------


def test_a_speaker_with_more_sessions_than_hours_on_a_day() -> None:
    speaker = Speaker("sp-7", "Seven", available=(Period(at(TUE, "09:00"), at(TUE, "11:30")),
                                                  Period(at(WED, "09:00"), at(WED, "18:30"))))
    on_tuesday = Window(at(TUE, "09:00"), at(TUE, "18:30"))
    talks = [*sessions(3, 60, speakers=("sp-7",), window=on_tuesday),
             Session("s-4", "Free", 60, speakers=("sp-7",))]
    conflict = only(precheck(event(*talks, speakers=(speaker,), days=(TUE, WED))))
    assert conflict.message == "speaker sp-7 is available 2h30 on 8 July but has three 60-minute sessions " \
                               "(s-1, s-2, s-3)"
    assert conflict.speakers == ("sp-7",)
    assert conflict.sessions == ("s-1", "s-2", "s-3")
    # Two of them fit in 2h30.
    assert precheck(event(*talks[1:], speakers=(speaker,), days=(TUE, WED))) == []


def test_a_speaker_with_fixed_sessions_at_the_same_time() -> None:
    two = [Session(f"s-{n}", "Talk", 60, speakers=("sp-1",), fixed=Fixed(start=at(TUE, start)))
           for n, start in ((1, "10:00"), (2, "10:30"))]
    conflict = only(precheck(event(*two)))
    assert conflict.sessions == ("s-1", "s-2")
    assert conflict.speakers == ("sp-1",)


def test_sessions_needing_booths_against_the_booth_rooms_time() -> None:
    rooms = (Room("room-i", "Interpreted", 300, ("hybrid",), 6), Room("room-a", "A", 300, ("hybrid",)))
    # One day offers 210 + 300 minutes; with 15-minute changeovers five 90-minute sessions fit, six do not.
    five = sessions(5, 90, interpretation=LANGUAGES)
    assert precheck(event(*five, rooms=rooms)) == []
    six = sessions(6, 90, interpretation=LANGUAGES)
    conflict = only(precheck(event(*six, rooms=rooms)))
    assert conflict.rooms == ("room-i",)
    assert len(conflict.sessions) == 6
    assert conflict.rules == ("booths",)
    assert "can only be held in room-i" in conflict.message


def test_fixed_sessions_clashing_in_one_room() -> None:
    a = Session("s-1", "A", 60, fixed=Fixed("room-a", at(TUE, "10:00")))
    b = Session("s-2", "B", 60, fixed=Fixed("room-a", at(TUE, "11:00")))
    conflict = only(precheck(event(a, b)))
    assert conflict.sessions == ("s-1", "s-2")
    assert "changeover" in conflict.rules
    assert precheck(event(a, replace(b, fixed=Fixed("room-a", at(TUE, "11:15"))))) == []


def test_a_no_overlap_group_longer_than_the_time_it_has() -> None:
    group = sessions(3, 180)
    rule = NoOverlapRule(("s-1", "s-2", "s-3"), "roundtables")
    conflict = only(precheck(event(*group, no_overlap=(rule,))))
    assert conflict.rules == ("rules.no_overlap[0]",)
    assert conflict.message.startswith("rules.no_overlap[0] (roundtables): three 180-minute sessions")
    assert precheck(event(*group[:2], no_overlap=(NoOverlapRule(("s-1", "s-2")),))) == []


# --- after ---------------------------------------------------------------------------------------


def test_an_after_chain_longer_than_the_event() -> None:
    chain = [Session("s-1", "One", 240), Session("s-2", "Two", 240, after=("s-1",)),
             Session("s-3", "Three", 60, after=("s-2",))]
    conflict = only(precheck(event(*chain, days=(TUE,))))
    assert conflict.rules == ("after",)
    assert conflict.sessions == ("s-1", "s-2")
    assert precheck(event(*chain, days=(TUE, WED))) == []


def test_an_after_cycle() -> None:
    cycle = [Session("s-1", "One", 30, after=("s-2",)), Session("s-2", "Two", 30, after=("s-1",)),
             Session("s-3", "Three", 30, after=("s-1",))]
    conflict = only(precheck(event(*cycle)))
    assert conflict.sessions == ("s-1", "s-2")
    assert "cycle" in conflict.message


# --- no false alarms -----------------------------------------------------------------------------


@pytest.mark.parametrize(("size", "seed"), [((300, 18, 5), 1), ((300, 18, 5), 2), ((1000, 45, 5), 3)])
def test_planted_problems_raise_no_alarm(size: tuple[int, int, int], seed: int) -> None:
    problem, _ = generate(*size, seed=seed)
    assert precheck(problem) == []


def test_a_problem_without_days() -> None:
    problem = replace(event(Session("s-1", "Talk", 30)), calendar=Calendar(15, ()))
    assert only(precheck(problem)).sessions == ("s-1",)


def test_timeline_uses_minutes_of_the_event() -> None:
    # The checks treat the last day's close as a hard end, like the solver does.
    late = Session("s-1", "Late", 30, window=Window(earliest=at(TUE, "18:00") + timedelta(minutes=15)))
    assert only(precheck(event(late))).sessions == ("s-1",)
