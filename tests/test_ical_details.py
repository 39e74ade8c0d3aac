"""The iCalendar feed's header, time stamps and reminders exactly as calendar apps read them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from scheduler.ical import Extras, build_calendar, feed_info, session_description, vtimezone
from tests.feed_samples import HOSTILE_ABSTRACT, HOSTILE_NAME, HOSTILE_TRACK, hostile_sample
from tests.test_ical import build, events, session_url


def test_the_calendar_header() -> None:
    header = build().decode().split("BEGIN:VTIMEZONE")[0].split("\r\n")
    assert header[:10] == [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//wsis-agenda//Published agenda//EN", "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH", "NAME:WSIS+20 High-Level Event 2025", "X-WR-CALNAME:WSIS+20 High-Level Event 2025",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H", "X-WR-TIMEZONE:Europe/Zurich",
    ]


@pytest.mark.usefixtures("new_york_machine")
def test_change_times_are_written_in_utc_whatever_the_servers_zone() -> None:
    body = build().decode()
    assert "DTSTAMP:20250602T143000Z\r\n" in body and "LAST-MODIFIED:20250602T143000Z\r\n" in body


def test_a_reminder_displays_the_title_before_the_session() -> None:
    extras = {"s-002": Extras(join_url="https://meet.example.org/x", alarm_before=timedelta(minutes=10))}
    [alarm] = events(build(extras))["s-002"].walk("VALARM")
    assert str(alarm["action"]) == "DISPLAY"
    assert str(alarm["description"]) == "Panel: C7, e-health"
    assert alarm.decoded("trigger") == -timedelta(minutes=10)
    assert str(events(build(extras))["s-002"]["conference"]) == "https://meet.example.org/x"


def test_the_vtimezone_has_one_observance_per_change_and_no_more() -> None:
    component = vtimezone("Europe/Zurich", 2025, 2025)
    onsets = [(sub.name, sub.decoded("dtstart").strftime("%Y-%m-%d %H:%M"), str(sub["tzname"]))
              for sub in component.subcomponents]
    assert onsets == [("STANDARD", "2025-01-01 00:00", "CET"), ("DAYLIGHT", "2025-03-30 02:00", "CEST"),
                      ("STANDARD", "2025-10-26 03:00", "CET")]
    assert str(component["x-lic-location"]) == "Europe/Zurich"


def test_an_event_without_days_is_dated_by_its_import() -> None:
    sample, entries = hostile_sample()
    sample.event.days = []
    feed = feed_info(sample.event)
    assert (feed.first_day, feed.last_day) == (date(2025, 5, 1), date(2025, 5, 1))


def test_class_and_transparency_of_every_event() -> None:
    for event in events(build()).values():
        assert (str(event["class"]), str(event["transp"])) == ("PUBLIC", "OPAQUE")


def test_each_description_in_full_what_happened_the_abstract_then_who_and_what() -> None:
    found = events(build({"s-001": Extras(join_url="https://meet.example.org/j/1")}))
    assert str(found["s-001"]["description"]).split("\n") == [
        f"Speakers: {HOSTILE_NAME}; 李明", "Organizers: ITU; UNESCO; UNDP", f"Tracks: {HOSTILE_TRACK}; C1",
        "Interpretation: AR, ZH, EN, FR, RU, ES", "https://agenda.example.org/sessions/s-001",
        "Join online: https://meet.example.org/j/1",
    ]
    assert str(found["s-002"]["description"]) == (
        f"{HOSTILE_ABSTRACT}\n\nSpeakers: 李明\nTracks: C7\nhttps://agenda.example.org/sessions/s-002"
    )
    assert str(found["s-003"]["description"]) == "Cancelled\nhttps://agenda.example.org/sessions/s-003"


def test_schedule_apps_get_the_description_without_the_abstract() -> None:
    _, entries = hostile_sample()
    panel, dropped = entries[1], entries[2]
    assert session_description(panel, "https://a.example/s-002") == "Speakers: 李明\nTracks: C7\nhttps://a.example/s-002"
    assert session_description(dropped, "https://a.example/s-003") == "Cancelled\nhttps://a.example/s-003"


def test_the_join_link_is_a_uri_for_audio_and_video() -> None:
    join = "https://meet.example.org/j/123?pwd=a,b;c"
    body = build({"s-001": Extras(join_url=join)}).replace(b"\r\n ", b"")
    assert f"CONFERENCE;FEATURE=AUDIO,VIDEO;LABEL=Join online;VALUE=URI:{join}\r\n".encode() in body


def test_no_venue_and_no_type_add_nothing_to_location_and_categories() -> None:
    sample, entries = hostile_sample()
    sample.event.venue = ""
    entries[2].session.type = ""
    found = events(build_calendar(feed_info(sample.event), entries, session_url))
    assert str(found["s-002"]["location"]) == "Room 17"
    assert "categories" not in found["s-003"]


def test_the_feed_covers_the_event_days_not_the_import_day() -> None:
    sample, _ = hostile_sample()
    feed = feed_info(sample.event)
    assert (feed.first_day, feed.last_day) == (date(2025, 7, 7), date(2025, 7, 8))


@pytest.mark.usefixtures("new_york_machine")
def test_a_change_time_that_carries_its_zone_is_written_as_that_instant_in_utc() -> None:
    sample, entries = hostile_sample()
    geneva_summer = timezone(timedelta(hours=2))
    entries[1] = replace(entries[1], changed_at=datetime(2025, 6, 2, 16, 30, tzinfo=geneva_summer))
    body = build_calendar(feed_info(sample.event), entries, session_url)
    assert events(body)["s-002"].decoded("dtstamp") == datetime(2025, 6, 2, 14, 30, tzinfo=UTC)
    assert b"DTSTAMP:20250602T143000Z\r\n" in body


@pytest.mark.parametrize(("tzid", "year"), [("Europe/Zurich", 2025), ("Australia/Lord_Howe", 2025),
                                            ("Europe/Amsterdam", 1937)])
def test_each_observance_begins_at_the_very_second_the_zone_changes(tzid: str, year: int) -> None:
    """Amsterdam went from +00:19:32 to +00:20 on 1 July 1937: a change off the hour's halves and
    quarters, which a search that stops two seconds short of it misses by a second."""
    zone = ZoneInfo(tzid)
    changes = vtimezone(tzid, year, year).subcomponents[1:]
    assert changes
    for change in changes:
        before, after = change.decoded("tzoffsetfrom"), change.decoded("tzoffsetto")
        onset = (change.decoded("dtstart") - before).replace(tzinfo=UTC)
        assert (onset - timedelta(seconds=1)).astimezone(zone).utcoffset() == before, onset
        assert onset.astimezone(zone).utcoffset() == after, onset
