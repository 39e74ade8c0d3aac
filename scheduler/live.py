"""The event on the day: the event clock, each session's live state, and the team's changes to it.

A session's state is derived, never stored: from the published agenda, what the programme team
said on the day (`LiveState`: a delay, a cancellation, an early start or end) and the event clock:

    scheduled (or delayed) -> opening (join links work) -> live -> ended;   cancelled at any time

Every server process derives the states itself from the same database and clock, so clock-driven
transitions need no coordination between processes. What the programme team does from the command
line (a delay, a cancellation, a new published version) is announced to every connected client
through the Socket.IO message queue: `notify_session` and `notify_published` here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy import inspect as orm_inspect
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import joinedload

from scheduler import config
from scheduler.agenda import latest_published
from scheduler.db import make_engine, session_factory
from scheduler.models import (
    Event,
    LiveState,
    PublishedEntry,
    Room,
    ScheduleVersion,
    Session,
    VersionChange,
)
from scheduler.participants import bookmarking
from scheduler.store import utc_now

if TYPE_CHECKING:
    from flask_socketio import SocketIO

Phase = Literal["scheduled", "delayed", "opening", "live", "ended", "cancelled"]
OPEN_PHASES: frozenset[str] = frozenset({"opening", "live"})
PHASE_LABELS: dict[str, str] = {
    "scheduled": "Scheduled",
    "delayed": "Delayed",
    "opening": "Join open",
    "live": "Live now",
    "ended": "Ended",
    "cancelled": "Cancelled",
}
DEFAULT_OPENS_BEFORE = timedelta(minutes=config.default("JOIN_OPENS_MINUTES_BEFORE"))
MAX_DELAY_MINUTES = 12 * 60
NAMESPACE = "/live"


class LiveError(ValueError):
    """A change the programme team asked for that cannot be made (unknown or unpublished session...)."""


# --- the event clock -------------------------------------------------------------------------


class EventClock:
    """Wall-clock time at the venue: the real time, or a set moment running forward from start-up.

    A set clock (`--clock`, `AGENDA_CLOCK`) lets a demo or a rehearsal run the event's days at any
    time; it advances at the real pace. Times are naive wall-clock times in the event's timezone,
    as the agenda stores them.
    """

    def __init__(
        self,
        start: datetime | None = None,
        *,
        timer: Callable[[], float] = time.monotonic,
        real_now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.start = start
        self._timer = timer
        self._real_now = real_now
        self._anchor = timer()

    @classmethod
    def parse(cls, text: str | None) -> EventClock:
        """The clock for a setting such as "2025-07-08T10:55"; empty or None means the real time."""
        if not text:
            return cls()
        try:
            start = datetime.fromisoformat(text.strip())
        except ValueError:
            raise LiveError(f"clock {text!r} is not a time such as 2025-07-08T10:55") from None
        if start.tzinfo is not None:
            raise LiveError(f"clock {text!r}: give the venue's wall-clock time, without an offset")
        return cls(start)

    def now(self, timezone: str) -> datetime:
        if self.start is None:
            return self._real_now().astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
        return self.start + timedelta(seconds=self._timer() - self._anchor)

    def instant(self, moment: datetime, timezone: str) -> datetime:
        """The real (UTC) instant at which this clock shows `moment`: what outside systems check."""
        if self.start is None:
            return moment.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)
        return self._real_now() + (moment - self.now(timezone))


# --- one session's state ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Facts:
    """What the programme team said about a session on the day."""

    delay_minutes: int = 0
    cancelled: bool = False
    started: bool = False
    ended: bool = False

    @classmethod
    def of(cls, row: LiveState | None) -> Facts:
        if row is None:
            return cls()
        return cls(row.delay_minutes, row.cancelled, row.started_at is not None, row.ended_at is not None)


@dataclass(frozen=True, slots=True)
class Slot:
    """A published session where and when it takes place, with the day's facts about it."""

    session_id: int
    key: str
    title: str
    room_key: str
    room_name: str
    room_position: int
    start: datetime
    end: datetime
    facts: Facts = field(default_factory=Facts)

    @property
    def delay(self) -> timedelta:
        return timedelta(minutes=self.facts.delay_minutes)

    @property
    def starts_at(self) -> datetime:
        return self.start + self.delay

    @property
    def ends_at(self) -> datetime:
        return self.end + self.delay

    def opens_at(self, opens_before: timedelta = DEFAULT_OPENS_BEFORE) -> datetime:
        return self.starts_at - opens_before

    def phase(self, now: datetime, opens_before: timedelta = DEFAULT_OPENS_BEFORE) -> Phase:
        facts = self.facts
        if facts.cancelled:
            return "cancelled"
        if facts.ended or now >= self.ends_at:
            return "ended"
        if facts.started or now >= self.starts_at:
            return "live"
        if now >= self.opens_at(opens_before):
            return "opening"
        return "delayed" if facts.delay_minutes else "scheduled"


@dataclass(frozen=True, slots=True)
class SessionLive:
    """A slot and its phase at one moment of the event clock."""

    slot: Slot
    phase: Phase
    opens_at: datetime

    @property
    def key(self) -> str:
        return self.slot.key

    @property
    def join_open(self) -> bool:
        return self.phase in OPEN_PHASES

    def payload(self) -> dict[str, Any]:
        """What any viewer may see (no join link: that is personal)."""
        slot = self.slot
        return {
            "session": slot.key,
            "title": slot.title,
            "room": slot.room_key,
            "room_name": slot.room_name,
            "phase": self.phase,
            "phase_label": PHASE_LABELS[self.phase],
            "delay_minutes": slot.facts.delay_minutes,
            # The next session in a room may be on a later day: a bare "09:00" would mislead.
            "day": f"{slot.starts_at:%a} {slot.starts_at.day} {slot.starts_at:%b}",
            "start": _minute(slot.starts_at),
            "end": _minute(slot.ends_at),
            "scheduled_start": _minute(slot.start),
            "opens_at": _minute(self.opens_at),
            "join_open": self.join_open,
        }


def _minute(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def at(
    slots: Iterable[Slot], now: datetime, opens_before: timedelta = DEFAULT_OPENS_BEFORE
) -> dict[str, SessionLive]:
    """Every slot's state at `now`, by session id."""
    return {s.key: SessionLive(s, s.phase(now, opens_before), s.opens_at(opens_before)) for s in slots}


def transitions(before: Mapping[str, SessionLive], after: Mapping[str, SessionLive]) -> list[SessionLive]:
    """The sessions whose state (phase, times, room) differs, in time order; new sessions included."""
    changed = [state for key, state in after.items() if before.get(key) != state]
    return sorted(changed, key=lambda s: (s.slot.starts_at, s.slot.room_position, s.key))


def newly_open(before: Mapping[str, SessionLive], after: Mapping[str, SessionLive]) -> list[SessionLive]:
    """Sessions whose join window has just opened."""
    return [
        state
        for key, state in after.items()
        if state.join_open and not (key in before and before[key].join_open)
    ]


# --- Now & Next --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoomBoard:
    room_key: str
    room_name: str
    now: SessionLive | None
    next: SessionLive | None

    def payload(self) -> dict[str, Any]:
        return {
            "room": self.room_key,
            "room_name": self.room_name,
            "now": self.now.payload() if self.now else None,
            "next": self.next.payload() if self.next else None,
        }


def board(states: Mapping[str, SessionLive], now: datetime) -> list[RoomBoard]:
    """Per room, in room order: the session on now (if any) and the next one to come.

    A cancelled session still shows as "next" until its time has passed, so people looking for it
    learn that it is off.
    """
    rooms: dict[str, list[SessionLive]] = {}
    for state in sorted(states.values(), key=lambda s: (s.slot.room_position, s.slot.starts_at, s.key)):
        rooms.setdefault(state.slot.room_key, []).append(state)
    boards = []
    for sessions in rooms.values():
        current = next((s for s in sessions if s.phase == "live"), None)
        following = next((s for s in sessions if s is not current and _upcoming(s, now)), None)
        first = sessions[0].slot
        boards.append(RoomBoard(first.room_key, first.room_name, current, following))
    return boards


def _upcoming(state: SessionLive, now: datetime) -> bool:
    if state.phase == "cancelled":
        return state.slot.starts_at > now
    return state.phase in ("scheduled", "delayed", "opening")


def board_shape(boards: Sequence[RoomBoard]) -> tuple[tuple[str | None, str | None], ...]:
    """Which sessions the board shows where: a client redraws the board when this changes."""
    return tuple((b.now.key if b.now else None, b.next.key if b.next else None) for b in boards)


# --- reading the agenda and the day's facts ------------------------------------------------------


def load_slots(db: DbSession, event: Event) -> list[Slot]:
    """The latest published agenda's sessions (cancelled ones included) with the day's facts."""
    version = latest_published(db, event)
    if version is None:
        return []
    rows = db.execute(
        select(PublishedEntry, LiveState)
        .join(PublishedEntry.session)
        .outerjoin(LiveState, LiveState.session_id == PublishedEntry.session_id)
        .where(PublishedEntry.version_id == version.id)
        .options(joinedload(PublishedEntry.room), joinedload(PublishedEntry.session))
    ).all()
    return [_slot(entry, state) for entry, state in rows]


def _slot(entry: PublishedEntry, state: LiveState | None) -> Slot:
    facts = Facts.of(state)
    if entry.cancelled:
        facts = replace(facts, cancelled=True)
    return Slot(
        session_id=entry.session_id,
        key=entry.session.key,
        title=entry.session.title,
        room_key=entry.room.key,
        room_name=entry.room.name,
        room_position=entry.room.position,
        start=entry.start,
        end=entry.end,
        facts=facts,
    )


def find_slot(db: DbSession, event: Event, session_key: str) -> Slot:
    slot = next((s for s in load_slots(db, event) if s.key == session_key), None)
    if slot is None:
        raise LiveError(f"session {session_key!r} is not on the published agenda of {event.slug!r}")
    return slot


def fingerprint(db: DbSession, event: Event) -> tuple[Any, ...]:
    """Changes whenever a version is published or the team changes a live state (a cheap poll)."""
    version = db.scalar(
        select(func.max(ScheduleVersion.id)).where(
            ScheduleVersion.event_id == event.id, ScheduleVersion.state == "published"
        )
    )
    facts = db.execute(
        select(func.count(LiveState.session_id), func.max(LiveState.updated_at))
        .join(Session, Session.id == LiveState.session_id)
        .where(Session.event_id == event.id)
    ).one()
    return (version, *facts)


# --- the programme team's changes --------------------------------------------------------------

Action = Literal["delay", "cancel", "start", "end", "reset"]


def change(
    db: DbSession,
    event: Event,
    session_key: str,
    action: Action,
    minutes: int = 0,
    now: datetime | None = None,
) -> Slot:
    """Record a delay, cancellation, start, end or reset of a published session; returns its new slot."""
    slot = find_slot(db, event, session_key)
    now = now or utc_now()
    state = db.get(LiveState, slot.session_id)
    if action == "reset":
        if state is not None:
            db.delete(state)
            db.flush()
        return find_slot(db, event, session_key)
    facts = slot.facts
    if facts.cancelled and action != "cancel":
        raise LiveError(f"session {session_key!r} is cancelled: `live reset` it first")
    if facts.ended and action in ("delay", "start"):
        raise LiveError(f"session {session_key!r} has ended")
    if state is None:
        state = LiveState(session_id=slot.session_id, delay_minutes=0, cancelled=False)
        db.add(state)
    _apply(state, action, minutes, now)
    state.updated_at = _after(state.updated_at, now)
    db.flush()
    return find_slot(db, event, session_key)


def _apply(state: LiveState, action: Action, minutes: int, now: datetime) -> None:
    if action == "delay":
        if not 0 <= minutes <= MAX_DELAY_MINUTES:
            raise LiveError(f"a delay is between 0 and {MAX_DELAY_MINUTES} minutes, not {minutes}")
        state.delay_minutes = minutes
    elif action == "cancel":
        state.cancelled = True
    elif action == "start":
        state.started_at = state.started_at or now
    elif action == "end":
        state.ended_at = state.ended_at or now


def _after(previous: datetime | None, now: datetime) -> datetime:
    # Pollers notice a change by the newest `updated_at`: it must move even within one second.
    if previous is not None and previous >= now:
        return previous + timedelta(microseconds=1)
    return now


def describe(slot: Slot, action: Action) -> str:
    """The announcement people see for a change."""
    title = slot.title
    if action == "delay":
        if slot.facts.delay_minutes == 0:
            return f"{title} is back on time: {slot.starts_at:%H:%M}, {slot.room_name}."
        return (
            f"{title} is delayed by {slot.facts.delay_minutes} minutes: "
            f"now {slot.starts_at:%H:%M}-{slot.ends_at:%H:%M}, {slot.room_name}."
        )
    return {
        "cancel": f"{title} is cancelled.",
        "start": f"{title} has started in {slot.room_name}.",
        "end": f"{title} has ended.",
        "reset": f"{title} is back as published: {slot.starts_at:%H:%M}, {slot.room_name}.",
    }[action]


def inferred_action(before: Facts, after: Facts) -> Action | None:
    """The team's change that turned `before` into `after`, as a server sees it in the database."""
    if before == after:
        return None
    if after == Facts():
        return "reset"
    if after.cancelled and not before.cancelled:
        return "cancel"
    if after.ended and not before.ended:
        return "end"
    if after.started and not before.started:
        return "start"
    return "delay" if after.delay_minutes != before.delay_minutes else "reset"


def announcement(before: SessionLive | None, after: SessionLive) -> str | None:
    """What to tell viewers along with a new state, when the team (not the clock) changed it."""
    action = inferred_action(before.slot.facts, after.slot.facts) if before else None
    return describe(after.slot, action) if action else None


# --- telling connected clients -------------------------------------------------------------------


def event_room(event_id: int) -> str:
    return f"event:{event_id}"


def room_room(event_id: int, room_key: str) -> str:
    return f"room:{event_id}:{room_key}"


def session_room(event_id: int, session_key: str) -> str:
    return f"session:{event_id}:{session_key}"


def participant_room(participant_id: int) -> str:
    return f"participant:{participant_id}"


def slot_rooms(event_id: int, slot: Slot) -> list[str]:
    """Everyone watching the session, its room or the whole event."""
    return [event_room(event_id), room_room(event_id, slot.room_key), session_room(event_id, slot.key)]


def queue_settings() -> tuple[str | None, str]:
    """The message queue URL and channel, as the web app reads them."""
    settings = config.load()
    return settings["SOCKETIO_MESSAGE_QUEUE"], settings["SOCKETIO_CHANNEL"]


def queue_emitter() -> SocketIO | None:
    """A write-only emitter on the configured message queue (None without one): it reaches the
    clients of every server process."""
    url, channel = queue_settings()
    if not url:
        return None
    # Imported only when there is a queue: other commands need not load Socket.IO.
    from flask_socketio import SocketIO

    return SocketIO(message_queue=url, channel=channel)


def emit(emitter: SocketIO, name: str, payload: Mapping[str, Any], rooms: Sequence[str]) -> None:
    """One event to the union of `rooms` (a client in several of them gets it once)."""
    emitter.emit(name, dict(payload), namespace=NAMESPACE, to=list(rooms))


def notify_session(
    emitter: SocketIO | None, event: Event, slot: Slot, action: Action, bookmarkers: Sequence[int] = ()
) -> bool:
    """Announce the team's change at once, through the queue, to those who follow this session:
    its watchers and the participants who bookmarked it. (Everyone else watching the event or the
    room gets the new state from their server's next tick, with the same announcement in it: one
    message per change, not two.) False when no message queue is configured."""
    if emitter is None:
        return False
    payload = {
        "kind": action,
        "session": slot.key,
        "room": slot.room_key,
        "delay_minutes": slot.facts.delay_minutes,
        "message": describe(slot, action),
        "sent_at": time.time(),
    }
    rooms = [session_room(event.id, slot.key), *(participant_room(p) for p in bookmarkers)]
    emit(emitter, "notice", payload, rooms)
    return True


def notify_published(
    event: Event, version: ScheduleVersion, db: DbSession | None = None, emitter: SocketIO | None = None
) -> bool:
    """Tell every client that `version` is out, with its changes, and each participant whose
    bookmarked sessions moved or were cancelled. Call it after the publishing transaction commits.

    Uses the session `version` is attached to (or opens one), and the configured message queue
    unless given an emitter; returns False when there is no queue to send through.
    """
    emitter = emitter or queue_emitter()
    if emitter is None:
        return False
    if db is None:
        attached = orm_inspect(version).session
        if attached is None:
            engine = make_engine()
            try:
                with session_factory(engine)() as own:
                    return _notify_published(own, event, version, emitter)
            finally:
                engine.dispose()
        db = attached
    return _notify_published(db, event, version, emitter)


def _notify_published(db: DbSession, event: Event, version: ScheduleVersion, emitter: SocketIO) -> bool:
    changes = version_changes(db, version.id)
    emit(
        emitter,
        "agenda_changed",
        {"version": version.number, "changes": [c for c, _ in changes], "sent_at": time.time()},
        [event_room(event.id)],
    )
    touched = {session_id: c for c, session_id in changes if c["kind"] != "new"}
    per_participant: dict[int, list[dict[str, Any]]] = {}
    for session_id, participant_ids in bookmarking(db, list(touched)).items():
        for participant_id in participant_ids:
            per_participant.setdefault(participant_id, []).append(touched[session_id])
    for participant_id, their_changes in per_participant.items():
        payload = {"version": version.number, "changes": their_changes}
        emit(emitter, "bookmarks_changed", payload, [participant_room(participant_id)])
    return True


def version_changes(db: DbSession, version_id: int) -> list[tuple[dict[str, Any], int]]:
    """A published version's changes as public payloads, each with its session row id."""
    rows = db.scalars(
        select(VersionChange)
        .where(VersionChange.version_id == version_id)
        .options(
            joinedload(VersionChange.session),
            joinedload(VersionChange.before_room),
            joinedload(VersionChange.after_room),
        )
    ).all()
    ordered = sorted(rows, key=lambda c: c.session.key)
    return [(_change_payload(c), c.session_id) for c in ordered]


def _change_payload(change: VersionChange) -> dict[str, Any]:
    return {
        "session": change.session.key,
        "title": change.session.title,
        "kind": change.kind,
        "before": _placement(change.before_room, change.before_start, change.before_end),
        "after": _placement(change.after_room, change.after_start, change.after_end),
    }


def _placement(room: Room | None, start: datetime | None, end: datetime | None) -> dict[str, str] | None:
    if room is None or start is None or end is None:
        return None
    return {"room": room.key, "room_name": room.name, "start": _minute(start), "end": _minute(end)}
