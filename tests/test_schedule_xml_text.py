"""schedule.xml with text XML 1.0 cannot carry: one control character in a title must not make the
whole document unreadable for every schedule app (Giggity, EventFahrplan, ConfClerk, signage)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import datetime

import pytest
from sqlalchemy import Engine

from scheduler.db import transaction
from scheduler.frab import FrabLinks, schedule_document, schedule_json, schedule_xml
from scheduler.store import import_problem
from tests.agenda_data import PUBLISHED, SMALL_PROBLEM, publish_next
from tests.feed_samples import Sample
from webapp import create_app

LINKS = FrabLinks("https://agenda.example.org/", lambda key: f"https://agenda.example.org/sessions/{key}")
# A bell, a vertical tab, an escape and a form feed: all outside XML 1.0, even as character references.
BELL_TITLE = "Bell\x07 and\x0b tab\x1b title\x0c"
BELL_ROOM = "Room\x01 7"
BELL_NAME = "Ada\x08 Lovelace"
BELL_TRACK = "C\x1f7"


def odd_document() -> dict[str, object]:
    sample = Sample()
    room = sample.room("room-7", BELL_ROOM)
    ada = sample.speaker("sp-1", BELL_NAME)
    session = sample.session("s-1", BELL_TITLE, (ada,), type="panel\x02", tracks=[BELL_TRACK])
    entry = sample.entry(session, room, datetime(2025, 7, 7, 9), datetime(2025, 7, 7, 10))
    return schedule_document(sample.event, None, [entry], LINKS)


def test_control_characters_are_left_out_of_schedule_xml() -> None:
    # Guards the XML filter in frab._text. Checked with `_text` returning the raw string: ET.fromstring
    # failed with "not well-formed (invalid token)" here, while every other test of the suite passed.
    root = ET.fromstring(schedule_xml(odd_document()))
    [event] = root.iter("event")
    assert event.findtext("title") == "Bell and tab title"
    assert event.findtext("room") == "Room 7"
    assert event.findtext("track") == "C7"
    assert event.findtext("type") == "panel"
    assert [p.text for p in event.iter("person")] == ["Ada Lovelace"]
    assert [r.get("name") for r in root.findall("day/room")] == ["Room 7", "Room 7"]  # two days
    assert [t.get("name") for t in root.find("conference").iter("track")] == ["C7"]


def test_schedule_json_keeps_the_text_as_json_escapes() -> None:
    # JSON can carry any character escaped, so the JSON file keeps the title as stored.
    document = json.loads(schedule_json(odd_document()))
    first_day = document["schedule"]["conference"]["days"][0]
    [talk] = first_day["rooms"][BELL_ROOM]
    assert talk["title"] == BELL_TITLE


@pytest.mark.db
def test_served_schedule_xml_stays_readable(engine: Engine, database_url: str) -> None:
    odd = replace(SMALL_PROBLEM.sessions[0], title=BELL_TITLE)
    with transaction(engine) as db:
        import_problem(db, replace(SMALL_PROBLEM, sessions=(odd, *SMALL_PROBLEM.sessions[1:])))
    publish_next(engine, PUBLISHED)
    response = create_app({"DATABASE_URL": database_url}).test_client().get("/schedule.xml")
    titles = [e.text for e in ET.fromstring(response.data).iter("title")]
    assert "Bell and tab title" in titles
