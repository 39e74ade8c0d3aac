"""Schedule versions: drafts the programme team works on, and the numbered versions it publishes.

Drafts and published versions share one number sequence per event. Nothing public ever reads a
draft: readers take the highest-numbered *published* version (`scheduler.agenda.latest_published`).
Publishing writes a new version row with its assignments, its `PublishedEntry` rows (what calendar
feeds need: a per-session sequence that rises on every move, the time of the last change, and a
cancelled entry for one version when a session is dropped) and its `VersionChange` rows (the public
changelog). All of it lands in the caller's transaction, so a reader sees the old or the new version
whole, never a mix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from scheduler import models
from scheduler.agenda import latest_published
from scheduler.audit import Actor, record
from scheduler.check import Violation, check
from scheduler.diff import Change, diff_assignments
from scheduler.schedule_file import parse_schedule, schedule_to_data
from scheduler.store import export_problem, utc_now
from solver import domain
from solver.domain import SCHEDULE_FORMAT

DRAFT = "draft"
PUBLISHED = "published"


class VersionError(ValueError):
    """A schedule or version that cannot be stored or published as asked."""


class PublishRefused(VersionError):
    """The independent checker found hard rules the schedule breaks; `violations` lists them."""

    def __init__(self, violations: Sequence[Violation]) -> None:
        self.violations = list(violations)
        lines = "\n".join(f"  {v.rule}: {v.message}" for v in self.violations)
        super().__init__(f"the schedule breaks {len(self.violations)} hard rule(s):\n{lines}")


# --- drafts ----------------------------------------------------------------------------------


def save_draft(
    db: DbSession,
    event: models.Event,
    schedule: domain.Schedule,
    note: str = "",
    now: datetime | None = None,
    *,
    actor: Actor | None = None,
) -> models.ScheduleVersion:
    """Store a solver result (or an edited schedule) as the event's next, unpublished version."""
    version = _new_version(db, event, schedule, DRAFT, note, now or utc_now())
    detail = {"status": schedule.status, "placed": len(schedule.assignments)}
    record(db, actor, "draft.save", event=event, after=f"version {version.number}", detail=detail)
    return version


def version_schedule(db: DbSession, version: models.ScheduleVersion) -> domain.Schedule:
    """A stored version as the domain Schedule it was made from (e.g. the baseline of a re-plan)."""
    # The keys alone, not whole session and room rows: the editor reads a draft at every move.
    rows = db.execute(
        select(models.Session.key, models.Room.key, models.Assignment.start, models.Assignment.end)
        .join(models.Session, models.Assignment.session_id == models.Session.id)
        .join(models.Room, models.Assignment.room_id == models.Room.id)
        .where(models.Assignment.version_id == version.id)
        .order_by(models.Assignment.id)  # rows are written in the schedule's order
    ).all()
    assignments = [domain.Assignment(key, room, start, end) for key, room, start, end in rows]
    # The report holds the rest of the schedule file; reading it back restores those objects.
    report = parse_schedule({"format": SCHEDULE_FORMAT, "status": version.status, **version.report})
    return replace(
        report,
        assignments=tuple(assignments),
        objective=version.objective,
        bound=version.bound,
        solve_seconds=version.solve_seconds,
    )


def drafts(db: DbSession, event: models.Event) -> Sequence[models.ScheduleVersion]:
    """The event's drafts, newest first."""
    return db.scalars(
        select(models.ScheduleVersion)
        .where(models.ScheduleVersion.event_id == event.id, models.ScheduleVersion.state == DRAFT)
        .order_by(models.ScheduleVersion.number.desc())
    ).all()


def find_version(db: DbSession, event: models.Event, number: int) -> models.ScheduleVersion:
    version = db.scalars(
        select(models.ScheduleVersion).where(
            models.ScheduleVersion.event_id == event.id, models.ScheduleVersion.number == number
        )
    ).first()
    if version is None:
        raise VersionError(f"event {event.slug!r} has no version {number}")
    return version


# --- publishing ------------------------------------------------------------------------------


def publish(
    db: DbSession,
    event: models.Event,
    version: models.ScheduleVersion,
    now: datetime | None = None,
    force: bool = False,
    *,
    note: str | None = None,
    actor: Actor | None = None,
) -> models.ScheduleVersion:
    """Publish the assignments of `version` (a draft, or an earlier version to go back to)."""
    if version.event_id != event.id:
        raise VersionError(f"version {version.number} belongs to another event")
    note = note or version.note or f"from version {version.number}"
    schedule = version_schedule(db, version)
    return publish_schedule(db, event, schedule, now, force=force, note=note, actor=actor, source=version)


def publish_schedule(
    db: DbSession,
    event: models.Event,
    schedule: domain.Schedule,
    now: datetime | None = None,
    force: bool = False,
    note: str = "",
    *,
    actor: Actor | None = None,
    source: models.ScheduleVersion | None = None,
) -> models.ScheduleVersion:
    """Publish `schedule` as the event's next version, unless it breaks a hard rule (see `force`).

    `force` publishes despite the checker's violations; it never publishes an infeasible result,
    which has no agenda at all. The audit line records a forced publication with what it broke.
    """
    if schedule.status == "infeasible":
        raise VersionError("an infeasible schedule has no agenda to publish")
    violations = check(export_problem(db, event), schedule).violations
    if violations and not force:
        raise PublishRefused(violations)
    now = now or utc_now()
    # Hold the event before reading the previous version, so two publishers cannot both build on it.
    _lock(db, event)
    previous = latest_published(db, event)
    version = _new_version(db, event, schedule, PUBLISHED, note, now)
    version.published_at = now
    before = _live_entries(db, previous)
    version.entries = _entries(db, event, version, before, now)
    version.changes = [_change_row(version, change) for change in _changes(before, version)]
    db.flush()
    detail: dict[str, object] = {"note": note, "forced": bool(violations)}
    if source is not None:
        detail["from_version"] = source.number
    if violations:
        detail["violations"] = [f"{v.rule}: {v.message}" for v in violations[:50]]
    for kind in ("new", "moved", "cancelled"):
        detail[kind] = sum(change.kind == kind for change in version.changes)
    was = None if previous is None else f"version {previous.number}"
    record(db, actor, "publish", event=event, before=was, after=f"version {version.number}", detail=detail)
    return version


@dataclass(frozen=True, slots=True)
class _Placement:
    room_id: int
    start: datetime
    end: datetime


def _live_entries(db: DbSession, version: models.ScheduleVersion | None) -> dict[int, models.PublishedEntry]:
    """The sessions a published version shows as taking place, by session row id."""
    if version is None:
        return {}
    rows = db.scalars(
        select(models.PublishedEntry).where(
            models.PublishedEntry.version_id == version.id, models.PublishedEntry.cancelled.is_(False)
        )
    ).all()
    return {row.session_id: row for row in rows}


def _entries(
    db: DbSession,
    event: models.Event,
    version: models.ScheduleVersion,
    before: dict[int, models.PublishedEntry],
    now: datetime,
) -> list[models.PublishedEntry]:
    """What each session looks like in `version`, with the sequence calendar clients compare."""
    sequences = _highest_sequences(db, event)
    entries = []
    for a in version.assignments:
        was = before.get(a.session_id)
        if was is not None and _Placement(was.room_id, was.start, was.end) == _Placement(
            a.room_id, a.start, a.end
        ):
            sequence, changed_at = was.sequence, was.changed_at
        else:
            # A session seen before (moved, or back after a cancellation) must outrank what clients hold.
            seen = sequences.get(a.session_id)
            sequence, changed_at = (0 if seen is None else seen + 1), now
        entries.append(_entry(a.session_id, _Placement(a.room_id, a.start, a.end), sequence, changed_at))
    placed = {a.session_id for a in version.assignments}
    for session_id, was in before.items():
        if session_id not in placed:
            dropped = _entry(session_id, _Placement(was.room_id, was.start, was.end), was.sequence + 1, now)
            dropped.cancelled = True
            entries.append(dropped)
    return entries


def _entry(session_id: int, where: _Placement, sequence: int, changed_at: datetime) -> models.PublishedEntry:
    return models.PublishedEntry(
        session_id=session_id,
        room_id=where.room_id,
        start=where.start,
        end=where.end,
        sequence=sequence,
        changed_at=changed_at,
        cancelled=False,
    )


def _highest_sequences(db: DbSession, event: models.Event) -> dict[int, int]:
    """Each session's highest sequence in any published version so far."""
    rows = db.execute(
        select(models.PublishedEntry.session_id, func.max(models.PublishedEntry.sequence))
        .join(models.ScheduleVersion)
        .where(models.ScheduleVersion.event_id == event.id)
        .group_by(models.PublishedEntry.session_id)
    ).all()
    return {session_id: sequence for session_id, sequence in rows}


def _changes(before: dict[int, models.PublishedEntry], version: models.ScheduleVersion) -> list[Change]:
    """Changes keyed by session row id, rooms by room row id (as strings, for `diff_assignments`)."""
    old = [_as_assignment(e.session_id, e.room_id, e.start, e.end) for e in before.values()]
    new = [_as_assignment(a.session_id, a.room_id, a.start, a.end) for a in version.assignments]
    return diff_assignments(old, new)


def _as_assignment(session_id: int, room_id: int, start: datetime, end: datetime) -> domain.Assignment:
    return domain.Assignment(session=str(session_id), room=str(room_id), start=start, end=end)


def _change_row(version: models.ScheduleVersion, change: Change) -> models.VersionChange:
    before, after = change.before, change.after
    return models.VersionChange(
        session_id=int(change.session),
        kind=change.kind,
        before_room_id=int(before.room) if before else None,
        before_start=before.start if before else None,
        before_end=before.end if before else None,
        after_room_id=int(after.room) if after else None,
        after_start=after.start if after else None,
        after_end=after.end if after else None,
    )


# --- storing a version -----------------------------------------------------------------------


def _new_version(
    db: DbSession, event: models.Event, schedule: domain.Schedule, state: str, note: str, now: datetime
) -> models.ScheduleVersion:
    version = models.ScheduleVersion(
        event_id=event.id,
        number=_next_number(db, event),
        state=state,
        created_at=now,
        note=note,
        status=schedule.status,
        objective=schedule.objective,
        bound=schedule.bound,
        solve_seconds=schedule.solve_seconds,
        report=_report(schedule),
        assignments=_assignment_rows(db, event, schedule),
    )
    db.add(version)
    db.flush()
    return version


# Schedule-file keys a version stores in columns and rows of its own; the report keeps the others.
_NOT_IN_REPORT = ("format", "status", "objective", "bound", "solve_seconds", "assignments")


def _report(schedule: domain.Schedule) -> dict[str, object]:
    return {key: value for key, value in schedule_to_data(schedule).items() if key not in _NOT_IN_REPORT}


def _lock(db: DbSession, event: models.Event) -> None:
    """Serialise writers of the event's versions until commit.

    A no-op UPDATE of the event row rather than SELECT ... FOR UPDATE: it also takes SQLite's write
    lock, and starts pysqlite's transaction, so every later read sees what the last publisher wrote.
    """
    events = models.Event.__table__
    db.execute(events.update().where(events.c.id == event.id).values(id=events.c.id))


def _next_number(db: DbSession, event: models.Event) -> int:
    _lock(db, event)
    highest = db.scalar(
        select(func.max(models.ScheduleVersion.number)).where(models.ScheduleVersion.event_id == event.id)
    )
    return (highest or 0) + 1


def _assignment_rows(
    db: DbSession, event: models.Event, schedule: domain.Schedule
) -> list[models.Assignment]:
    sessions = _ids_by_key(db, models.Session, event)
    rooms = _ids_by_key(db, models.Room, event)
    unknown = [f"session {a.session!r}" for a in schedule.assignments if a.session not in sessions]
    unknown += [f"room {a.room!r}" for a in schedule.assignments if a.room not in rooms]
    if unknown:
        raise VersionError(
            f"the schedule names what event {event.slug!r} does not have: {', '.join(unknown)}"
        )
    placed = [a.session for a in schedule.assignments]
    if len(set(placed)) != len(placed):
        twice = sorted({key for key in placed if placed.count(key) > 1})
        raise VersionError(f"the schedule assigns sessions more than once: {', '.join(twice)}")
    return [
        models.Assignment(session_id=sessions[a.session], room_id=rooms[a.room], start=a.start, end=a.end)
        for a in schedule.assignments
    ]


def _ids_by_key(
    db: DbSession, table: type[models.Session] | type[models.Room], event: models.Event
) -> dict[str, int]:
    rows = db.execute(select(table.key, table.id).where(table.event_id == event.id)).all()
    return {key: row_id for key, row_id in rows}
