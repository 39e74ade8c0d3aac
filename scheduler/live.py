"""The event on the day: the event clock, each session's live state, and the team's changes to it.

A session's state is derived, never stored: from the published agenda, what the programme team
said on the day (`LiveState`: a delay, a cancellation, an early start or end; the times that follow
from them come from `scheduler.effective`, as every other output's do) and the event clock:

    scheduled (or delayed) -> opening (join links work) -> live -> ended;   cancelled at any time

Every server process derives the states itself from the same database and clock, so clock-driven
transitions need no coordination between processes. What the programme team does from the command
line (a delay, a cancellation, a new published version) is announced to every connected client
through the Socket.IO message queue: `notify_session` and `notify_published` here.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import inspect as orm_inspect
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import joinedload

from scheduler import config
from scheduler.agenda import latest_published
from scheduler.audit import Actor, record
from scheduler.db import database_url, instance_path, make_engine, session_factory
from scheduler.effective import Facts, Timing, agenda_entry, agenda_state
from scheduler.languages import translatable
from scheduler.limits import MAX_DELAY_MINUTES
from scheduler.models import (
    Event,
    LiveState,
    PublishedEntry,
    Room,
    ScheduleVersion,
    VersionChange,
)
from scheduler.participants import bookmarking
from scheduler.store import utc_now

Phase = Literal["scheduled", "delayed", "opening", "live", "ended", "cancelled"]
OPEN_PHASES: frozenset[str] = frozenset({"opening", "live"})
PHASE_LABELS: dict[str, str] = {
    "scheduled": translatable("Scheduled"),
    "delayed": translatable("Delayed"),
    "opening": translatable("Join open"),
    "live": translatable("Live now"),
    "ended": translatable("Ended"),
    "cancelled": translatable("Cancelled"),
}
DEFAULT_OPENS_BEFORE = timedelta(minutes=config.default("JOIN_OPENS_MINUTES_BEFORE"))
NAMESPACE = "/live"


class LiveError(ValueError):
    """A change the programme team asked for that cannot be made (a cancelled or ended session...)."""


class UnknownSession(LiveError):
    """The session named is not on the published agenda (bad input, not a refusal)."""


# --- the event clock -------------------------------------------------------------------------

CLOCK_RECORD = "event-clock.json"


class EventClock:
    """Wall-clock time at the venue: the real time, or a set moment running forward at the real pace.

    A set clock (`--clock`, `AGENDA_CLOCK`) lets a demo or a rehearsal run the event's days at any
    time. Written as "2025-07-08T10:55" it runs from when the process reads it; written with the
    real instant it showed that time ("2025-07-08T10:55@2026-03-02T09:00:00+00:00", see `shared`)
    every process that reads it shows the same time, however late it starts. Times are naive
    wall-clock times in the event's timezone, as the agenda stores them.
    """

    def __init__(
        self,
        start: datetime | None = None,
        *,
        anchor: datetime | None = None,
        timer: Callable[[], float] = time.monotonic,
        real_now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.start = start
        # The real instant (aware) at which the clock showed `start`; None: when it was made.
        self.anchor = anchor
        self._timer = timer
        self._real_now = real_now
        self._made = timer()

    @classmethod
    def parse(cls, text: str | None) -> EventClock:
        """The clock for a setting such as "2025-07-08T10:55"; empty or None means the real time."""
        if not text:
            return cls()
        venue, _, instant = text.strip().partition("@")
        try:
            start = datetime.fromisoformat(venue)
        except ValueError:
            raise LiveError(f"clock {text!r} is not a time such as 2025-07-08T10:55") from None
        if start.tzinfo is not None:
            raise LiveError(f"clock {text!r}: give the venue's wall-clock time, without an offset")
        if not instant:
            return cls(start)
        try:
            anchor = datetime.fromisoformat(instant)
        except ValueError:
            anchor = None
        if anchor is None or anchor.tzinfo is None:
            raise LiveError(f"clock {text!r}: after @ give the real instant with its offset, e.g. {_EXAMPLE}")
        return cls(start, anchor=anchor)

    def now(self, timezone: str) -> datetime:
        if self.start is None:
            return self._real_now().astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
        if self.anchor is not None:
            return self.start + (self._real_now() - self.anchor)
        return self.start + timedelta(seconds=self._timer() - self._made)

    def instant(self, moment: datetime, timezone: str) -> datetime:
        """The real (UTC) instant at which this clock shows `moment`: what outside systems check."""
        if self.start is None:
            return moment.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)
        return self._real_now() + (moment - self.now(timezone))

    def shared(self) -> str | None:
        """A set clock as a setting that gives every process the same time (None for the real time)."""
        if self.start is None:
            return None
        anchor = self.anchor or self._real_now() - timedelta(seconds=self._timer() - self._made)
        instant = anchor.astimezone(UTC).isoformat(timespec="microseconds")
        return f"{self.start.isoformat(timespec='seconds')}@{instant}"


_EXAMPLE = "2025-07-08T10:55@2026-03-02T09:00:00+00:00"


def record_clock(shared: str, database: str) -> None:
    """Leave a server's set clock (`EventClock.shared`) in the instance folder, so that `scheduler
    live` commands on this machine run the same clock as the server they control (`configured_clock`)."""
    record = {"clock": shared, "pid": os.getpid(), "database": database}
    path = instance_path() / CLOCK_RECORD
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record))


def forget_clock() -> None:
    """Remove this process's clock record (a server stopping)."""
    path = instance_path() / CLOCK_RECORD
    if _read_record(path).get("pid") == os.getpid():
        path.unlink(missing_ok=True)


def _read_record(path: Path) -> dict[str, Any]:
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _running(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def configured_clock(settings: Mapping[str, Any] | None = None) -> EventClock:
    """The event clock a command shares with the servers it controls: the set clock a server on
    this machine recorded for the same database while it runs, else `AGENDA_CLOCK`, else real time."""
    settings = settings or config.load()
    record = _read_record(instance_path() / CLOCK_RECORD)
    database = database_url(settings["DATABASE_URL"])
    if record.get("database") == database and _running(record.get("pid")):
        try:
            return EventClock.parse(str(record.get("clock")))
        except LiveError:
            pass  # a damaged record: fall back to the settings
    return EventClock.parse(settings["AGENDA_CLOCK"])


# --- one session's state ---------------------------------------------------------------------


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
    def timing(self) -> Timing:
        return Timing(self.start, self.end, self.facts)

    @property
    def starts_at(self) -> datetime:
        return self.timing.start

    @property
    def ends_at(self) -> datetime:
        return self.timing.end

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

    def payload(self, card: Callable[[SessionLive], dict[str, Any]] = SessionLive.payload) -> dict[str, Any]:
        """The room's board, each session as `card` describes it (its public payload by default)."""
        return {
            "room": self.room_key,
            "room_name": self.room_name,
            "now": card(self.now) if self.now else None,
            "next": card(self.next) if self.next else None,
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
    return Slot(
        session_id=entry.session_id,
        key=entry.session.key,
        title=entry.session.title,
        room_key=entry.room.key,
        room_name=entry.room.name,
        room_position=entry.room.position,
        start=entry.start,
        end=entry.end,
        facts=agenda_entry(entry, state).timing.facts,
    )


def find_slot(db: DbSession, event: Event, session_key: str) -> Slot:
    slot = next((s for s in load_slots(db, event) if s.key == session_key), None)
    if slot is None:
        raise UnknownSession(f"session {session_key!r} is not on the published agenda of {event.slug!r}")
    return slot


# --- the programme team's changes --------------------------------------------------------------

Action = Literal["delay", "cancel", "start", "end", "reset"]


def change(
    db: DbSession,
    event: Event,
    session_key: str,
    action: Action,
    minutes: int = 0,
    now: datetime | None = None,
    *,
    actor: Actor | None = None,
) -> Slot:
    """Record a delay, cancellation, start, end or reset of a published session; returns its new slot.

    `now` is the venue time a start or an end is recorded at (default: the event clock the
    servers run, `configured_clock`). A request that changes nothing (a second `start`, a reset of
    an unchanged session) records nothing; every other one raises the session's `revision`.
    """
    slot = find_slot(db, event, session_key)
    facts = slot.facts
    if action != "reset" and facts.cancelled and action != "cancel":
        raise LiveError(f"session {session_key!r} is cancelled: `live reset` it first")
    if facts.ended and action in ("delay", "start"):
        raise LiveError(f"session {session_key!r} has ended")
    state = db.get(LiveState, slot.session_id)
    before = Facts.of(state)
    after = _changed(before, action, minutes, now or configured_clock().now(event.timezone))
    if after == before:
        return slot
    stamp = _stamp(db, event)
    if state is None:
        state = LiveState(session_id=slot.session_id, revision=0)
        db.add(state)
    state.delay_minutes, state.cancelled = after.delay_minutes, after.cancelled
    state.started_at, state.ended_at = after.started_at, after.ended_at
    state.revision += 1
    state.updated_at = stamp
    db.flush()
    return _recorded(db, event, session_key, action, slot, actor)


def _recorded(db: DbSession, event: Event, key: str, action: Action, was: Slot, actor: Actor | None) -> Slot:
    """The session's new slot, after writing the change to the audit log."""
    slot = find_slot(db, event, key)
    before, after = (f"{s.starts_at:%Y-%m-%dT%H:%M} {_facts_text(s.facts)}" for s in (was, slot))
    record(db, actor, f"live.{action}", event=event, subject=f"session {key}", before=before, after=after)
    return slot


def _facts_text(facts: Facts) -> str:
    said = [f"delay {facts.delay_minutes}" if facts.delay_minutes else ""]
    said += [name for name in ("cancelled", "started", "ended") if getattr(facts, name)]
    return ", ".join(s for s in said if s) or "as published"


def _changed(facts: Facts, action: Action, minutes: int, now: datetime) -> Facts:
    if action == "delay":
        if not 0 <= minutes <= MAX_DELAY_MINUTES:
            raise LiveError(f"a delay is between 0 and {MAX_DELAY_MINUTES} minutes, not {minutes}")
        return replace(facts, delay_minutes=minutes)
    if action == "cancel":
        return replace(facts, cancelled=True)
    if action == "start":
        return replace(facts, started_at=facts.started_at or now.replace(second=0, microsecond=0))
    if action == "end":
        return replace(facts, ended_at=facts.ended_at or now.replace(second=0, microsecond=0))
    return Facts()


def _stamp(db: DbSession, event: Event) -> datetime:
    """The time of a change (UTC, to the second), later than the event's last change or publication:
    feeds' LAST-MODIFIED and the HTTP Last-Modified must move with every change, even within a second."""
    now = utc_now()
    state = agenda_state(db, event.id)
    latest = state.last_modified if state is not None else None
    return max(now, latest.replace(microsecond=0) + timedelta(seconds=1)) if latest else now


def delay(
    db: DbSession,
    event: Event,
    session_key: str,
    minutes: int,
    cascade: bool = False,
    *,
    actor: Actor | None = None,
) -> list[Slot]:
    """Delay a session by `minutes` (0: back on time). With `cascade`, also delay each following
    session of its room that it would overlap, just enough to start when the one before ends.
    Returns every session changed, in order; all or nothing (the caller's transaction)."""
    changed = [change(db, event, session_key, "delay", minutes, actor=actor)]
    while cascade:
        following = overlap_after(db, event, changed[-1])
        if following is None:
            break
        needed = math.ceil((changed[-1].ends_at - following.starts_at).total_seconds() / 60)
        later = following.facts.delay_minutes + needed
        changed.append(change(db, event, following.key, "delay", later, actor=actor))
    return changed


def overlap_after(db: DbSession, event: Event, slot: Slot) -> Slot | None:
    """The next session in `slot`'s room, if it starts before `slot` ends (cancelled and ended ones
    are out of the way). Sessions go in published order, ties by id: of two a forced publication
    put in one room at one time, the second follows the first (and not the other way round too, or
    a cascade would push them after each other without end)."""
    order = lambda s: (s.start, s.key)  # noqa: E731
    following = sorted(
        (
            s
            for s in load_slots(db, event)
            if s.room_key == slot.room_key and order(s) > order(slot)
            and not s.facts.cancelled and not s.facts.ended
        ),
        key=order,
    )
    if following and following[0].starts_at < slot.ends_at and not slot.facts.cancelled:
        return following[0]
    return None


# The announcement of each change, with %(name)s placeholders (the web app translates them, and
# pages put them in the reader's language from `announcement_of`'s kind and values).
ANNOUNCEMENTS: dict[str, str] = {
    "back_on_time": translatable("%(title)s is back on time: %(start)s, %(room)s."),
    "delay": translatable("%(title)s is delayed by %(minutes)s minutes: now %(start)s-%(end)s, %(room)s."),
    "cancel": translatable("%(title)s is cancelled."),
    "start": translatable("%(title)s has started in %(room)s."),
    "end": translatable("%(title)s has ended."),
    "reset": translatable("%(title)s is back as published: %(start)s, %(room)s."),
}


def announcement_of(slot: Slot, action: Action) -> dict[str, Any]:
    """Which announcement a change makes, and the values it names: what clients translate."""
    kind = "back_on_time" if action == "delay" and slot.facts.delay_minutes == 0 else action
    values = {
        "title": slot.title,
        "room": slot.room_name,
        "start": f"{slot.starts_at:%H:%M}",
        "end": f"{slot.ends_at:%H:%M}",
        "minutes": slot.facts.delay_minutes,
    }
    return {"kind": kind, "values": values}


def say(said: Mapping[str, Any], texts: Mapping[str, str] = ANNOUNCEMENTS) -> str:
    """An announcement (`announcement_of`) as a sentence, in English or in `texts`."""
    return texts[said["kind"]] % said["values"]


def describe(slot: Slot, action: Action, texts: Mapping[str, str] = ANNOUNCEMENTS) -> str:
    """The announcement people see for a change (in English, or in `texts`)."""
    return say(announcement_of(slot, action), texts)


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


def announced(before: SessionLive | None, after: SessionLive) -> dict[str, Any] | None:
    """What to tell viewers along with a new state, when the team (not the clock) changed it."""
    action = inferred_action(before.slot.facts, after.slot.facts) if before else None
    return announcement_of(after.slot, action) if action else None


def announcement(before: SessionLive | None, after: SessionLive) -> str | None:
    """The same as an English sentence."""
    said = announced(before, after)
    return say(said) if said else None


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


class QueueError(RuntimeError):
    """The message queue did not take an announcement (what was announced is stored all the same)."""


class Emitter(Protocol):
    def emit(self, event: str, data: Any, namespace: str | None = None, to: Any = None) -> Any: ...


def queue_emitter() -> Emitter | None:
    """A write-only emitter on the configured message queue (None without one): it reaches the
    clients of every server process. An announcement it cannot deliver raises `QueueError`."""
    url, channel = queue_settings()
    if not url:
        return None
    # Imported only when there is a queue: other commands need not load Socket.IO.
    from socketio import RedisManager

    where = urlsplit(url)
    place = f"{where.hostname or 'localhost'}:{where.port or 6379}"

    class Announcer(RedisManager):  # type: ignore[misc]
        """python-socketio's Redis manager logs "giving up" and carries on when Redis is down;
        the team must hear that its announcement did not go out."""

        def _publish(self, data: Any) -> Any:
            try:
                if not self.connected:
                    self._redis_connect()
                return self.redis.publish(self.channel, self.json.dumps(data))
            except Exception as error:
                self.connected = False
                raise QueueError(f"cannot reach the message queue at {place}: {error}") from None

    timeouts = {"socket_connect_timeout": 5, "socket_timeout": 5}
    return Announcer(url, channel=channel, write_only=True, redis_options=timeouts)


def emit(emitter: Emitter, name: str, payload: Mapping[str, Any], rooms: Sequence[str]) -> None:
    """One event to the union of `rooms` (a client in several of them gets it once)."""
    emitter.emit(name, dict(payload), namespace=NAMESPACE, to=list(rooms))


def notify_session(
    emitter: Emitter | None, event: Event, slot: Slot, action: Action, bookmarkers: Sequence[int] = ()
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
        "announcement": announcement_of(slot, action),
        "sent_at": time.time(),
    }
    rooms = [session_room(event.id, slot.key), *(participant_room(p) for p in bookmarkers)]
    emit(emitter, "notice", payload, rooms)
    return True


def notify_published(
    event: Event, version: ScheduleVersion, db: DbSession | None = None, emitter: Emitter | None = None
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


def _notify_published(db: DbSession, event: Event, version: ScheduleVersion, emitter: Emitter) -> bool:
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
