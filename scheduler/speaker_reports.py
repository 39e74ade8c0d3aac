"""Speakers' "I cannot make this time" reports, as the programme team reads and settles them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import joinedload

from scheduler.audit import Actor, record
from scheduler.models import AvailabilityReport, Event, Speaker


class ReportNotFound(LookupError):
    """No report of this event has that number."""


def reports(db: DbSession, event: Event, include_resolved: bool = False) -> Sequence[AvailabilityReport]:
    """The event's reports, oldest first: the order they should be dealt with."""
    query = (
        select(AvailabilityReport)
        .join(AvailabilityReport.speaker)
        .where(Speaker.event_id == event.id)
        .options(joinedload(AvailabilityReport.speaker), joinedload(AvailabilityReport.session))
        .order_by(AvailabilityReport.created_at, AvailabilityReport.id)
    )
    if not include_resolved:
        query = query.where(AvailabilityReport.resolved_at.is_(None))
    return db.scalars(query).all()


def resolve(
    db: DbSession, event: Event, number: int, now: datetime, *, actor: Actor | None = None, reply: str = ""
) -> AvailabilityReport:
    """Mark report `number` as dealt with (e.g. the speaker's availability was changed and re-planned),
    with an optional reply the speaker reads on their private page."""
    report = find_report(db, event, number)
    before = "settled" if report.resolved_at else "open"
    report.resolved_at = report.resolved_at or now
    if reply.strip():
        report.reply = reply.strip()
    record(
        db, actor, "report.settle", event=event, subject=f"report {number}", before=before, after="settled"
    )
    return report


def find_report(db: DbSession, event: Event, number: int) -> AvailabilityReport:
    report = next((r for r in reports(db, event, include_resolved=True) if r.id == number), None)
    if report is None:
        raise ReportNotFound(f"no availability report #{number} in this event")
    return report


def describe(report: AvailabilityReport) -> str:
    """One line for the programme team: who, what they cannot make, when they said so."""
    speaker = report.speaker
    parts = [f"#{report.id}", f"{report.created_at:%Y-%m-%d %H:%M} UTC", f"{speaker.key} ({speaker.name})"]
    if report.session is not None:
        parts.append(f"cannot make {report.session.key} ({report.session.title})")
    if report.unavailable_start or report.unavailable_end:
        start = f"{report.unavailable_start:%Y-%m-%d %H:%M}" if report.unavailable_start else "…"
        end = f"{report.unavailable_end:%Y-%m-%d %H:%M}" if report.unavailable_end else "…"
        parts.append(f"unavailable {start} to {end}")
    if report.message:
        parts.append(repr(report.message))
    if report.resolved_at:
        parts.append(f"resolved {report.resolved_at:%Y-%m-%d %H:%M} UTC")
    return " · ".join(parts)
