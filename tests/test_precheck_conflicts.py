"""solver.precheck's conflicts in full: words, sessions, speakers, rooms and rules, for every kind of
conflict and at the edges where a check must stay silent.

The programme team reads these before anything is solved, and the console links each conflict to the
sessions, speakers and rooms it names, so all of it is pinned.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import time

import pytest

from solver.domain import Conflict, Day, Fixed, NoOverlapRule, Period, Problem, Room, Session, Speaker, Window
from solver.precheck import precheck
from tests.test_precheck import LANGUAGES, PLENARY, TUE, WED, at, event, sessions


def conflicts(problem: Problem) -> list[tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...],
                                              tuple[str, ...]]]:
    return [(c.message, c.sessions, c.speakers, c.rooms, c.rules) for c in precheck(problem)]


def fixed_at(key: str, start: str, minutes: int = 60, **fields: object) -> Session:
    return Session(key, "Talk", minutes, fixed=Fixed(start=at(TUE, start)), **fields)  # type: ignore[arg-type]


# --- one session on its own ----------------------------------------------------------------------


def test_sessions_with_no_room_at_all() -> None:
    assert precheck(replace(event(Session("s-1", "Talk", 30)), rooms=())) == [
        Conflict("s-1 cannot be placed: the event has no rooms", sessions=("s-1",))]
    assert precheck(event(Session("s-1", "Lost", 60, fixed=Fixed(room="room-z")))) == [
        Conflict("s-1 is fixed in room-z, which is not a room of the event", sessions=("s-1",),
                 rooms=("room-z",), rules=("fixed room",))]


@pytest.mark.parametrize(
    ("session", "rooms", "expected"),
    [
        (Session("s-1", "Big", 60, expected_attendance=150, requires=("sign-language",),
                 fixed=Fixed(room="room-a")),
         (), ("s-1 is fixed in room-a, which lacks 'sign-language'", ("s-1",), (), ("room-a",),
              ("features", "fixed room"))),
        (Session("s-1", "Plenary", 60, expected_attendance=2500, requires=("plenary",)), PLENARY,
         ("s-1: no room with 'plenary' seats 2500", ("s-1",), (), (), ("features", "capacity"))),
        (Session("s-1", "Six", 60, interpretation=LANGUAGES), (),
         ("s-1: no room has 6 interpretation booths", ("s-1",), (), (), ("booths",))),
        # Room A seats exactly 100 but has no booths; room B has the booths but 50 seats.
        (Session("s-1", "Both", 60, expected_attendance=100, interpretation=LANGUAGES),
         (Room("room-a", "A", 100), Room("room-b", "B", 50, interpretation_booths=6)),
         ("s-1: no room with 6 interpretation booths seats 100", ("s-1",), (), (), ("booths", "capacity"))),
    ],
)
def test_the_fewest_requirements_no_room_meets(session: Session, rooms: tuple[Room, ...],
                                                 expected: tuple[object, ...]) -> None:
    assert conflicts(event(session, rooms=rooms)) == [expected]


def test_a_window_too_short_in_words() -> None:
    tight = Session("s-1", "Tight", 60, window=Window(at(TUE, "10:00"), at(TUE, "10:45")))
    assert conflicts(event(tight)) == [
        ("s-1 (60 min) has no possible start: the day's hours, breaks and its window leave no 60-minute slot "
         "on the 15-minute grid", ("s-1",), (), (), ("day hours", "break", "window"))]


def test_a_window_open_on_one_side() -> None:
    assert precheck(event(Session("s-1", "Early", 60, window=Window(latest=at(TUE, "10:00"))))) == []
    assert precheck(event(Session("s-1", "Late", 60, window=Window(earliest=at(TUE, "17:30"))))) == []


def test_every_room_unavailable_while_the_speaker_is_there() -> None:
    speaker = Speaker("sp-1", "One", available=(Period(at(TUE, "09:00"), at(TUE, "12:30")),))
    rooms = (Room("room-a", "A", 100, unavailable=(Period(at(TUE, "09:00"), at(TUE, "12:30"), "set-up"),)),
             Room("room-b", "B", 20))
    talk = Session("s-1", "Talk", 60, expected_attendance=50, speakers=("sp-1",))
    assert conflicts(event(talk, rooms=rooms, speakers=(speaker,))) == [
        ("s-1 has possible times, but every room that can hold it (room-a) is unavailable then", ("s-1",),
         ("sp-1",), ("room-a",), ("day hours", "break", "speaker availability", "room unavailable"))]


# --- after chains --------------------------------------------------------------------------------


def test_an_after_chain_of_three_is_named_in_order() -> None:
    chain = [Session("s-1", "One", 120), Session("s-2", "Two", 180, after=("s-1",)),
             Session("s-3", "Three", 240, after=("s-2",))]
    assert conflicts(event(*chain)) == [
        ("s-1 -> s-2 -> s-3 must run one after another, so s-3 could start at 8 July 16:30 at the "
         "earliest, which leaves it no possible start", ("s-1", "s-2", "s-3"), (), (), ("after",))]


def test_the_predecessor_ending_last_is_the_one_named() -> None:
    # s-1 (300 min) can only end at 18:30; s-2 (60 min) at 10:00. s-3 lists s-2 first.
    problem = event(Session("s-1", "Long", 300), Session("s-2", "Short", 60),
                    Session("s-3", "Then", 240, after=("s-2", "s-1")))
    assert conflicts(problem) == [
        ("s-1 -> s-3 must run one after another, so s-3 could start at 8 July 18:30 at the earliest, which "
         "leaves it no possible start", ("s-1", "s-3"), (), (), ("after",))]


def test_every_chain_too_long_is_reported() -> None:
    chains = [Session("a-1", "A1", 240), Session("a-2", "A2", 240, after=("a-1",)),
              Session("b-1", "B1", 240), Session("b-2", "B2", 240, after=("b-1",))]
    assert sorted(c.sessions for c in precheck(event(*chains))) == [("a-1", "a-2"), ("b-1", "b-2")]


def test_a_cycle_is_named_without_what_only_follows_it() -> None:
    cycle = [Session("s-1", "One", 30, after=("s-3",)), Session("s-2", "Two", 30, after=("s-1",)),
             Session("s-3", "Three", 30, after=("s-2",)), Session("s-4", "Four", 30, after=("s-3",))]
    assert conflicts(event(*cycle)) == [
        ("s-1, s-2, s-3 must each start after another of them ends, which is a cycle",
         ("s-1", "s-2", "s-3"), (), (), ("after",))]


# --- sessions that must not overlap --------------------------------------------------------------


def test_fixed_sessions_too_close_in_their_only_room() -> None:
    a = Session("s-1", "A", 60, fixed=Fixed("room-a", at(TUE, "10:00")))
    b = Session("s-2", "B", 60, fixed=Fixed("room-a", at(TUE, "11:00")))
    assert conflicts(event(a, b)) == [
        ("s-1 and s-2 are fixed to 8 July 10:00-11:00 and 8 July 11:00-12:00 and both must be in room-a, "
         "with a 15-min changeover", ("s-1", "s-2"), (), ("room-a",),
         ("fixed start", "fixed room", "changeover"))]


def test_a_speakers_fixed_sessions_clashing_even_after_one_that_does_not() -> None:
    talks = [fixed_at("s-1", "09:00", speakers=("sp-1",)), fixed_at("s-2", "14:00", speakers=("sp-1",)),
             fixed_at("s-3", "14:30", speakers=("sp-1",))]
    assert conflicts(event(*talks)) == [
        ("speaker sp-1 is in s-2 and s-3, fixed to 8 July 14:00-15:00 and 8 July 14:30-15:30",
         ("s-2", "s-3"), ("sp-1",), (), ("fixed start", "speaker overlap"))]


def test_a_clash_at_midnight_on_the_first_day_is_told_from_midnight() -> None:
    # Minute 0 of the event is a start like any other.
    talks = [fixed_at("s-1", "00:00", speakers=("sp-1",)), fixed_at("s-2", "00:30", speakers=("sp-1",))]
    problem = event(*talks)
    problem = replace(problem, calendar=replace(problem.calendar, days=(Day(TUE, time(0), time(6)),)))
    assert [c.message for c in precheck(problem)] == [
        "speaker sp-1 is in s-1 and s-2, fixed to 8 July 00:00-01:00 and 8 July 00:30-01:30"]


def test_back_to_back_is_no_clash_for_a_speaker_or_a_group() -> None:
    talks = [fixed_at("s-1", "10:00", speakers=("sp-1",)), fixed_at("s-2", "11:00", speakers=("sp-1",))]
    assert precheck(event(*talks, no_overlap=(NoOverlapRule(("s-1", "s-2"), "same team"),))) == []


def test_a_group_with_fixed_sessions_clashing_is_told_once() -> None:
    # They clash, and two 300-minute sessions also exceed the afternoon: only the clash is reported.
    long = [fixed_at("s-1", "13:30", 300), fixed_at("s-2", "13:30", 300)]
    assert conflicts(event(*long, no_overlap=(NoOverlapRule(("s-1", "s-2")),))) == [
        ("rules.no_overlap[0]: s-1 and s-2 are fixed to 8 July 13:30-18:30 and 8 July 13:30-18:30",
         ("s-1", "s-2"), (), (), ("rules.no_overlap[0]", "fixed start"))]


def test_a_speaker_with_two_sessions_and_too_little_time() -> None:
    speaker = Speaker("sp-2", "Two", available=(Period(at(TUE, "09:00"), at(TUE, "11:00")),))
    assert conflicts(event(*sessions(2, 90, speakers=("sp-2",)), speakers=(speaker,))) == [
        ("speaker sp-2 is available 2h00 on 8 July but has two 90-minute sessions (s-1, s-2)",
         ("s-1", "s-2"), ("sp-2",), (), ("speaker availability", "speaker overlap"))]


@pytest.mark.parametrize(
    ("problem", "expected"),
    [
        # Two sessions on the one day they can run.
        (event(*sessions(2, 300), no_overlap=(NoOverlapRule(("s-1", "s-2")),)),
         ("rules.no_overlap[0]: two 300-minute sessions (s-1, s-2) cannot run one after another in the 8h30 "
          "open to them on 8 July", ("s-1", "s-2"), (), (), ("rules.no_overlap[0]",))),
        # Two of three can only run on Wednesday, and there they do not fit.
        (event(*sessions(2, 300, window=Window(at(WED, "09:00"), at(WED, "18:30"))),
               Session("s-3", "Other", 60), no_overlap=(NoOverlapRule(("s-1", "s-2", "s-3")),),
               days=(TUE, WED)),
         ("rules.no_overlap[0]: two 300-minute sessions (s-1, s-2) cannot run one after another in the 8h30 "
          "open to them on 9 July", ("s-1", "s-2"), (), (), ("rules.no_overlap[0]",))),
        # Some can run on Tuesday only, some on either day: too many over the whole event.
        (event(*sessions(2, 300, window=Window(at(TUE, "09:00"), at(TUE, "18:30"))),
               *[Session(f"s-{n}", "Free", 300) for n in (3, 4)],
               no_overlap=(NoOverlapRule(("s-1", "s-2", "s-3", "s-4")),), days=(TUE, WED)),
         ("rules.no_overlap[0]: four 300-minute sessions (s-1, s-2, s-3, s-4) cannot run one after another "
          "in the 17h00 open to them in all", ("s-1", "s-2", "s-3", "s-4"), (), (),
          ("rules.no_overlap[0]",))),
        # s-1 may also start on Wednesday, but only half an hour is left there: it runs on Tuesday.
        (event(Session("s-1", "A", 120, window=Window(at(TUE, "16:00"), at(WED, "09:30"))),
               Session("s-2", "B", 120, window=Window(at(TUE, "16:00"), at(TUE, "18:30"))),
               no_overlap=(NoOverlapRule(("s-1", "s-2")),), days=(TUE, WED)),
         ("rules.no_overlap[0]: two 120-minute sessions (s-1, s-2) cannot run one after another in the 3h00 "
          "open to them on 8 July", ("s-1", "s-2"), (), (), ("rules.no_overlap[0]",))),
    ],
)
def test_a_group_needing_more_time_than_it_has(problem: Problem, expected: tuple[object, ...]) -> None:
    assert conflicts(problem) == [expected]


# --- room time -----------------------------------------------------------------------------------

INTERPRETED = (Room("room-i", "Interpreted", 300, ("hybrid",), 6), Room("room-a", "A", 300, ("hybrid",)))


def test_booth_sessions_overbooking_their_room_on_one_day() -> None:
    on_tuesday = Window(at(TUE, "09:00"), at(TUE, "18:30"))
    problem = event(*sessions(6, 90, interpretation=LANGUAGES, window=on_tuesday), rooms=INTERPRETED,
                    days=(TUE, WED))
    assert conflicts(problem) == [
        ("six 90-minute sessions (s-1, s-2, s-3, s-4, s-5, s-6) can only be held in room-i: they need 10h30 "
         "on 8 July, counting 15-min changeovers, but those rooms are open 9h00",
         ("s-1", "s-2", "s-3", "s-4", "s-5", "s-6"), (), ("room-i",), ("booths",))]


def test_without_changeovers_the_count_says_so() -> None:
    problem = event(*sessions(7, 90, interpretation=LANGUAGES, expected_attendance=10, requires=("hybrid",)),
                    rooms=INTERPRETED)
    problem = replace(problem, calendar=replace(problem.calendar, changeover_minutes=0))
    assert conflicts(problem) == [
        ("seven 90-minute sessions (s-1, s-2, s-3, s-4, s-5, s-6, s-7) can only be held in room-i: they need "
         "10h30 in all but those rooms are open 8h30", tuple(f"s-{n}" for n in range(1, 8)), (), ("room-i",),
         ("booths", "capacity", "features"))]


def test_a_closed_morning_leaves_only_the_afternoon() -> None:
    closed = (Room("room-i", "I", 300, ("hybrid",), 6,
                   unavailable=(Period(at(TUE, "09:00"), at(TUE, "12:30"), "set-up"),)),
              Room("room-a", "A", 300, ("hybrid",)))
    # The closure covers the whole morning block exactly: only the afternoon's 5h00 (+15 min) is left.
    problem = event(*sessions(4, 90, interpretation=LANGUAGES), rooms=closed)
    assert [c.message for c in precheck(problem)] == [
        "four 90-minute sessions (s-1, s-2, s-3, s-4) can only be held in room-i: they need 7h00 in all, "
        "counting 15-min changeovers, but those rooms are open 5h15"]


def test_sessions_fixed_in_one_room_overbook_it() -> None:
    problem = event(*[Session(f"s-{n}", "F", 120, fixed=Fixed(room="room-a")) for n in range(1, 6)])
    assert [(c.rooms, c.rules) for c in precheck(problem)] == [(("room-a",), ("fixed room",))]
    assert precheck(problem)[0].message.endswith("they need 11h15 in all, counting 15-min changeovers, but "
                                                 "those rooms are open 9h00")


def test_an_overbooked_room_is_not_reported_again_for_the_wider_rooms_but_others_are() -> None:
    rooms = (Room("room-i", "I", 300, ("hybrid",), 6), Room("room-a", "A", 300, ("hybrid",)),
             Room("room-b", "B", 300, ("studio",)), Room("room-c", "C", 300, ("studio",)))
    problem = event(*sessions(6, 90, interpretation=LANGUAGES),
                    *[Session(f"h-{n}", "Hybrid", 300, requires=("hybrid",)) for n in range(1, 4)],
                    *[Session(f"t-{n}", "Studio", 300, requires=("studio",)) for n in range(1, 5)],
                    rooms=rooms)
    assert [(c.rooms, c.sessions) for c in precheck(problem)] == [
        (("room-i",), ("s-1", "s-2", "s-3", "s-4", "s-5", "s-6")),
        (("room-b", "room-c"), ("t-1", "t-2", "t-3", "t-4")),
    ]
    assert precheck(problem)[1].message == (
        "four 300-minute sessions (t-1, t-2, t-3, t-4) can only be held in room-b, room-c: they need 21h00 "
        "in all, counting 15-min changeovers, but those rooms are open 18h00")


def test_three_requirements_no_room_meets_together() -> None:
    # Every two of them are met by some room; all three by none.
    rooms = (Room("r-1", "One", 100, ("plenary",), 6), Room("r-2", "Two", 3000, (), 6),
             Room("r-3", "Three", 3000, ("plenary",)))
    session = Session("s-1", "All", 60, expected_attendance=2500, requires=("plenary",),
                      interpretation=LANGUAGES)
    assert conflicts(event(session, rooms=rooms)) == [
        ("s-1: no room with 6 interpretation booths and 'plenary' seats 2500", ("s-1",), (), (),
         ("booths", "features", "capacity"))]


def test_rooms_are_counted_narrowest_first_whatever_the_sessions_order() -> None:
    rooms = (Room("room-i", "I", 300, ("hybrid",), 6), Room("room-a", "A", 300, ("hybrid",)),
             Room("room-b", "B", 300, ("studio",)), Room("room-c", "C", 300, ("studio",)))
    problem = event(*[Session(f"h-{n}", "Hybrid", 300, requires=("hybrid",)) for n in range(1, 4)],
                    *[Session(f"t-{n}", "Studio", 300, requires=("studio",)) for n in range(1, 5)],
                    *sessions(6, 90, interpretation=LANGUAGES), rooms=rooms)
    assert [c.rooms for c in precheck(problem)] == [("room-i",), ("room-b", "room-c")]


def test_a_day_overbooked_is_not_reported_again_for_the_wider_rooms() -> None:
    on_tuesday = Window(at(TUE, "09:00"), at(TUE, "18:30"))
    problem = event(*sessions(6, 90, interpretation=LANGUAGES, window=on_tuesday),
                    *[Session(f"h-{n}", "Hybrid", 60, requires=("hybrid",)) for n in range(1, 3)],
                    rooms=INTERPRETED, days=(TUE, WED))
    assert [c.rooms for c in precheck(problem)] == [("room-i",)]


def test_sessions_that_exactly_fill_their_room_are_no_conflict() -> None:
    # Without changeovers, 210 + 300 minutes fill the morning and the afternoon to the minute.
    problem = event(Session("s-1", "Morning", 210, interpretation=LANGUAGES),
                    Session("s-2", "Afternoon", 300, interpretation=LANGUAGES), rooms=INTERPRETED)
    assert precheck(replace(problem, calendar=replace(problem.calendar, changeover_minutes=0))) == []


def test_what_follows_a_cycle_at_a_distance_is_not_part_of_it() -> None:
    chain = [Session("s-1", "One", 30, after=("s-3",)), Session("s-2", "Two", 30, after=("s-1",)),
             Session("s-3", "Three", 30, after=("s-2",)), Session("s-4", "Four", 30, after=("s-3",)),
             Session("s-5", "Five", 30, after=("s-4",))]
    assert [c.sessions for c in precheck(event(*chain))] == [("s-1", "s-2", "s-3")]
