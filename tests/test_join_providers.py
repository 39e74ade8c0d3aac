"""Join-link providers as the deployment configures them: every setting reaches the provider, every
bad one is refused in words that name it, and links are built exactly."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from scheduler.joinlinks import (
    MIN_SECRET_BYTES,
    JitsiProvider,
    JoinConfigError,
    TemplateProvider,
    provider_from_config,
)
from tests.test_joinlinks import SECRET, request

JITSI = {"JOIN_PROVIDER": "jitsi", "JITSI_URL": "https://jitsi.example.org", "JITSI_APP_ID": "wsis",
         "JITSI_APP_SECRET": SECRET}


# --- configuration ---------------------------------------------------------------------------------


def test_every_jitsi_setting_reaches_the_provider() -> None:
    config = JITSI | {"JOIN_PROVIDER": "Jitsi", "JITSI_AUDIENCE": "meet",
                      "JITSI_ROOMS": '{"room-a": "plenary"}', "JITSI_SESSIONS": {"s-open": "opening"}}
    assert provider_from_config(config) == JitsiProvider(
        "https://jitsi.example.org", "wsis", SECRET, audience="meet", rooms={"room-a": "plenary"},
        sessions={"s-open": "opening"})
    assert provider_from_config(JITSI) == JitsiProvider("https://jitsi.example.org", "wsis", SECRET)


def test_every_template_setting_reaches_the_provider() -> None:
    config = {"JOIN_URL_TEMPLATE": "https://meet.example.org/{room}",
              "JOIN_URL_TEMPLATE_SESSIONS": {"s-open": "https://special.example.org/{session}"}}
    assert provider_from_config(config) == TemplateProvider(
        "https://meet.example.org/{room}", sessions={"s-open": "https://special.example.org/{session}"})
    # Per-room templates alone are a provider too: sessions in other rooms have no link.
    rooms_only = provider_from_config({"JOIN_URL_TEMPLATE_ROOMS": '{"room-a": "https://a.example.org/"}'})
    assert rooms_only == TemplateProvider(None, rooms={"room-a": "https://a.example.org/"})
    with pytest.raises(JoinConfigError, match="^no join URL template covers session 's-other'$"):
        rooms_only.url(request(session="s-other", room="room-b"))


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (JITSI | {"JITSI_URL": ""}, "JITSI_URL: '' is not an http(s) URL"),
        (JITSI | {"JITSI_URL": "https:///meet"}, "JITSI_URL: 'https:///meet' is not an http(s) URL"),
        (JITSI | {"JITSI_APP_ID": ""},
         "JITSI_APP_ID and JITSI_APP_SECRET are both required for Jitsi join links"),
        (JITSI | {"JITSI_APP_SECRET": ""},
         "JITSI_APP_ID and JITSI_APP_SECRET are both required for Jitsi join links"),
        (JITSI | {"JITSI_APP_SECRET": "x" * (MIN_SECRET_BYTES - 1)},
         "JITSI_APP_SECRET must be at least 32 bytes long"),
        (JITSI | {"JITSI_ROOMS": "[1]"}, "JITSI_ROOMS: expected an object mapping ids to strings"),
        (JITSI | {"JITSI_SESSIONS": '{"s": 1}'}, "JITSI_SESSIONS: expected an object mapping ids to strings"),
        ({"JOIN_URL_TEMPLATE": "https://meet.example.org/{nope}/{id}"},
         "JOIN_URL_TEMPLATE: unknown placeholder(s) id, nope in 'https://meet.example.org/{nope}/{id}'; use "
         "channel, date, event, lang, room, session, start"),
        ({"JOIN_URL_TEMPLATE_ROOMS": {"room-a": "https://meet{room}.example.org/"}},
         "JOIN_URL_TEMPLATE_ROOMS['room-a']: the host of 'https://meet{room}.example.org/' must not "
         "contain a placeholder"),
        ({"JOIN_URL_TEMPLATE_SESSIONS": {"s-1": "ftp://meet.example.org/{room}"}},
         "JOIN_URL_TEMPLATE_SESSIONS['s-1']: 'ftp://meet.example.org/' is not an http(s) URL"),
    ],
)
def test_bad_settings_are_refused_in_words_that_name_them(config: dict[str, object], message: str) -> None:
    with pytest.raises(JoinConfigError) as caught:
        provider_from_config(config)
    assert str(caught.value) == message


def test_plain_http_is_allowed_for_a_provider_inside_the_venue() -> None:
    provider = provider_from_config({"JOIN_URL_TEMPLATE": "http://meet.palexpo.local/{room}"})
    assert provider is not None and provider.url(request()) == "http://meet.palexpo.local/room-a"


def test_a_secret_of_exactly_the_minimum_length_is_enough() -> None:
    assert provider_from_config(JITSI | {"JITSI_APP_SECRET": "x" * MIN_SECRET_BYTES}) is not None


@pytest.mark.parametrize(
    "template",
    [
        "https://meet{room}.example.org/{date}",  # a second placeholder after the host's
        "https://MEETX{room}.example.org/",
        "https://meet.example.org{room}",
    ],
)
def test_no_placeholder_may_reach_the_host(template: str) -> None:
    with pytest.raises(JoinConfigError, match="must not contain a placeholder"):
        TemplateProvider(template)


def test_a_template_may_carry_a_return_address_after_its_host() -> None:
    template = "https://meet.example.org/enter?next=https://{room}"
    assert TemplateProvider(template).url(request()) == "https://meet.example.org/enter?next=https://room-a"


# --- links -----------------------------------------------------------------------------------------


def test_a_template_can_name_the_event_and_the_language() -> None:
    provider = TemplateProvider("https://meet.example.org/{event}/{session}?ui={lang}&audio={channel}")
    got = provider.url(request(language="zh", channel="floor"))
    assert got == "https://meet.example.org/wsis20/s-open?ui=zh&audio=floor"


def test_jitsi_links_quote_configured_room_names_and_keep_the_base_path() -> None:
    provider = JitsiProvider("https://jitsi.example.org/ITUX/", "app", SECRET, rooms={"room-a": "hall/1 a"})
    url = provider.url(request(language="x/y"))
    assert url.startswith("https://jitsi.example.org/ITUX/hall%2F1%20a?jwt=")
    assert url.endswith("#config.defaultLanguage=%22x%2Fy%22")


def test_jitsi_token_names_the_participant_and_the_window() -> None:
    url = JitsiProvider("https://jitsi.example.org", "app", SECRET, audience="meet").url(
        replace(request(), participant_id=42, participant_name="Zhang Wei"))
    token = parse_qs(urlsplit(url).query)["jwt"][0]
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience="meet",
                        options={"verify_exp": False, "verify_nbf": False})
    assert claims == {
        "aud": "meet", "iss": "app", "sub": "jitsi.example.org", "room": "wsis20-room-a",
        "nbf": int(datetime(2025, 7, 8, 13, 45, tzinfo=UTC).timestamp()),
        "exp": int(datetime(2025, 7, 8, 15, 0, tzinfo=UTC).timestamp()),
        "context": {"user": {"id": "42", "name": "Zhang Wei"}},
    }
