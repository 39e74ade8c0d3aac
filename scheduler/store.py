"""Storing an event's problem in the database and reading it back.

`import_problem` writes a `solver.domain.Problem` as rows; `export_problem` rebuilds the same
Problem from them, so a file survives file -> database -> file unchanged (extras and explicitly
written defaults included).

Re-importing under the same slug updates the event in place. Rooms, speakers and sessions are
matched by their file id (`key`), days by date, so primary keys -- and the bookmarks, feeds and
tokens that point at them -- stay stable. What the new file no longer has is deleted, with one
exception that keeps published agendas truthful: a room or session that a schedule version uses is
kept and marked `removed_at`. It is then no longer part of the problem (export and the solver do not
see it), but published history still shows it, and the next publication announces the session as
cancelled. Bringing the id back in a later file revives the same row.

Nothing here commits: the caller's transaction (`scheduler.db.transaction`) makes an import
all-or-nothing.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import String, select, union
from sqlalchemy.orm import Session as DbSession

from scheduler import models
from scheduler.agenda import load_event_tree
from scheduler.audit import Actor, record
from scheduler.interchange import ROOT, Reader, Shape, plain_copy, read_object, to_data
from scheduler.problem_file import FIXED, PREFERENCE, WINDOW
from scheduler.timestamps import utc_now
from solver import domain

Row = TypeVar("Row", bound=models.Base)
Item = TypeVar("Item")


class StoreError(ValueError):
    """A problem the database cannot hold as given; `issues` says where and what."""

    def __init__(self, issues: Sequence[str]) -> None:
        super().__init__("; ".join(issues))
        self.issues = list(issues)


_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def slugify(name: str) -> str:
    """A URL-safe lower-case slug: "WSIS+20 High-Level Event 2025" -> "wsis-20-high-level-event-2025"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    slug = slug[: _max_length(models.Event.slug) - len("event-")].strip("-")
    # An all-digit slug would read as an event id wherever an id or a slug is accepted.
    return slug if slug and not slug.isdigit() else f"event-{slug}".strip("-")


def _check_slug(slug: str) -> None:
    longest = _max_length(models.Event.slug)
    if not _SLUG.fullmatch(slug) or slug.isdigit() or len(slug) > longest:
        raise StoreError(
            [
                f"slug {slug!r}: use lower-case letters, digits and single hyphens, not digits alone, "
                f"at most {longest} characters (e.g. {slugify(slug)!r})"
            ]
        )


# --- import ----------------------------------------------------------------------------------


def import_problem(
    db: DbSession, problem: domain.Problem, slug: str | None = None, *, actor: Actor | None = None
) -> models.Event:
    """Store `problem` as the event `slug` (by default from its name), creating or updating it."""
    slug = slug or slugify(problem.event.name)
    _check_slug(slug)
    _check_references(problem)
    event = db.scalars(select(models.Event).where(models.Event.slug == slug)).first()
    if event is None:
        event = models.Event(slug=slug)
        db.add(event)
    else:
        event = load_event_tree(db, event)
    before = None if event.id is None else f"imported {event.imported_at:%Y-%m-%dT%H:%M:%S}"
    used = _used_by_versions(db, event)
    # Autoflush mid-sync would write a half-built tree and trip over rows about to be deleted.
    with db.no_autoflush:
        _write_tree(event, problem, used, utc_now())
    _check_lengths(event)
    db.flush()
    after = f"imported {event.imported_at:%Y-%m-%dT%H:%M:%S}"
    counts = {"sessions": len(problem.sessions), "rooms": len(problem.rooms)}
    record(db, actor, "import", event=event, subject=slug, before=before, after=after, detail=counts)
    return event


def _write_tree(
    event: models.Event, problem: domain.Problem, used: tuple[set[int], set[int]], now: datetime
) -> None:
    used_rooms, used_sessions = used
    _write_event(event, problem, now)
    rooms = _sync(problem.rooms, _same_key(event.rooms, _key), lambda r: models.Room(key=r.id), _write_room)
    event.rooms = _keep_used(rooms, event.rooms, used_rooms, now)
    speakers = _sync(
        problem.speakers, _same_key(event.speakers, _key), lambda s: models.Speaker(key=s.id), _write_speaker
    )
    event.speakers = speakers
    event.days = _sync(
        problem.calendar.days, _same_key(event.days, lambda d: d.date), lambda _: models.Day(), _write_day
    )
    sessions = _sync(
        problem.sessions, _same_key(event.sessions, _key), lambda s: models.Session(key=s.id), _write_session
    )
    event.sessions = _keep_used(sessions, event.sessions, used_sessions, now)
    speaker_rows = {row.key: row for row in speakers}
    for row, session in zip(sessions, problem.sessions, strict=True):
        _link_speakers(row, session.speakers, speaker_rows)
    for row in event.sessions[len(sessions) :]:
        # A removed session keeps its speakers for published history, but only those still stored.
        row.speaker_links = [
            link for link in row.speaker_links if speaker_rows.get(link.speaker.key) is link.speaker
        ]
    event.no_overlap_rules = _sync(
        problem.no_overlap,
        _same_place(event.no_overlap_rules),
        lambda _: models.NoOverlapRule(),
        _writer(RULE_COLUMNS),
    )


def _write_event(event: models.Event, problem: domain.Problem, now: datetime) -> None:
    _copy(event, problem.event, EVENT_COLUMNS)
    event.granularity_minutes = problem.calendar.granularity_minutes
    event.changeover_minutes = problem.calendar.changeover_minutes
    event.problem_extra = dict(problem.extra)
    event.problem_given_defaults = sorted(problem.given_defaults)
    event.calendar_extra = dict(problem.calendar.extra)
    event.calendar_given_defaults = sorted(problem.calendar.given_defaults)
    rules = problem.rules
    event.rules_source = (
        None
        if rules is None
        else {"extra": dict(rules.extra), "given_defaults": sorted(rules.given_defaults)}
    )
    event.imported_at = now


def _sync(
    items: Sequence[Item],
    reuse: Callable[[int, Item], Row | None],
    make: Callable[[Item], Row],
    write: Callable[[Row, Item], None],
) -> list[Row]:
    """One row per item in file order, reusing the existing row `reuse` finds for it."""
    result = []
    for position, item in enumerate(items):
        row = reuse(position, item) or make(item)
        row.position = position  # type: ignore[attr-defined]
        write(row, item)
        result.append(row)
    return result


def _same_key(rows: Iterable[Row], key: Callable[[Any], Any]) -> Callable[[int, Any], Row | None]:
    """Match rows to items by id (or date): what others point at keeps its primary key."""
    by_key = {key(row): row for row in rows}
    return lambda _, item: by_key.get(key(item))


def _same_place(rows: Sequence[Row]) -> Callable[[int, Any], Row | None]:
    """Match rows to items by position: nothing points at these, reusing them only saves churn."""
    return lambda position, _: rows[position] if position < len(rows) else None


def _keep_used(current: list[Row], previous: Iterable[Row], used: set[int], now: datetime) -> list[Row]:
    """`current` plus the dropped rows a schedule version still uses, marked removed."""
    kept = {id(row) for row in current}
    for row in current:
        row.removed_at = None  # type: ignore[attr-defined]
    dropped = [row for row in previous if id(row) not in kept and row.id in used]  # type: ignore[attr-defined]
    for row in dropped:
        row.removed_at = row.removed_at or now  # type: ignore[attr-defined]
    return current + dropped


def _used_by_versions(db: DbSession, event: models.Event) -> tuple[set[int], set[int]]:
    """Ids of the event's rooms and of its sessions that any schedule version refers to."""
    if event.id is None:
        return set(), set()
    version_ids = select(models.ScheduleVersion.id).where(models.ScheduleVersion.event_id == event.id)
    tables = (models.Assignment, models.PublishedEntry)
    rooms = union(
        *(select(t.room_id).where(t.version_id.in_(version_ids)) for t in tables),
        select(models.VersionChange.before_room_id).where(models.VersionChange.version_id.in_(version_ids)),
        select(models.VersionChange.after_room_id).where(models.VersionChange.version_id.in_(version_ids)),
    )
    sessions = union(
        *(select(t.session_id).where(t.version_id.in_(version_ids)) for t in tables),
        select(models.VersionChange.session_id).where(models.VersionChange.version_id.in_(version_ids)),
    )
    return set(db.scalars(rooms)), set(db.scalars(sessions))


def _stored(model: type[models.Base], cls: type, *apart: str) -> tuple[str, ...]:
    """The fields of the domain class `cls` that `model` keeps as they are, in a column of the same name.

    So a field added to a domain class and a column added to its model are stored and read back
    with no list to update here. `apart` names fields that have a column but are stored otherwise.
    """
    columns = model.__table__.columns.keys()
    skipped = {"id", "extra", "given_defaults", *apart}
    return tuple(f.name for f in dataclasses.fields(cls) if f.name in columns and f.name not in skipped)


# Fields stored one-to-one in a column of the same name (tuples as JSON lists), both ways.
EVENT_COLUMNS = _stored(models.Event, domain.Event)
ROOM_COLUMNS = _stored(models.Room, domain.Room)
SPEAKER_COLUMNS = _stored(models.Speaker, domain.Speaker)
PERIOD_COLUMNS = _stored(models.SpeakerAvailability, domain.Period)
UNAVAILABLE_COLUMNS = _stored(models.RoomUnavailability, domain.Period)
DAY_COLUMNS = _stored(models.Day, domain.Day)
BREAK_COLUMNS = _stored(models.Break, domain.Break)
# `fixed`, `window` and `preferred` are kept in their file form, extension keys included.
SESSION_COLUMNS = _stored(models.Session, domain.Session, "fixed", "window", "preferred")
RULE_COLUMNS = _stored(models.NoOverlapRule, domain.NoOverlapRule)


def _copy(row: models.SourceColumns, item: domain.SourceKeys, names: Sequence[str]) -> None:
    row.extra = dict(item.extra)
    row.given_defaults = sorted(item.given_defaults)
    for name in names:
        value = getattr(item, name)
        setattr(row, name, list(value) if isinstance(value, tuple) else plain_copy(value))


def _writer(names: Sequence[str]) -> Callable[[Any, Any], None]:
    return lambda row, item: _copy(row, item, names)


def _write_room(row: models.Room, room: domain.Room) -> None:
    _copy(row, room, ROOM_COLUMNS)
    unavailable = _writer(UNAVAILABLE_COLUMNS)
    row.unavailable = _sync(
        room.unavailable, _same_place(row.unavailable), lambda _: models.RoomUnavailability(), unavailable
    )


def _write_speaker(row: models.Speaker, speaker: domain.Speaker) -> None:
    _copy(row, speaker, SPEAKER_COLUMNS)
    row.has_availability = speaker.available is not None
    available = _writer(PERIOD_COLUMNS)
    row.available = _sync(
        speaker.available or (), _same_place(row.available), lambda _: models.SpeakerAvailability(), available
    )


def _write_day(row: models.Day, day: domain.Day) -> None:
    _copy(row, day, DAY_COLUMNS)
    row.breaks = _sync(day.breaks, _same_place(row.breaks), lambda _: models.Break(), _writer(BREAK_COLUMNS))


def _write_session(row: models.Session, session: domain.Session) -> None:
    _copy(row, session, SESSION_COLUMNS)
    # Kept as the file writes them, extension keys included: small, and never queried.
    row.fixed = None if session.fixed is None else to_data(session.fixed)
    row.window = None if session.window is None else to_data(session.window)
    row.preferred = [to_data(p) for p in session.preferred]


def _link_speakers(
    row: models.Session, speaker_ids: Sequence[str], speakers: dict[str, models.Speaker]
) -> None:
    """Point the session at its speakers in file order, reusing the existing link rows."""
    links = {link.speaker.key: link for link in row.speaker_links if link.speaker is not None}
    new_links = []
    for position, key in enumerate(speaker_ids):
        link = links.get(key) or models.SessionSpeaker(speaker=speakers[key])
        link.position = position
        new_links.append(link)
    row.speaker_links = new_links


def _key(item: Any) -> str:
    """A row's `key` or a domain object's `id`: the file id both carry."""
    return item.key if isinstance(item, models.Base) else item.id


# --- what the database cannot hold -----------------------------------------------------------


def _check_references(problem: domain.Problem) -> None:
    """Speaker links are rows, so they must name known speakers, each once per session."""
    known = {speaker.id for speaker in problem.speakers}
    issues = []
    for session in problem.sessions:
        for key in sorted(set(session.speakers) - known):
            issues.append(f"session {session.id!r}: unknown speaker id {key!r}")
        if len(set(session.speakers)) != len(session.speakers):
            issues.append(f"session {session.id!r}: a speaker is listed more than once")
    if issues:
        raise StoreError(issues)


def _check_lengths(event: models.Event) -> None:
    """Refuse text longer than its column or holding NUL, which PostgreSQL rejects mid-import."""
    issues = [issue for row in _rows(event) for issue in _text_issues(row)]
    if issues:
        raise StoreError(issues)


def _rows(event: models.Event) -> Iterable[models.Base]:
    yield event
    yield from event.days
    for day in event.days:
        yield from day.breaks
    yield from event.rooms
    for room in event.rooms:
        yield from room.unavailable
    yield from event.speakers
    for speaker in event.speakers:
        yield from speaker.available
    yield from event.sessions
    yield from event.no_overlap_rules


def _text_issues(row: models.Base) -> Iterable[str]:
    where = _describe(row)
    for column in row.__table__.columns:
        value = getattr(row, column.key, None)
        if not isinstance(value, str):
            continue
        if "\x00" in value:
            yield f"{where}: {column.key} contains a NUL character"
        length = column.type.length if isinstance(column.type, String) else None
        if length is not None and len(value) > length:
            yield f"{where}: {column.key} is {len(value)} characters long, at most {length} can be stored"


def _describe(row: models.Base) -> str:
    key = getattr(row, "key", None)
    kind = row.__table__.name.rstrip("s").replace("_", " ")
    return f"{kind} {key!r}" if key is not None else kind


def _max_length(column: Any) -> int:
    return column.property.columns[0].type.length


# --- export ----------------------------------------------------------------------------------


def export_problem(db: DbSession, event: models.Event) -> domain.Problem:
    """The stored event as a Problem: what `scheduler export` writes and the solver gets."""
    event = load_event_tree(db, event)
    rules = event.rules_source
    return domain.Problem(
        event=domain.Event(**_fields(event, EVENT_COLUMNS)),
        calendar=domain.Calendar(
            granularity_minutes=event.granularity_minutes,
            changeover_minutes=event.changeover_minutes,
            days=tuple(_day(row) for row in event.days),
            extra=event.calendar_extra,
            given_defaults=frozenset(event.calendar_given_defaults),
        ),
        rooms=tuple(_room(row) for row in event.rooms if row.removed_at is None),
        speakers=tuple(_speaker(row) for row in event.speakers),
        sessions=tuple(_session(row) for row in event.sessions if row.removed_at is None),
        rules=None
        if rules is None
        else domain.Rules(
            no_overlap=tuple(
                domain.NoOverlapRule(**_fields(r, RULE_COLUMNS)) for r in event.no_overlap_rules
            ),
            extra=rules["extra"],
            given_defaults=frozenset(rules["given_defaults"]),
        ),
        extra=event.problem_extra,
        given_defaults=frozenset(event.problem_given_defaults),
    )


def _fields(row: models.SourceColumns, names: Sequence[str]) -> dict[str, Any]:
    """The domain object's keyword arguments stored in `names` and the source columns."""
    values = {name: getattr(row, name) for name in names}
    values = {name: tuple(v) if isinstance(v, list) else v for name, v in values.items()}
    return {**values, "extra": row.extra, "given_defaults": frozenset(row.given_defaults)}


def _day(row: models.Day) -> domain.Day:
    breaks = tuple(domain.Break(**_fields(b, BREAK_COLUMNS)) for b in row.breaks)
    return domain.Day(breaks=breaks, **_fields(row, DAY_COLUMNS))


def _room(row: models.Room) -> domain.Room:
    unavailable = tuple(domain.Period(**_fields(p, UNAVAILABLE_COLUMNS)) for p in row.unavailable)
    return domain.Room(id=row.key, unavailable=unavailable, **_fields(row, ROOM_COLUMNS))


def _speaker(row: models.Speaker) -> domain.Speaker:
    available = tuple(domain.Period(**_fields(p, PERIOD_COLUMNS)) for p in row.available)
    return domain.Speaker(
        id=row.key, available=available if row.has_availability else None, **_fields(row, SPEAKER_COLUMNS)
    )


def _session(row: models.Session) -> domain.Session:
    return domain.Session(
        id=row.key,
        speakers=tuple(link.speaker.key for link in row.speaker_links),
        fixed=None if row.fixed is None else _from_data(FIXED, row.fixed),
        window=None if row.window is None else _from_data(WINDOW, row.window),
        preferred=tuple(_from_data(PREFERENCE, p) for p in row.preferred),
        **_fields(row, SESSION_COLUMNS),
    )


def _from_data(shape: Shape, data: object) -> Any:
    """A nested object stored in its file form, read back by the file reader."""
    return read_object(Reader(check_references=False), shape, data, ROOT)
