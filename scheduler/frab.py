"""The published agenda as `schedule.xml` and `schedule.json`: the Frab / C3VOC format schedule apps read.

Giggity, EventFahrplan, ConfClerk and signage players poll these files and keep people's
favourites across updates by each talk's `guid` (and older ones by its integer `id`). Both stay
fixed for a session whatever is re-imported or re-published: `id` is the session's stored primary
key (a re-import updates rows in place), `guid` a UUIDv5 of the event slug and session id.

One JSON-shaped document is built and then written either way, so the two files never disagree.
It shows the agenda as it stands (`scheduler.effective`): a delayed session's `date` and `start`
are its new start, and its description begins with what happened ("Delayed by 20 min (was
10:00-11:00)"). Cancelled sessions are left out (the format has no status; apps report a vanished
talk as cancelled), and so is anything private: the format's links hold only the public session
page. `schedule.version` is the published version's number, followed by the number of live changes
once there are any ("3.2"), so apps that compare versions see a change of the day. schedule.json
also lists the day's changes machine-readably under `schedule.live_changes` (the schema allows
extra members there, not in talks); docs/feeds-and-api.md describes it.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from scheduler.effective import AgendaEntry, entry_order
from scheduler.ical import SessionUrl, session_description
from scheduler.models import Day, Event, Room, ScheduleVersion
from scheduler.xmltext import xml_safe

GENERATOR = "wsis-agenda"
JSON_SCHEMA_ID = "https://c3voc.de/schedule/schema.json"
_SLUG_TITLE_CHARS = 40

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class FrabLinks:
    """Where the public site is: its root, and each session's page."""

    base_url: str
    session_url: SessionUrl


def acronym(event_slug: str) -> str:
    """A conference acronym both schemas accept: `[a-z0-9_]`, at least four characters."""
    base = re.sub(r"[^a-z0-9]+", "_", event_slug.lower()).strip("_")
    return base if len(base) >= 4 else (base + "_event").strip("_")


def _ascii_slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def talk_slug(conference: str, talk_id: int, title: str) -> str:
    """`<acronym>-<id>-<title words>`: unique by id, readable, and in both schemas' patterns."""
    words = _ascii_slug(title)[:_SLUG_TITLE_CHARS].strip("-") or "session"
    return f"{conference}-{talk_id}-{words}"


def stable_uuid(event_slug: str, kind: str, key: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:{GENERATOR}:{event_slug}:{kind}:{key}"))


def _hh_mm(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _person(event: Event, speaker: Any) -> Json:
    # The guid comes from the speaker's id, never (as the format suggests) from their private e-mail.
    guid = stable_uuid(event.slug, "speaker", speaker.key)
    person: Json = {"id": speaker.id, "guid": guid, "name": speaker.name}
    if speaker.bio:
        person["biography"] = speaker.bio
    if speaker.photo:
        person["avatar"] = speaker.photo
    return person


def _talk(event: Event, entry: AgendaEntry, links: FrabLinks, zone: ZoneInfo) -> Json:
    session = entry.session
    start = entry.start.replace(tzinfo=zone)
    url = links.session_url(session.key)
    return {
        "id": session.id,
        "guid": stable_uuid(event.slug, "session", session.key),
        "date": start.isoformat(),
        "start": f"{start:%H:%M}",
        "duration": _hh_mm(entry.end - entry.start),
        "room": entry.room.name,
        "slug": talk_slug(acronym(event.slug), session.id, session.title),
        "url": url,
        "title": session.title,
        "subtitle": None,
        "track": session.tracks[0] if session.tracks else None,
        "type": session.type,
        "language": None,
        "abstract": session.abstract or "",
        "description": session_description(entry, url),
        "persons": [_person(event, s) for s in session.speakers],
        "links": [],
    }


def _day(index: int, day: Day, rooms: Json, zone: ZoneInfo) -> Json:
    return {
        "index": index,
        "date": day.date.isoformat(),
        "day_start": datetime.combine(day.date, day.open, tzinfo=zone).isoformat(),
        "day_end": datetime.combine(day.date, day.close, tzinfo=zone).isoformat(),
        "rooms": rooms,
    }


def _rooms(event: Event, entries: Sequence[AgendaEntry]) -> list[Room]:
    """The event's rooms in order, and any room a published session still uses after a re-import."""
    rooms = {room.id: room for room in event.rooms}
    for entry in entries:
        rooms.setdefault(entry.room.id, entry.room)
    return list(rooms.values())


def _tracks(entries: Sequence[AgendaEntry]) -> list[str]:
    seen: dict[str, None] = {}
    for entry in entries:
        seen.update(dict.fromkeys(entry.session.tracks))
    return list(seen)


def schedule_document(
    event: Event, version: ScheduleVersion | None, entries: Iterable[AgendaEntry], links: FrabLinks
) -> Json:
    """The schedule as schedule.json shapes it (the XML writer reads the same document)."""
    zone = ZoneInfo(event.timezone)
    everything = sorted(entries, key=entry_order)
    live = [e for e in everything if not e.cancelled]
    changed_today = [e for e in everything if e.timing.notes and not e.published.cancelled]
    days = sorted(event.days, key=lambda d: d.date)
    rooms = _rooms(event, live)
    by_day: dict[date, Json] = {d.date: {room.name: [] for room in rooms} for d in days}
    for entry in live:
        # Publishing only places sessions inside the event's days; a stray one is not worth a crash.
        talks = by_day.get(entry.start.date(), {}).setdefault(entry.room.name, [])
        talks.append(_talk(event, entry, links, zone))
    conference: Json = {
        "acronym": acronym(event.slug),
        "title": event.name,
        "start": datetime.combine(days[0].date, days[0].open, tzinfo=zone).isoformat() if days else "",
        "end": datetime.combine(days[-1].date, days[-1].close, tzinfo=zone).isoformat() if days else "",
        "daysCount": len(days),
        "timeslot_duration": _hh_mm(timedelta(minutes=event.granularity_minutes)),
        "time_zone_name": event.timezone,
        "url": links.base_url,
        "tracks": [{"name": name} for name in _tracks(live)],
        "rooms": [{"name": r.name, "guid": stable_uuid(event.slug, "room", r.key)} for r in rooms],
        "days": [_day(i, d, by_day[d.date], zone) for i, d in enumerate(days, start=1)],
    }
    return {
        "$schema": JSON_SCHEMA_ID,
        "generator": {"name": GENERATOR},
        "schedule": {
            "version": _version_label(version, everything),
            "base_url": links.base_url,
            "conference": conference,
            "live_changes": [_live_change(event, e, zone) for e in changed_today],
        },
    }


def _version_label(version: ScheduleVersion | None, entries: Sequence[AgendaEntry]) -> str:
    """"3" for published version 3; "3.2" once the team made two live changes to its sessions."""
    number = str(version.number) if version else "0"
    changes = sum(e.sequence - e.published.sequence for e in entries)
    return f"{number}.{changes}" if changes else number


def _live_change(event: Event, entry: AgendaEntry, zone: ZoneInfo) -> Json:
    timing = entry.timing
    return {
        "guid": stable_uuid(event.slug, "session", entry.session.key),
        "id": entry.session.id,
        "status": timing.status,
        "notes": timing.english(),
        "delay_minutes": timing.facts.delay_minutes,
        "start": timing.start.replace(tzinfo=zone).isoformat(),
        "end": timing.end.replace(tzinfo=zone).isoformat(),
        "scheduled_start": timing.scheduled_start.replace(tzinfo=zone).isoformat(),
        "scheduled_end": timing.scheduled_end.replace(tzinfo=zone).isoformat(),
    }


def schedule_json(document: Json) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


# --- schedule.xml ---------------------------------------------------------------------------------


def _text(value: object) -> str:
    return xml_safe("" if value is None else str(value))


def _child(parent: ET.Element, tag: str, value: object, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _text(v) for k, v in attributes.items()})
    element.text = _text(value)
    return element


# The order the frab/pretalx exporters write an event's children in (the XSD accepts any order).
_TALK_FIELDS = ("room", "title", "subtitle", "type", "date", "start", "duration", "abstract", "slug",
                "track", "language", "description", "url")


def _talk_element(parent: ET.Element, talk: Json) -> None:
    element = ET.SubElement(parent, "event", {"id": str(talk["id"]), "guid": talk["guid"]})
    for field in _TALK_FIELDS:
        if talk[field] is not None or field in ("subtitle", "track"):
            _child(element, field, talk[field])
    persons = ET.SubElement(element, "persons")
    for person in talk["persons"]:
        _child(persons, "person", person["name"], id=str(person["id"]), guid=person["guid"])
    ET.SubElement(element, "links")


def _conference_element(parent: ET.Element, schedule: Json) -> None:
    conference = schedule["conference"]
    element = ET.SubElement(parent, "conference")
    for field in ("title", "acronym", "start", "end"):
        if conference[field]:
            _child(element, field, conference[field])
    _child(element, "days", conference["daysCount"])
    for field in ("timeslot_duration", "time_zone_name"):
        _child(element, field, conference[field])
    _child(element, "base_url", schedule["base_url"])
    _child(element, "url", conference["url"])
    for track in conference["tracks"]:
        _child(element, "track", "", name=track["name"])


def schedule_xml(document: Json) -> bytes:
    schedule = document["schedule"]
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", {"name": document["generator"]["name"]})
    _child(root, "version", schedule["version"])
    _conference_element(root, schedule)
    guids = {r["name"]: r["guid"] for r in schedule["conference"]["rooms"]}
    for day in schedule["conference"]["days"]:
        attributes = {"index": str(day["index"]), "date": day["date"]}
        attributes |= {"start": day["day_start"], "end": day["day_end"]}
        day_element = ET.SubElement(root, "day", attributes)
        for room_name, talks in day["rooms"].items():
            room = ET.SubElement(day_element, "room", {"name": _text(room_name), "guid": guids[room_name]})
            for talk in talks:
                _talk_element(room, talk)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
