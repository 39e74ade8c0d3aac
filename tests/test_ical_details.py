"""The iCalendar feed's header, time stamps and reminders exactly as calendar apps read them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from scheduler.ical import Extras, feed_info, vtimezone
from tests.feed_samples import hostile_sample
from tests.test_ical import build, events


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
