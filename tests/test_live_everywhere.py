"""The team's live changes are part of the one truth every output shows, and of every cache key.

A delay, a cancellation and a reset, made after each output has been served (and cached) once,
must show at once on the session, day, room, track and speaker pages, in the public and personal
calendar feeds (SEQUENCE, LAST-MODIFIED, ETag, STATUS, alarms), schedule.xml/json, the API and
the exports; an output the change does not touch must still answer 304.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re

import icalendar
import jsonschema
import pytest
import xmlschema
from flask.testing import FlaskClient
from sqlalchemy import event as sql_events
from sqlalchemy import select

from scheduler import live
from scheduler.db import transaction
from scheduler.effective import EventGone, agenda_state
from scheduler.models import Speaker
from scheduler.speaker_links import create_token
from scheduler.versions import publish_schedule
from solver.domain import Schedule
from tests.live_site import Site, bookmark, sign_up
from tests.test_frab import _schema_file
from tests.test_live_data import DAY1, at, event_of, schedule
from webapp.pages import CachedResponse, ResponseCache

pytestmark = pytest.mark.db
pytest_plugins = ("tests.live_fixtures",)

PAGES = ["/sessions/s-open", "/day/2025-07-08", "/day/2025-07-08?view=list", "/rooms/room-a", "/tracks/C1",
         "/speakers/sp-m1", "/sessions", "/"]  # fmt: skip
FEEDS = ["/calendar/agenda.ics", "/calendar/day/2025-07-08.ics", "/calendar/track/C1.ics",
         "/calendar/room/room-a.ics", "/calendar/speaker/sp-m1.ics", "/sessions/s-open.ics"]  # fmt: skip
MACHINE = ["/schedule.xml", "/schedule.json", "/api/v1/sessions/s-open", "/api/v1/sessions",
           "/api/v1/sessions?day=2025-07-08", "/api/v1/speakers/sp-m1", "/export/agenda.csv"]  # fmt: skip
DELAYED_NOTE = "Delayed by 20 min (was 16:00–17:00)"


def change(site: Site, action: live.Action, minutes: int = 0, key: str = "s-open") -> None:
    with transaction(site.engine) as db:
        live.change(db, event_of(db, site.event_id), key, action, minutes)


def text(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def vevents(client: FlaskClient, url: str) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(client.get(url).data)
    return {str(e["UID"]).split("@")[0]: e for e in calendar.walk("VEVENT")}


def talk(document: dict, key: str) -> dict | None:
    days = document["schedule"]["conference"]["days"]
    found = [t for d in days for r in d["rooms"].values() for t in r if t["url"].endswith(f"/{key}")]
    return found[0] if found else None


def warm(client: FlaskClient) -> dict[str, str]:
    """Serve (and so cache) every output once; returns their ETags."""
    urls = [*PAGES, *FEEDS, *MACHINE, "/sessions/s-day2.ics"]
    return {url: client.get(url).headers["ETag"] for url in urls}


def test_a_delay_shows_on_every_output_at_once(site: Site) -> None:
    client = site.client
    before = warm(client)
    sequence = int(vevents(client, "/calendar/agenda.ics")["s-open"]["SEQUENCE"])
    modified = vevents(client, "/calendar/agenda.ics")["s-open"]["LAST-MODIFIED"].dt
    change(site, "delay", 20)

    for url in PAGES[:6]:
        page = text(client, url)
        assert '<time datetime="2025-07-08T16:20:00+02:00">16:20</time>' in page, url
        assert DELAYED_NOTE in page, url
    grid = text(client, "/day/2025-07-08").split('class="timetable ', 1)[1]
    cells = re.findall(r'<article class="tt-session [^"]*tt-row-(\d+) .*?href="([^"]+)"', grid, re.S)
    assert ("2", "/sessions/s-open") not in cells
    assert (str(2 + (16 * 60 + 20 - 9 * 60) // 5), "/sessions/s-open") in cells  # the 16:20 row

    for url in FEEDS:
        event = vevents(client, url)["s-open"]
        assert event["DTSTART"].dt == at(DAY1, "16:20").replace(tzinfo=event["DTSTART"].dt.tzinfo), url
        assert event["DTEND"].dt.hour == 17 and event["DTEND"].dt.minute == 20
        assert event["DTSTART"].params["TZID"] == "Europe/Zurich"
        assert int(event["SEQUENCE"]) == sequence + 1 and event["STATUS"] == "CONFIRMED"
        assert event["LAST-MODIFIED"].dt > modified
        assert str(event["DESCRIPTION"]).startswith("Delayed by 20 min (was 16:00-17:00)")
        assert client.get(url).headers["ETag"] != before[url]
    # What the delay does not touch keeps its ETag and still answers 304.
    assert client.get("/sessions/s-day2.ics").headers["ETag"] == before["/sessions/s-day2.ics"]
    unchanged = {"If-None-Match": before["/sessions/s-day2.ics"]}
    assert client.get("/sessions/s-day2.ics", headers=unchanged).status_code == 304

    document = client.get("/schedule.json").get_json()
    frab_json = json.loads(_schema_file("schedule.schema.json").read_text())
    checker = jsonschema.Draft6Validator.FORMAT_CHECKER
    jsonschema.Draft6Validator(frab_json, format_checker=checker).validate(document)
    moved = talk(document, "s-open")
    assert moved is not None and moved["date"] == "2025-07-08T16:20:00+02:00" and moved["start"] == "16:20"
    assert moved["duration"] == "01:00" and moved["description"].startswith("Delayed by 20 min")
    assert document["schedule"]["version"] == "1.1"
    [noted] = document["schedule"]["live_changes"]
    assert noted["status"] == "delayed" and noted["delay_minutes"] == 20
    assert noted["scheduled_start"] == "2025-07-08T16:00:00+02:00"
    assert noted["start"] == "2025-07-08T16:20:00+02:00"
    xml = client.get("/schedule.xml").data
    xmlschema.XMLSchema(_schema_file("schedule.xml.xsd")).validate(xml)
    assert b"<start>16:20</start>" in xml and b"<date>2025-07-08T16:20:00+02:00</date>" in xml

    api = client.get("/api/v1/sessions/s-open").get_json()
    assert api["status"] == "delayed" and api["notes"] == ["delayed"] and api["delay_minutes"] == 20
    assert (api["start"], api["end"]) == ("2025-07-08T16:20:00+02:00", "2025-07-08T17:20:00+02:00")
    assert api["scheduled_start"] == "2025-07-08T16:00:00+02:00"
    assert api["scheduled_end"] == "2025-07-08T17:00:00+02:00"
    listed = {s["id"]: s for s in client.get("/api/v1/sessions?day=2025-07-08").get_json()}
    assert listed["s-open"]["start"] == "2025-07-08T16:20:00+02:00"

    exported = csv.DictReader(io.StringIO(text(client, "/export/agenda.csv").lstrip("\ufeff")))
    row = next(r for r in exported if r["Session ID"] == "s-open")
    assert (row["Status"], row["Start (Europe/Zurich)"], row["Delay (minutes)"]) == ("delayed", "16:20", "20")
    assert row["Published start (Europe/Zurich)"] == "16:00"


def test_cancel_then_reset_in_public_and_personal_feeds(site: Site) -> None:
    token = sign_up(site.client)
    bookmark(site.client, "s-open")
    client = site.app.test_client()
    personal = f"/calendar/my/{token}.ics"
    warm(client)
    first = vevents(client, personal)["s-open"]
    assert first.walk("VALARM") and "CONFERENCE" in first

    change(site, "cancel")
    assert "Cancelled" in text(client, "/sessions/s-open")
    public = vevents(client, "/calendar/agenda.ics")["s-open"]
    assert public["STATUS"] == "CANCELLED" and int(public["SEQUENCE"]) == int(first["SEQUENCE"]) + 1
    mine = vevents(client, personal)["s-open"]
    assert mine["STATUS"] == "CANCELLED" and int(mine["SEQUENCE"]) == int(first["SEQUENCE"]) + 1
    assert not mine.walk("VALARM") and "CONFERENCE" not in mine
    assert "Join online" not in str(mine["DESCRIPTION"])
    assert "/join/s-open" not in client.get(personal).get_data(as_text=True)
    document = client.get("/schedule.json").get_json()
    assert talk(document, "s-open") is None
    assert [c["status"] for c in document["schedule"]["live_changes"]] == ["cancelled"]
    assert client.get("/api/v1/sessions/s-open").get_json()["status"] == "cancelled"
    grid = text(client, "/day/2025-07-08")
    assert "/sessions/s-open" not in grid.split('class="timetable ', 1)[1]

    change(site, "reset")
    back = vevents(client, "/calendar/agenda.ics")["s-open"]
    assert back["STATUS"] == "CONFIRMED" and back["DTSTART"].dt.hour == 16 and back["DTSTART"].dt.minute == 0
    assert int(back["SEQUENCE"]) == int(first["SEQUENCE"]) + 2  # a cancel and a reset: two changes
    mine = vevents(client, personal)["s-open"]
    assert mine.walk("VALARM") and "CONFERENCE" in mine
    assert int(mine["SEQUENCE"]) == int(first["SEQUENCE"]) + 2
    page = text(client, "/sessions/s-open")
    assert 'data-note="' not in page and '<time datetime="2025-07-08T16:00:00+02:00">' in page
    assert client.get("/api/v1/sessions/s-open").get_json()["status"] == "scheduled"


def test_sequence_never_goes_down_across_live_changes_and_publications(site: Site) -> None:
    client = site.client

    def sequence() -> int:
        return int(vevents(client, "/sessions/s-open.ics")["s-open"]["SEQUENCE"])

    def publish(agenda: Schedule) -> None:
        with transaction(site.engine) as db:
            publish_schedule(db, event_of(db, site.event_id), agenda, force=True)

    seen = [sequence()]
    change(site, "delay", 10)
    seen.append(sequence())
    change(site, "reset")
    seen.append(sequence())
    publish(schedule(moves={"s-par": ("room-b", at(DAY1, "14:00"))}))  # s-open stays where it was
    seen.append(sequence())
    publish(schedule(moves={"s-open": ("room-a", at(DAY1, "15:00"))}))  # s-open moves
    seen.append(sequence())
    change(site, "delay", 5)
    seen.append(sequence())
    assert seen == [0, 1, 2, 2, 3, 4]


def test_if_none_match_answers_304_on_every_cached_output(site: Site) -> None:
    client = site.client
    for url in [*PAGES, *FEEDS, *MACHINE, "/export/agenda.xlsx", "/api/v1/event", "/changes.atom"]:
        first = client.get(url)
        assert first.status_code == 200 and first.headers.get("ETag"), url
        assert first.headers["Cache-Control"] == "public, no-cache", url
        again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.data == b"", url
        since = client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
        assert since.status_code == 304, url


# One of each kind of output issue 15 lists: pages, feeds, exports, schedule files, the API, Now & Next.
KINDS = ["/sessions/s-open", "/calendar/agenda.ics", "/export/agenda.csv", "/export/agenda.xlsx",
         "/schedule.xml", "/schedule.json", "/api/v1/sessions", "/api/v1/sessions/s-open",
         "/now"]  # fmt: skip


@pytest.mark.parametrize("url", KINDS)
def test_every_kind_answers_304_until_a_live_change_gives_it_a_new_etag(site: Site, url: str) -> None:
    site.clock.set("15:30:00")
    first = site.client.get(url)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "public, no-cache", url
    held = {"If-None-Match": first.headers["ETag"]}
    assert site.client.get(url, headers=held).status_code == 304
    change(site, "delay", 20)
    after = site.client.get(url, headers=held)
    assert after.status_code == 200 and after.headers["ETag"] != first.headers["ETag"]
    assert site.client.get(url, headers={"If-None-Match": after.headers["ETag"]}).status_code == 304


def test_what_is_made_for_one_participant_or_speaker_is_never_stored(site: Site) -> None:
    token = sign_up(site.client)
    bookmark(site.client, "s-open")
    with transaction(site.engine) as db:
        speaker = db.scalars(select(Speaker).where(Speaker.event_id == site.event_id)).first()
        assert speaker is not None
        speaker_token = create_token(db, speaker)
    site.clock.set("15:30:00")
    for url in ["/my", f"/my/{token}", "/me.json", "/now", "/bookmark/s-open", f"/join/s-open?t={token}",
                "/register", f"/speaker/{speaker_token}"]:  # fmt: skip
        response = site.client.get(url)
        assert response.status_code in (200, 302, 303), (url, response.status_code)
        assert response.headers["Cache-Control"] == "private, no-store", url
        assert "ETag" not in response.headers, url


@pytest.mark.parametrize("url", ["/sessions", "/calendar/agenda.ics", "/schedule.xml", "/api/v1/sessions"])
def test_a_client_that_accepts_gzip_gets_the_body_compressed_once_with_its_own_etag(
    site: Site, url: str
) -> None:
    plain = site.client.get(url)
    gzip_ok = {"Accept-Encoding": "gzip, deflate, br"}
    packed = site.client.get(url, headers=gzip_ok)
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data and len(packed.data) < len(plain.data) / 3
    assert "Content-Encoding" not in plain.headers and "Accept-Encoding" in plain.headers["Vary"]
    assert packed.headers["ETag"] != plain.headers["ETag"]
    assert site.client.get(url, headers=gzip_ok).data == packed.data  # the same bytes, kept
    again = site.client.get(url, headers={**gzip_ok, "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == packed.headers["ETag"]
    refused = {"Accept-Encoding": "gzip;q=0", "If-None-Match": packed.headers["ETag"]}
    assert site.client.get(url, headers=refused).status_code == 200


def test_a_workbook_is_not_compressed_again(site: Site) -> None:
    response = site.client.get("/export/agenda.xlsx", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and "Content-Encoding" not in response.headers


def test_cache_busting_query_strings_share_one_cache_entry(site: Site) -> None:
    client = site.client
    cache: ResponseCache = site.app.extensions["agenda_responses"]
    for url in ["/day/2025-07-08", "/sessions", "/api/v1/days", "/calendar/agenda.ics", "/schedule.json"]:
        first = client.get(url)
        entries = len(cache)
        for n in range(25):
            busted = client.get(f"{url}?x={n}&utm_source=bust{n}")
            assert busted.status_code == 200 and busted.headers["ETag"] == first.headers["ETag"], url
        assert len(cache) == entries, url
    # Parameters a page reads still make their own entries, and the filtered page differs.
    assert client.get("/sessions?track=C2").headers["ETag"] != client.get("/sessions").headers["ETag"]


def test_the_api_sessions_list_is_cached_and_still_refuses_unknown_parameters(site: Site) -> None:
    client = site.client
    cache: ResponseCache = site.app.extensions["agenda_responses"]
    client.get("/api/v1/sessions")
    entries = len(cache)
    assert client.get("/api/v1/sessions").status_code == 200 and len(cache) == entries
    refused = client.get("/api/v1/sessions?colour=red")
    assert refused.status_code == 400 and "colour" in refused.get_json()["message"]


def test_the_response_cache_is_bounded_in_bytes_and_entries() -> None:
    cache = ResponseCache(entries=10, max_bytes=1000)
    for n in range(8):
        cache.put(("k", str(n)), CachedResponse(b"x" * 300, 200, "text/plain", str(n)))
    assert cache.size_bytes <= 1000 and len(cache) == 3
    assert cache.get(("k", "7")) is not None and cache.get(("k", "0")) is None
    cache.put(("k", "huge"), CachedResponse(b"x" * 2000, 200, "text/plain", "h"))
    assert cache.get(("k", "huge")) is None and len(cache) == 3


def test_now_and_next_and_join_links_follow_the_delay(site: Site) -> None:
    token = sign_up(site.client)
    change(site, "delay", 20)
    site.clock.set("16:00:00")  # the published start; the delayed room opens at 16:05
    assert 'data-countdown="300"' in text(site.client, f"/join/s-open?t={token}")
    board = text(site.client, "/now")
    assert "+20 min" in board
    site.clock.set("16:05:00")
    assert site.client.get(f"/join/s-open?t={token}").status_code == 302


def test_a_start_and_an_end_are_told_with_their_venue_times(site: Site) -> None:
    with transaction(site.engine) as db:
        event = event_of(db, site.event_id)
        live.change(db, event, "s-open", "start", now=at(DAY1, "15:52"))
        live.change(db, event, "s-par", "end", now=at(DAY1, "16:40"))
    assert "Started early, at 15:52" in text(site.client, "/sessions/s-open")
    assert "Ended early, at 16:40" in text(site.client, "/sessions/s-par")
    api = site.client.get("/api/v1/sessions/s-open").get_json()
    assert api["status"] == "started" and api["started_at"] == "2025-07-08T15:52:00+02:00"
    assert api["notes"] == ["started_early"] and api["start"] == "2025-07-08T16:00:00+02:00"
    described = str(vevents(site.client, "/calendar/agenda.ics")["s-par"]["DESCRIPTION"])
    assert described.startswith("Ended early, at 16:40")


def test_a_cached_response_costs_one_query(site: Site) -> None:
    client = site.client
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    engine = site.app.extensions["agenda_engine"]
    for url in ["/api/v1/sessions", "/day/2025-07-08", "/calendar/agenda.ics", "/schedule.json"]:
        client.get(url)
        sql_events.listen(engine, "before_cursor_execute", record)
        try:
            assert client.get(url).status_code == 200
        finally:
            sql_events.remove(engine, "before_cursor_execute", record)
        assert len(statements) == 1, (url, statements)
        statements.clear()
    with transaction(site.engine) as db, pytest.raises(EventGone):
        agenda_state(db, 999)
