"""The stored event: what was imported, the schedule versions, and what people do with them.

Each row of an event's entities keeps the problem file's string id in `key` beside a surrogate
integer primary key. Re-importing an event matches rows by `key` and updates them in place, so
primary keys, and everything that points at them (bookmarks, feeds, tokens), stay stable.

`extra` and `given_defaults` carry the same meaning as on `solver.domain` objects: they make the
round trip file -> database -> file lossless. A column named like a field of the domain object
holds that field as it is (`scheduler.store` finds them by name), and text columns are as long as
`scheduler.limits` lets the file reader accept.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from scheduler.limits import (
    EMAIL_LENGTH,
    GENDER_LENGTH,
    ID_LENGTH,
    LABEL_LENGTH,
    NAME_LENGTH,
    TYPE_LENGTH,
    URL_LENGTH,
)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, list[str]: JSON}


class SourceColumns:
    """Columns that keep a written-back problem file equal to the one imported."""

    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    given_defaults: Mapped[list[str]] = mapped_column(default=list)


# --- The event as imported -------------------------------------------------------------------


class Event(SourceColumns, Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    venue: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    timezone: Mapped[str] = mapped_column(String(64))
    granularity_minutes: Mapped[int]
    changeover_minutes: Mapped[int] = mapped_column(default=0)
    # Extras and given defaults of the file's top level, `calendar` and `rules` objects.
    problem_extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    problem_given_defaults: Mapped[list[str]] = mapped_column(default=list)
    calendar_extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    calendar_given_defaults: Mapped[list[str]] = mapped_column(default=list)
    # None: the file had no `rules` object (as opposed to an empty one).
    rules_source: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    imported_at: Mapped[datetime] = mapped_column(DateTime)

    days: Mapped[list[Day]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Day.position"
    )
    rooms: Mapped[list[Room]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Room.position"
    )
    speakers: Mapped[list[Speaker]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Speaker.position"
    )
    sessions: Mapped[list[Session]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Session.position"
    )
    no_overlap_rules: Mapped[list[NoOverlapRule]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="NoOverlapRule.position"
    )
    versions: Mapped[list[ScheduleVersion]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="ScheduleVersion.number"
    )


class Day(SourceColumns, Base):
    __tablename__ = "days"
    __table_args__ = (UniqueConstraint("event_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    position: Mapped[int]
    date: Mapped[date] = mapped_column(Date)
    open: Mapped[time] = mapped_column(Time)
    close: Mapped[time] = mapped_column(Time)

    event: Mapped[Event] = relationship(back_populates="days")
    breaks: Mapped[list[Break]] = relationship(
        back_populates="day", cascade="all, delete-orphan", order_by="Break.position"
    )


class Break(SourceColumns, Base):
    __tablename__ = "breaks"

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("days.id", ondelete="CASCADE"))
    position: Mapped[int]
    start: Mapped[time] = mapped_column(Time)
    end: Mapped[time] = mapped_column(Time)
    label: Mapped[str] = mapped_column(String(LABEL_LENGTH), default="")

    day: Mapped[Day] = relationship(back_populates="breaks")


class Room(SourceColumns, Base):
    __tablename__ = "rooms"
    __table_args__ = (UniqueConstraint("event_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(ID_LENGTH))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    capacity: Mapped[int]
    features: Mapped[list[str]] = mapped_column(default=list)
    interpretation_booths: Mapped[int] = mapped_column(default=0)
    # Set when a re-import dropped the room while a schedule version still uses it: the row stays so
    # published history (and the next publication's cancellations) remain correct; it is no longer
    # part of the problem.
    removed_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)

    event: Mapped[Event] = relationship(back_populates="rooms")
    unavailable: Mapped[list[RoomUnavailability]] = relationship(
        back_populates="room", cascade="all, delete-orphan", order_by="RoomUnavailability.position"
    )


class RoomUnavailability(SourceColumns, Base):
    __tablename__ = "room_unavailability"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    position: Mapped[int]
    start: Mapped[datetime] = mapped_column(DateTime)
    end: Mapped[datetime] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(Text, default="")

    room: Mapped[Room] = relationship(back_populates="unavailable")


class Speaker(SourceColumns, Base):
    __tablename__ = "speakers"
    __table_args__ = (UniqueConstraint("event_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(ID_LENGTH))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    role: Mapped[str | None] = mapped_column(String(TYPE_LENGTH))
    gender: Mapped[str | None] = mapped_column(String(GENDER_LENGTH))
    youth: Mapped[bool | None] = mapped_column(Boolean)
    # False: the file gave no `available` list, so the speaker is not constrained.
    has_availability: Mapped[bool] = mapped_column(default=False)
    affiliation: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    photo: Mapped[str | None] = mapped_column(String(URL_LENGTH))
    # Private: only for messages to the speaker. Never shown on a page, in a feed, an export or the API.
    email: Mapped[str | None] = mapped_column(String(EMAIL_LENGTH))
    language: Mapped[str | None] = mapped_column(String(2))
    translations: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The published version number the speaker's last publication message described (None: never
    # told), so the next message lists every change since, however many versions came between.
    told_version: Mapped[int | None] = mapped_column(Integer, default=None)
    # Set from the stop link of a message: no more publication or live messages.
    messages_stopped: Mapped[bool] = mapped_column(default=False, server_default="0")

    event: Mapped[Event] = relationship(back_populates="speakers")
    available: Mapped[list[SpeakerAvailability]] = relationship(
        back_populates="speaker", cascade="all, delete-orphan", order_by="SpeakerAvailability.position"
    )
    tokens: Mapped[list[SpeakerToken]] = relationship(back_populates="speaker", cascade="all, delete-orphan")


class SpeakerAvailability(SourceColumns, Base):
    __tablename__ = "speaker_availability"

    id: Mapped[int] = mapped_column(primary_key=True)
    speaker_id: Mapped[int] = mapped_column(ForeignKey("speakers.id", ondelete="CASCADE"))
    position: Mapped[int]
    start: Mapped[datetime] = mapped_column(DateTime)
    end: Mapped[datetime] = mapped_column(DateTime)

    speaker: Mapped[Speaker] = relationship(back_populates="available")


class Session(SourceColumns, Base):
    __tablename__ = "sessions"
    __table_args__ = (UniqueConstraint("event_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(ID_LENGTH))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(TYPE_LENGTH), default="")
    duration_minutes: Mapped[int]
    expected_attendance: Mapped[int] = mapped_column(default=0)
    requires: Mapped[list[str]] = mapped_column(default=list)
    interpretation: Mapped[list[str]] = mapped_column(default=list)
    organizers: Mapped[list[str]] = mapped_column(default=list)
    tracks: Mapped[list[str]] = mapped_column(default=list)
    remote_audience: Mapped[list[str]] = mapped_column(default=list)
    # Session ids, in file order; they name sessions of the same event by key.
    after: Mapped[list[str]] = mapped_column(default=list)
    optional: Mapped[bool] = mapped_column(default=False)
    # The `fixed` and `window` objects as in the file (None when absent): small, never queried.
    fixed: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    window: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    preferred: Mapped[list[Any]] = mapped_column(default=list)
    abstract: Mapped[str] = mapped_column(Text, default="")
    translations: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Set when a re-import dropped the session while a schedule version still uses it: the row stays
    # so the next publication can announce it as cancelled; it is no longer part of the problem.
    removed_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)

    event: Mapped[Event] = relationship(back_populates="sessions")
    speaker_links: Mapped[list[SessionSpeaker]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="SessionSpeaker.position"
    )

    @property
    def speakers(self) -> list[Speaker]:
        return [link.speaker for link in self.speaker_links]


class SessionSpeaker(Base):
    __tablename__ = "session_speakers"

    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True)
    speaker_id: Mapped[int] = mapped_column(ForeignKey("speakers.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int]

    session: Mapped[Session] = relationship(back_populates="speaker_links")
    speaker: Mapped[Speaker] = relationship()


class NoOverlapRule(SourceColumns, Base):
    __tablename__ = "no_overlap_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    position: Mapped[int]
    # Session ids (keys), in file order.
    sessions: Mapped[list[str]] = mapped_column(default=list)
    reason: Mapped[str] = mapped_column(Text, default="")

    event: Mapped[Event] = relationship(back_populates="no_overlap_rules")


# --- Schedule versions -----------------------------------------------------------------------


class ScheduleVersion(Base):
    """A solver result or an edited agenda: a draft, or a numbered published version."""

    __tablename__ = "schedule_versions"
    __table_args__ = (UniqueConstraint("event_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    # Numbered per event in creation order; drafts and published versions share the sequence.
    number: Mapped[int]
    state: Mapped[str] = mapped_column(String(20))  # "draft" or "published"
    created_at: Mapped[datetime] = mapped_column(DateTime)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20))  # the solver's: optimal, feasible, ...
    objective: Mapped[float | None] = mapped_column(Float)
    bound: Mapped[float | None] = mapped_column(Float)
    solve_seconds: Mapped[float | None] = mapped_column(Float)
    # The schedule file's `unscheduled`, `conflicts` and extra keys, as written by the solver.
    report: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The editor's state of a draft (scheduler/editing.py). `revision` rises with every edit, so an
    # edit based on an older view is refused instead of overwriting (optimistic concurrency).
    revision: Mapped[int] = mapped_column(default=0)
    # Session key -> {"room": key or None, "start": ISO time or None}: what a re-plan must keep.
    pins: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Session key -> the broken rules the team accepted when it kept an edit anyway.
    overrides: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Edits to undo and redo in this draft, newest last (see scheduler/editing.py `Step`).
    undo: Mapped[list[Any]] = mapped_column(default=list)
    redo: Mapped[list[Any]] = mapped_column(default=list)

    event: Mapped[Event] = relationship(back_populates="versions")
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="version", cascade="all, delete-orphan"
    )
    entries: Mapped[list[PublishedEntry]] = relationship(
        back_populates="version", cascade="all, delete-orphan"
    )
    changes: Mapped[list[VersionChange]] = relationship(
        back_populates="version", cascade="all, delete-orphan"
    )


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("version_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("schedule_versions.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    start: Mapped[datetime] = mapped_column(DateTime)
    end: Mapped[datetime] = mapped_column(DateTime)

    version: Mapped[ScheduleVersion] = relationship(back_populates="assignments")
    session: Mapped[Session] = relationship()
    room: Mapped[Room] = relationship()


class PublishedEntry(Base):
    """One session as a published version shows it, with what calendar feeds need to stay correct.

    `sequence` rises each time the session's time or room changes between published versions;
    `changed_at` is the publication time of the version that last changed it (the feed's
    LAST-MODIFIED). A session dropped from the agenda stays for one version as `cancelled`.
    """

    __tablename__ = "published_entries"
    __table_args__ = (UniqueConstraint("version_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("schedule_versions.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    start: Mapped[datetime] = mapped_column(DateTime)
    end: Mapped[datetime] = mapped_column(DateTime)
    sequence: Mapped[int] = mapped_column(default=0)
    cancelled: Mapped[bool] = mapped_column(default=False)
    changed_at: Mapped[datetime] = mapped_column(DateTime)

    version: Mapped[ScheduleVersion] = relationship(back_populates="entries")
    session: Mapped[Session] = relationship()
    room: Mapped[Room] = relationship()


class VersionChange(Base):
    """A published version's change against the previous one, for the changelog and its Atom feed."""

    __tablename__ = "version_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("schedule_versions.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # "new", "moved" or "cancelled"
    before_room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="SET NULL"))
    before_start: Mapped[datetime | None] = mapped_column(DateTime)
    before_end: Mapped[datetime | None] = mapped_column(DateTime)
    after_room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="SET NULL"))
    after_start: Mapped[datetime | None] = mapped_column(DateTime)
    after_end: Mapped[datetime | None] = mapped_column(DateTime)

    version: Mapped[ScheduleVersion] = relationship(back_populates="changes")
    session: Mapped[Session] = relationship()
    before_room: Mapped[Room | None] = relationship(foreign_keys=[before_room_id])
    after_room: Mapped[Room | None] = relationship(foreign_keys=[after_room_id])


# --- Speakers' private pages -----------------------------------------------------------------


class SpeakerToken(Base):
    """A speaker's private link. Only the token's SHA-256 is stored; revoked links stop working."""

    __tablename__ = "speaker_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    speaker_id: Mapped[int] = mapped_column(ForeignKey("speakers.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    speaker: Mapped[Speaker] = relationship(back_populates="tokens")


class AvailabilityReport(Base):
    """A speaker's "I cannot make this time", kept for the programme team's next re-plan."""

    __tablename__ = "availability_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    speaker_id: Mapped[int] = mapped_column(ForeignKey("speakers.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"))
    unavailable_start: Mapped[datetime | None] = mapped_column(DateTime)
    unavailable_end: Mapped[datetime | None] = mapped_column(DateTime)
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The team's answer, shown on the speaker's private page.
    reply: Mapped[str] = mapped_column(Text, default="")

    speaker: Mapped[Speaker] = relationship()
    session: Mapped[Session | None] = relationship()


# --- Remote participation --------------------------------------------------------------------


class Participant(Base):
    """A registered remote participant. The capability link's token is stored only as a SHA-256."""

    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str] = mapped_column(String(320))
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    stakeholder_group: Mapped[str] = mapped_column(String(50))
    language: Mapped[str] = mapped_column(String(2))  # one of the six UN languages: interpretation
    # The language of the site's pages and feeds for them (a catalogue's code, e.g. "fr"); None:
    # the browser's. Apart from `language`: one may read French pages and listen to English.
    interface_language: Mapped[str | None] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Cleared from the stop link of a message: no more messages about bookmarked sessions on the day.
    live_messages: Mapped[bool] = mapped_column(default=True, server_default="1")

    bookmarks: Mapped[list[Bookmark]] = relationship(
        back_populates="participant", cascade="all, delete-orphan"
    )


class Bookmark(Base):
    __tablename__ = "bookmarks"
    __table_args__ = (UniqueConstraint("participant_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime)

    participant: Mapped[Participant] = relationship(back_populates="bookmarks")
    session: Mapped[Session] = relationship()


class Join(Base):
    """One use of a join link: who entered which session's virtual room, and when (UTC)."""

    __tablename__ = "joins"
    __table_args__ = (Index("ix_joins_session", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    joined_at: Mapped[datetime] = mapped_column(DateTime)


class LiveState(Base):
    """What the programme team said on the day: a delay, a cancellation, an early start or end.

    `started_at` and `ended_at` are venue wall-clock times on the event clock (as agenda times
    are); `updated_at` is the real time (UTC) of the last change. `revision` counts the changes,
    a reset included (which clears the facts but keeps the row): calendar feeds add it to the
    published SEQUENCE, so it must never go down.
    """

    __tablename__ = "live_states"

    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True)
    delay_minutes: Mapped[int] = mapped_column(Integer, default=0)
    cancelled: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    session: Mapped[Session] = relationship()


# --- The programme team ------------------------------------------------------------------------


class User(Base):
    """A member of the programme team who signs in to the console (see `scheduler.accounts`).

    `auth_epoch` rises whenever the password, role or status changes: login sessions carry the
    epoch they were opened under, so such a change signs the person out everywhere.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(300), default="")
    role: Mapped[str] = mapped_column(String(20))  # "viewer", "editor" or "admin"
    password_hash: Mapped[str] = mapped_column(String(200))
    # Set for a one-time password: the console asks for a new one before anything else.
    must_change_password: Mapped[bool] = mapped_column(default=True)
    auth_epoch: Mapped[int] = mapped_column(default=0)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")


class ApiToken(Base):
    """A personal API token for scripts; only its SHA-256 is stored, so it is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)

    user: Mapped[User] = relationship(back_populates="tokens")


class AuditEntry(Base):
    """One action of the team: who, when, through what, on what, and the ids before and after.

    `actor` is kept as text (an email, or `os:NAME` for the command line without `--as`) so the
    log still says who acted after an account is gone.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"), Index("ix_audit_log_action", "action"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(320))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    via: Mapped[str] = mapped_column(String(20))  # "cli", "console", "api", "worker", "system"
    action: Mapped[str] = mapped_column(String(50))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(300), default="")
    before: Mapped[str | None] = mapped_column(String(200), default=None)
    after: Mapped[str | None] = mapped_column(String(200), default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Job(Base):
    """A background job (a solve), its state and progress, as the worker writes them.

    state: queued -> running -> done | stopped | failed (a queued job may also be stopped).
    The draft it produces is written in the same transaction that marks it done or stopped.
    """

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_event_state", "event_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # "solve"
    state: Mapped[str] = mapped_column(String(20))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    progress: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(320))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    via: Mapped[str] = mapped_column(String(20))
    # "rq" (a `scheduler worker`) or "child" (a child process of the web server).
    runner: Mapped[str] = mapped_column(String(10))
    host: Mapped[str] = mapped_column(String(255), default="")
    pid: Mapped[int | None] = mapped_column(Integer, default=None)
    stop_requested: Mapped[bool] = mapped_column(default=False)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("schedule_versions.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    started_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)

    draft: Mapped[ScheduleVersion | None] = relationship()


class Upload(Base):
    """A valid problem file waiting for the team to confirm what it would change (then applied)."""

    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(300))
    # The problem as `scheduler.problem_file.problem_to_data` writes it.
    data: Mapped[dict[str, Any]] = mapped_column()
    actor: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    applied_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)


class OutboxMessage(Base):
    """One email, written first to the outbox the team reviews, then sent by a job worker.

    state: queued -> sending -> sent | failed (back to queued, later, on a temporary failure);
    held messages wait for the team to release (queued), edit or discard them. `dedupe_key` names
    what the message is about (kind, session, change, recipient): two server processes reacting to
    the same change cannot both write it, so it is sent once.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_state", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # "speaker-links", "publication", "live", "registration"
    reason: Mapped[str] = mapped_column(String(200), default="")
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True, default=None)
    state: Mapped[str] = mapped_column(String(10))
    recipient_name: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    recipient_email: Mapped[str] = mapped_column(String(EMAIL_LENGTH))
    language: Mapped[str] = mapped_column(String(2), default="en")
    subject: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text, default="")
    # [{"name", "mime", "data" (base64)}]: small calendar files.
    attachments: Mapped[list[Any]] = mapped_column(default=list)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
