"""Joining on the day, when the day departs from the plan: a session the team started early, and a
session a re-publication dropped from the agenda while people hold links to it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from sqlalchemy import Engine

from scheduler import live, participants
from scheduler.db import transaction
from scheduler.joinlinks import JitsiProvider, TemplateProvider, admit
from scheduler.live import EventClock
from scheduler.versions import publish_schedule
from tests.test_joinlinks import REAL_NOW, SECRET, TEMPLATE, clock, joins
from tests.test_live_data import DAY1, at, event_of, register, schedule, seed

pytestmark = pytest.mark.db

JITSI = JitsiProvider("https://jitsi.example.org", "app", SECRET)


@pytest.fixture
def published(engine: Engine) -> tuple[int, str]:
    """The live test event published (s-open 16:00-17:00 in room-a), and one participant's token."""
    event_id = seed(engine)
    with transaction(engine) as db:
        _, token = register(db, event_of(db, event_id))
    return event_id, token


def jitsi_claims(url: str | None) -> dict[str, int]:
    assert url is not None
    token = parse_qs(urlsplit(url).query)["jwt"][0]
    return jwt.decode(token, SECRET, algorithms=["HS256"], audience="jitsi",
                      options={"verify_exp": False, "verify_nbf": False})


def test_a_session_started_early_gives_a_jitsi_token_valid_at_once(
    engine: Engine, published: tuple[int, str]
) -> None:
    # Guards `min(state.opens_at, now)` in joinlinks.admit: started at 15:30, s-open's usual window
    # opens only at 15:45, and a token whose not-before lies 15 minutes ahead is refused by Jitsi.
    # Checked with `not_before=clock.instant(state.opens_at, ...)`: nbf came out REAL_NOW + 15 min.
    event_id, token = published
    with transaction(engine) as db:
        event = event_of(db, event_id)
        live.change(db, event, "s-open", "start")
        admission = admit(db, event, "s-open", token, clock("15:30:00"), JITSI)
    assert admission.outcome == "redirect"
    claims = jitsi_claims(admission.url)
    assert claims["nbf"] == int(REAL_NOW.timestamp())
    assert claims["exp"] == int(REAL_NOW.timestamp()) + 90 * 60  # the session still ends at 17:00


def test_a_token_is_valid_from_the_window_opening_not_from_the_first_join(
    engine: Engine, published: tuple[int, str]
) -> None:
    event_id, token = published
    with transaction(engine) as db:
        admission = admit(db, event_of(db, event_id), "s-open", token, clock("16:20:00"), JITSI)
    # The window opened at 15:45, 35 minutes before this join; the session ends in 40.
    claims = jitsi_claims(admission.url)
    assert claims["nbf"] == int(REAL_NOW.timestamp()) - 35 * 60
    assert claims["exp"] == int(REAL_NOW.timestamp()) + 40 * 60


# --- a session dropped by a re-publication, on the day ---------------------------------------------


def test_a_session_dropped_by_a_republication_is_no_longer_live_nor_joinable(
    engine: Engine, published: tuple[int, str]
) -> None:
    # Guards live._slot's reading of a cancelled published entry: a re-publication without s-open
    # keeps it in the new version as cancelled. Checked by dropping `if entry.cancelled: ...` from
    # scheduler/live.py: s-open came out "live" and the join link redirected to the meeting.
    event_id, token = published
    with transaction(engine) as db:
        publish_schedule(db, event_of(db, event_id), schedule(drop=("s-open",)), force=True)
    now = at(DAY1, "16:10")
    with transaction(engine) as db:
        event = event_of(db, event_id)
        states = live.at(live.load_slots(db, event), now)
        admission = admit(db, event, "s-open", token, clock("16:10:00"), TemplateProvider(TEMPLATE))
    assert states["s-open"].phase == "cancelled" and not states["s-open"].join_open
    assert states["s-par"].phase == "live"  # the rest of the agenda goes on
    room_a = next(b for b in live.board(states, now) if b.room_key == "room-a")
    assert room_a.now is None and room_a.next is not None and room_a.next.key == "s-next"
    assert (admission.outcome, admission.url) == ("cancelled", None)
    assert joins(engine) == []


def test_a_session_left_out_of_two_republications_is_unknown_to_join_links(
    engine: Engine, published: tuple[int, str]
) -> None:
    event_id, token = published
    with transaction(engine) as db:
        event = event_of(db, event_id)
        publish_schedule(db, event, schedule(drop=("s-open",)), force=True)
        publish_schedule(db, event, schedule(drop=("s-open", "s-morning")), force=True)
    with transaction(engine) as db:
        event = event_of(db, event_id)
        keys = {s.key for s in live.load_slots(db, event)}
        admission = admit(db, event, "s-open", token, clock("16:10:00"), TemplateProvider(TEMPLATE))
    assert "s-open" not in keys and "s-morning" in keys  # s-morning: cancelled in this version
    assert admission.outcome == "unknown_session"
    assert joins(engine) == []


# --- the admission in full ---------------------------------------------------------------------------


def test_on_the_real_clock_times_are_the_venues(engine: Engine, published: tuple[int, str]) -> None:
    # 14:10 UTC is 16:10 in Geneva: s-open (16:00-17:00) is live; the token's window is the real
    # instants of its opening (15:45 in Geneva, 13:45 UTC) and its end (15:00 UTC).
    event_id, token = published
    real = EventClock(real_now=lambda: datetime(2025, 7, 8, 14, 10, tzinfo=UTC))
    with transaction(engine) as db:
        admission = admit(db, event_of(db, event_id), "s-open", token, real, JITSI)
    assert admission.outcome == "redirect"
    claims = jitsi_claims(admission.url)
    assert claims["nbf"] == int(datetime(2025, 7, 8, 13, 45, tzinfo=UTC).timestamp())
    assert claims["exp"] == int(datetime(2025, 7, 8, 15, 0, tzinfo=UTC).timestamp())
    # The meeting shows who joined: the participant the token belongs to.
    with transaction(engine) as db:
        participant = participants.by_token(db, event_of(db, event_id), token)
        assert participant is not None
        assert claims["context"] == {"user": {"id": str(participant.id), "name": "Ada"}}


def test_the_join_window_can_open_earlier(engine: Engine, published: tuple[int, str]) -> None:
    event_id, token = published
    with transaction(engine) as db:
        event = event_of(db, event_id)
        provider = TemplateProvider(TEMPLATE)
        half_hour = timedelta(minutes=30)
        early = admit(db, event, "s-open", token, clock("15:35:00"), provider, opens_before=half_hour)
        usual = admit(db, event, "s-open", token, clock("15:35:00"), provider)
    assert (early.outcome, usual.outcome) == ("redirect", "not_yet")
    assert early.state is not None and early.state.opens_at == at(DAY1, "15:30")


def test_every_refusal_after_the_token_says_what_state_the_session_is_in(
    engine: Engine, published: tuple[int, str]
) -> None:
    event_id, token = published
    with transaction(engine) as db:
        event = event_of(db, event_id)
        live.change(db, event, "s-par", "cancel")
        outcomes = {
            (key, now): admit(db, event, key, token, clock(now), provider)
            for key, now, provider in [("s-open", "15:00:00", TemplateProvider(TEMPLATE)),
                                       ("s-open", "16:10:00", None),
                                       ("s-par", "16:10:00", TemplateProvider(TEMPLATE)),
                                       ("s-morning", "16:10:00", TemplateProvider(TEMPLATE))]
        }
    assert [(a.outcome, a.url, a.state and a.state.phase) for a in outcomes.values()] == [
        ("not_yet", None, "scheduled"), ("unavailable", None, "live"), ("cancelled", None, "cancelled"),
        ("ended", None, "ended")]
    assert joins(engine) == []
