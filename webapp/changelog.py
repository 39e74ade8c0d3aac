"""The public changelog: what each published version added, moved or cancelled.

Built from the `VersionChange` rows the publisher records, for published versions up to the one
the site shows. Stored times are wall-clock in the event's zone; publication times are UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import joinedload

from scheduler.models import Room, ScheduleVersion, VersionChange
from webapp.programme import Programme, natural_key

KIND_ORDER = {"new": 0, "moved": 1, "cancelled": 2}


@dataclass(frozen=True, slots=True)
class Placement:
    room: str
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class ChangeView:
    kind: str
    session_key: str
    title: str
    before: Placement | None
    after: Placement | None


@dataclass(frozen=True, slots=True)
class VersionNotes:
    number: int
    published_at: datetime  # aware, UTC
    note: str
    changes: tuple[ChangeView, ...]

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)

    def of_kind(self, kind: str) -> tuple[ChangeView, ...]:
        return tuple(c for c in self.changes if c.kind == kind)


def _placement(
    room: Room | None, start: datetime | None, end: datetime | None, zone: ZoneInfo
) -> Placement | None:
    if start is None or end is None:
        return None
    return Placement(room.name if room else "", start.replace(tzinfo=zone), end.replace(tzinfo=zone))


def _change_view(change: VersionChange, zone: ZoneInfo) -> ChangeView:
    return ChangeView(
        kind=change.kind,
        session_key=change.session.key,
        title=change.session.title,
        before=_placement(change.before_room, change.before_start, change.before_end, zone),
        after=_placement(change.after_room, change.after_start, change.after_end, zone),
    )


def _sort_key(change: ChangeView) -> tuple[object, ...]:
    moment = change.after or change.before
    return (
        KIND_ORDER.get(change.kind, 3),
        moment.start if moment else datetime.min.replace(tzinfo=UTC),
        natural_key(change.session_key),
    )


def load_changelog(db: DbSession, programme: Programme) -> list[VersionNotes]:
    """Published versions up to the one shown, newest first, each with its changes."""
    versions = (
        db.scalars(
            select(ScheduleVersion)
            .where(
                ScheduleVersion.event_id == programme.event_id,
                ScheduleVersion.state == "published",
                ScheduleVersion.number <= programme.version_number,
            )
            .options(
                joinedload(ScheduleVersion.changes).options(
                    joinedload(VersionChange.session),
                    joinedload(VersionChange.before_room),
                    joinedload(VersionChange.after_room),
                )
            )
            .order_by(ScheduleVersion.number.desc())
        )
        .unique()
        .all()
    )
    zone = programme.zone
    notes: list[VersionNotes] = []
    for version in versions:
        published = (version.published_at or version.created_at).replace(tzinfo=UTC)
        changes = sorted((_change_view(c, zone) for c in version.changes), key=_sort_key)
        notes.append(VersionNotes(version.number, published, version.note, tuple(changes)))
    return notes
