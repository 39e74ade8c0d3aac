"""Schedule files: validation alone and against a problem, lossless round trips."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from scheduler.problem_file import Issue, ProblemFileError, load_problem, parse_problem
from scheduler.schedule_file import (
    ScheduleFileError,
    dump_schedule,
    load_schedule,
    loads_schedule,
    parse_schedule,
    schedule_to_data,
)
from solver.domain import Assignment, Problem
from tests.strategies import problems_with_schedules, schedules
from tests.test_validation import change

DATA = Path(__file__).parent / "data"
PROBLEM = load_problem(DATA / "valid.problem.json")


@pytest.fixture
def valid() -> dict[str, Any]:
    return json.loads((DATA / "valid.schedule.json").read_text(encoding="utf-8"))


def issues(data: object, problem: Problem | None = PROBLEM) -> list[Issue]:
    with pytest.raises(ScheduleFileError) as caught:
        parse_schedule(data, problem)
    return caught.value.issues


def test_reading_builds_a_schedule(valid: dict[str, Any]) -> None:
    schedule = parse_schedule(valid, PROBLEM)
    assert schedule.status == "feasible"
    assert schedule.assignment("s-001") == Assignment(
        "s-001", "room-c", datetime(2025, 7, 7, 9), datetime(2025, 7, 7, 10, 30)
    )
    assert schedule.unscheduled[0].session == "s-003"
    assert (schedule.objective, schedule.bound, schedule.solve_seconds) == (42.0, 40, 3.1)
    assert isinstance(schedule.bound, int)


def test_schedule_errors_are_problem_file_errors() -> None:
    assert issubclass(ScheduleFileError, ProblemFileError)
    with pytest.raises(ScheduleFileError) as caught:
        loads_schedule("{")
    assert caught.value.issues[0].path == "$"


# fmt: off
ONE_VALUE = [
    ("status", "solved", "status",
     "unknown status 'solved'; expected one of optimal, feasible, infeasible, unknown"),
    ("assignments[0].session", "s-404", "assignments[0].session", "unknown session id 's-404'"),
    ("assignments[1].room", "room-z", "assignments[1].room", "unknown room id 'room-z'"),
    ("assignments[1].start", "2025-07-09T11:00", "assignments[1].start",
     "'2025-07-09T11:00' is not on a day of the event (the event's days are 2025-07-07, 2025-07-08)"),
    ("assignments[1].end", "2025-07-07T10:00", "assignments[1].end",
     "end 2025-07-07T10:00 must be after start 2025-07-07T11:00"),
    ("assignments[1].session", "s-001", "assignments[1].session",
     "session 's-001' appears twice in the schedule (also at assignments[0].session)"),
    ("unscheduled[0].session", "s-002", "unscheduled[0].session",
     "session 's-002' appears twice in the schedule (also at assignments[1].session)"),
    ("unscheduled[0].reason", "", "unscheduled[0].reason", "must not be empty"),
    ("objective", "42", "objective", "expected a number, got '42'"),
    ("solve_seconds", -1, "solve_seconds", "must be at least 0, got -1"),
    ("conflicts", [{"message": "x", "speakers": ["sp-404"]}], "conflicts[0].speakers[0]",
     "unknown speaker id 'sp-404'"),
    ("conflicts", [{"sessions": ["s-001"]}], "conflicts[0].message",
     "missing: a conflict must have 'message'"),
    ("format", "agenda-problem/1", "format",
     "this is a problem file ('agenda-problem/1'), expected a schedule file ('agenda-schedule/1')"),
]
# fmt: on


@pytest.mark.parametrize(("where", "value", "path", "message"), ONE_VALUE)
def test_a_broken_value_is_reported_where_it_is(
    valid: dict[str, Any], where: str, value: object, path: str, message: str
) -> None:
    assert issues(change(valid, where, value)) == [Issue(path, message)]


def test_an_infeasible_schedule_has_no_assignments(valid: dict[str, Any]) -> None:
    valid["status"] = "infeasible"
    assert issues(valid) == [
        Issue("assignments", "an infeasible schedule has no assignments, but 2 are listed")
    ]


def test_without_a_problem_ids_and_days_are_not_checked(valid: dict[str, Any]) -> None:
    valid["assignments"][0]["room"] = "room-z"
    valid["assignments"][0]["start"] = "2030-01-01T09:00"
    valid["assignments"][0]["end"] = "2030-01-01T10:00"
    assert parse_schedule(valid).assignments[0].room == "room-z"
    valid["assignments"][1]["session"] = "s-001"
    assert issues(valid, None) == [
        Issue(
            "assignments[1].session",
            "session 's-001' appears twice in the schedule (also at assignments[0].session)",
        )
    ]


def test_durations_are_the_checkers_business_not_the_readers(valid: dict[str, Any]) -> None:
    valid["assignments"][0]["end"] = "2025-07-07T09:15"
    assert parse_schedule(valid, PROBLEM).assignments[0].end == datetime(2025, 7, 7, 9, 15)


@settings(deadline=None)
@given(schedules())
def test_every_valid_schedule_survives_reading_and_writing_unchanged(data: dict[str, Any]) -> None:
    original = copy.deepcopy(data)
    assert schedule_to_data(parse_schedule(data)) == original


@settings(deadline=None, max_examples=50)
@given(problems_with_schedules())
def test_a_schedule_drawn_for_a_problem_is_valid_against_it(
    pair: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    problem_data, schedule_data = pair
    schedule = parse_schedule(schedule_data, parse_problem(problem_data))
    assert schedule_to_data(schedule) == schedule_data


def test_dump_and_load(tmp_path: Path, valid: dict[str, Any]) -> None:
    valid["x-solver"] = {"seed": 7}
    schedule = parse_schedule(valid, PROBLEM)
    path = tmp_path / "schedule.json"
    dump_schedule(schedule, path)
    assert json.loads(path.read_text(encoding="utf-8")) == valid
    assert load_schedule(path, PROBLEM) == schedule


def test_load_reports_an_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "schedule.json"
    path.write_bytes(b"\xff\xfe{}")
    with pytest.raises(ScheduleFileError) as caught:
        load_schedule(path)
    assert caught.value.issues == [
        Issue("$", "the file is not UTF-8 text (byte 0xff at offset 0); save it as UTF-8")
    ]
