"""The agenda as it stands: the published version with the programme team's changes of the day.

Every output people see (pages, calendar feeds, personal feeds, schedule.xml/json, the API,
exports, Now & Next, join links) reads a session's times and status from here, so no two of them
can disagree. The team's facts (`LiveState`: a delay, a cancellation, an early start or end) and
the published entry give:

- the effective times: a delay moves start and end; the times as published are kept beside them;
- the status: cancelled (by the team today, or by a publication that dropped the session), ended,
  started, delayed or scheduled, with notes people read ("Delayed by 20 min (was 10:00-11:00)");
- the calendar's SEQUENCE and LAST-MODIFIED: the published entry's, raised by the session's
  live `revision` (one per change the team made) and moved to the time of the last change, so
  SEQUENCE never goes down across live changes and publications alike.

Clock-driven phases (join open, live now) are not decided here: they change by the second, and
whatever is built from this module is cached until the published version or the team's facts
change (`AgendaState`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Select, and_, bindparam, func, select
from sqlalchemy.orm import Session as DbSession

from scheduler.agenda import entries
from scheduler.languages import translatable
from scheduler.models import Event, LiveState, PublishedEntry, Room, ScheduleVersion, Session

Status = Literal["scheduled", "delayed", "started", "ended", "cancelled"]
NoteKind = Literal["delayed", "cancelled", "started_early", "started", "ended_early", "ended"]


@dataclass(frozen=True, slots=True)
class Facts:
    """What the programme team said about a session on the day. Times are venue wall-clock times."""

    delay_minutes: int = 0
    cancelled: bool = False
    started_at: datetime | None = None
    ended_at: datetime | None = None

    @classmethod
    def of(cls, row: LiveState | None) -> Facts:
        if row is None:
            return cls()
        return cls(row.delay_minutes, row.cancelled, row.started_at, row.ended_at)

    @property
    def started(self) -> bool:
        return self.started_at is not None

    @property
    def ended(self) -> bool:
        return self.ended_at is not None


@dataclass(frozen=True, slots=True)
class Note:
    """One thing that happened to a session today, as people read it (pages translate it by `kind`)."""

    kind: NoteKind
    minutes: int = 0
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Timing:
    """A session's times as published, the facts of the day, and what follows from them."""

    scheduled_start: datetime
    scheduled_end: datetime
    facts: Facts = Facts()

    @property
    def delay(self) -> timedelta:
        return timedelta(minutes=self.facts.delay_minutes)

    @property
    def start(self) -> datetime:
        return self.scheduled_start + self.delay

    @property
    def end(self) -> datetime:
        return self.scheduled_end + self.delay

    @property
    def cancelled(self) -> bool:
        return self.facts.cancelled

    @property
    def status(self) -> Status:
        facts = self.facts
        if facts.cancelled:
            return "cancelled"
        if facts.ended:
            return "ended"
        if facts.started:
            return "started"
        return "delayed" if facts.delay_minutes else "scheduled"

    @property
    def notes(self) -> tuple[Note, ...]:
        """What to tell people, in the order they read it."""
        facts = self.facts
        if facts.cancelled:
            return (Note("cancelled"),)
        notes = []
        if facts.delay_minutes:
            notes.append(Note("delayed", minutes=facts.delay_minutes))
        if facts.started_at is not None:
            early = facts.started_at < self.start
            notes.append(Note("started_early" if early else "started", at=facts.started_at))
        if facts.ended_at is not None:
            early = facts.ended_at < self.end
            notes.append(Note("ended_early" if early else "ended", at=facts.ended_at))
        return tuple(notes)

    def english(self) -> list[str]:
        """The notes as English sentences, for calendar and schedule-app descriptions."""
        return self.sentences(NOTE_TEXTS)

    def sentences(self, texts: Mapping[str, str]) -> list[str]:
        """The notes as sentences from `texts` (NOTE_TEXTS, or the same translated)."""
        return [_sentence(note, self, texts) for note in self.notes]


# What each note says, with %(name)s placeholders; the web app translates them (translatable()).
NOTE_TEXTS: dict[str, str] = {
    "delayed": translatable("Delayed by %(minutes)s min (was %(start)s-%(end)s)"),
    "cancelled": translatable("Cancelled"),
    "started_early": translatable("Started early, at %(time)s"),
    "started": translatable("Started at %(time)s"),
    "ended_early": translatable("Ended early, at %(time)s"),
    "ended": translatable("Ended at %(time)s"),
}


def _sentence(note: Note, timing: Timing, texts: Mapping[str, str]) -> str:
    values = {
        "time": f"{note.at:%H:%M}" if note.at else "",
        "minutes": note.minutes,
        "start": f"{timing.scheduled_start:%H:%M}",
        "end": f"{timing.scheduled_end:%H:%M}",
    }
    return texts[note.kind] % values


@dataclass(frozen=True, slots=True)
class AgendaEntry:
    """One session of the published agenda as it stands now: what every output reads.

    `start`, `end` and `cancelled` are the effective ones; `published` is the stored entry.
    """

    published: PublishedEntry
    timing: Timing
    sequence: int
    changed_at: datetime  # naive UTC: the publication or the live change that last changed it

    @property
    def session(self) -> Session:
        return self.published.session

    @property
    def room(self) -> Room:
        return self.published.room

    @property
    def start(self) -> datetime:
        return self.timing.start

    @property
    def end(self) -> datetime:
        return self.timing.end

    @property
    def cancelled(self) -> bool:
        return self.timing.cancelled


def agenda_entry(published: PublishedEntry, live: LiveState | None = None) -> AgendaEntry:
    """`published` with the day's facts about its session (`live`, if the team changed any)."""
    facts = Facts.of(live)
    if published.cancelled and not facts.cancelled:
        facts = Facts(facts.delay_minutes, True, facts.started_at, facts.ended_at)
    timing = Timing(published.start, published.end, facts)
    if live is None:
        return AgendaEntry(published, timing, published.sequence, published.changed_at)
    changed_at = max(published.changed_at, live.updated_at.replace(microsecond=0))
    return AgendaEntry(published, timing, published.sequence + live.revision, changed_at)


def entry_order(entry: AgendaEntry) -> tuple[object, ...]:
    """Time order, then room order, then session id: the order every output lists sessions in."""
    return (entry.start, entry.room.position, entry.session.key)


def live_states(db: DbSession, session_ids: Iterable[int]) -> dict[int, LiveState]:
    """The team's facts about these sessions, by session row id (sessions never changed are absent)."""
    wanted = list(session_ids)
    if not wanted:
        return {}
    rows = db.scalars(select(LiveState).where(LiveState.session_id.in_(wanted))).all()
    return {row.session_id: row for row in rows}


def agenda_entries(db: DbSession, version: ScheduleVersion) -> list[AgendaEntry]:
    """A published version's sessions as they stand now (cancelled ones included), in time order."""
    published = entries(db, version)
    facts = live_states(db, [e.session_id for e in published])
    return sorted((agenda_entry(e, facts.get(e.session_id)) for e in published), key=entry_order)


# --- what the outputs depend on ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgendaState:
    """Names everything an event's public outputs show: its import, its latest published version
    and the team's live changes. Equal states give equal outputs, so caches are keyed by `tag`."""

    event_id: int
    imported_at: datetime
    version_id: int
    version_number: int
    published_at: datetime | None
    # The sum of every session's live revisions: it rises by one with each change the team makes.
    live_revision: int
    live_changed_at: datetime | None

    @property
    def tag(self) -> str:
        return (
            f"{self.event_id}-{self.imported_at:%Y%m%d%H%M%S%f}-{self.version_id}"
            f"-{self.version_number}-{self.live_revision}"
        )

    @property
    def last_modified(self) -> datetime | None:
        """When any of it last changed (naive UTC)."""
        moments = [m for m in (self.published_at, self.live_changed_at) if m is not None]
        return max(moments) if moments else None


class EventGone(LookupError):
    """The event asked about is no longer stored."""


def _state_statement() -> Select[Any]:
    """The event's import time, latest published version and live totals: one statement, built once
    (every public request runs it), for the event id bound as `event_id`."""
    event_id = bindparam("event_id")
    facts = (
        select(LiveState.revision, LiveState.updated_at)
        .join(Session, Session.id == LiveState.session_id)
        .where(Session.event_id == event_id)
        .subquery()
    )
    published = and_(ScheduleVersion.event_id == Event.id, ScheduleVersion.state == "published")
    return (
        select(
            Event.imported_at,
            ScheduleVersion.id,
            ScheduleVersion.number,
            ScheduleVersion.published_at,
            select(func.coalesce(func.sum(facts.c.revision), 0)).scalar_subquery(),
            select(func.max(facts.c.updated_at)).scalar_subquery(),
        )
        .outerjoin(ScheduleVersion, published)
        .where(Event.id == event_id)
        .order_by(ScheduleVersion.number.desc())
        .limit(1)
    )


_STATE = _state_statement()


def agenda_state(db: DbSession, event_id: int) -> AgendaState | None:
    """The event's state now, in one query; None before its first publication.

    Raises EventGone when no such event is stored."""
    # Core, not the ORM: nothing here is an entity, and every public request runs it.
    row = db.connection().execute(_STATE, {"event_id": event_id}).first()
    if row is None:
        raise EventGone(f"no event with id {event_id}")
    imported_at, version_id, number, published_at, live_revision, live_changed_at = row
    if version_id is None:
        return None
    return AgendaState(
        event_id, imported_at, version_id, number, published_at, int(live_revision), live_changed_at
    )
