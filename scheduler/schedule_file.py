"""Schedule files (`agenda-schedule/1`): reading with validation, and writing back losslessly.

Read alone, a schedule is checked for its own consistency. Read with its problem, its session,
room and speaker ids must name things in the problem and its times must fall on the event's days.
Whether the agenda keeps the problem's hard rules is for the independent checker
(`scheduler.check`), not for this reader.
"""

from __future__ import annotations

import os
import typing
from typing import Any

from scheduler.interchange import (
    Issue,
    ProblemFileError,
    Reader,
    Shape,
    Values,
    child,
    decode_json,
    document_data,
    ends_after,
    items,
    moment,
    number,
    one_of,
    parse_document,
    read_json,
    ref,
    strings,
    text,
    write_json,
)
from scheduler.limits import (
    LABEL_LENGTH,
    LONG_TEXT_LENGTH,
    MAX_ROOMS,
    MAX_SESSIONS,
    MAX_SPEAKERS,
    REASON_LENGTH,
)
from solver.domain import (
    SCHEDULE_FORMAT,
    Assignment,
    Conflict,
    Problem,
    Schedule,
    ScheduleStatus,
    Unscheduled,
)

__all__ = [
    "Issue",
    "ScheduleFileError",
    "dump_schedule",
    "load_schedule",
    "loads_schedule",
    "parse_schedule",
    "schedule_to_data",
]

STATUSES: tuple[str, ...] = typing.get_args(ScheduleStatus)


class ScheduleFileError(ProblemFileError):
    """A schedule file could not be read; `issues` lists everything wrong with it."""


def _placed(r: Reader, value: object, path: str) -> str:
    """A session the schedule places or leaves out: each at most once in the whole file."""
    session: str = ref("session")(r, value, path)
    r.declare("placement", session, path, duplicate="session {id} appears twice in the schedule")
    return session


def _check_schedule(r: Reader, values: Values, path: str) -> None:
    assignments = values.get("assignments", ())
    if values.get("status") == "infeasible" and assignments:
        r.error(
            child(path, "assignments"),
            f"an infeasible schedule has no assignments, but {len(assignments)} are listed",
        )


ASSIGNMENT = Shape(
    Assignment,
    "an assignment",
    {"session": _placed, "room": ref("room"), "start": moment, "end": moment},
    check=ends_after("start", "end"),
)
# The solver writes these texts: they may run over several lines.
UNSCHEDULED = Shape(
    Unscheduled,
    "an unscheduled entry",
    {"session": _placed, "reason": text(REASON_LENGTH, required=True, lines=True)},
)
CONFLICT = Shape(
    Conflict,
    "a conflict",
    {
        "message": text(LONG_TEXT_LENGTH, required=True, lines=True),
        "sessions": strings(ref("session"), at_most=MAX_SESSIONS),
        "speakers": strings(ref("speaker"), at_most=MAX_SPEAKERS),
        "rooms": strings(ref("room"), at_most=MAX_ROOMS),
        "rules": strings(text(LABEL_LENGTH, required=True)),
    },
)
SCHEDULE = Shape(
    Schedule,
    "a schedule file",
    {
        "status": one_of(STATUSES, "status"),
        "assignments": items(ASSIGNMENT, at_most=MAX_SESSIONS),
        "unscheduled": items(UNSCHEDULED, at_most=MAX_SESSIONS),
        "conflicts": items(CONFLICT, at_most=MAX_SESSIONS),
        "objective": number(),
        "bound": number(),
        "solve_seconds": number(minimum=0),
    },
    check=_check_schedule,
    reserved=frozenset({"format"}),
)


def _reader_for(problem: Problem | None) -> Reader:
    """A reader that knows the problem's ids and days, or one that checks no references."""
    if problem is None:
        return Reader(check_references=False)
    r = Reader()
    for kind, things in (
        ("session", problem.sessions),
        ("room", problem.rooms),
        ("speaker", problem.speakers),
    ):
        r.ids[kind] = dict.fromkeys((thing.id for thing in things), "the problem")
    r.dates = dict.fromkeys((day.date for day in problem.calendar.days), "the problem")
    return r


def parse_schedule(data: object, problem: Problem | None = None) -> Schedule:
    """JSON-decoded data as a Schedule; ScheduleFileError lists every issue found.

    With `problem`, every id must name a session, room or speaker of it and every time fall on
    one of its days.
    """
    schedule: Schedule = parse_document(
        _reader_for(problem), data, SCHEDULE, SCHEDULE_FORMAT, ScheduleFileError
    )
    return schedule


def loads_schedule(source: str, problem: Problem | None = None) -> Schedule:
    return parse_schedule(decode_json(source, ScheduleFileError), problem)


def load_schedule(path: str | os.PathLike[str], problem: Problem | None = None) -> Schedule:
    return parse_schedule(read_json(path, ScheduleFileError), problem)


def schedule_to_data(schedule: Schedule) -> dict[str, Any]:
    """The inverse of `parse_schedule`: the same JSON data that was read, extensions and all."""
    return document_data(schedule, SCHEDULE_FORMAT)


def dump_schedule(schedule: Schedule, path: str | os.PathLike[str]) -> None:
    write_json(schedule_to_data(schedule), path)
