"""The audit log: every action of the programme team, whoever took it and however.

Each write the team can make is one function in `scheduler/` that takes an `actor` and calls
`record` in the caller's transaction (Indico's operations style): the action and its log line are
committed together or not at all. The command line, the console pages and the console API all go
through those functions, so the log is complete whichever door was used.
"""

from __future__ import annotations

import getpass
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event as orm_event
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from scheduler.models import AuditEntry, Event
from scheduler.timestamps import utc_now

_log = logging.getLogger("agenda.audit")
# Where a session keeps the lines it recorded until they are committed (scheduler/logs.py writes them).
_PENDING = "audit_log_pending"

# How the action came in.
VIAS = ("cli", "console", "api", "worker", "system")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a console account (by email and id), or an operating-system user at the CLI."""

    name: str
    via: str
    user_id: int | None = None

    @classmethod
    def os_user(cls) -> Actor:
        """The person at the command line when no `--as EMAIL` is given."""
        try:
            name = getpass.getuser()
        except (KeyError, OSError):  # no login name (a container without /etc/passwd entry)
            name = "unknown"
        return cls(f"os:{name}", "cli")

    def acting_via(self, via: str) -> Actor:
        """The same person through another door (a job the console started runs in a worker)."""
        return Actor(self.name, via, self.user_id)


# Writes made without a person behind them (tests, migrations of data): still logged.
SYSTEM = Actor("system", "system")


def record(
    db: DbSession,
    actor: Actor | None,
    action: str,
    *,
    event: Event | int | None = None,
    subject: str = "",
    before: object = None,
    after: object = None,
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Add one line to the log in the caller's transaction (it is committed with the action)."""
    actor = actor or SYSTEM
    event_id = event.id if isinstance(event, Event) else event
    entry = AuditEntry(
        at=now or utc_now(),
        actor=actor.name,
        user_id=actor.user_id,
        via=actor.via,
        action=action,
        event_id=event_id,
        subject=subject[:300],
        before=None if before is None else str(before)[:200],
        after=None if after is None else str(after)[:200],
        detail=detail or {},
    )
    db.add(entry)
    db.flush()
    fields = {"action": action, "actor": actor.name, "via": actor.via, "event_id": event_id}
    db.info.setdefault(_PENDING, []).append(fields | {"subject": entry.subject})
    return entry


@orm_event.listens_for(DbSession, "after_commit")
def _log_committed(db: DbSession) -> None:
    """The process log gets each audit line once it is committed, never an action rolled back."""
    for fields in db.info.pop(_PENDING, []):
        _log.info("%s by %s (%s)", fields["action"], fields["actor"], fields["via"], extra=fields)


@orm_event.listens_for(DbSession, "after_rollback")
def _forget_rolled_back(db: DbSession) -> None:
    db.info.pop(_PENDING, None)


@dataclass(frozen=True, slots=True)
class Filters:
    """What the audit page and API filter by; empty fields do not filter."""

    actor: str = ""
    action: str = ""
    via: str = ""
    since: datetime | None = None
    until: datetime | None = None


def entries(
    db: DbSession, filters: Filters = Filters(), *, limit: int = 100, before_id: int | None = None
) -> Sequence[AuditEntry]:
    """Log lines newest first, filtered; `before_id` pages back through older lines."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if filters.actor:
        query = query.where(AuditEntry.actor.contains(filters.actor))
    if filters.action:
        # "live" matches every live change (live.delay, live.cancel, ...).
        query = query.where(
            (AuditEntry.action == filters.action) | AuditEntry.action.startswith(filters.action + ".")
        )
    if filters.via:
        query = query.where(AuditEntry.via == filters.via)
    if filters.since is not None:
        query = query.where(AuditEntry.at >= filters.since)
    if filters.until is not None:
        query = query.where(AuditEntry.at <= filters.until)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    return db.scalars(query).all()


def actions(db: DbSession) -> list[str]:
    """Every action name the log holds, for the filter's choices."""
    return sorted(set(db.scalars(select(AuditEntry.action).distinct())))
