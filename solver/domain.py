"""Typed, immutable objects for an event problem and its schedule.

These mirror `agenda-problem/1` and `agenda-schedule/1` (see docs/problem-format.md). The file
reader in `scheduler.problem_file` builds them; the solver takes and returns them.

Times are naive wall-clock `datetime`s in the event's timezone, as in the files. Optional keys the
file leaves out take the defaults given here, except where "absent" means something different
from any value (a speaker's `available`, a session's `fixed` and `window`): those are `None`.

Sessions and speakers also carry what people read and how to reach speakers (abstracts,
biographies, translations, e-mail): the solver never looks at these.

Every object carries two fields that exist only so that writing a file back is lossless:
`extra` keeps keys this version does not know (the format lets files add keys), and
`given_defaults` names the optional keys the file spelled out with their default value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Literal

PROBLEM_FORMAT = "agenda-problem/1"
SCHEDULE_FORMAT = "agenda-schedule/1"

REGIONS = ("africa", "americas", "arab-states", "asia-pacific", "europe")

ScheduleStatus = Literal["optimal", "feasible", "infeasible", "unknown"]

# Translated texts by language code, then by field: {"fr": {"title": "...", "abstract": "..."}}.
Translations = Mapping[str, Mapping[str, str]]


def _no_extra() -> Mapping[str, Any]:
    return {}


def _no_translations() -> Translations:
    return {}


@dataclass(frozen=True, slots=True)
class SourceKeys:
    """Mixin fields that keep a written-back file equal to the one read."""

    extra: Mapping[str, Any] = field(default_factory=_no_extra, kw_only=True)
    given_defaults: frozenset[str] = field(default=frozenset(), kw_only=True)


@dataclass(frozen=True, slots=True)
class Event(SourceKeys):
    name: str
    timezone: str
    venue: str = ""


@dataclass(frozen=True, slots=True)
class Break(SourceKeys):
    start: time
    end: time
    label: str = ""


@dataclass(frozen=True, slots=True)
class Day(SourceKeys):
    date: date
    open: time
    close: time
    breaks: tuple[Break, ...] = ()

    def at(self, moment: time) -> datetime:
        return datetime.combine(self.date, moment)

    @property
    def opens_at(self) -> datetime:
        return self.at(self.open)

    @property
    def closes_at(self) -> datetime:
        return self.at(self.close)

    def blocks(self) -> list[tuple[datetime, datetime]]:
        """The day's usable hours cut by its breaks, in order."""
        blocks: list[tuple[datetime, datetime]] = []
        cursor = self.opens_at
        for pause in sorted(self.breaks, key=lambda b: b.start):
            pause_start, pause_end = self.at(pause.start), self.at(pause.end)
            if pause_start > cursor:
                blocks.append((cursor, pause_start))
            cursor = max(cursor, pause_end)
        if self.closes_at > cursor:
            blocks.append((cursor, self.closes_at))
        return blocks


@dataclass(frozen=True, slots=True)
class Calendar(SourceKeys):
    granularity_minutes: int
    days: tuple[Day, ...]
    changeover_minutes: int = 0


@dataclass(frozen=True, slots=True)
class Period(SourceKeys):
    """A span of wall-clock time; `reason` is used by room unavailability only."""

    start: datetime
    end: datetime
    reason: str = ""

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    def contains(self, start: datetime, end: datetime) -> bool:
        return self.start <= start and end <= self.end

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return start < self.end and self.start < end


@dataclass(frozen=True, slots=True)
class Room(SourceKeys):
    id: str
    name: str
    capacity: int
    features: tuple[str, ...] = ()
    interpretation_booths: int = 0
    unavailable: tuple[Period, ...] = ()


@dataclass(frozen=True, slots=True)
class Speaker(SourceKeys):
    id: str
    name: str
    role: str | None = None
    gender: str | None = None
    youth: bool | None = None
    # None: no constraint. An empty tuple: the speaker is never available.
    available: tuple[Period, ...] | None = None
    affiliation: str = ""
    bio: str = ""
    photo: str | None = None  # an https:// URL
    email: str | None = None  # private: for messages to the speaker only, never published
    language: str | None = None  # for messages and the speaker's private page
    translations: Translations = field(default_factory=_no_translations)


@dataclass(frozen=True, slots=True)
class Preference(SourceKeys):
    start: datetime
    end: datetime
    weight: float


@dataclass(frozen=True, slots=True)
class Fixed(SourceKeys):
    room: str | None = None
    start: datetime | None = None


@dataclass(frozen=True, slots=True)
class Window(SourceKeys):
    earliest: datetime | None = None
    latest: datetime | None = None


@dataclass(frozen=True, slots=True)
class Session(SourceKeys):
    id: str
    title: str
    duration_minutes: int
    type: str = ""
    expected_attendance: int = 0
    requires: tuple[str, ...] = ()
    interpretation: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()
    organizers: tuple[str, ...] = ()
    tracks: tuple[str, ...] = ()
    fixed: Fixed | None = None
    window: Window | None = None
    preferred: tuple[Preference, ...] = ()
    remote_audience: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    optional: bool = False
    abstract: str = ""
    translations: Translations = field(default_factory=_no_translations)

    @property
    def booths_needed(self) -> int:
        return len(self.interpretation)


@dataclass(frozen=True, slots=True)
class NoOverlapRule(SourceKeys):
    sessions: tuple[str, ...]
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Rules(SourceKeys):
    no_overlap: tuple[NoOverlapRule, ...] = ()


@dataclass(frozen=True, slots=True)
class Problem(SourceKeys):
    event: Event
    calendar: Calendar
    rooms: tuple[Room, ...] = ()
    speakers: tuple[Speaker, ...] = ()
    sessions: tuple[Session, ...] = ()
    rules: Rules | None = None

    @property
    def no_overlap(self) -> tuple[NoOverlapRule, ...]:
        return self.rules.no_overlap if self.rules else ()

    def room(self, room_id: str) -> Room:
        return next(r for r in self.rooms if r.id == room_id)

    def speaker(self, speaker_id: str) -> Speaker:
        return next(s for s in self.speakers if s.id == speaker_id)

    def session(self, session_id: str) -> Session:
        return next(s for s in self.sessions if s.id == session_id)


@dataclass(frozen=True, slots=True)
class Assignment(SourceKeys):
    session: str
    room: str
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Unscheduled(SourceKeys):
    session: str
    reason: str


@dataclass(frozen=True, slots=True)
class Conflict(SourceKeys):
    """Why no agenda exists, in terms a programme team can act on."""

    message: str
    sessions: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()
    rooms: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Schedule(SourceKeys):
    status: ScheduleStatus
    assignments: tuple[Assignment, ...] = ()
    unscheduled: tuple[Unscheduled, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    objective: float | None = None
    bound: float | None = None
    solve_seconds: float | None = None

    def assignment(self, session_id: str) -> Assignment | None:
        return next((a for a in self.assignments if a.session == session_id), None)
