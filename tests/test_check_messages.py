"""scheduler.check's report in full: each broken rule's words, sessions, rooms and speakers, and the
quality figures at their edges.

The programme team reads these messages before publishing, and the console points at the sessions,
rooms and speakers a violation names, so every field is pinned, not only the rule's name.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest

from scheduler.check import TightChange, Violation, check
from solver.domain import Assignment, Break, NoOverlapRule, Period, Problem, Rules, Unscheduled
from tests.test_check import TUE, WED, at, make_problem, placed, schedule_with


def violations(*changes: Assignment, problem: Problem | None = None) -> list[Violation]:
    return check(problem or make_problem(), schedule_with(*changes)).violations


def with_session(session_id: str, problem: Problem | None = None, **fields: object) -> Problem:
    problem = problem or make_problem()
    return replace(problem, sessions=tuple(replace(s, **fields) if s.id == session_id else s
                                           for s in problem.sessions))


def with_room(room_id: str, **fields: object) -> Problem:
    problem = make_problem()
    rooms = tuple(replace(r, **fields) if r.id == room_id else r for r in problem.rooms)
    return replace(problem, rooms=rooms)


# --- which sessions are placed, once, in known rooms ---------------------------------------------


def test_unknown_sessions_and_rooms_are_named() -> None:
    schedule = schedule_with(placed("s-9", "room-z", WED, "16:00", 60))
    extra = placed("s-99", "room-a", WED, "16:00", 30)
    schedule = replace(schedule, assignments=(*schedule.assignments, extra),
                       unscheduled=(Unscheduled("s-7", "left out"), Unscheduled("s-77", "?")))
    assert check(make_problem(), schedule).violations == [
        Violation("unknown room", "s-9 is placed in room-z, which is not a room of the problem",
                  sessions=("s-9",), rooms=("room-z",)),
        Violation("unknown session", "s-99 is not a session of the problem", sessions=("s-99",)),
        Violation("unknown session", "s-77 (unscheduled) is not a session of the problem",
                  sessions=("s-77",)),
    ]


def test_sessions_placed_twice_or_also_left_out_are_named() -> None:
    schedule = schedule_with()
    twice = replace(schedule, assignments=(*schedule.assignments, placed("s-9", "room-b", WED, "16:00", 60)),
                    unscheduled=(Unscheduled("s-1", "?"),))
    assert check(make_problem(), twice).violations == [
        Violation("assigned once", "s-9 is assigned more than once", sessions=("s-9",)),
        Violation("assigned once", "s-1 is both assigned and listed as unscheduled", sessions=("s-1",)),
    ]
    assert check(make_problem(), schedule_with(drop=("s-1",))).violations == [
        Violation("assigned once", "s-1 is not scheduled but is not optional", sessions=("s-1",))
    ]


# --- rules about one session on its own ----------------------------------------------------------


def test_day_hours_grid_and_breaks_in_words() -> None:
    assert violations(placed("s-2", "room-b", TUE, "17:30", 60)) == [
        Violation("day hours", "s-2 runs 8 July 17:30-18:30, outside the day's hours (09:00-18:00)",
                  sessions=("s-2",), rooms=("room-b",))]
    assert violations(placed("s-9", "room-b", date(2025, 7, 10), "10:00", 60)) == [
        Violation("day hours", "s-9 runs 10 July 10:00-11:00, outside the day's hours (not an event day)",
                  sessions=("s-9",), rooms=("room-b",))]
    assert violations(placed("s-2", "room-b", TUE, "10:35", 60)) == [
        Violation("grid", "s-2 starts at 10:35, not on the 15-minute grid from 09:00",
                  sessions=("s-2",), rooms=("room-b",))]
    assert violations(placed("s-2", "room-b", TUE, "12:00", 60)) == [
        Violation("break", "s-2 runs 8 July 12:00-13:00 across the Lunch 12:30-13:30",
                  sessions=("s-2",), rooms=("room-b",))]


def test_a_session_across_midnight_names_both_days() -> None:
    late = Assignment("s-2", "room-b", at(TUE, "23:30"), at(WED, "00:30"))
    assert violations(late) == [
        Violation("day hours", "s-2 runs 8 July 23:30 to 9 July 00:30, outside the day's hours (09:00-18:00)",
                  sessions=("s-2",), rooms=("room-b",))]


def test_a_start_off_the_grid_by_seconds() -> None:
    # 10:30:30 is a whole number of grid steps from 09:00 in minutes; its seconds put it off the grid.
    begin = datetime.combine(TUE, time(10, 30, 30))
    assert [v.rule for v in violations(Assignment("s-2", "room-b", begin, begin + timedelta(hours=1)))] == [
        "grid"]


def test_a_break_without_a_label_is_called_a_break() -> None:
    problem = make_problem()
    days = tuple(replace(d, breaks=(Break(time(12, 30), time(13, 30)),)) for d in problem.calendar.days)
    problem = replace(problem, calendar=replace(problem.calendar, days=days))
    assert [v.message for v in violations(placed("s-2", "room-b", TUE, "12:00", 60), problem=problem)] == [
        "s-2 runs 8 July 12:00-13:00 across the break 12:30-13:30"]


@pytest.mark.parametrize(("session", "room", "start"),
                         [("s-8", "room-a", "11:30"), ("s-2", "room-b", "13:30")])
def test_a_session_may_end_as_a_break_begins_or_start_as_it_ends(session: str, room: str, start: str) -> None:
    # Lunch is 12:30-13:30 on Wednesday too.
    assert violations(placed(session, room, WED, start, 60)) == []


def test_a_session_may_end_as_the_day_closes() -> None:
    assert violations(placed("s-9", "room-b", WED, "17:00", 60)) == []


def test_seats_features_and_booths_in_words() -> None:
    problem = with_session("s-2", requires=("captioning", "sign-language"), expected_attendance=150)
    assert violations(placed("s-2", "room-a", TUE, "16:30", 60), problem=problem) == [
        Violation("capacity", "s-2 expects 150 attendees but room-a seats 100", sessions=("s-2",),
                  rooms=("room-a",)),
        Violation("features", "s-2 requires captioning, sign-language, which room-a lacks", sessions=("s-2",),
                  rooms=("room-a",)),
        Violation("booths", "s-2 needs 6 interpretation booths but room-a has 0", sessions=("s-2",),
                  rooms=("room-a",)),
    ]


def test_a_room_exactly_full_is_not_over_capacity() -> None:
    problem = with_session("s-9", expected_attendance=500)
    assert violations(problem=problem) == []
    assert [v.rule for v in violations(problem=with_session("s-9", expected_attendance=501))] == ["capacity"]


def test_a_closure_without_a_reason_gives_none() -> None:
    problem = with_room("room-b", unavailable=(Period(at(WED, "09:00"), at(WED, "12:00")),))
    assert [v.message for v in violations(placed("s-9", "room-b", WED, "10:00", 60), problem=problem)] == [
        "s-9 runs 9 July 10:00-11:00 in room-b, which is unavailable 9 July 09:00-12:00"]


def test_speaker_availability_in_words_for_each_speaker() -> None:
    # sp-1 has no availability limits; sp-2 is away: only sp-2 is named, and sp-1 does not hide sp-2.
    problem = with_session("s-3", speakers=("sp-1", "sp-2"))
    assert violations(placed("s-3", "room-a", TUE, "11:45", 30), problem=problem) == [
        Violation("speaker availability", "s-3 runs 8 July 11:45-12:15 but speaker sp-2 is not available "
                  "all that time", sessions=("s-3",), rooms=("room-a",), speakers=("sp-2",))]


def test_fixed_room_and_start_in_words() -> None:
    assert violations(placed("s-4", "room-b", WED, "14:15", 45)) == [
        Violation("fixed room", "s-4 is fixed in room-a but placed in room-b", sessions=("s-4",),
                  rooms=("room-b",)),
        Violation("fixed start", "s-4 is fixed to start 9 July 14:00 but starts 9 July 14:15",
                  sessions=("s-4",), rooms=("room-b",)),
    ]


def test_window_in_words_and_at_its_edges() -> None:
    assert violations(placed("s-5", "room-b", TUE, "09:00", 60)) == [
        Violation("window", "s-5 starts 8 July 09:00, before its earliest start 8 July 13:30",
                  sessions=("s-5",), rooms=("room-b",))]
    assert violations(placed("s-5", "room-a", TUE, "16:30", 60)) == [
        Violation("window", "s-5 ends 8 July 17:30, after its latest end 8 July 17:00", sessions=("s-5",),
                  rooms=("room-a",))]
    # The window 13:30-17:00 holds a session from 13:30 and one ending at 17:00.
    assert violations(placed("s-5", "room-b", TUE, "13:30", 60)) == []
    assert violations(placed("s-5", "room-a", TUE, "16:00", 60)) == []


# --- rules between sessions ----------------------------------------------------------------------


def test_room_overlap_and_changeover_in_words() -> None:
    assert violations(placed("s-8", "room-a", TUE, "09:30", 60))[0] == Violation(
        "room overlap", "s-1 and s-8 overlap in room-a on 8 July 09:30-10:00", sessions=("s-1", "s-8"),
        rooms=("room-a",))
    problem = replace(make_problem(), calendar=replace(make_problem().calendar, changeover_minutes=30))
    assert violations(placed("s-3", "room-a", TUE, "10:15", 30), problem=problem)[0] == (
        Violation("changeover", "s-1 and s-3 are 15 min apart in room-a on 8 July; the changeover is 30 min",
                  sessions=("s-1", "s-3"), rooms=("room-a",)))


def test_a_session_may_start_one_changeover_after_another() -> None:
    assert violations(placed("s-3", "room-a", TUE, "10:15", 30)) == []


def test_speaker_overlap_in_words() -> None:
    assert violations(placed("s-2", "room-b", TUE, "09:30", 60)) == [
        Violation("speaker overlap", "speaker sp-1 is in s-1 (room-a) and s-2 (room-b) at once on 8 July "
                  "09:30-10:00", sessions=("s-1", "s-2"), rooms=("room-a", "room-b"), speakers=("sp-1",))]


def test_after_in_words_and_right_after() -> None:
    assert violations(placed("s-6", "room-b", TUE, "09:00", 30)) == [
        Violation("after", "s-6 must start after s-1 ends (8 July 10:00) but starts 8 July 09:00",
                  sessions=("s-1", "s-6"), rooms=("room-a", "room-b"))]
    # s-1 ends at 10:00: s-6 may start then, in another room (s-2 moves out of its way).
    moved = placed("s-2", "room-b", TUE, "16:30", 60)
    assert violations(placed("s-6", "room-b", TUE, "10:00", 30), moved) == []


def test_no_overlap_in_words_with_and_without_a_reason() -> None:
    assert violations(placed("s-9", "room-b", WED, "14:00", 60)) == [
        Violation("no_overlap", "s-4 and s-9 overlap on 9 July 14:00-14:45 but rules.no_overlap[0] (same "
                  "organiser) keeps them apart", sessions=("s-4", "s-9"), rooms=("room-a", "room-b"))]
    problem = replace(make_problem(), rules=Rules(no_overlap=(NoOverlapRule(("s-4", "s-9")),)))
    assert [v.message for v in violations(placed("s-9", "room-b", WED, "14:00", 60), problem=problem)] == [
        "s-4 and s-9 overlap on 9 July 14:00-14:45 but rules.no_overlap[0] keeps them apart"]


# --- quality figures at their edges --------------------------------------------------------------


def test_a_preferred_period_met_exactly_counts() -> None:
    # s-1 prefers 9 July 09:00-12:30 (weight 2): met from its first minute, and up to its last.
    for start in ("09:00", "11:30"):
        quality = check(make_problem(), schedule_with(placed("s-1", "room-a", WED, start, 60))).quality
        assert (quality.preferences_met, quality.preference_weight_met) == (2, 5.0), start


def test_no_empty_seats_in_a_full_room() -> None:
    problem = with_session("s-9", expected_attendance=500)
    slack = check(problem, schedule_with()).quality.seat_slack
    assert slack == check(make_problem(), schedule_with()).quality.seat_slack - 500


@pytest.mark.parametrize(
    ("region", "start", "awake"),
    [
        # Asia-Pacific is taken as Shanghai (UTC+8, Geneva +6 in July): 08:00-22:00 there.
        ("asia-pacific", "09:00", True),  # 15:00-16:00
        ("asia-pacific", "15:00", True),  # 21:00-22:00: ends as people go to bed
        ("asia-pacific", "16:00", False),  # 22:00-23:00
        # The Americas are taken as New York (UTC-4, Geneva -6 in July).
        ("americas", "14:00", True),  # 08:00-09:00: starts as people wake
        ("americas", "13:00", False),  # 07:00-08:00
        ("europe", "09:00", True),
        ("oceania", "14:00", False),  # a region the checker does not know is never counted as met
    ],
)
def test_remote_audiences_waking_hours(region: str, start: str, awake: bool) -> None:
    problem = with_session("s-9", remote_audience=(region,))
    problem = with_session("s-1", problem, remote_audience=())
    problem = with_session("s-5", problem, remote_audience=())
    quality = check(problem, schedule_with(placed("s-9", "room-b", TUE, start, 60))).quality
    assert (quality.remote_met, quality.remote_total) == (int(awake), 1)


def test_tight_changes_between_rooms_only_and_under_a_quarter_of_an_hour() -> None:
    # s-1 (sp-1) ends at 10:00 in room-a; s-2 (sp-1) follows in room-b.
    def tight(start: str, room: str = "room-b") -> tuple[TightChange, ...]:
        return check(make_problem(), schedule_with(placed("s-2", room, TUE, start, 60))).quality.tight_changes

    assert tight("10:05") == (TightChange("sp-1", "s-1", "s-2", 5),)
    assert tight("10:15") == ()  # a quarter of an hour is enough to walk
    assert tight("10:05", room="room-a") == ()  # same room: no walk
