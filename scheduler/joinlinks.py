"""Join links: where a participant's personal link sends them, one provider per deployment.

Participants never see these URLs on public pages, feeds or exports: they follow their personal
`/join/<session>?t=<token>` link, and the web app asks the provider for the real address only
then (after checking the token and that the session is open). Two providers:

- `TemplateProvider`: a URL template such as `https://meet.example.org/wsis20/{room}-{date}`,
  with per-room and per-session templates taking precedence over the default one.
- `JitsiProvider`: a self-hosted Jitsi Meet with JWT authentication (HS256). Each link carries a
  token scoped to one Jitsi room and valid only from the join window's opening to the session's end.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol
from urllib.parse import quote, urlsplit

from sqlalchemy.orm import Session as DbSession

from scheduler import participants
from scheduler.config import MIN_SECRET_BYTES
from scheduler.live import DEFAULT_OPENS_BEFORE, EventClock, LiveError, SessionLive, at, find_slot
from scheduler.models import Event, Join
from scheduler.store import utc_now

TEMPLATE_FIELDS = frozenset({"event", "room", "session", "date", "start", "lang", "channel"})
FLOOR = "floor"
_JITSI_ROOM = re.compile(r"[^a-z0-9-]+")


class JoinConfigError(ValueError):
    """The join-link configuration is incomplete or malformed; the message names the setting."""


@dataclass(frozen=True, slots=True)
class JoinRequest:
    """Everything a provider may put in a link, for one participant entering one session.

    Times are the session's effective (delayed) wall-clock times; `not_before` and `not_after`
    are the real UTC instants of the join window, for providers that enforce it themselves.
    """

    event: str
    session: str
    room: str
    start: datetime
    language: str
    # The participant's language if the session is interpreted into it, else the floor.
    channel: str
    participant_id: int
    participant_name: str
    not_before: datetime
    not_after: datetime


def channel_for(language: str, interpretation: list[str] | tuple[str, ...]) -> str:
    return language if language in interpretation else FLOOR


class JoinProvider(Protocol):
    def covers(self, session: str, room: str) -> bool:
        """Whether this provider has a virtual room for the session (by id) held in `room` (by id)."""
        ...

    def url(self, request: JoinRequest) -> str: ...


def offers_online(provider: JoinProvider | None, session: str, room: str) -> bool:
    """Whether people can join the session online at all: a provider is set up and covers it."""
    return provider is not None and provider.covers(session, room)


def _https_url(setting: str, value: str) -> str:
    scheme = urlsplit(value).scheme
    if scheme not in ("https", "http") or not urlsplit(value).netloc:
        raise JoinConfigError(f"{setting}: {value!r} is not an http(s) URL")
    return value


def _check_template(setting: str, template: str) -> str:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as error:
        raise JoinConfigError(f"{setting}: {template!r} is not a valid template ({error})") from None
    unknown = names - TEMPLATE_FIELDS
    if unknown:
        raise JoinConfigError(
            f"{setting}: unknown placeholder(s) {', '.join(sorted(unknown))} in {template!r}; "
            f"use {', '.join(sorted(TEMPLATE_FIELDS))}"
        )
    # The host must be literal, so that a placeholder can never send people elsewhere.
    literal = template.split("{", 1)[0]
    _https_url(setting, literal)
    if "{" in template and not any(mark in literal.partition("://")[2] for mark in "/?#"):
        raise JoinConfigError(f"{setting}: the host of {template!r} must not contain a placeholder")
    return template


@dataclass(frozen=True, slots=True)
class TemplateProvider:
    template: str | None
    rooms: Mapping[str, str] = field(default_factory=dict)
    sessions: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.template is not None:
            _check_template("JOIN_URL_TEMPLATE", self.template)
        for key, template in self.rooms.items():
            _check_template(f"JOIN_URL_TEMPLATE_ROOMS[{key!r}]", template)
        for key, template in self.sessions.items():
            _check_template(f"JOIN_URL_TEMPLATE_SESSIONS[{key!r}]", template)

    def covers(self, session: str, room: str) -> bool:
        return bool(self.sessions.get(session) or self.rooms.get(room) or self.template)

    def url(self, request: JoinRequest) -> str:
        template = self.sessions.get(request.session) or self.rooms.get(request.room) or self.template
        if template is None:
            raise JoinConfigError(f"no join URL template covers session {request.session!r}")
        values = {
            "event": request.event,
            "room": request.room,
            "session": request.session,
            "date": f"{request.start:%Y-%m-%d}",
            "start": f"{request.start:%H%M}",
            "lang": request.language,
            "channel": request.channel,
        }
        return template.format_map({name: quote(value, safe="") for name, value in values.items()})


@dataclass(frozen=True, slots=True)
class JitsiProvider:
    """Jitsi Meet with token authentication (prosody `token` auth, `app_id`/`app_secret`)."""

    base_url: str
    app_id: str
    secret: str = field(repr=False)
    audience: str = "jitsi"
    rooms: Mapping[str, str] = field(default_factory=dict)
    sessions: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _https_url("JITSI_URL", self.base_url)
        if not self.app_id or not self.secret:
            raise JoinConfigError("JITSI_APP_ID and JITSI_APP_SECRET are both required for Jitsi join links")
        if len(self.secret.encode()) < MIN_SECRET_BYTES:
            # RFC 7518 3.2: an HS256 key shorter than the hash makes tokens guessable offline.
            raise JoinConfigError(f"JITSI_APP_SECRET must be at least {MIN_SECRET_BYTES} bytes long")

    def covers(self, session: str, room: str) -> bool:
        return True  # every session gets a room: its own, its room's, or `<event>-<room>`

    def room_name(self, request: JoinRequest) -> str:
        chosen = self.sessions.get(request.session) or self.rooms.get(request.room)
        return chosen or _JITSI_ROOM.sub("-", f"{request.event}-{request.room}".lower()).strip("-")

    def token(self, request: JoinRequest) -> str:
        claims = {
            "aud": self.audience,
            "iss": self.app_id,
            "sub": urlsplit(self.base_url).hostname,
            "room": self.room_name(request),
            "nbf": int(request.not_before.timestamp()),
            "exp": int(request.not_after.timestamp()),
            "context": {"user": {"id": str(request.participant_id), "name": request.participant_name}},
        }
        # Imported here: PyJWT loads `ssl`, which a gevent server must patch before anything imports it.
        import jwt

        return jwt.encode(claims, self.secret, algorithm="HS256")

    def url(self, request: JoinRequest) -> str:
        room = quote(self.room_name(request), safe="")
        # Jitsi Meet takes config overrides (here its interface language) from the URL fragment.
        language = quote(json.dumps(request.language), safe="")
        base = self.base_url.rstrip("/")
        return f"{base}/{room}?jwt={self.token(request)}#config.defaultLanguage={language}"


def _mapping(config: Mapping[str, Any], key: str) -> dict[str, str]:
    """A room/session map from config: a dict, or JSON text (as environment variables give it)."""
    value = config.get(key) or {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise JoinConfigError(f"{key}: not valid JSON ({error})") from None
    if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
        raise JoinConfigError(f"{key}: expected an object mapping ids to strings")
    return {str(k): v for k, v in value.items()}


def provider_from_config(config: Mapping[str, Any]) -> JoinProvider | None:
    """The configured provider (`JOIN_PROVIDER`: "template" or "jitsi"); None when none is set up."""
    kind = (config.get("JOIN_PROVIDER") or "template").lower()
    if kind == "jitsi":
        return JitsiProvider(
            base_url=config.get("JITSI_URL") or "",
            app_id=config.get("JITSI_APP_ID") or "",
            secret=config.get("JITSI_APP_SECRET") or "",
            audience=config.get("JITSI_AUDIENCE") or "jitsi",
            rooms=_mapping(config, "JITSI_ROOMS"),
            sessions=_mapping(config, "JITSI_SESSIONS"),
        )
    if kind != "template":
        raise JoinConfigError(f"JOIN_PROVIDER: {kind!r} is not one of template, jitsi")
    rooms = _mapping(config, "JOIN_URL_TEMPLATE_ROOMS")
    sessions = _mapping(config, "JOIN_URL_TEMPLATE_SESSIONS")
    template = config.get("JOIN_URL_TEMPLATE") or None
    if template is None and not rooms and not sessions:
        return None
    return TemplateProvider(template, rooms, sessions)


# --- following a personal join link --------------------------------------------------------------

Outcome = Literal[
    "redirect", "invalid_token", "unknown_session", "not_yet", "ended", "cancelled", "unavailable"
]


@dataclass(frozen=True, slots=True)
class Admission:
    """What a personal join link leads to: the provider's room, or why not (with the session's state)."""

    outcome: Outcome
    url: str | None = None
    state: SessionLive | None = None


def admit(
    db: DbSession,
    event: Event,
    session_key: str,
    token: str | None,
    clock: EventClock,
    provider: JoinProvider | None,
    opens_before: timedelta = DEFAULT_OPENS_BEFORE,
) -> Admission:
    """Check a join link and, when the session is open, record the join and give the provider's URL.

    The token is checked first, so an invalid link learns nothing about the session.
    """
    participant = participants.by_token(db, event, token)
    if participant is None:
        return Admission("invalid_token")
    try:
        slot = find_slot(db, event, session_key)
    except LiveError:
        return Admission("unknown_session")
    now = clock.now(event.timezone)
    state = at([slot], now, opens_before)[slot.key]
    if state.phase == "cancelled" or state.phase == "ended":
        return Admission(state.phase, state=state)
    if not offers_online(provider, slot.key, slot.room_key):
        return Admission("unavailable", state=state)
    if not state.join_open:
        return Admission("not_yet", state=state)
    assert provider is not None  # offers_online
    session = participants.session_by_key(db, event, session_key)
    request = JoinRequest(
        event=event.slug,
        session=slot.key,
        room=slot.room_key,
        start=slot.starts_at,
        language=participant.language,
        channel=channel_for(participant.language, session.interpretation),
        participant_id=participant.id,
        participant_name=participant.name,
        # A session the team started early opens before its usual window does.
        not_before=clock.instant(min(state.opens_at, now), event.timezone),
        not_after=clock.instant(slot.ends_at, event.timezone),
    )
    url = provider.url(request)
    db.add(Join(participant_id=participant.id, session_id=slot.session_id, joined_at=utc_now()))
    db.flush()
    return Admission("redirect", url=url, state=state)
