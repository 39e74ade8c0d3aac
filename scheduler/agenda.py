"""Reading stored events and their published agenda: the queries every reader of the agenda shares."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import joinedload, selectinload

from scheduler.models import (
    Day,
    Event,
    PublishedEntry,
    Room,
    ScheduleVersion,
    Session,
    SessionSpeaker,
    Speaker,
)


class EventNotFound(LookupError):
    """The event a command or page asked for is not in the database."""


def find_event(db: DbSession, ref: str | None = None) -> Event:
    """The event with this id or slug; with no `ref`, the only event stored."""
    if ref is None:
        events = db.scalars(select(Event).order_by(Event.id).limit(2)).all()
        if len(events) == 1:
            return events[0]
        if not events:
            raise EventNotFound("the database holds no event yet: run `scheduler import PROBLEM` first")
        raise EventNotFound("the database holds several events: name one by id or slug")
    query = select(Event).where(Event.slug == ref)
    if ref.isdigit():
        query = select(Event).where((Event.slug == ref) | (Event.id == int(ref)))
    event = db.scalars(query).first()
    if event is None:
        raise EventNotFound(f"no event with id or slug {ref!r}")
    return event


def latest_published(db: DbSession, event: Event) -> ScheduleVersion | None:
    """The version the public sees: the highest-numbered published one."""
    return db.scalars(
        select(ScheduleVersion)
        .where(ScheduleVersion.event_id == event.id, ScheduleVersion.state == "published")
        .order_by(ScheduleVersion.number.desc())
        .limit(1)
    ).first()


def entries(db: DbSession, version: ScheduleVersion) -> Sequence[PublishedEntry]:
    """A published version's sessions in time order, with their rooms and speakers loaded."""
    return db.scalars(
        select(PublishedEntry)
        .join(PublishedEntry.session)
        .where(PublishedEntry.version_id == version.id)
        .options(
            joinedload(PublishedEntry.room),
            joinedload(PublishedEntry.session)
            .selectinload(Session.speaker_links)
            .joinedload(SessionSpeaker.speaker),
        )
        .order_by(PublishedEntry.start, PublishedEntry.room_id, Session.key)
    ).unique().all()


def load_event_tree(db: DbSession, event: Event) -> Event:
    """The event with every row of its problem loaded, one query per list rather than per row."""
    return db.scalars(
        select(Event)
        .where(Event.id == event.id)
        .options(
            selectinload(Event.days).selectinload(Day.breaks),
            selectinload(Event.rooms).selectinload(Room.unavailable),
            selectinload(Event.speakers).selectinload(Speaker.available),
            selectinload(Event.sessions).selectinload(Session.speaker_links),
            selectinload(Event.no_overlap_rules),
        )
    ).one()
