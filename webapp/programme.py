"""The agenda as the public pages see it: one immutable snapshot per state of the agenda.

A snapshot is built from the database once per `scheduler.effective.AgendaState` (the event's
import, its published version and the team's live changes) and kept in memory, so page views read
plain objects and never send visitor input to SQL. Sessions carry their effective times and status
(a delayed session is shown at its new time, with the published times beside it). Times are
timezone-aware in the event's zone: templates print wall-clock Geneva time and the UTC offset.
"""

from __future__ import annotations

import re
import threading
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import cached_property
from zoneinfo import ZoneInfo

from flask_babel import get_locale, gettext
from sqlalchemy.orm import Session as DbSession

from scheduler.effective import AgendaEntry, AgendaState, Note, Status, agenda_entries
from scheduler.languages import LANGUAGES
from scheduler.models import Day, Event, ScheduleVersion
from scheduler.models import Room as RoomRow

HYBRID_FEATURE = "hybrid"
ACTION_LINE = re.compile(r"C\d+")

def language_name(code: str) -> str:
    """A language's name in the interface language ("French", "français", "法语"), from CLDR."""
    locale = get_locale()
    name = locale.languages.get(code, code) if locale is not None else code
    return name[:1].upper() + name[1:]


def time_label(venue: str, timezone: str) -> str:
    """What visitors call the event's clock: "Geneva time" for a venue "Palexpo, Geneva", else
    the zone's city ("Europe/Zurich": "Zurich time")."""
    place = venue.rsplit(",", 1)[-1].strip() or timezone.rsplit("/", 1)[-1].replace("_", " ")
    return gettext("%(place)s time", place=place)


def natural_key(text: str) -> tuple[object, ...]:
    """Sort "C2" before "C10": digit runs compare as numbers."""
    return tuple(int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", text))


def track_key(track: str) -> tuple[object, ...]:
    """The WSIS Action Lines (C1-C11) first, in order, then the themes alphabetically."""
    return (ACTION_LINE.fullmatch(track) is None, natural_key(track))


@dataclass(frozen=True, slots=True)
class BreakView:
    """A period with a label: a venue-wide break, or a room's closure and its reason."""

    start: datetime
    end: datetime
    label: str


@dataclass(frozen=True, slots=True)
class RoomView:
    key: str
    name: str
    capacity: int
    features: tuple[str, ...]
    interpretation_booths: int
    closures: tuple[BreakView, ...] = ()

    @property
    def hybrid(self) -> bool:
        return HYBRID_FEATURE in self.features


@dataclass(frozen=True, slots=True)
class PersonView:
    key: str
    name: str
    role: str | None
    # What the public may read about the speaker (their e-mail is private and never here).
    affiliation: str = ""
    bio: str = ""
    photo: str | None = None


@dataclass(frozen=True, slots=True)
class SessionView:
    key: str
    title: str
    type: str
    start: datetime
    end: datetime
    room: RoomView
    speakers: tuple[PersonView, ...]
    organizers: tuple[str, ...]
    tracks: tuple[str, ...]
    interpretation: tuple[str, ...]
    cancelled: bool
    # What happened today (`scheduler.effective`): `start` and `end` above are the effective times.
    status: Status
    notes: tuple[Note, ...]
    delay_minutes: int
    scheduled_start: datetime
    scheduled_end: datetime
    started_at: datetime | None
    ended_at: datetime | None
    abstract: str = ""

    @property
    def day(self) -> date:
        return self.start.date()

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def hybrid(self) -> bool:
        return self.room.hybrid

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(language_name(code) for code in self.interpretation)


@dataclass(frozen=True, slots=True)
class DayView:
    date: date
    opens: datetime
    closes: datetime
    breaks: tuple[BreakView, ...]


@dataclass(frozen=True, slots=True)
class SpeakerSessions:
    person: PersonView
    sessions: tuple[SessionView, ...]


@dataclass(frozen=True)
class Programme:
    """Everything the public pages show of one published version of one event."""

    event_id: int
    slug: str
    name: str
    venue: str
    timezone: str
    version_number: int
    published_at: datetime | None
    imported_at: datetime
    days: tuple[DayView, ...]
    rooms: tuple[RoomView, ...]
    # In time order, then room order; cancelled sessions included (they carry `cancelled`).
    sessions: tuple[SessionView, ...]
    _by_key: dict[str, SessionView] = field(repr=False, compare=False)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def published_local(self) -> datetime | None:
        """Publication time (stored as naive UTC) on the event's clock."""
        return self.published_at.replace(tzinfo=UTC).astimezone(self.zone) if self.published_at else None

    @property
    def time_label(self) -> str:
        return time_label(self.venue, self.timezone)

    def session(self, key: str) -> SessionView | None:
        return self._by_key.get(key)

    def day(self, wanted: date) -> DayView | None:
        return next((d for d in self.days if d.date == wanted), None)

    def room(self, key: str) -> RoomView | None:
        return next((r for r in self.rooms if r.key == key), None)

    def sessions_on(self, day: date) -> list[SessionView]:
        return [s for s in self.sessions if s.day == day]

    @cached_property
    def live_sessions(self) -> tuple[SessionView, ...]:
        return tuple(s for s in self.sessions if not s.cancelled)

    @cached_property
    def day_counts(self) -> Counter[date]:
        """Sessions taking place, per day (cancelled ones left out, as in every count shown)."""
        return Counter(s.day for s in self.live_sessions)

    @cached_property
    def room_counts(self) -> Counter[str]:
        """Sessions taking place, per room key."""
        return Counter(s.room.key for s in self.live_sessions)

    @cached_property
    def track_counts(self) -> Counter[str]:
        """Sessions taking place, per track."""
        return Counter(t for s in self.live_sessions for t in s.tracks)

    @cached_property
    def tracks(self) -> tuple[str, ...]:
        return tuple(sorted(self.track_counts, key=track_key))

    @cached_property
    def types(self) -> tuple[str, ...]:
        return tuple(sorted({s.type for s in self.live_sessions if s.type}, key=natural_key))

    @cached_property
    def languages(self) -> tuple[str, ...]:
        """Interpretation languages offered somewhere, in the UN order, then any others."""
        offered = {code for s in self.live_sessions for code in s.interpretation}
        known = [code for code in LANGUAGES if code in offered]
        return tuple(known + sorted(offered - set(known)))

    @cached_property
    def speakers(self) -> tuple[SpeakerSessions, ...]:
        """Every speaker of a published session, by name, with their sessions in time order."""
        by_key: dict[str, list[SessionView]] = defaultdict(list)
        people: dict[str, PersonView] = {}
        for s in self.sessions:
            for person in s.speakers:
                people[person.key] = person
                by_key[person.key].append(s)
        ordered = sorted(people.values(), key=lambda p: (p.name.casefold(), p.key))
        return tuple(SpeakerSessions(p, tuple(by_key[p.key])) for p in ordered)

    def kind_class(self, kind: str) -> str:
        """A CSS class that colours sessions of one type alike (eight hues, reused in turn)."""
        return f"kind-{self.types.index(kind) % 8 + 1}" if kind in self.types else "kind-0"

    def speaker(self, key: str) -> SpeakerSessions | None:
        return next((s for s in self.speakers if s.person.key == key), None)


def _aware(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.replace(tzinfo=zone)


def _at(day: date, moment: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, moment, tzinfo=zone)


def _room_view(room: RoomRow, zone: ZoneInfo) -> RoomView:
    closures = tuple(
        BreakView(_aware(c.start, zone), _aware(c.end, zone), c.reason) for c in room.unavailable
    )
    return RoomView(
        room.key, room.name, room.capacity, tuple(room.features), room.interpretation_booths, closures
    )


def _day_view(day: Day, zone: ZoneInfo) -> DayView:
    breaks = tuple(
        BreakView(_at(day.date, b.start, zone), _at(day.date, b.end, zone), b.label) for b in day.breaks
    )
    return DayView(day.date, _at(day.date, day.open, zone), _at(day.date, day.close, zone), breaks)


def _session_view(entry: AgendaEntry, rooms: dict[int, RoomView], zone: ZoneInfo) -> SessionView:
    session, timing = entry.session, entry.timing
    speakers = tuple(
        PersonView(sp.key, sp.name, sp.role, sp.affiliation, sp.bio, sp.photo) for sp in session.speakers
    )
    return SessionView(
        key=session.key,
        title=session.title,
        type=session.type,
        start=_aware(timing.start, zone),
        end=_aware(timing.end, zone),
        room=rooms[entry.published.room_id],
        speakers=speakers,
        organizers=tuple(session.organizers),
        tracks=tuple(session.tracks),
        interpretation=tuple(session.interpretation),
        cancelled=timing.cancelled,
        status=timing.status,
        notes=timing.notes,
        delay_minutes=timing.facts.delay_minutes,
        scheduled_start=_aware(timing.scheduled_start, zone),
        scheduled_end=_aware(timing.scheduled_end, zone),
        started_at=_aware(timing.facts.started_at, zone) if timing.facts.started_at else None,
        ended_at=_aware(timing.facts.ended_at, zone) if timing.facts.ended_at else None,
        abstract=session.abstract,
    )


def build_programme(db: DbSession, event: Event, state: AgendaState) -> Programme:
    zone = ZoneInfo(event.timezone)
    version = db.get(ScheduleVersion, state.version_id)
    if version is None:
        raise LookupError(f"published version {state.version_number} of {event.slug!r} is gone")
    agenda = agenda_entries(db, version)
    # Rooms in event order; a room a re-import dropped still shows while a published session uses it.
    used = {e.published.room_id for e in agenda}
    room_rows = [r for r in event.rooms if r.removed_at is None or r.id in used]
    rooms = {r.id: _room_view(r, zone) for r in room_rows}
    sessions = tuple(_session_view(e, rooms, zone) for e in agenda)
    return Programme(
        event_id=event.id,
        slug=event.slug,
        name=event.name,
        venue=event.venue,
        timezone=event.timezone,
        version_number=version.number,
        published_at=version.published_at,
        imported_at=event.imported_at,
        days=tuple(_day_view(d, zone) for d in event.days),
        rooms=tuple(rooms.values()),
        sessions=sessions,
        _by_key={s.key: s for s in sessions},
    )


class SnapshotCache:
    """A small LRU of built programmes, shared by the threads or greenlets of one process."""

    def __init__(self, size: int = 8) -> None:
        self._size = size
        self._items: OrderedDict[str, Programme] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, db: DbSession, event: Event, state: AgendaState) -> Programme:
        key = state.tag
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        programme = build_programme(db, event, state)
        with self._lock:
            self._items[key] = programme
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return programme

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def sessions_by_day(sessions: Iterable[SessionView]) -> list[tuple[date, list[SessionView]]]:
    """Group time-ordered sessions under their day, keeping the order."""
    groups: dict[date, list[SessionView]] = {}
    for s in sessions:
        groups.setdefault(s.day, []).append(s)
    return list(groups.items())
