"""Remote participants: registration, capability links and bookmarks.

A participant has no password. Registering gives a personal link that carries a random token
(256 bits); only the token's SHA-256 is stored, so a leaked database leaks no working link. The
programme team can revoke a link or issue a new one (the old one stops working); since the token
itself is never stored, "re-sending" a link means issuing a new one.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeGuard

import pycountry
from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import object_session

from scheduler.audit import Actor, record
from scheduler.languages import LANGUAGES, translatable
from scheduler.models import Bookmark, Event, Participant, Session
from scheduler.plaintext import is_email
from scheduler.store import utc_now

STAKEHOLDER_GROUPS: dict[str, str] = {
    "government": translatable("Government"),
    "private-sector": translatable("Private sector"),
    "civil-society": translatable("Civil society"),
    "academia-technical": translatable("Academia / technical community"),
    "international-organisation": translatable("International organisation"),
}
TOKEN_BYTES = 32
# What `secrets.token_urlsafe` can produce.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,128}")
_NAME_MAX = 300


class RegistrationError(ValueError):
    """The form was not filled in right; `problems` maps each field to what is wrong with it."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems.items()))


class ParticipantError(LookupError):
    """A participant or session the programme team named does not exist."""


@dataclass(frozen=True, slots=True)
class Registration:
    name: str
    email: str
    country: str
    stakeholder_group: str
    language: str


def countries() -> list[tuple[str, str]]:
    """(ISO 3166-1 alpha-2 code, English name) of every country, sorted by name, for forms."""
    return sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda pair: pair[1])


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def plausible_token(token: str | None) -> TypeGuard[str]:
    """Whether `token` could be one `new_token` made: anything else is turned away before the database."""
    return token is not None and TOKEN_PATTERN.fullmatch(token) is not None


def validate(name: str, email: str, country: str, stakeholder_group: str, language: str) -> Registration:
    """The registration cleaned up, or a RegistrationError naming every field that is wrong."""
    form = Registration(
        name=" ".join(name.split()),
        email=email.strip(),
        country=country.strip().upper(),
        stakeholder_group=stakeholder_group.strip(),
        language=language.strip().lower(),
    )
    problems: dict[str, str] = {}
    if not form.name:
        problems["name"] = translatable("please give your name")
    elif len(form.name) > _NAME_MAX or not form.name.isprintable():
        problems["name"] = f"a name is at most {_NAME_MAX} printable characters"
    if not is_email(form.email):
        problems["email"] = translatable("please give an email address such as name@example.org")
    if pycountry.countries.get(alpha_2=form.country) is None or len(form.country) != 2:
        problems["country"] = translatable("please choose a country")
    if form.stakeholder_group not in STAKEHOLDER_GROUPS:
        problems["stakeholder_group"] = "please choose one of: " + ", ".join(STAKEHOLDER_GROUPS)
    if form.language not in LANGUAGES:
        problems["language"] = "please choose one of: " + ", ".join(LANGUAGES)
    if problems:
        raise RegistrationError(problems)
    return form


def register(
    db: DbSession, event: Event, form: Registration, now: datetime | None = None
) -> tuple[Participant, str]:
    """Store a participant; returns it with the token of their link (shown once, never stored)."""
    token = new_token()
    participant = Participant(
        event_id=event.id,
        name=form.name,
        email=form.email,
        country=form.country,
        stakeholder_group=form.stakeholder_group,
        language=form.language,
        token_hash=hash_token(token),
        created_at=now or utc_now(),
    )
    db.add(participant)
    db.flush()
    return participant, token


def personal_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/my/{token}"


def by_email(db: DbSession, event: Event, email: str) -> Participant | None:
    """The event's participant registered with `email` (case aside), the first if several did."""
    return db.scalars(
        select(Participant)
        .where(Participant.event_id == event.id, func.lower(Participant.email) == email.strip().lower())
        .order_by(Participant.id)
    ).first()


def register_or_renew(
    db: DbSession, event: Event, form: Registration, now: datetime | None = None
) -> tuple[Participant, str, bool]:
    """Register, or, when the email is already registered, issue that participant a fresh link
    (the old one stops working) instead of a second participant. Returns the participant, the
    link's token and whether the email was new: the caller must not tell the visitor which."""
    renewed = renew_by_email(db, event, form.email)
    if renewed is None:
        participant, token = register(db, event, form, now)
        return participant, token, True
    return *renewed, False


def renew_by_email(db: DbSession, event: Event, email: str) -> tuple[Participant, str] | None:
    """A fresh link for the participant registered with `email` (the old one stops working), or None."""
    known = by_email(db, event, email)
    return None if known is None else (known, reissue(known))


def set_interface_language(participant: Participant, code: str) -> None:
    """Remember the language the participant reads the site in (the web app checks it is offered)."""
    participant.interface_language = code


def by_token(db: DbSession, event: Event, token: str | None) -> Participant | None:
    """The holder of an unrevoked link of this event, or None for any other token."""
    if not plausible_token(token):
        return None
    participant = db.scalars(select(Participant).where(Participant.token_hash == hash_token(token))).first()
    if participant is None or participant.revoked_at is not None or participant.event_id != event.id:
        return None
    return participant


def find(db: DbSession, event: Event, participant_id: int) -> Participant:
    participant = db.get(Participant, participant_id)
    if participant is None or participant.event_id != event.id:
        raise ParticipantError(f"event {event.slug!r} has no participant {participant_id}")
    return participant


def listing(db: DbSession, event: Event) -> Sequence[Participant]:
    return db.scalars(
        select(Participant).where(Participant.event_id == event.id).order_by(Participant.id)
    ).all()


def revoke(participant: Participant, now: datetime | None = None, *, actor: Actor | None = None) -> None:
    """Stop the participant's link working (idempotent: the first revocation time is kept)."""
    if participant.revoked_at is None:
        participant.revoked_at = now or utc_now()
        _record(participant, actor, "participant.revoke")


def reissue(participant: Participant, *, actor: Actor | None = None) -> str:
    """A new link for the participant; the previous one stops working."""
    token = new_token()
    participant.token_hash = hash_token(token)
    participant.revoked_at = None
    _record(participant, actor, "participant.reissue")
    return token


def _record(participant: Participant, actor: Actor | None, action: str) -> None:
    db = object_session(participant)
    if db is not None:
        record(db, actor, action, event=participant.event_id, subject=f"participant {participant.id}")


# --- bookmarks -------------------------------------------------------------------------------


def session_by_key(db: DbSession, event: Event, key: str) -> Session:
    session = db.scalars(select(Session).where(Session.event_id == event.id, Session.key == key)).first()
    if session is None:
        raise ParticipantError(f"event {event.slug!r} has no session {key!r}")
    return session


def bookmarked_keys(db: DbSession, participant: Participant) -> set[str]:
    return set(
        db.scalars(
            select(Session.key)
            .join(Bookmark, Bookmark.session_id == Session.id)
            .where(Bookmark.participant_id == participant.id)
        )
    )


def add_bookmark(
    db: DbSession, participant: Participant, session: Session, now: datetime | None = None
) -> None:
    """Bookmark a session (bookmarking it twice is harmless)."""
    if session.event_id != participant.event_id:
        raise ParticipantError(f"session {session.key!r} is not part of the participant's event")
    existing = db.scalars(
        select(Bookmark).where(Bookmark.participant_id == participant.id, Bookmark.session_id == session.id)
    ).first()
    if existing is None:
        db.add(Bookmark(participant_id=participant.id, session_id=session.id, created_at=now or utc_now()))
        db.flush()


def remove_bookmark(db: DbSession, participant: Participant, session: Session) -> None:
    bookmark = db.scalars(
        select(Bookmark).where(Bookmark.participant_id == participant.id, Bookmark.session_id == session.id)
    ).first()
    if bookmark is not None:
        db.delete(bookmark)
        db.flush()


def bookmarking(db: DbSession, session_ids: Sequence[int]) -> dict[int, list[int]]:
    """Participant ids (unrevoked) that bookmarked each of these sessions, by session id."""
    rows = db.execute(
        select(Bookmark.session_id, Bookmark.participant_id)
        .join(Participant, Participant.id == Bookmark.participant_id)
        .where(Bookmark.session_id.in_(session_ids), Participant.revoked_at.is_(None))
        .order_by(Bookmark.participant_id)
    ).all()
    found: dict[int, list[int]] = {}
    for session_id, participant_id in rows:
        found.setdefault(session_id, []).append(participant_id)
    return found
