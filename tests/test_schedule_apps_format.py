"""schedule.xml and schedule.json byte for byte where schedule apps are strict: the XML prolog and
encoding, which elements are present even when empty, attributes, durations, slugs and acronyms."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime

from scheduler.frab import FrabLinks, acronym, schedule_document, schedule_json, schedule_xml, talk_slug
from tests.feed_samples import Sample

LINKS = FrabLinks("https://agenda.example.org/", lambda key: f"https://agenda.example.org/sessions/{key}")


def sample_document() -> dict[str, object]:
    """Two sessions on 7 July: an hour with a speaker and a track, three hours with neither."""
    sample = Sample()
    room = sample.room("room-1", "Room 1")
    li = sample.speaker("sp-1", "李明")
    hour = sample.session("s-1", "One hour", (li,), type="panel", tracks=["C7"])
    long = sample.session("s-2", "Three hours", ())
    entries = [sample.entry(hour, room, datetime(2025, 7, 7, 9), datetime(2025, 7, 7, 10)),
               sample.entry(long, room, datetime(2025, 7, 7, 11), datetime(2025, 7, 7, 14))]
    return schedule_document(sample.event, None, entries, LINKS)


def test_the_xml_is_utf8_with_its_declaration() -> None:
    xml = schedule_xml(sample_document())
    assert xml.startswith(b"<?xml version='1.0' encoding='utf-8'?>\n<schedule>")
    assert "李明".encode() in xml  # as UTF-8 text, not character references
    assert xml.endswith(b"</schedule>\n")


def test_every_event_has_its_elements_even_when_empty() -> None:
    document = sample_document()
    root = ET.fromstring(schedule_xml(document))
    assert root.find("generator").attrib == {"name": "wsis-agenda"}
    assert root.findtext("version") == "0"
    one, three = root.iter("event")
    for event in (one, three):
        assert event.find("subtitle") is not None and event.findtext("subtitle") == ""
        assert event.find("abstract") is not None and event.find("links") is not None
        assert event.find("language") is None  # none is known: left out, not written as "None"
    assert (one.findtext("track"), three.findtext("track")) == ("C7", "")
    assert (one.findtext("duration"), three.findtext("duration")) == ("01:00", "03:00")
    [person] = one.iter("person")
    assert (person.text, set(person.attrib)) == ("李明", {"id", "guid"})
    talk = json.loads(schedule_json(document))["schedule"]["conference"]["days"][0]["rooms"]["Room 1"][0]
    [speaker] = talk["persons"]
    assert (person.get("id"), person.get("guid")) == (str(speaker["id"]), speaker["guid"])
    # The conference's tracks are empty elements named by their attribute.
    assert [(t.get("name"), t.text) for t in root.find("conference").iter("track")] == [("C7", None)]


def test_the_json_is_utf8_and_names_durations_the_same_way() -> None:
    raw = schedule_json(sample_document())
    assert "李明".encode() in raw and b"\\u" not in raw
    talks = json.loads(raw)["schedule"]["conference"]["days"][0]["rooms"]["Room 1"]
    assert [t["duration"] for t in talks] == ["01:00", "03:00"]
    assert [t["language"] for t in talks] == [None, None]


def test_acronyms_keep_four_characters_or_gain_a_suffix() -> None:
    assert acronym("itu2") == "itu2"
    assert acronym("itu") == "itu_event"
    assert acronym("(ITU) ") == "itu_event"
    assert acronym("--wsis--2025--") == "wsis_2025"


def test_a_talk_slug_cut_at_a_word_break_loses_the_hyphen() -> None:
    assert talk_slug("wsis_2025", 7, "a" * 39 + " tail") == "wsis_2025-7-" + "a" * 39
    assert talk_slug("wsis_2025", 7, "Ünïcödé, façade!") == "wsis_2025-7-unicode-facade"
