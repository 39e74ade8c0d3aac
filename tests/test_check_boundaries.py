"""scheduler.check at the edges of each rule: a session touching a room's closure, a break or a
speaker's availability from either side, and sessions exactly one changeover apart.

The checker is the gate before publishing, so each rule is tried where a `<` written as `<=` (or an
overlap test written as containment) would let a broken agenda through.
"""

from __future__ import annotations

from dataclasses import replace

from scheduler.check import check
from solver.domain import Period, Problem
from tests.test_check import TUE, WED, at, make_problem, placed, rules_broken, schedule_with


def with_closure(start: str, end: str, day: str = "WED") -> Problem:
    """The test problem with room-b closed only from `start` to `end` on one day."""
    problem = make_problem()
    when = {"TUE": TUE, "WED": WED}[day]
    closed = (Period(at(when, start), at(when, end), "cleaning"),)
    rooms = tuple(replace(r, unavailable=closed) if r.id == "room-b" else r for r in problem.rooms)
    return replace(problem, rooms=rooms)


# --- room closures -------------------------------------------------------------------------------


def test_a_session_running_into_a_closure_breaks_the_rule() -> None:
    # Guards the checker's overlap test: s-9 11:30-12:30 starts inside the 09:00-12:00 closure but
    # does not lie wholly inside it. Checked with `period.contains` put in place of `period.overlaps`
    # in scheduler/check.py: this test fails and the wholly-inside test in test_check.py still passes.
    report = check(make_problem(), schedule_with(placed("s-9", "room-b", WED, "11:30", 60)))
    assert [(v.rule, v.sessions, v.rooms) for v in report.violations] == [
        ("room unavailable", ("s-9",), ("room-b",))
    ]
    assert "which is unavailable 9 July 09:00-12:00 (keynote)" in report.violations[0].message


def test_a_session_running_out_of_a_closure_breaks_the_rule() -> None:
    problem = with_closure("15:30", "17:00")
    assert rules_broken(schedule_with(placed("s-9", "room-b", WED, "15:00", 60)), problem) == {
        "room unavailable"}


def test_a_closure_inside_a_session_breaks_the_rule() -> None:
    problem = with_closure("15:30", "15:45")
    assert rules_broken(schedule_with(placed("s-9", "room-b", WED, "15:00", 60)), problem) == {
        "room unavailable"}


def test_a_session_may_start_as_a_closure_ends() -> None:
    # room-b is closed 09:00-12:00 (keynote) on Wednesday; 12:00-12:30 runs up to lunch.
    problem = nine_lasting(30, make_problem())
    assert rules_broken(schedule_with(placed("s-9", "room-b", WED, "12:00", 30)), problem) == set()


def test_a_session_may_end_as_a_closure_begins() -> None:
    problem = with_closure("15:45", "17:00")
    assert rules_broken(schedule_with(placed("s-9", "room-b", WED, "14:45", 60)), problem) == set()


def nine_lasting(minutes: int, problem: Problem) -> Problem:
    return replace(problem, sessions=tuple(replace(s, duration_minutes=minutes) if s.id == "s-9" else s
                                           for s in problem.sessions))
