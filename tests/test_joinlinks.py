"""Join-link providers and the checks behind a personal join link."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from sqlalchemy import Engine, select

from scheduler import live, participants
from scheduler.db import transaction
from scheduler.joinlinks import (
    JitsiProvider,
    JoinConfigError,
    JoinRequest,
    TemplateProvider,
    admit,
    channel_for,
    provider_from_config,
)
from scheduler.live import EventClock
from scheduler.models import Join
from tests.test_live_data import DAY1, at, event_of, register, seed

TEMPLATE = "https://meet.example.org/wsis20/{room}-{date}?lang={channel}"
SECRET = "an HS256 key of at least 32 bytes!"
REAL_NOW = datetime(2031, 3, 3, 12, 0, tzinfo=UTC)


def request(**changes: object) -> JoinRequest:
    base = JoinRequest(
        event="wsis20",
        session="s-open",
        room="room-a",
        start=at(DAY1, "16:00"),
        language="fr",
        channel="fr",
        participant_id=7,
        participant_name="Ada",
        not_before=datetime(2025, 7, 8, 13, 45, tzinfo=UTC),
        not_after=datetime(2025, 7, 8, 15, 0, tzinfo=UTC),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# --- URL templates ---------------------------------------------------------------------------


def test_template_fills_room_date_and_language_channel() -> None:
    assert (
        TemplateProvider(TEMPLATE).url(request())
        == "https://meet.example.org/wsis20/room-a-2025-07-08?lang=fr"
    )


def test_session_template_beats_room_template_beats_default() -> None:
    provider = TemplateProvider(
        TEMPLATE,
        rooms={"room-a": "https://rooms.example.org/{room}"},
        sessions={"s-open": "https://special.example.org/{session}/{start}"},
    )
    assert provider.url(request()) == "https://special.example.org/s-open/1600"
    assert provider.url(request(session="s-other")) == "https://rooms.example.org/room-a"
    assert provider.url(request(session="s-other", room="room-z")).startswith("https://meet.example.org/")


def test_values_are_url_encoded() -> None:
    url = TemplateProvider("https://meet.example.org/{room}").url(request(room="a/../b?x=1"))
    assert url == "https://meet.example.org/a%2F..%2Fb%3Fx%3D1"


@pytest.mark.parametrize(
    "template",
    [
        "https://meet.example.org/{nope}",
        "https://{room}.example.org/",
        "https://meet{room}.example.org/",
        "javascript:alert(1)//{room}",
        "meet.example.org/{room}",
        "https://meet.example.org/{room",
    ],
)
def test_bad_templates_are_refused_at_configuration(template: str) -> None:
    with pytest.raises(JoinConfigError, match="JOIN_URL_TEMPLATE"):
        TemplateProvider(template)


def test_channel_is_the_floor_when_the_language_is_not_interpreted() -> None:
    assert channel_for("fr", ["en", "fr"]) == "fr"
    assert channel_for("zh", ["en", "fr"]) == "floor"


# --- Jitsi with JWT ----------------------------------------------------------------------------


def test_jitsi_link_carries_a_room_scoped_time_bounded_token() -> None:
    provider = JitsiProvider("https://jitsi.example.org/", "wsis-agenda", SECRET)
    url = urlsplit(provider.url(request()))
    assert (url.netloc, url.path) == ("jitsi.example.org", "/wsis20-room-a")
    assert url.fragment == "config.defaultLanguage=%22fr%22"
    token = parse_qs(url.query)["jwt"][0]
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    claims = jwt.decode(
        token,
        SECRET,
        algorithms=["HS256"],
        audience="jitsi",
        options={"verify_exp": False, "verify_nbf": False},
    )
    assert claims["iss"] == "wsis-agenda" and claims["sub"] == "jitsi.example.org"
    assert claims["room"] == "wsis20-room-a"
    assert claims["nbf"] == int(datetime(2025, 7, 8, 13, 45, tzinfo=UTC).timestamp())
    assert claims["exp"] == int(datetime(2025, 7, 8, 15, 0, tzinfo=UTC).timestamp())
    assert claims["context"]["user"] == {"id": "7", "name": "Ada"}
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "x" * 32, algorithms=["HS256"], audience="jitsi", options={"verify_exp": False})


def test_jitsi_room_names_can_be_set_per_room_and_session() -> None:
    provider = JitsiProvider(
        "https://jitsi.example.org",
        "app",
        SECRET,
        rooms={"room-a": "plenary"},
        sessions={"s-open": "opening"},
    )
    assert provider.room_name(request()) == "opening"
    assert provider.room_name(request(session="s-x")) == "plenary"
    assert provider.room_name(request(session="s-x", room="Room B!")) == "wsis20-room-b"


def test_jitsi_needs_its_secret() -> None:
    with pytest.raises(JoinConfigError, match="JITSI_APP_SECRET"):
        JitsiProvider("https://jitsi.example.org", "app", "")
    with pytest.raises(JoinConfigError, match="at least 32 bytes"):
        JitsiProvider("https://jitsi.example.org", "app", "short")
    with pytest.raises(JoinConfigError, match="JITSI_URL"):
        JitsiProvider("jitsi.example.org", "app", SECRET)


# --- configuration -------------------------------------------------------------------------------


def test_provider_from_config() -> None:
    assert provider_from_config({}) is None
    template = provider_from_config(
        {
            "JOIN_URL_TEMPLATE": TEMPLATE,
            "JOIN_URL_TEMPLATE_ROOMS": '{"room-a": "https://a.example.org/{date}"}',
        }
    )
    assert isinstance(template, TemplateProvider) and template.rooms == {
        "room-a": "https://a.example.org/{date}"
    }
    jitsi = provider_from_config(
        {
            "JOIN_PROVIDER": "jitsi",
            "JITSI_URL": "https://j.example.org",
            "JITSI_APP_ID": "a",
            "JITSI_APP_SECRET": SECRET,
        }
    )
    assert isinstance(jitsi, JitsiProvider)


@pytest.mark.parametrize(
    ("config", "setting"),
    [
        ({"JOIN_PROVIDER": "zoom"}, "JOIN_PROVIDER"),
        ({"JOIN_URL_TEMPLATE_ROOMS": "{not json"}, "JOIN_URL_TEMPLATE_ROOMS"),
        ({"JOIN_URL_TEMPLATE_SESSIONS": '{"s": 3}'}, "JOIN_URL_TEMPLATE_SESSIONS"),
        ({"JOIN_PROVIDER": "jitsi"}, "JITSI_URL"),
    ],
)
def test_bad_configuration_names_the_setting(config: dict[str, str], setting: str) -> None:
    with pytest.raises(JoinConfigError, match=setting):
        provider_from_config(config)


# --- admitting a participant ---------------------------------------------------------------------


def clock(hh_mm_ss: str) -> EventClock:
    moment = datetime.combine(DAY1, datetime.strptime(hh_mm_ss, "%H:%M:%S").time())
    return EventClock(moment, timer=lambda: 0.0, real_now=lambda: REAL_NOW)


@pytest.fixture
def published(engine: Engine) -> tuple[Engine, int, str]:
    event_id = seed(engine)
    with transaction(engine) as db:
        _, token = register(db, event_of(db, event_id))
    return engine, event_id, token


def enter(
    published: tuple[Engine, int, str], now: str, session: str = "s-open", token: str | None = None
) -> str:
    engine, event_id, own = published
    with transaction(engine) as db:
        admission = admit(
            db, event_of(db, event_id), session, token or own, clock(now), TemplateProvider(TEMPLATE)
        )
        return admission.outcome


def joins(engine: Engine) -> list[tuple[int, int]]:
    with transaction(engine) as db:
        return [(j.participant_id, j.session_id) for j in db.scalars(select(Join))]


@pytest.mark.db
@pytest.mark.parametrize(
    ("now", "outcome"),
    [("15:44:59", "not_yet"), ("15:45:00", "redirect"), ("16:59:59", "redirect"), ("17:00:00", "ended")],
)
def test_join_window_boundaries(published: tuple[Engine, int, str], now: str, outcome: str) -> None:
    assert enter(published, now) == outcome
    assert len(joins(published[0])) == (1 if outcome == "redirect" else 0)


@pytest.mark.db
@pytest.mark.parametrize(
    ("now", "outcome"),
    [("15:54:59", "not_yet"), ("15:55:00", "redirect"), ("17:09:59", "redirect"), ("17:10:00", "ended")],
)
def test_join_window_of_a_delayed_session(published: tuple[Engine, int, str], now: str, outcome: str) -> None:
    engine, event_id, _ = published
    with transaction(engine) as db:
        live.change(db, event_of(db, event_id), "s-open", "delay", 10)
    assert enter(published, now) == outcome


@pytest.mark.db
def test_cancelled_session_cannot_be_joined(published: tuple[Engine, int, str]) -> None:
    engine, event_id, _ = published
    with transaction(engine) as db:
        live.change(db, event_of(db, event_id), "s-open", "cancel")
    assert enter(published, "16:10:00") == "cancelled"
    assert joins(engine) == []


@pytest.mark.db
def test_started_early_and_ended_early(published: tuple[Engine, int, str]) -> None:
    engine, event_id, _ = published
    with transaction(engine) as db:
        live.change(db, event_of(db, event_id), "s-open", "start")
    assert enter(published, "15:30:00") == "redirect"
    with transaction(engine) as db:
        live.change(db, event_of(db, event_id), "s-open", "end")
    assert enter(published, "16:30:00") == "ended"


@pytest.mark.db
def test_revoked_token_is_refused(published: tuple[Engine, int, str]) -> None:
    engine, event_id, token = published
    with transaction(engine) as db:
        event = event_of(db, event_id)
        found = participants.by_token(db, event, token)
        assert found is not None
        participants.revoke(found)
    assert enter(published, "16:10:00") == "invalid_token"
    assert joins(engine) == []


@pytest.mark.db
def test_a_token_of_another_event_is_refused(published: tuple[Engine, int, str]) -> None:
    engine, _, _ = published
    other_event = seed(engine, "other-event")
    with transaction(engine) as db:
        _, foreign = register(db, event_of(db, other_event), name="Mallory")
    assert enter(published, "16:10:00", token=foreign) == "invalid_token"
    assert enter(published, "16:10:00", token="made-up") == "invalid_token"


@pytest.mark.db
def test_the_join_is_recorded_for_the_tokens_owner(published: tuple[Engine, int, str]) -> None:
    engine, event_id, _ = published
    with transaction(engine) as db:
        bob, bobs_token = register(db, event_of(db, event_id), name="Bob")
    assert enter(published, "16:10:00", token=bobs_token) == "redirect"
    with transaction(engine) as db:
        session = participants.session_by_key(db, event_of(db, event_id), "s-open")
        assert joins(engine) == [(bob, session.id)]


@pytest.mark.db
def test_unknown_session_and_missing_provider(published: tuple[Engine, int, str]) -> None:
    engine, event_id, token = published
    assert enter(published, "16:10:00", session="s-nope") == "unknown_session"
    with transaction(engine) as db:
        outcome = admit(db, event_of(db, event_id), "s-open", token, clock("16:10:00"), None).outcome
    assert outcome == "unavailable"


@pytest.mark.db
def test_redirect_carries_the_participants_channel_and_jitsi_window(
    published: tuple[Engine, int, str],
) -> None:
    engine, event_id, token = published
    provider = JitsiProvider("https://jitsi.example.org", "app", SECRET)
    with transaction(engine) as db:
        admission = admit(db, event_of(db, event_id), "s-open", token, clock("15:50:00"), provider)
    assert admission.url is not None and "config.defaultLanguage=%22fr%22" in admission.url
    claims = jwt.decode(
        parse_qs(urlsplit(admission.url).query)["jwt"][0],
        SECRET,
        algorithms=["HS256"],
        audience="jitsi",
        options={"verify_exp": False, "verify_nbf": False},
    )
    # Under a set clock the token's window is mapped onto real time: opened 5 minutes ago, ends in 70.
    assert claims["nbf"] == int((REAL_NOW - timedelta(minutes=5)).timestamp())
    assert claims["exp"] == int((REAL_NOW + timedelta(minutes=70)).timestamp())
    with transaction(engine) as db:
        template = admit(
            db, event_of(db, event_id), "s-open", token, clock("16:00:00"), TemplateProvider(TEMPLATE)
        )
    assert template.url == "https://meet.example.org/wsis20/room-a-2025-07-08?lang=fr"
