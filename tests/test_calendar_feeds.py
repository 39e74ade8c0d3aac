"""Calendar feeds over HTTP: what each feed holds, 404s, conditional GETs, and change across publications."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from sqlalchemy import Engine

from scheduler.db import transaction
from scheduler.store import import_problem
from solver.domain import Assignment, Schedule
from tests.agenda_data import (
    HOSTILE_SPEAKER,
    HOSTILE_TITLE,
    PUBLISHED,
    PUBLISHED_AT,
    REPLAN,
    REPLANNED_AT,
    SMALL_PROBLEM,
    publish_next,
)
from webapp import create_app
from webapp.calendar_feeds import subscribe_links

pytestmark = pytest.mark.db
pytest_plugins = ("tests.agenda_fixtures",)

UID_DOMAIN = "test-summit-2025.agenda.invalid"


def uids(body: bytes) -> list[str]:
    return [str(e["uid"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")]


def keys(body: bytes) -> list[str]:
    return [uid.removesuffix("@" + UID_DOMAIN) for uid in uids(body)]


def event_of(body: bytes, key: str) -> icalendar.Event:
    events = icalendar.Calendar.from_ical(body).walk("VEVENT")
    [found] = [e for e in events if str(e["uid"]) == f"{key}@{UID_DOMAIN}"]
    return found


def vevents(body: bytes) -> dict[str, str]:
    """Each VEVENT's raw text by session id, to compare what changed byte for byte."""
    blocks = re.findall(r"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", body.decode(), flags=re.S)
    return {re.search(r"\r\nUID:([^@]+)@", block).group(1): block for block in blocks}


def moved(schedule: Schedule, session: str, **changes: object) -> Schedule:
    assignments = tuple(
        Assignment(**({"session": a.session, "room": a.room, "start": a.start, "end": a.end} | changes))
        if a.session == session else a
        for a in schedule.assignments
    )
    return Schedule(status=schedule.status, assignments=assignments)


# --- what the feeds hold ---------------------------------------------------------------------------


def test_agenda_feed_is_the_published_version_as_icalendar(agenda_client: FlaskClient) -> None:
    response = agenda_client.get("/calendar/agenda.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    # The draft moves s-c1 and adds s-later: neither may show.
    assert keys(response.data) == ["s-open", "s-c1", "s-hostile", "s-close"]
    calendar = icalendar.Calendar.from_ical(response.data)
    c1 = event_of(response.data, "s-c1")
    assert c1.decoded("dtstart").astimezone(UTC) == datetime(2025, 7, 8, 8, 0, tzinfo=UTC)
    assert str(c1["location"]) == "Room B, Palexpo, Geneva"
    assert str(c1["url"]) == "http://localhost/sessions/s-c1"
    assert c1.categories == ["C1", "high-level dialogue"]
    assert str(calendar["x-wr-calname"]) == "Test Summit 2025"


def test_hostile_title_and_speaker_survive_the_feed(agenda_client: FlaskClient) -> None:
    body = agenda_client.get("/sessions/s-hostile.ics").data
    [event] = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert str(event["summary"]) == HOSTILE_TITLE
    assert str(event["description"]).startswith(f"Speakers: {HOSTILE_SPEAKER}; Li Wei 李伟\n")


FILTERED = {
    "/calendar/day/2025-07-09.ics": (["s-close"], "Wednesday 9 July 2025"),
    "/calendar/track/WSIS%2B20%20review.ics": (["s-open", "s-close"], "WSIS+20 review"),
    "/calendar/room/room-a.ics": (["s-open", "s-close"], "Plenary Room A"),
    "/calendar/speaker/sp-2.ics": (["s-c1", "s-hostile"], "Li Wei 李伟"),
    "/sessions/s-open.ics": (["s-open"], "Opening ceremony"),
}


def test_filtered_feeds_hold_their_sessions(agenda_client: FlaskClient) -> None:
    for url, (expected, name) in FILTERED.items():
        response = agenda_client.get(url)
        assert response.status_code == 200, url
        assert keys(response.data) == expected, url
        assert str(icalendar.Calendar.from_ical(response.data)["x-wr-calname"]) == f"Test Summit 2025: {name}"


def test_a_room_with_nothing_published_is_an_empty_calendar(agenda_client: FlaskClient) -> None:
    response = agenda_client.get("/calendar/day/2025-07-08.ics")
    assert keys(response.data) == ["s-open", "s-c1", "s-hostile"]
    empty = agenda_client.get("/calendar/track/C1.ics")
    assert keys(empty.data) == ["s-c1"]


UNKNOWN = [
    "/calendar/day/2025-07-10.ics",
    "/calendar/day/2025-13-01.ics",
    "/calendar/day/tomorrow.ics",
    "/calendar/track/nope.ics",
    "/calendar/room/nope.ics",
    "/calendar/speaker/nope.ics",
    "/sessions/nope.ics",
    "/sessions/s-later.ics",  # only in the draft
]


def test_unknown_ids_are_404(agenda_client: FlaskClient) -> None:
    for url in UNKNOWN:
        assert agenda_client.get(url).status_code == 404, url


def test_session_pages_and_session_feeds_do_not_shadow_each_other(agenda_client: FlaskClient) -> None:
    page = agenda_client.get("/sessions/s-open")
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    assert agenda_client.get("/sessions/s-open.ics").mimetype == "text/calendar"


def test_nothing_is_served_before_the_first_publication(database_url: str, engine: Engine) -> None:
    with transaction(engine) as db:
        import_problem(db, SMALL_PROBLEM)
    client = create_app({"TESTING": True, "DATABASE_URL": database_url}).test_client()
    assert client.get("/calendar/agenda.ics").status_code == 404
    assert client.get("/calendar/room/room-a.ics").status_code == 404


def test_uids_use_the_configured_host_not_the_request_host(database_url: str, agenda_event: object) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "AGENDA_UID_HOST": "agenda.itu.int"})
    body = app.test_client().get("/calendar/agenda.ics", base_url="https://other.example.com").data
    assert uids(body)[0] == "s-open@test-summit-2025.agenda.itu.int"


# --- conditional requests --------------------------------------------------------------------------


def test_etag_is_the_body_hash_and_last_modified_the_publication(agenda_client: FlaskClient) -> None:
    response = agenda_client.get("/calendar/agenda.ics")
    assert response.headers["ETag"] == f'"{hashlib.sha256(response.data).hexdigest()}"'
    assert response.last_modified == PUBLISHED_AT.replace(tzinfo=UTC)
    assert "no-cache" in response.headers["Cache-Control"]


def test_if_none_match_takes_quoted_listed_weak_and_wildcard_tags(agenda_client: FlaskClient) -> None:
    url = "/calendar/agenda.ics"
    etag = agenda_client.get(url).headers["ETag"]
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = agenda_client.get(url, headers={"If-None-Match": header})
        assert response.status_code == 304, header
        assert response.data == b""
        assert response.headers["ETag"] == etag
    assert agenda_client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_if_modified_since_and_its_precedence(agenda_client: FlaskClient) -> None:
    url = "/calendar/agenda.ics"
    published = agenda_client.get(url).headers["Last-Modified"]
    assert agenda_client.get(url, headers={"If-Modified-Since": published}).status_code == 304
    earlier = "Sat, 31 May 2025 10:00:00 GMT"
    assert agenda_client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
    # A failing If-None-Match wins over a matching If-Modified-Since (RFC 9110 13.2.2).
    both = {"If-Modified-Since": published, "If-None-Match": '"stale"'}
    assert agenda_client.get(url, headers=both).status_code == 200


# --- across publications ---------------------------------------------------------------------------


def test_unchanged_republish_keeps_the_feed_identical(agenda_client: FlaskClient, engine: Engine) -> None:
    before = agenda_client.get("/calendar/agenda.ics")
    publish_next(engine, PUBLISHED, PUBLISHED_AT + timedelta(days=1))
    after = agenda_client.get("/calendar/agenda.ics")
    assert after.data == before.data
    revalidated = agenda_client.get("/calendar/agenda.ics", headers={"If-None-Match": before.headers["ETag"]})
    assert revalidated.status_code == 304


def test_moving_one_session_changes_only_its_event(agenda_client: FlaskClient, engine: Engine) -> None:
    before = agenda_client.get("/calendar/agenda.ics")
    later = PUBLISHED_AT + timedelta(days=2)
    c1_moved = moved(PUBLISHED, "s-c1", start=datetime(2025, 7, 9, 11), end=datetime(2025, 7, 9, 11, 45))
    publish_next(engine, c1_moved, later)
    after = agenda_client.get("/calendar/agenda.ics", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    old, new = vevents(before.data), vevents(after.data)
    assert {k for k in old if old[k] != new[k]} == {"s-c1"}
    event = event_of(after.data, "s-c1")
    assert event["sequence"] == 1
    assert event.decoded("last-modified") == later.replace(tzinfo=UTC)
    assert event.decoded("dtstart").astimezone(UTC) == datetime(2025, 7, 9, 9, tzinfo=UTC)


def test_a_dropped_session_is_cancelled_once_then_gone(agenda_client: FlaskClient, engine: Engine) -> None:
    publish_next(engine, REPLAN)  # drops s-hostile
    body = agenda_client.get("/calendar/agenda.ics").data
    dropped = event_of(body, "s-hostile")
    assert str(dropped["status"]) == "CANCELLED"
    assert dropped["sequence"] == 1
    assert dropped.decoded("last-modified") == REPLANNED_AT.replace(tzinfo=UTC)
    assert keys(agenda_client.get("/calendar/speaker/sp-4.ics").data) == ["s-hostile"]
    publish_next(engine, REPLAN, REPLANNED_AT + timedelta(days=1))
    assert "s-hostile" not in keys(agenda_client.get("/calendar/agenda.ics").data)
    assert agenda_client.get("/sessions/s-hostile.ics").status_code == 404
    assert agenda_client.get("/calendar/speaker/sp-4.ics").status_code == 404


# --- subscribing -----------------------------------------------------------------------------------


def test_subscribe_links() -> None:
    links = subscribe_links("https://agenda.example.org/calendar/track/WSIS%2B20%20review.ics")
    assert links["webcal"] == "webcal://agenda.example.org/calendar/track/WSIS%2B20%20review.ics"
    assert links["https"] == "https://agenda.example.org/calendar/track/WSIS%2B20%20review.ics"
    assert links["google"] == (
        "https://calendar.google.com/calendar/r?cid="
        "webcal%3A%2F%2Fagenda.example.org%2Fcalendar%2Ftrack%2FWSIS%252B20%2520review.ics"
    )


def test_subscribe_macro_offers_webcal_google_and_download(agenda_app: Flask) -> None:
    template = (
        '{% from "feeds/_subscribe.html" import subscribe %}'
        '{{ subscribe(url_for("feeds.room", key="room-a", _external=True), "Subscribe to Room A") }}'
    )
    with agenda_app.test_request_context(base_url="https://agenda.example.org"):
        html = render_template_string(template)
    assert 'href="webcal://agenda.example.org/calendar/room/room-a.ics"' in html
    assert 'href="https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2Fagenda.example.org' in html
    assert 'href="https://agenda.example.org/calendar/room/room-a.ics" download' in html
    assert "Subscribe to Room A" in html
