"""The outbox: every message is written here first, reviewed by the team when its kind is held, and
sent by a job worker (never in a web request).

    held -> queued -> sending -> sent
                              -> queued (a temporary SMTP error: retried later, with back-off)
                              -> failed (a permanent error, or too many temporary ones)
    held | queued | failed -> discarded

The team's actions (release, edit, discard, send again) are functions here taking an `actor`, logged
in the audit log like every other write. `deliver` is the worker's side: it claims each due message
with a conditional UPDATE, so two workers never send the same message.
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession

from scheduler import mail
from scheduler.audit import Actor, record
from scheduler.db import transaction
from scheduler.message_states import DISCARDED, FAILED, HELD, QUEUED, SENDING, SENT, STATES
from scheduler.models import Event, OutboxMessage
from scheduler.plaintext import one_line
from scheduler.timestamps import iso_utc, utc_now

logger = logging.getLogger(__name__)
KINDS = ("speaker-links", "publication", "live", "registration")
SUBJECT_LENGTH = 300


class OutboxError(ValueError):
    """An action the message's state does not allow."""


class MessageNotFound(OutboxError, LookupError):
    """No message has that id."""


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str
    mime: str
    data: bytes

    def stored(self) -> dict[str, str]:
        return {"name": self.name, "mime": self.mime, "data": base64.b64encode(self.data).decode()}


@dataclass(frozen=True, slots=True)
class Draft:
    """A message as `scheduler.notifications` writes it, before it is in the outbox."""

    name: str
    email: str
    language: str
    subject: str
    text: str
    html: str = ""
    attachments: tuple[Attachment, ...] = ()


def held_kinds(settings: Mapping[str, Any]) -> set[str]:
    """The kinds MAIL_HOLD_KINDS names (refusing a name that is not a kind, so a typo is not silent)."""
    names = {name.strip() for name in (settings.get("MAIL_HOLD_KINDS") or "").split(",") if name.strip()}
    unknown = names - set(KINDS)
    if unknown:
        raise OutboxError(f"MAIL_HOLD_KINDS: {', '.join(sorted(unknown))} is not one of {', '.join(KINDS)}")
    return names


def put(
    db: DbSession,
    event: Event,
    draft: Draft,
    *,
    kind: str,
    reason: str,
    held: bool,
    dedupe_key: str | None = None,
    now: datetime | None = None,
) -> OutboxMessage | None:
    """Write `draft` to the outbox, held or queued; None when a message with `dedupe_key` exists
    (another process already wrote it: it must not go out twice)."""
    now = now or utc_now()
    message = OutboxMessage(
        event_id=event.id,
        kind=kind,
        reason=reason[:200],
        dedupe_key=dedupe_key,
        state=HELD if held else QUEUED,
        recipient_name=one_line(draft.name)[:300],
        recipient_email=draft.email,
        language=draft.language,
        subject=one_line(draft.subject)[:SUBJECT_LENGTH],
        text=draft.text,
        html=draft.html,
        attachments=[a.stored() for a in draft.attachments],
        attempts=0,
        last_error="",
        created_at=now,
        updated_at=now,
    )
    try:
        with db.begin_nested():  # a savepoint: losing the race leaves the caller's transaction intact
            db.add(message)
            db.flush()
    except IntegrityError:
        if dedupe_key is None or not _exists(db, dedupe_key):
            raise
        return None
    return message


def _exists(db: DbSession, dedupe_key: str) -> bool:
    return (
        db.scalars(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)).first() is not None
    )


# --- reading -----------------------------------------------------------------------------------


def find(db: DbSession, message_id: int, event: Event | None = None) -> OutboxMessage:
    """Message `message_id` (of `event`, when given: another event's messages are not found)."""
    message = db.get(OutboxMessage, message_id)
    if message is None or (event is not None and message.event_id != event.id):
        raise MessageNotFound(f"no message {message_id} in the outbox")
    return message


def listing(
    db: DbSession, event: Event, state: str | None = None, limit: int = 200
) -> Sequence[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.event_id == event.id)
    if state:
        query = query.where(OutboxMessage.state == state)
    return db.scalars(query.order_by(OutboxMessage.id.desc()).limit(limit)).all()


def counts(db: DbSession, event: Event) -> dict[str, int]:
    rows = db.execute(
        select(OutboxMessage.state, func.count())
        .where(OutboxMessage.event_id == event.id)
        .group_by(OutboxMessage.state)
    ).all()
    return {state: 0 for state in STATES} | {state: count for state, count in rows}


def public(message: OutboxMessage) -> dict[str, Any]:
    """What the console and its API show of a message (the attachments by name and size)."""
    return {
        "id": message.id,
        "kind": message.kind,
        "reason": message.reason,
        "state": message.state,
        "recipient": {"name": message.recipient_name, "email": message.recipient_email},
        "language": message.language,
        "subject": message.subject,
        "text": message.text,
        "attachments": [
            {"name": a["name"], "mime": a["mime"], "bytes": len(base64.b64decode(a["data"]))}
            for a in message.attachments
        ],
        "attempts": message.attempts,
        "last_error": message.last_error or None,
        "created_at": iso_utc(message.created_at),
        "next_attempt_at": iso_utc(message.next_attempt_at),
        "sent_at": iso_utc(message.sent_at),
    }


# --- the team's actions ------------------------------------------------------------------------


def release(db: DbSession, messages: Iterable[OutboxMessage], *, actor: Actor) -> list[OutboxMessage]:
    """Queue held messages, and failed ones for another try; call `dispatch` after the commit."""
    released = []
    for message in messages:
        if message.state not in (HELD, QUEUED, FAILED):
            raise OutboxError(f"message {message.id} is {message.state}: it cannot be sent again")
        if message.state != QUEUED:
            was = message.state
            message.state, message.next_attempt_at, message.updated_at = QUEUED, None, utc_now()
            message.attempts = 0 if was == FAILED else message.attempts
            record(db, actor, "message.send", event=message.event_id, subject=f"message {message.id}",
                   before=was, after=QUEUED)  # fmt: skip
        released.append(message)
    return released


def hold(db: DbSession, messages: Iterable[OutboxMessage], *, actor: Actor) -> int:
    """Keep queued messages (waiting for a retry, or for a worker) back for review."""
    count = 0
    for message in messages:
        if message.state not in (QUEUED, HELD):
            raise OutboxError(f"message {message.id} is {message.state}: only queued messages can be held")
        if message.state == QUEUED:
            message.state, message.updated_at = HELD, utc_now()
            record(db, actor, "message.hold", event=message.event_id, subject=f"message {message.id}",
                   before=QUEUED, after=HELD)  # fmt: skip
            count += 1
    return count


def discard(db: DbSession, messages: Iterable[OutboxMessage], *, actor: Actor) -> int:
    """Never send these messages (they stay in the outbox, discarded, for the record)."""
    count = 0
    for message in messages:
        if message.state not in (HELD, QUEUED, FAILED):
            raise OutboxError(
                f"message {message.id} is {message.state}: only unsent messages can be discarded"
            )
        was, message.state, message.updated_at = message.state, DISCARDED, utc_now()
        record(db, actor, "message.discard", event=message.event_id, subject=f"message {message.id}",
               before=was, after=DISCARDED)  # fmt: skip
        count += 1
    return count


def edit(db: DbSession, message: OutboxMessage, subject: str, text: str, *, actor: Actor) -> OutboxMessage:
    """Change a held message's subject and text (its HTML part, written from the old text, is dropped)."""
    if message.state != HELD:
        raise OutboxError(f"message {message.id} is {message.state}: only held messages can be edited")
    subject = one_line(subject).strip()
    if not subject or len(subject) > SUBJECT_LENGTH:
        raise OutboxError(f"a subject is one line of 1 to {SUBJECT_LENGTH} characters")
    if not text.strip():
        raise OutboxError("a message needs a text")
    message.subject, message.text, message.html, message.updated_at = subject, text, "", utc_now()
    record(db, actor, "message.edit", event=message.event_id, subject=f"message {message.id}")
    return message


def held_batch(db: DbSession, event: Event, kind: str | None = None) -> Sequence[OutboxMessage]:
    """Every held message of `event` (of one kind), for "send all"."""
    query = select(OutboxMessage).where(OutboxMessage.event_id == event.id, OutboxMessage.state == HELD)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return db.scalars(query.order_by(OutboxMessage.id)).all()


# --- the worker's side -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Delivery:
    sent: int = 0
    failed: int = 0
    retrying: int = 0


def _due(db: DbSession, now: datetime, ids: Sequence[int] | None) -> list[int]:
    query = select(OutboxMessage.id).where(
        OutboxMessage.state == QUEUED,
        (OutboxMessage.next_attempt_at.is_(None)) | (OutboxMessage.next_attempt_at <= now),
    )
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    return list(db.scalars(query.order_by(OutboxMessage.id)))


def _next_retry(db: DbSession, ids: Sequence[int] | None) -> datetime | None:
    query = select(func.min(OutboxMessage.next_attempt_at)).where(OutboxMessage.state == QUEUED)
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    return db.scalar(query)


def _claim(engine: Engine, message_id: int) -> bool:
    """Take the message for this worker: only one worker's UPDATE finds it still queued."""
    with transaction(engine) as db:
        claimed = db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.state == QUEUED)
            .values(state=SENDING, updated_at=utc_now())
        )
        return claimed.rowcount == 1  # type: ignore[attr-defined]


def retry_delay(settings: Mapping[str, Any], attempts: int) -> timedelta:
    """Back-off before try `attempts + 1`: MAIL_RETRY_SECONDS, doubled after each try."""
    return timedelta(seconds=float(settings["MAIL_RETRY_SECONDS"]) * 2 ** (attempts - 1))


def _settle(engine: Engine, message_id: int, outcome: mail.Outcome, settings: Mapping[str, Any]) -> str:
    now = utc_now()
    with transaction(engine) as db:
        message = find(db, message_id)
        message.attempts += 1
        message.updated_at = now
        if outcome.sent:
            message.state, message.sent_at, message.last_error = SENT, now, ""
        elif outcome.temporary and message.attempts < int(settings["MAIL_MAX_ATTEMPTS"]):
            message.state, message.last_error = QUEUED, outcome.error
            message.next_attempt_at = now + retry_delay(settings, message.attempts)
        else:
            message.state, message.last_error = FAILED, outcome.error
            record(db, None, "message.failed", event=message.event_id, subject=f"message {message.id}",
                   detail={"error": outcome.error[:500], "attempts": message.attempts})  # fmt: skip
        return message.state


# Longer than any one send can take (mail.SMTP_TIMEOUT per step): a message still "sending" after
# this lost its worker midway.
SENDING_TIMEOUT = timedelta(minutes=10)


def fail_abandoned(db: DbSession, now: datetime) -> int:
    """Mark failed the messages whose worker died while sending them. They are not retried on their
    own: the server may have taken the message before the worker died, and a second copy is worse
    than a message the team sees failed and can send again."""
    stale = db.scalars(
        select(OutboxMessage).where(
            OutboxMessage.state == SENDING, OutboxMessage.updated_at < now - SENDING_TIMEOUT
        )
    ).all()
    for message in stale:
        message.state, message.updated_at = FAILED, now
        message.last_error = "the worker stopped while sending it: it may or may not have gone out"
        record(db, None, "message.failed", event=message.event_id, subject=f"message {message.id}",
               detail={"error": message.last_error})  # fmt: skip
    return len(stale)


def deliver(
    engine: Engine,
    settings: Mapping[str, Any],
    ids: Sequence[int] | None = None,
    *,
    wait: bool = True,
    sleep: Any = time.sleep,
) -> Delivery:
    """Send every due queued message (only `ids`, when given); with `wait`, stay to retry the ones a
    temporary error put back until none is left. Returns what happened."""
    smtp = mail.SmtpSettings.of(settings)
    with transaction(engine) as db:
        fail_abandoned(db, utc_now())
    sent = failed = 0
    while True:
        with transaction(engine) as db:
            due = _due(db, utc_now(), ids)
        # One SMTP session per round, closed before any wait for a retry (it would time out).
        with mail.Connection(smtp) as connection:
            for message_id in due:
                if not _claim(engine, message_id):
                    continue  # another worker has it
                with transaction(engine) as db:
                    email = mail.build(find(db, message_id), smtp.sender)
                state = _settle(engine, message_id, connection.send(email), settings)
                sent += state == SENT
                failed += state == FAILED
        with transaction(engine) as db:
            later = _next_retry(db, ids)
        if later is None or not wait:
            return Delivery(sent, failed, 0 if later is None else _waiting(engine, ids))
        sleep(max(0.0, (later - utc_now()).total_seconds()))


def _waiting(engine: Engine, ids: Sequence[int] | None) -> int:
    with transaction(engine) as db:
        query = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state == QUEUED)
        if ids is not None:
            query = query.where(OutboxMessage.id.in_(ids))
        return int(db.scalar(query) or 0)
