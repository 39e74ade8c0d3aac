"""schedule.xml and schedule.json byte for byte where schedule apps are strict: the XML prolog and
encoding, which elements are present even when empty, attributes, durations, slugs and acronyms."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date, datetime, time

from scheduler.frab import FrabLinks, acronym, schedule_document, schedule_json, schedule_xml, talk_slug
from scheduler.models import Room
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


def test_guids_keep_their_values_across_releases() -> None:
    # Apps keep people's favourites by guid: UUIDv5 of the event slug, the kind and the id must never
    # change between releases. The values for event 'wsis-2025':
    sample = Sample()
    room = sample.room("room-c", "Plenary")
    speaker = sample.speaker("sp-1", "Ada")
    session = sample.session("s-001", "Opening", (speaker,))
    entry = sample.entry(session, room, datetime(2025, 7, 7, 9), datetime(2025, 7, 7, 10))
    conference = schedule_document(sample.event, None, [entry], LINKS)["schedule"]["conference"]  # type: ignore[index]
    [talk] = conference["days"][0]["rooms"]["Plenary"]
    assert talk["guid"] == "d85167c9-115d-53c8-a2ca-eef2023a1802"
    assert conference["rooms"] == [{"name": "Plenary", "guid": "8b014221-6c1a-5dfb-98d1-6276a90a0c60"}]
    assert talk["persons"][0]["guid"] == "47cf857a-1978-50f5-93a1-eed64c93b334"
    assert talk["abstract"] == ""


def test_the_conference_spans_its_days_numbered_from_one() -> None:
    conference = sample_document()["schedule"]["conference"]  # type: ignore[index]
    assert conference["start"] == "2025-07-07T09:00:00+02:00"
    assert conference["end"] == "2025-07-08T18:30:00+02:00"
    assert [(d["index"], d["date"]) for d in conference["days"]] == [(1, "2025-07-07"), (2, "2025-07-08")]


def test_an_event_without_days_gives_an_empty_schedule() -> None:
    sample = Sample(days=())
    conference = schedule_document(sample.event, None, [], LINKS)["schedule"]["conference"]  # type: ignore[index]
    assert (conference["start"], conference["end"]) == ("", "")
    assert (conference["daysCount"], conference["days"]) == (0, [])
    ET.fromstring(schedule_xml(schedule_document(sample.event, None, [], LINKS)))


def test_a_room_dropped_by_a_reimport_still_holds_its_published_session() -> None:
    sample = Sample()
    kept = sample.room("room-1", "Room 1")
    gone = Room(id=999, key="room-9", name="Old room", position=9, capacity=10)  # not in the event any more
    talk = sample.session("s-1", "Talk")
    stray = sample.session("s-2", "Outside the event's days")
    entries = [sample.entry(talk, gone, datetime(2025, 7, 7, 9), datetime(2025, 7, 7, 10)),
               sample.entry(stray, kept, datetime(2025, 7, 20, 9), datetime(2025, 7, 20, 10))]
    conference = schedule_document(sample.event, None, entries, LINKS)["schedule"]["conference"]  # type: ignore[index]
    assert [r["name"] for r in conference["rooms"]] == ["Room 1", "Old room"]
    assert [t["title"] for t in conference["days"][0]["rooms"]["Old room"]] == ["Talk"]
    assert all(talks == [] for day in conference["days"] for room, talks in day["rooms"].items()
               if room == "Room 1")


def test_a_speakers_biography_and_photo_reach_the_apps() -> None:
    sample = Sample()
    room = sample.room("room-1", "Room 1")
    ada = sample.speaker("sp-1", "Ada")
    ada.bio, ada.photo = "Mathematician.", "https://agenda.example.org/photos/ada.jpg"
    plain = sample.speaker("sp-2", "Bo")
    plain.bio, plain.photo = "", None
    talk = sample.session("s-1", "Talk", (ada, plain))
    document = schedule_document(sample.event, None, [sample.entry(talk, room, datetime(2025, 7, 7, 9),
                                                                   datetime(2025, 7, 7, 10))], LINKS)
    [one] = document["schedule"]["conference"]["days"][0]["rooms"]["Room 1"]  # type: ignore[index]
    with_details, without = one["persons"]
    assert (with_details["biography"], with_details["avatar"]) == ("Mathematician.", ada.photo)
    assert "biography" not in without and "avatar" not in without


def test_the_conference_runs_from_the_first_days_opening_to_the_last_days_close() -> None:
    sample = Sample(days=(date(2025, 7, 7), date(2025, 7, 8), date(2025, 7, 9)))
    first, middle, last = sample.event.days
    first.open, middle.open, middle.close, last.close = time(8), time(10), time(20), time(17)
    conference = schedule_document(sample.event, None, [], LINKS)["schedule"]["conference"]  # type: ignore[index]
    assert conference["start"] == "2025-07-07T08:00:00+02:00"
    assert conference["end"] == "2025-07-09T17:00:00+02:00"


def test_slugs_and_acronyms_of_punctuation_alone() -> None:
    assert acronym("---") == "event"
    # A leading mark must not take one of the title's forty characters.
    assert talk_slug("wsis_2025", 7, "!" + "a" * 45) == "wsis_2025-7-" + "a" * 40
