"""Small problems for the solver's tests, written as the problem file would spell them.

Each builder returns plain `agenda-problem/1` data, so a test reads like the file a programme team
would write; `build` parses it with the real reader. `valid` runs the independent checker.
"""

from __future__ import annotations

from typing import Any

from scheduler.check import check
from scheduler.problem_file import parse_problem
from solver.domain import Problem, Schedule

Data = dict[str, Any]
DAY = "2025-07-07"


def day(date: str = DAY, open_: str = "09:00", close: str = "13:00",
        breaks: tuple[tuple[str, str], ...] = ()) -> Data:
    return {"date": date, "open": open_, "close": close,
            "breaks": [{"start": a, "end": b} for a, b in breaks]}


def room(room_id: str, capacity: int = 100, **keys: Any) -> Data:
    return {"id": room_id, "name": room_id.title(), "capacity": capacity, **keys}


def speaker(speaker_id: str, *available: tuple[str, str]) -> Data:
    data: Data = {"id": speaker_id, "name": speaker_id.upper()}
    if available:
        data["available"] = [{"start": a, "end": b} for a, b in available]
    return data


def session(session_id: str, minutes: int = 60, **keys: Any) -> Data:
    return {"id": session_id, "title": session_id.title(), "duration_minutes": minutes, **keys}


def problem_data(sessions: list[Data], rooms: list[Data] | None = None, speakers: list[Data] | None = None,
                 days: list[Data] | None = None, granularity: int = 30, changeover: int = 0,
                 no_overlap: list[Data] | None = None) -> Data:
    data: Data = {
        "format": "agenda-problem/1",
        "event": {"name": "Test event", "venue": "Palexpo", "timezone": "Europe/Zurich"},
        "calendar": {"granularity_minutes": granularity, "changeover_minutes": changeover,
                     "days": days or [day()]},
        "rooms": rooms if rooms is not None else [room("room-a")],
        "speakers": speakers or [],
        "sessions": sessions,
    }
    if no_overlap:
        data["rules"] = {"no_overlap": no_overlap}
    return data


def build(sessions: list[Data], **keys: Any) -> Problem:
    return parse_problem(problem_data(sessions, **keys))


def valid(problem: Problem, schedule: Schedule) -> bool:
    """The independent checker finds no broken rule (and the status claims an agenda)."""
    report = check(problem, schedule)
    assert report.violations == [], [v.message for v in report.violations]
    return schedule.status in ("optimal", "feasible")


def starts(schedule: Schedule) -> dict[str, str]:
    """Session id -> 'HH:MM' start (or 'YYYY-MM-DD HH:MM' across days), for readable assertions."""
    return {a.session: f"{a.start:%H:%M}" for a in schedule.assignments}


def rooms_of(schedule: Schedule) -> dict[str, str]:
    return {a.session: a.room for a in schedule.assignments}
