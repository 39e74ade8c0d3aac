"""Problem files (`agenda-problem/1`): reading with full validation, and writing back losslessly.

`parse_problem` checks everything a file can get wrong on its own (types, formats, ids, references,
impossible times, cycles) and reports every issue at once; whether an agenda exists at all is the
solver's question. What is enforced is documented in docs/problem-format.md.
"""

from __future__ import annotations

import graphlib
import os
from datetime import datetime
from typing import Any

from scheduler.interchange import (
    Issue,
    ProblemFileError,
    Reader,
    Shape,
    Values,
    boolean,
    calendar_date,
    child,
    clock,
    decode_json,
    document_data,
    email,
    ends_after,
    https_url,
    ident,
    item,
    items,
    language,
    moment,
    nested,
    number,
    one_of,
    parse_document,
    quote,
    read_json,
    read_object,
    ref,
    show,
    strings,
    text,
    timezone,
    translations,
    whole,
    write_json,
)
from scheduler.limits import (
    GENDER_LENGTH,
    LABEL_LENGTH,
    LONG_TEXT_LENGTH,
    MAX_DAYS,
    MAX_ROOMS,
    MAX_SESSIONS,
    MAX_SPEAKERS,
    MAX_WEIGHT,
    NAME_LENGTH,
    REASON_LENGTH,
    TITLE_LENGTH,
    TYPE_LENGTH,
)
from solver.domain import (
    PROBLEM_FORMAT,
    REGIONS,
    Break,
    Calendar,
    Day,
    Event,
    Fixed,
    NoOverlapRule,
    Period,
    Preference,
    Problem,
    Room,
    Rules,
    Session,
    Speaker,
    Window,
)

__all__ = [
    "Issue",
    "ProblemFileError",
    "dump_problem",
    "load_problem",
    "loads_problem",
    "parse_problem",
    "problem_to_data",
]

MINUTES_PER_DAY = 24 * 60
label = text(LABEL_LENGTH, required=True)
name = text(NAME_LENGTH, required=True)
reason = text(REASON_LENGTH)


def _minutes(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds() // 60)


# --- The calendar --------------------------------------------------------------------------------


def _check_day(r: Reader, values: Values, path: str) -> None:
    if "date" in values:
        r.learn_day(values["date"], child(path, "date"))
    ends_after("open", "close")(r, values, path)
    opens, closes, breaks = values.get("open"), values.get("close"), values.get("breaks", ())
    if opens is None or closes is None or closes <= opens:
        return
    where = child(path, "breaks")
    for index, pause in enumerate(breaks):
        if pause.start < opens or pause.end > closes:
            r.error(
                item(where, index),
                f"the break {show(pause.start)}-{show(pause.end)} is outside the day's hours "
                f"{show(opens)}-{show(closes)}",
            )
    # Compared with the break that, of those starting earlier, ends last: it overlaps if any does.
    reaching: tuple[int, Break] | None = None
    for index, pause in sorted(enumerate(breaks), key=lambda pair: pair[1].start):
        if reaching is not None and pause.start < reaching[1].end:
            first, earlier = reaching
            other = f"{show(earlier.start)}-{show(earlier.end)} at {item(where, first)}"
            r.error(item(where, index), f"overlaps the break {other}")
        if reaching is None or pause.end > reaching[1].end:
            reaching = (index, pause)


def _check_calendar(r: Reader, values: Values, path: str) -> None:
    days = values.get("days")
    if days and not any(day.blocks() for day in days):
        r.error(child(path, "days"), "no day has any time outside its breaks")


def _calendar(r: Reader, value: object, path: str) -> Calendar:
    calendar: Calendar = read_object(r, CALENDAR, value, path)
    r.calendar = calendar
    return calendar


EVENT = Shape(
    Event,
    "the event",
    {"name": name, "timezone": timezone, "venue": text(NAME_LENGTH)},
)
BREAK = Shape(
    Break,
    "a break",
    {"start": clock, "end": clock, "label": text(LABEL_LENGTH)},
    check=ends_after("start", "end"),
)
DAY = Shape(
    Day,
    "a day",
    {"date": calendar_date, "open": clock, "close": clock, "breaks": items(BREAK)},
    check=_check_day,
)
CALENDAR = Shape(
    Calendar,
    "the calendar",
    {
        "granularity_minutes": whole(1, MINUTES_PER_DAY),
        "changeover_minutes": whole(0, MINUTES_PER_DAY),
        "days": items(DAY, at_least=1, at_most=MAX_DAYS),
    },
    check=_check_calendar,
)

# --- Rooms and speakers --------------------------------------------------------------------------

UNAVAILABLE = Shape(
    Period, "a period", {"start": moment, "end": moment, "reason": reason}, check=ends_after("start", "end")
)
# A speaker's periods have no `reason` field; one given is kept as an extension key.
AVAILABLE = Shape(Period, "a period", {"start": moment, "end": moment}, check=ends_after("start", "end"))
ROOM = Shape(
    Room,
    "a room",
    {
        "id": ident("room"),
        "name": name,
        "capacity": whole(1),
        "features": strings(label),
        "interpretation_booths": whole(0),
        "unavailable": items(UNAVAILABLE),
    },
)
# What may be translated, by field: the rules of the original text, and a translation is never blank.
SPEAKER_TEXTS = {
    "affiliation": text(NAME_LENGTH, required=True),
    "bio": text(LONG_TEXT_LENGTH, lines=True, required=True),
}
SPEAKER = Shape(
    Speaker,
    "a speaker",
    {
        "id": ident("speaker"),
        "name": name,
        "affiliation": text(NAME_LENGTH),
        "role": text(TYPE_LENGTH),
        "gender": text(GENDER_LENGTH),
        "youth": boolean,
        "language": language,
        "email": email,
        "photo": https_url,
        "bio": text(LONG_TEXT_LENGTH, lines=True),
        "available": items(AVAILABLE),
        "translations": translations(SPEAKER_TEXTS),
    },
)

# --- Sessions ------------------------------------------------------------------------------------


def _longest_block(calendar: Calendar) -> tuple[datetime, datetime] | None:
    blocks = [block for day in calendar.days for block in day.blocks()]
    return max(blocks, key=lambda block: _minutes(*block), default=None)


def _check_duration(r: Reader, calendar: Calendar, duration: int, path: str) -> bool:
    """Whether the session fits in some stretch of some day between breaks."""
    longest = _longest_block(calendar)
    if longest is None or duration <= _minutes(*longest):
        return True
    start, end = longest
    r.error(
        path,
        f"{duration} minutes is longer than any stretch between breaks: the longest is "
        f"{_minutes(start, end)} minutes, {show(start.date())} {show(start.time())}-{show(end.time())}",
    )
    return False


def _running(start: datetime, duration: int) -> str:
    return f"a {duration}-minute session starting {show(start)}"


def _day_of(calendar: Calendar, moment_: datetime) -> Day | None:
    return next((day for day in calendar.days if day.date == moment_.date()), None)


def _check_fixed_start(r: Reader, calendar: Calendar, start: datetime, duration: int, path: str) -> None:
    """A fixed start must be one the solver could choose: on the grid, inside one block of its day."""
    day = _day_of(calendar, start)
    if day is None:
        return
    if start < day.opens_at:
        r.error(path, f"{show(start)} is before the day opens at {show(day.open)}")
    elif _minutes(start, day.closes_at) < duration:
        r.error(path, f"{_running(start, duration)} ends after the day closes at {show(day.close)}")
    elif _minutes(day.opens_at, start) % calendar.granularity_minutes:
        r.error(
            path,
            f"{show(start)} is off the {calendar.granularity_minutes}-minute grid, "
            f"which runs from the day's opening at {show(day.open)}",
        )
    else:
        for pause in day.breaks:
            if start < day.at(pause.end) and _minutes(start, day.at(pause.start)) < duration:
                name = f" {quote(pause.label)}" if pause.label else ""
                r.error(
                    path,
                    f"{_running(start, duration)} runs into the break{name} "
                    f"{show(pause.start)}-{show(pause.end)}",
                )


def _check_window(r: Reader, window: Window, fixed: Fixed | None, duration: int, path: str) -> None:
    """The window must hold the session, and hold its fixed start if it has one."""
    earliest, latest = window.earliest, window.latest
    if earliest and latest and _minutes(earliest, latest) < duration:
        r.error(
            child(path, "window"),
            f"the window {show(earliest)} to {show(latest)} is shorter than the session's {duration} minutes",
        )
    start = fixed.start if fixed else None
    if start is None:
        return
    where = child(child(path, "fixed"), "start")
    if earliest and start < earliest:
        r.error(where, f"{show(start)} is before the window's earliest start {show(earliest)}")
    if latest and _minutes(start, latest) < duration:
        r.error(
            where,
            f"{_running(start, duration)} ends after the window's latest end {show(latest)}",
        )


def _check_session(r: Reader, values: Values, path: str) -> None:
    if "id" in values and values.get("after"):
        where = child(path, "after")
        r.after[values["id"]] = (where, values["after"])
        if values["id"] in values["after"]:
            r.error(item(where, values["after"].index(values["id"])), "a session cannot come after itself")
    duration, fixed, window = values.get("duration_minutes"), values.get("fixed"), values.get("window")
    if duration is None or r.calendar is None:
        return
    if not _check_duration(r, r.calendar, duration, child(path, "duration_minutes")):
        return
    if fixed and fixed.start:
        _check_fixed_start(r, r.calendar, fixed.start, duration, child(child(path, "fixed"), "start"))
    if window:
        _check_window(r, window, fixed, duration, path)


PREFERENCE = Shape(
    Preference,
    "a preferred period",
    {"start": moment, "end": moment, "weight": number(positive=True, maximum=MAX_WEIGHT)},
    check=ends_after("start", "end"),
)
FIXED = Shape(Fixed, "'fixed'", {"room": ref("room"), "start": moment}, one_of_keys=("room", "start"))
WINDOW = Shape(
    Window,
    "a window",
    {"earliest": moment, "latest": moment},
    check=ends_after("earliest", "latest"),
    one_of_keys=("earliest", "latest"),
)
SESSION_TEXTS = {
    "title": text(TITLE_LENGTH, required=True),
    "abstract": text(LONG_TEXT_LENGTH, lines=True, required=True),
}
SESSION = Shape(
    Session,
    "a session",
    {
        "id": ident("session"),
        "title": text(TITLE_LENGTH, required=True),
        "type": text(TYPE_LENGTH),
        "duration_minutes": whole(1),
        "expected_attendance": whole(0),
        "requires": strings(label),
        "interpretation": strings(label),
        "speakers": strings(ref("speaker")),
        "organizers": strings(name),
        "tracks": strings(label),
        "remote_audience": strings(one_of(REGIONS, "region")),
        "after": strings(ref("session")),
        "optional": boolean,
        "fixed": nested(FIXED),
        "window": nested(WINDOW),
        "preferred": items(PREFERENCE),
        "abstract": text(LONG_TEXT_LENGTH, lines=True),
        "translations": translations(SESSION_TEXTS),
    },
    check=_check_session,
)

# --- The whole problem ---------------------------------------------------------------------------

NO_OVERLAP = Shape(
    NoOverlapRule,
    "a no_overlap group",
    {"sessions": strings(ref("session"), at_least=2, at_most=MAX_SESSIONS), "reason": reason},
)
RULES = Shape(Rules, "the rules", {"no_overlap": items(NO_OVERLAP)})


def _check_problem(r: Reader, values: Values, path: str) -> None:
    sessions = len(r.ids["session"])
    if sessions and not r.ids["room"]:
        r.error(child(path, "rooms"), f"there are {sessions} sessions but no rooms to hold them")


PROBLEM = Shape(
    Problem,
    "a problem file",
    {
        "event": nested(EVENT),
        "calendar": _calendar,
        "rooms": items(ROOM, at_most=MAX_ROOMS),
        "speakers": items(SPEAKER, at_most=MAX_SPEAKERS),
        "sessions": items(SESSION, at_most=MAX_SESSIONS),
        "rules": nested(RULES),
    },
    check=_check_problem,
    reserved=frozenset({"format"}),
)


def _report_cycles(r: Reader) -> None:
    """Name the sessions of every `after` cycle: none of them could ever start."""
    known = r.ids["session"]
    graph = {
        session: [other for other in after if other in known and other != session]
        for session, (_, after) in r.after.items()
    }
    position = {session: index for index, session in enumerate(r.after)}
    for component in _strongly_connected(graph):
        if len(component) > 1:
            cycle = _a_cycle(graph, sorted(component, key=position.__getitem__))
            first = min(cycle, key=position.__getitem__)
            start = cycle.index(first)
            ordered = cycle[start:] + cycle[:start] + [first]
            chain = ", ".join(
                f"{quote(a)} is after {quote(b)}" for a, b in zip(ordered, ordered[1:], strict=False)
            )
            r.error(r.after[first][0], f"'after' goes round in a circle, so none of these can start: {chain}")


def _a_cycle(graph: dict[str, list[str]], component: list[str]) -> list[str]:
    """One cycle through a strongly connected component, each session followed by one it is after.

    The component comes in file order, so the same file always names the same cycle.
    """
    members = set(component)
    sorter = graphlib.TopologicalSorter({s: [o for o in graph[s] if o in members] for s in component})
    try:
        sorter.prepare()
    except graphlib.CycleError as error:
        # graphlib lists each session before the one that comes after it: read it backwards.
        return list(reversed(error.args[1]))[:-1]
    raise AssertionError("a strongly connected component of two or more sessions has a cycle")


def _strongly_connected(graph: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, without recursion (a long `after` chain is no risk)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def enter(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)

    for root in graph:
        if root in index:
            continue
        enter(root)
        work = [(root, iter(graph.get(root, ())))]
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    enter(successor)
                    work.append((successor, iter(graph.get(successor, ()))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component: list[str] = []
                    while not component or component[-1] != node:
                        component.append(stack.pop())
                        on_stack.discard(component[-1])
                    components.append(component)
    return components


# --- Public API ----------------------------------------------------------------------------------


def parse_problem(data: object) -> Problem:
    """JSON-decoded data as a Problem; ProblemFileError lists every issue found."""
    problem: Problem = parse_document(
        Reader(), data, PROBLEM, PROBLEM_FORMAT, ProblemFileError, _report_cycles
    )
    return problem


def loads_problem(source: str) -> Problem:
    return parse_problem(decode_json(source))


def load_problem(path: str | os.PathLike[str]) -> Problem:
    return parse_problem(read_json(path))


def problem_to_data(problem: Problem) -> dict[str, Any]:
    """The inverse of `parse_problem`: the same JSON data that was read, extensions and all."""
    return document_data(problem, PROBLEM_FORMAT)


def dump_problem(problem: Problem, path: str | os.PathLike[str]) -> None:
    write_json(problem_to_data(problem), path)
