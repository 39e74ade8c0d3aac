"""Hypothesis strategies for valid `agenda-problem/1` and `agenda-schedule/1` data.

`problems()` draws small random events (1-3 days with breaks, a few rooms, speakers and sessions)
as JSON data that `parse_problem` accepts. Every optional key is sometimes left out, sometimes
spelt out with its default value and sometimes given a value; objects now and then carry an
extension key (`x-...`). Use it for any lossless round trip (file, database, spreadsheet).

`schedules(problem)` draws schedule data whose ids and days are the problem's (or made up, without
a problem); assignments respect no hard rule: that is the checker's business, not the format's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from hypothesis import strategies as st

from solver.domain import PROBLEM_FORMAT, REGIONS, SCHEDULE_FORMAT

FEATURES = ("hybrid", "captioning", "plenary", "stage", "sign language")
LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")
TRACKS = ("C1", "C2", "C7", "C11", "WSIS+20 review", "Youth")
TIMEZONES = ("Europe/Zurich", "UTC", "America/New_York", "Asia/Tokyo", "Africa/Nairobi")
GRIDS = (5, 10, 15, 30, 60)
LAST_MINUTE = 24 * 60 - 1

Data = dict[str, Any]

# Text the files may hold (scheduler.plaintext): no control characters, surrogates or noncharacters
# (category Cn, with the unassigned code points); one-line text has no line breaks or tabs and does
# not start or end with spaces, multi-line text (abstracts, biographies) may hold line feeds and tabs.
_NONCHARACTERS = [chr(code) for code in range(0xFDD0, 0xFDF0)]
_one_line_characters = st.characters(
    codec="utf-8", exclude_categories=("Cc", "Cs", "Cn", "Zl", "Zp"), exclude_characters=_NONCHARACTERS
)
_any_text = st.text(_one_line_characters, max_size=12).map(str.strip)
_names = _any_text.filter(bool)
_keys = st.text(_one_line_characters, max_size=12)
_lines = st.text(_one_line_characters | st.sampled_from("\n\t"), max_size=40)
# Ids are parts of web addresses: never '.' or '..' (nor '/', which is not drawn).
_ids = st.text(
    st.characters(codec="utf-8", categories=("L", "N")) | st.sampled_from("-_.:"), min_size=1, max_size=8
).filter(lambda text: text not in (".", ".."))
_json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
) | _lines
_json_values = st.recursive(
    _json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=3),
    max_leaves=5,
)
_emails = st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,10}", fullmatch=True).map(
    lambda local: f"{local}@example.org"
)
_photos = _ids.map(lambda name: f"https://photos.example.org/{name.encode().hex()}.jpg")


def _translations(texts: dict[str, st.SearchStrategy[str]]) -> st.SearchStrategy[dict[str, dict[str, str]]]:
    """Translated texts for a few of the six languages, each with some of `texts`."""
    return st.dictionaries(st.sampled_from(LANGUAGES), st.fixed_dictionaries({}, optional=texts), max_size=2)


ABSENT, DEFAULT, VALUE = range(3)


def _put(draw: st.DrawFn, obj: Data, key: str, default: Any, values: st.SearchStrategy[Any]) -> None:
    """An optional key: left out, spelt out with its default, or given a drawn value."""
    choice = draw(st.sampled_from((ABSENT, DEFAULT, VALUE)))
    if choice == DEFAULT:
        obj[key] = default
    elif choice == VALUE:
        obj[key] = draw(values)


def _put_list(draw: st.DrawFn, obj: Data, key: str, entries: list[Any]) -> None:
    """A list already drawn: given if it has entries, else left out or spelt out empty."""
    if entries or draw(st.booleans()):
        obj[key] = entries


def _extend(draw: st.DrawFn, obj: Data) -> Data:
    """Now and then an extension key, which readers must keep."""
    if draw(st.integers(0, 4)) == 0:
        obj[f"x-{draw(_ids)}"] = draw(_json_values)
    return obj


def _subset(options: Sequence[Any]) -> st.SearchStrategy[list[Any]]:
    return st.lists(st.sampled_from(options), unique=True, max_size=4) if options else st.just([])


def _stamp(day: date, minute: int) -> str:
    return (datetime.combine(day, time()) + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M")


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


class _Calendar:
    """What later draws need to know about the drawn days: dates, hours and blocks, in minutes."""

    def __init__(self, grid: int) -> None:
        self.grid = grid
        self.days: list[date] = []
        # Per day: the blocks between breaks as (start, end) minutes after midnight.
        self.blocks: list[list[tuple[int, int]]] = []

    @property
    def longest(self) -> int:
        return max(end - start for blocks in self.blocks for start, end in blocks)

    def starts(self, duration: int) -> list[tuple[date, int]]:
        """Every grid start at which a session of `duration` lies inside one block."""
        return [
            (day, minute)
            for day, blocks in zip(self.days, self.blocks, strict=True)
            for start, end in blocks
            for minute in range(start, end - duration + 1, self.grid)
        ]


@st.composite
def _day(draw: st.DrawFn, when: date, calendar: _Calendar) -> Data:
    grid = calendar.grid
    opens = draw(st.integers(6, 10)) * 60
    steps = draw(st.integers(240 // grid, 600 // grid))
    pauses = draw(st.integers(0, min(2, (steps - 1) // 2)))
    cuts = sorted(
        draw(st.lists(st.integers(1, steps - 1), unique=True, min_size=2 * pauses, max_size=2 * pauses))
    )
    edges = [0, *cuts, steps]
    calendar.days.append(when)
    calendar.blocks.append(
        [(opens + edges[i] * grid, opens + edges[i + 1] * grid) for i in range(0, len(edges), 2)]
    )
    day: Data = {"date": when.isoformat(), "open": _clock(opens), "close": _clock(opens + steps * grid)}
    breaks = []
    for start, end in zip(cuts[::2], cuts[1::2], strict=True):
        pause = {"start": _clock(opens + start * grid), "end": _clock(opens + end * grid)}
        _put(draw, pause, "label", "", _names)
        breaks.append(_extend(draw, pause))
    _put_list(draw, day, "breaks", breaks)
    return _extend(draw, day)


@st.composite
def _moment(draw: st.DrawFn, days: list[date]) -> tuple[date, int]:
    return draw(st.sampled_from(days)), draw(st.integers(0, LAST_MINUTE))


@st.composite
def _period(draw: st.DrawFn, days: list[date], reason: bool = False) -> Data:
    first, second = draw(st.lists(_moment(days), min_size=2, max_size=2, unique=True).map(sorted))
    period: Data = {"start": _stamp(*first), "end": _stamp(*second)}
    if reason:
        _put(draw, period, "reason", "", _any_text)
    return _extend(draw, period)


@st.composite
def _room(draw: st.DrawFn, room_id: str, days: list[date]) -> Data:
    room: Data = {"id": room_id, "name": draw(_names), "capacity": draw(st.integers(1, 3000))}
    _put(draw, room, "features", [], _subset(FEATURES))
    _put(draw, room, "interpretation_booths", 0, st.integers(0, 6))
    _put(draw, room, "unavailable", [], st.lists(_period(days, reason=True), max_size=2))
    return _extend(draw, room)


@st.composite
def _speaker(draw: st.DrawFn, speaker_id: str, days: list[date]) -> Data:
    speaker: Data = {"id": speaker_id, "name": draw(_names)}
    _put(draw, speaker, "role", None, st.sampled_from(("minister", "ceo", "researcher")) | _any_text)
    _put(draw, speaker, "gender", None, st.sampled_from(("female", "male", "non-binary")))
    _put(draw, speaker, "youth", None, st.booleans())
    _put(draw, speaker, "available", None, st.lists(_period(days), max_size=2))
    _put(draw, speaker, "affiliation", "", _any_text)
    _put(draw, speaker, "bio", "", _lines)
    _put(draw, speaker, "photo", None, _photos)
    _put(draw, speaker, "email", None, _emails)
    _put(draw, speaker, "language", None, st.sampled_from(LANGUAGES))
    texts = {"affiliation": _names, "bio": _lines.filter(str.strip)}
    _put(draw, speaker, "translations", {}, _translations(texts))
    return _extend(draw, speaker)


@st.composite
def _fixed(draw: st.DrawFn, room_ids: list[str], start: str | None) -> Data:
    fixed: Data = {}
    if start is None or draw(st.booleans()):
        fixed["room"] = draw(st.sampled_from(room_ids))
    elif draw(st.booleans()):
        fixed["room"] = None
    if start is not None:
        fixed["start"] = start
    elif draw(st.booleans()):
        fixed["start"] = None
    return _extend(draw, fixed)


@st.composite
def _window(draw: st.DrawFn, calendar: _Calendar, duration: int, fixed: tuple[date, int] | None) -> Data:
    """A window that holds the session and, if it has one, its fixed start."""
    if fixed is None:
        day = draw(st.sampled_from(calendar.days))
        earliest = draw(st.integers(0, LAST_MINUTE - duration))
        latest = min(LAST_MINUTE, earliest + duration + draw(st.integers(0, 240)))
    else:
        day, start = fixed
        earliest = max(0, start - draw(st.integers(0, 120)))
        latest = min(LAST_MINUTE, start + duration + draw(st.integers(0, 120)))
    window: Data = {"earliest": _stamp(day, earliest), "latest": _stamp(day, latest)}
    dropped = draw(st.sampled_from((None, "earliest", "latest")))
    if dropped is not None:
        if draw(st.booleans()):
            window[dropped] = None
        else:
            del window[dropped]
    return _extend(draw, window)


@st.composite
def _preference(draw: st.DrawFn, days: list[date]) -> Data:
    preference = draw(_period(days))
    preference["weight"] = draw(st.integers(1, 10) | st.floats(0.01, 100.0))
    return preference


@st.composite
def _session(
    draw: st.DrawFn, session_id: str, earlier: list[str], problem: Data, calendar: _Calendar
) -> Data:
    duration = draw(st.integers(1, calendar.longest))
    session: Data = {"id": session_id, "title": draw(_names), "duration_minutes": duration}
    room_ids = [room["id"] for room in problem["rooms"]]
    speaker_ids = [speaker["id"] for speaker in problem.get("speakers", [])]
    _put(draw, session, "type", "", st.sampled_from(("panel", "workshop", "ceremony")) | _any_text)
    _put(draw, session, "expected_attendance", 0, st.integers(0, 3000))
    _put(draw, session, "requires", [], _subset(FEATURES))
    _put(draw, session, "interpretation", [], _subset(LANGUAGES))
    _put(draw, session, "speakers", [], _subset(speaker_ids))
    _put(draw, session, "organizers", [], st.lists(_names, unique=True, max_size=3))
    _put(draw, session, "tracks", [], _subset(TRACKS))
    fixed_start = draw(st.none() | st.sampled_from(calendar.starts(duration)))
    choice = draw(st.sampled_from((ABSENT, DEFAULT, VALUE)))
    if choice == VALUE:
        session["fixed"] = draw(_fixed(room_ids, None if fixed_start is None else _stamp(*fixed_start)))
    else:
        fixed_start = None
        if choice == DEFAULT:
            session["fixed"] = None
    _put(draw, session, "window", None, _window(calendar, duration, fixed_start))
    _put(draw, session, "preferred", [], st.lists(_preference(calendar.days), max_size=2))
    _put(draw, session, "remote_audience", [], _subset(REGIONS))
    _put(draw, session, "after", [], _subset(earlier))
    _put(draw, session, "optional", False, st.booleans())
    _put(draw, session, "abstract", "", _lines)
    _put(
        draw,
        session,
        "translations",
        {},
        _translations({"title": _names, "abstract": _lines.filter(str.strip)}),
    )
    return _extend(draw, session)


@st.composite
def _no_overlap(draw: st.DrawFn, session_ids: list[str]) -> Data:
    group: Data = {
        "sessions": draw(st.lists(st.sampled_from(session_ids), unique=True, min_size=2, max_size=4))
    }
    _put(draw, group, "reason", "", _any_text)
    return _extend(draw, group)


@st.composite
def _rules(draw: st.DrawFn, session_ids: list[str]) -> Data:
    groups = (
        st.lists(_no_overlap(session_ids), min_size=1, max_size=2) if len(session_ids) >= 2 else st.just([])
    )
    rules: Data = {}
    _put(draw, rules, "no_overlap", [], groups)
    return _extend(draw, rules)


@st.composite
def problems(draw: st.DrawFn) -> Data:
    """Valid `agenda-problem/1` data: a small random event."""
    calendar = _Calendar(draw(st.sampled_from(GRIDS)))
    first = draw(st.dates(date(2024, 1, 1), date(2030, 12, 1)))
    offsets = sorted(draw(st.lists(st.integers(0, 6), unique=True, min_size=1, max_size=3)))
    event: Data = {"name": draw(_names), "timezone": draw(st.sampled_from(TIMEZONES))}
    _put(draw, event, "venue", "", _any_text)
    calendar_data: Data = {"granularity_minutes": calendar.grid}
    _put(draw, calendar_data, "changeover_minutes", 0, st.integers(0, 30))
    calendar_data["days"] = [draw(_day(first + timedelta(days=offset), calendar)) for offset in offsets]
    problem: Data = {
        "format": PROBLEM_FORMAT,
        "event": _extend(draw, event),
        "calendar": _extend(draw, calendar_data),
    }
    room_ids = draw(st.lists(_ids, unique=True, min_size=1, max_size=4))
    problem["rooms"] = [draw(_room(room_id, calendar.days)) for room_id in room_ids]
    speaker_ids = draw(st.lists(_ids, unique=True, max_size=4))
    _put_list(
        draw, problem, "speakers", [draw(_speaker(speaker_id, calendar.days)) for speaker_id in speaker_ids]
    )
    session_ids = draw(st.lists(_ids, unique=True, min_size=1, max_size=6))
    problem["sessions"] = [
        draw(_session(session_id, session_ids[:index], problem, calendar))
        for index, session_id in enumerate(session_ids)
    ]
    _put(draw, problem, "rules", None, _rules(session_ids))
    return _extend(draw, problem)


@st.composite
def _assignment(draw: st.DrawFn, session_id: str, room_ids: list[str], days: list[date]) -> Data:
    period = draw(_period(days))
    return _extend(draw, {"session": session_id, "room": draw(st.sampled_from(room_ids)), **period})


@st.composite
def _conflict(draw: st.DrawFn, session_ids: list[str], room_ids: list[str], speaker_ids: list[str]) -> Data:
    conflict: Data = {"message": draw(_names)}
    _put(draw, conflict, "sessions", [], _subset(session_ids))
    _put(draw, conflict, "speakers", [], _subset(speaker_ids))
    _put(draw, conflict, "rooms", [], _subset(room_ids))
    _put(draw, conflict, "rules", [], _subset(("no_overlap", "after", "speaker availability")))
    return _extend(draw, conflict)


def _numbers(minimum: float | None = None) -> st.SearchStrategy[float | int]:
    return st.integers(0 if minimum is not None else -1000, 10**6) | st.floats(
        minimum, 1e9, allow_nan=False, allow_infinity=False
    )


@st.composite
def schedules(draw: st.DrawFn, problem: Data | None = None) -> Data:
    """Valid `agenda-schedule/1` data; with `problem` (data), its ids and days are the problem's."""
    if problem is None:
        first = draw(st.dates(date(2024, 1, 1), date(2030, 12, 1)))
        days = [first + timedelta(days=offset) for offset in range(draw(st.integers(1, 3)))]
        session_ids = draw(st.lists(_ids, unique=True, max_size=6))
        room_ids = draw(st.lists(_ids, unique=True, min_size=1, max_size=3))
        speaker_ids = draw(st.lists(_ids, unique=True, max_size=3))
    else:
        days = [date.fromisoformat(day["date"]) for day in problem["calendar"]["days"]]
        session_ids = [session["id"] for session in problem.get("sessions", [])]
        room_ids = [room["id"] for room in problem.get("rooms", [])] or draw(
            st.lists(_ids, min_size=1, max_size=1)
        )
        speaker_ids = [speaker["id"] for speaker in problem.get("speakers", [])]
    status = draw(st.sampled_from(("optimal", "feasible", "infeasible", "unknown")))
    order = draw(st.permutations(session_ids))
    placed = 0 if status == "infeasible" else draw(st.integers(0, len(order)))
    left_out = draw(st.integers(0, len(order) - placed))
    schedule: Data = {"format": SCHEDULE_FORMAT, "status": status}
    assignments = [draw(_assignment(session, room_ids, days)) for session in order[:placed]]
    _put_list(draw, schedule, "assignments", assignments)
    unscheduled = [
        _extend(draw, {"session": session, "reason": draw(_names)})
        for session in order[placed : placed + left_out]
    ]
    _put_list(draw, schedule, "unscheduled", unscheduled)
    _put(draw, schedule, "conflicts", [], st.lists(_conflict(session_ids, room_ids, speaker_ids), max_size=2))
    _put(draw, schedule, "objective", None, _numbers())
    _put(draw, schedule, "bound", None, _numbers())
    _put(draw, schedule, "solve_seconds", None, _numbers(minimum=0.0))
    return _extend(draw, schedule)


@st.composite
def problems_with_schedules(draw: st.DrawFn) -> tuple[Data, Data]:
    """A problem and a schedule that names only its sessions, rooms, speakers and days."""
    problem = draw(problems())
    return problem, draw(schedules(problem))
