"""The iCalendar builder: escaping, folding, time zones, identity and determinism, read back by a parser."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from scheduler.ical import Extras, build_calendar, feed_info, vtimezone
from tests.feed_samples import HOSTILE_NAME, HOSTILE_ROOM, HOSTILE_TITLE, HOSTILE_TRACK, hostile_sample


def session_url(key: str) -> str:
    return f"https://agenda.example.org/sessions/{key}"


def build(extras: dict[str, Extras] | None = None, name: str | None = None) -> bytes:
    sample, entries = hostile_sample()
    return build_calendar(feed_info(sample.event, name), entries, session_url, extras)


def events(body: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(e["uid"]).split("@")[0]: e for e in calendar.walk("VEVENT")}


def test_times_carry_the_event_zone_and_read_back_as_the_right_instants() -> None:
    found = events(build())
    zurich = ZoneInfo("Europe/Zurich")
    start, end = found["s-001"].decoded("dtstart"), found["s-001"].decoded("dtend")
    assert start == datetime(2025, 7, 7, 9, tzinfo=zurich)
    assert start.astimezone(UTC) == datetime(2025, 7, 7, 7, tzinfo=UTC)
    assert end - start == timedelta(minutes=90)
    lines = build().decode().split("\r\n")
    timed = [line for line in lines if line.startswith(("DTSTART", "DTEND"))]
    # Inside VTIMEZONE, DTSTART is local by definition; every event time names its zone.
    event_times = [line for line in timed if ";TZID=" in line]
    assert len(event_times) == 6
    prefixes = ("DTSTART;TZID=Europe/Zurich:", "DTEND;TZID=Europe/Zurich:")
    assert all(line.startswith(prefixes) for line in event_times)


def test_hostile_text_survives_escaping_exactly() -> None:
    found = events(build())["s-001"]
    assert str(found["summary"]) == HOSTILE_TITLE
    assert str(found["location"]) == f"{HOSTILE_ROOM}, Palexpo, Geneva"
    description = str(found["description"]).split("\n")
    assert description[0] == f"Speakers: {HOSTILE_NAME}; 李明"
    assert description[1] == "Organizers: ITU; UNESCO; UNDP"
    assert description[-1] == "https://agenda.example.org/sessions/s-001"
    assert found.categories == [HOSTILE_TRACK, "C1", "ceremony"]
    assert str(found["url"]) == "https://agenda.example.org/sessions/s-001"


def test_lines_are_folded_at_75_octets_without_splitting_characters() -> None:
    body = build()
    assert body.endswith(b"\r\n")
    lines = body.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")  # each physical line is whole UTF-8: no character cut in two
    assert any(line.startswith(b" ") for line in lines), "the hostile title is long enough to fold"


def test_identity_sequence_status_and_stamps_come_from_the_entries() -> None:
    found = events(build())
    assert str(found["s-001"]["uid"]) == "s-001@wsis-2025.agenda.invalid"
    assert found["s-001"]["sequence"] == 2
    assert str(found["s-001"]["status"]) == "CONFIRMED"
    assert found["s-003"]["sequence"] == 1
    assert str(found["s-003"]["status"]) == "CANCELLED"
    assert found["s-003"].decoded("dtstamp") == datetime(2025, 6, 20, 9, 15, tzinfo=UTC)
    assert found["s-003"].decoded("last-modified") == datetime(2025, 6, 20, 9, 15, tzinfo=UTC)
    assert found["s-002"].decoded("dtstamp") == datetime(2025, 6, 2, 14, 30, tzinfo=UTC)


def test_uid_host_is_configurable_and_never_the_request_host() -> None:
    sample, entries = hostile_sample()
    body = build_calendar(feed_info(sample.event, uid_host="agenda.itu.int"), entries, session_url)
    assert "s-002@wsis-2025.agenda.itu.int" in [str(e["uid"]) for e in events(body).values()]


def test_calendar_header_names_the_feed_and_asks_for_hourly_refresh() -> None:
    body = build(name="WSIS+20: Room 17")
    calendar = icalendar.Calendar.from_ical(body)
    assert str(calendar["x-wr-calname"]) == "WSIS+20: Room 17"
    assert str(calendar["x-wr-timezone"]) == "Europe/Zurich"
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in body
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in body
    assert b"\r\nMETHOD:PUBLISH\r\n" in body
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Zurich"]


def test_a_hostile_feed_name_is_one_line_escaped_as_text() -> None:
    calendar = icalendar.Calendar.from_ical(build(name=HOSTILE_TITLE))
    # The library leaves properties it has no type for escaped; they are TEXT (RFC 7986, Apple).
    for name in ("name", "x-wr-calname"):
        assert unescape_text(str(calendar[name])) == " ".join(HOSTILE_TITLE.split())


def unescape_text(value: str) -> str:
    """RFC 5545 TEXT unescaping: escaped backslash, semicolon, comma and newline."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def test_same_entries_in_any_order_give_the_same_bytes() -> None:
    sample, entries = hostile_sample()
    feed = feed_info(sample.event)
    first = build_calendar(feed, entries, session_url)
    shuffled = entries[:]
    random.Random(4).shuffle(shuffled)
    assert build_calendar(feed, shuffled, session_url) == first
    order = [str(e["uid"]) for e in icalendar.Calendar.from_ical(first).walk("VEVENT")]
    assert order == [f"{key}@wsis-2025.agenda.invalid" for key in ("s-001", "s-003", "s-002")]


def test_personal_extras_add_a_join_link_and_reminder_but_not_to_cancelled_sessions() -> None:
    join = "https://meet.example.org/j/123?pwd=a,b;c"
    extra = Extras(join_url=join, alarm_before=timedelta(minutes=15))
    found = events(build({"s-001": extra, "s-003": extra}))
    live = found["s-001"]
    assert str(live["conference"]) == join
    assert live["conference"].params["LABEL"] == "Join online"
    assert str(live["description"]).endswith(f"\nJoin online: {join}")
    [alarm] = live.walk("VALARM")
    assert alarm.decoded("trigger") == timedelta(minutes=-15)
    assert str(alarm["action"]) == "DISPLAY"
    assert "conference" not in found["s-003"]
    assert not found["s-003"].walk("VALARM")
    assert "conference" not in found["s-002"]


@pytest.mark.parametrize(
    "tzid", ["Europe/Zurich", "America/New_York", "Asia/Tokyo", "Australia/Lord_Howe", "Asia/Kolkata"]
)
def test_vtimezone_gives_the_zone_offset_at_every_instant_of_the_years(tzid: str) -> None:
    wrapped = b"BEGIN:VCALENDAR\r\n" + vtimezone(tzid, 2025, 2026).to_ical() + b"END:VCALENDAR\r\n"
    from_feed = icalendar.Calendar.from_ical(wrapped).walk("VTIMEZONE")[0].to_tz()
    zone = ZoneInfo(tzid)
    moment = datetime(2025, 1, 1, tzinfo=zone).astimezone(UTC)
    while moment.astimezone(zone).year < 2027:
        assert moment.astimezone(from_feed).utcoffset() == moment.astimezone(zone).utcoffset(), moment
        moment += timedelta(minutes=30)


def test_daylight_onset_is_written_in_the_offset_before_it() -> None:
    text = vtimezone("Europe/Zurich", 2025, 2025).to_ical().decode()
    # 01:00 UTC on 30 March is 02:00 CET (RFC 5545: onset in the prior offset), and back at 03:00 CEST.
    assert "BEGIN:DAYLIGHT\r\nDTSTART:20250330T020000\r\nTZNAME:CEST\r\nTZOFFSETFROM:+0100\r\n" in text
    assert "BEGIN:STANDARD\r\nDTSTART:20251026T030000\r\nTZNAME:CET\r\nTZOFFSETFROM:+0200\r\n" in text
