"""Feeds read by a real calendar client's parser: Mozilla's ical.js (Thunderbird), under foreign TZs.

A feed that leaned on the reader's local zone, or wrote floating times, would show sessions at the
wrong hour in Los Angeles or Tokyo. Each event must resolve through the feed's own VTIMEZONE to
the instant Python's zoneinfo gives, whatever the machine's `TZ`.

Needs Node.js; `tests/js/node_modules` is installed with `npm ci` from the committed lock file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from scheduler.ical import Extras, build_calendar, feed_info
from tests.feed_samples import (
    HOSTILE_NAME,
    HOSTILE_ROOM,
    HOSTILE_TITLE,
    HOSTILE_TRACK,
    Sample,
    hostile_sample,
    publish_sample_event,
)
from webapp import create_app

JS_DIR = Path(__file__).parent / "js"
READER_TZS = ["America/Los_Angeles", "Asia/Tokyo"]

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")


@pytest.fixture(scope="session")
def icaljs() -> Path:
    """The reader script, with ical.js installed from the lock file if it is not yet."""
    if not (JS_DIR / "node_modules" / "ical.js").is_dir():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed, so ical.js cannot be installed")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=JS_DIR, check=True, timeout=300)
    return JS_DIR / "read_feed.mjs"


def read_with_icaljs(script: Path, reader_tz: str, *feeds: Path) -> list[dict[str, Any]]:
    env = os.environ | {"TZ": reader_tz}
    command = ["node", str(script), *map(str, feeds)]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def unix(moment: datetime) -> int:
    return int(moment.timestamp())


def session_url(key: str) -> str:
    return f"https://agenda.example.org/sessions/{key}"


def dst_edge_sample() -> tuple[Sample, list]:
    """New York sessions on both daylight-saving changes of 2025: the zone data must be exact."""
    sample = Sample(timezone="America/New_York", days=(date(2025, 3, 9), date(2025, 11, 2)))
    room = sample.room("hall", "Hall")
    spring = sample.session("spring", "Straight after clocks go forward")
    autumn = sample.session("autumn", "Straight after clocks go back")
    return sample, [
        sample.entry(spring, room, datetime(2025, 3, 9, 3, 0), datetime(2025, 3, 9, 4, 0)),
        sample.entry(autumn, room, datetime(2025, 11, 2, 2, 0), datetime(2025, 11, 2, 3, 0)),
    ]


@pytest.fixture
def feeds(tmp_path: Path) -> dict[str, tuple[Path, Sample, list]]:
    written = {}
    extras = {"s-001": Extras(join_url="https://meet.example.org/j/1", alarm_before=timedelta(minutes=10))}
    for name, (sample, entries) in {"geneva": hostile_sample(), "new_york": dst_edge_sample()}.items():
        path = tmp_path / f"{name}.ics"
        feed = feed_info(sample.event, HOSTILE_TITLE if name == "geneva" else None)
        path.write_bytes(build_calendar(feed, entries, session_url, extras))
        written[name] = (path, sample, entries)
    return written


@pytest.mark.parametrize("reader_tz", READER_TZS)
def test_every_event_is_read_at_the_instant_zoneinfo_gives(icaljs: Path, feeds: dict, reader_tz: str) -> None:
    paths = [path for path, _, _ in feeds.values()]
    calendars = read_with_icaljs(icaljs, reader_tz, *paths)
    for calendar, (_, sample, entries) in zip(calendars, feeds.values(), strict=True):
        zone = ZoneInfo(sample.timezone)
        read = {e["uid"].split("@")[0]: e for e in calendar["events"]}
        assert len(read) == len(entries)
        for entry in entries:
            event = read[entry.session.key]
            assert event["zone"] == event["endZone"] == sample.timezone, "no floating or UTC-only times"
            assert event["start"] == unix(entry.start.replace(tzinfo=zone))
            assert event["end"] == unix(entry.end.replace(tzinfo=zone))
            assert event["lastModified"] == event["dtstamp"] == unix(entry.changed_at.replace(tzinfo=UTC))
            assert event["sequence"] == entry.sequence
            assert event["status"] == ("CANCELLED" if entry.cancelled else "CONFIRMED")


def test_hostile_text_reads_back_exactly(icaljs: Path, feeds: dict) -> None:
    [calendar] = read_with_icaljs(icaljs, "Asia/Tokyo", feeds["geneva"][0])
    assert calendar["name"] == calendar["rfc7986Name"] == " ".join(HOSTILE_TITLE.split())
    assert calendar["timezone"] == "Europe/Zurich"
    opening = next(e for e in calendar["events"] if e["uid"].startswith("s-001@"))
    assert opening["summary"] == HOSTILE_TITLE
    assert opening["location"] == f"{HOSTILE_ROOM}, Palexpo, Geneva"
    assert opening["description"].startswith(f"Speakers: {HOSTILE_NAME}; 李明\n")
    assert opening["categories"] == [HOSTILE_TRACK, "C1", "ceremony"]
    assert opening["url"] == session_url("s-001")
    assert opening["alarms"] == [-600]


def test_dst_edges_land_on_the_right_utc_instants(icaljs: Path, feeds: dict) -> None:
    [calendar] = read_with_icaljs(icaljs, "America/Los_Angeles", feeds["new_york"][0])
    read = {e["uid"].split("@")[0]: e for e in calendar["events"]}
    # 03:00 EDT on 9 March is 07:00 UTC; 02:00 EST on 2 November (after 01:59 EDT repeats) is 07:00 UTC.
    assert read["spring"]["start"] == unix(datetime(2025, 3, 9, 7, tzinfo=UTC))
    assert read["autumn"]["start"] == unix(datetime(2025, 11, 2, 7, tzinfo=UTC))


@pytest.mark.db
@pytest.mark.slow
def test_the_whole_sample_agenda_served_by_the_app_reads_right(
    icaljs: Path, database_url: str, engine: Engine, tmp_path: Path
) -> None:
    problem, schedule = publish_sample_event(engine)
    client = create_app({"TESTING": True, "DATABASE_URL": database_url}).test_client()
    path = tmp_path / "agenda.ics"
    path.write_bytes(client.get("/calendar/agenda.ics").data)
    zone = ZoneInfo(problem.event.timezone)
    expected = {a.session: (unix(a.start.replace(tzinfo=zone)), unix(a.end.replace(tzinfo=zone)))
                for a in schedule.assignments}
    assert len(expected) > 200
    for reader_tz in READER_TZS:
        [calendar] = read_with_icaljs(icaljs, reader_tz, path)
        assert {e["zone"] for e in calendar["events"]} == {problem.event.timezone}
        assert {e["uid"].split("@")[0]: (e["start"], e["end"]) for e in calendar["events"]} == expected
