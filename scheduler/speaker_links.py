"""Speakers' private links: an unguessable token per speaker, of which only the SHA-256 is stored.

A leaked database therefore yields no working link; a lost or leaked link is revoked and a new one
issued. Because the token itself is never stored, a link can be printed only when it is created.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import joinedload, selectinload

from scheduler.audit import Actor, record
from scheduler.models import Event, Speaker, SpeakerToken
from scheduler.participants import hash_token, new_token, plausible_token
from scheduler.store import utc_now


def create_token(db: DbSession, speaker: Speaker, now: datetime | None = None) -> str:
    """Issue a new link token for `speaker` and return it (the only time it is ever known)."""
    # The same 256-bit capability tokens as participants' links.
    token = new_token()
    db.add(SpeakerToken(speaker=speaker, token_hash=hash_token(token), created_at=now or utc_now()))
    db.flush()
    return token


def verify_token(db: DbSession, token: str) -> Speaker | None:
    """The speaker a live (not revoked) token belongs to, or None."""
    if not plausible_token(token):
        return None
    row = db.scalars(
        select(SpeakerToken)
        .where(SpeakerToken.token_hash == hash_token(token), SpeakerToken.revoked_at.is_(None))
        .options(joinedload(SpeakerToken.speaker))
    ).first()
    return row.speaker if row is not None else None


def revoke_tokens(db: DbSession, speaker: Speaker, now: datetime | None = None) -> int:
    """Revoke every live token of `speaker`; returns how many were live."""
    live = [t for t in speaker.tokens if t.revoked_at is None]
    for token in live:
        token.revoked_at = now or utc_now()
    db.flush()
    return len(live)


def renew_token(db: DbSession, speaker: Speaker, now: datetime | None = None) -> str:
    """Revoke the speaker's links and issue a fresh one (a lost or leaked link)."""
    revoke_tokens(db, speaker, now)
    return create_token(db, speaker, now)


def has_live_token(speaker: Speaker) -> bool:
    return any(t.revoked_at is None for t in speaker.tokens)


@dataclass(frozen=True, slots=True)
class IssuedLink:
    speaker: Speaker
    token: str | None  # None: the speaker already had a live link, which cannot be shown again


def issue_links(
    db: DbSession,
    event: Event,
    renew: bool = False,
    now: datetime | None = None,
    *,
    actor: Actor | None = None,
    without_email: bool = False,
) -> list[IssuedLink]:
    """A token for each speaker of `event` without a live one; with `renew`, a fresh one for everyone.
    `without_email` limits this to speakers who have no email (the others get theirs by message)."""
    query = select(Speaker).where(Speaker.event_id == event.id)
    if without_email:
        query = query.where(Speaker.email.is_(None))
    speakers = db.scalars(query.options(selectinload(Speaker.tokens)).order_by(Speaker.position)).all()
    issued: list[IssuedLink] = []
    for speaker in speakers:
        if renew:
            issued.append(IssuedLink(speaker, renew_token(db, speaker, now)))
        elif has_live_token(speaker):
            issued.append(IssuedLink(speaker, None))
        else:
            issued.append(IssuedLink(speaker, create_token(db, speaker, now)))
    new = sum(link.token is not None for link in issued)
    record(db, actor, "speaker_links.issue", event=event, detail={"issued": new, "renew": renew})
    return issued


def speaker_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/speaker/{token}"
