"""schedule.xml / schedule.json: valid against the C3VOC schemas, stable ids, exact text, public data only."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import xmlschema
from flask.testing import FlaskClient
from sqlalchemy import Engine

from scheduler.db import transaction
from scheduler.frab import FrabLinks, acronym, schedule_document, schedule_json, schedule_xml, talk_slug
from scheduler.store import import_problem
from tests.agenda_data import DRAFT_ONLY_TITLE, HOSTILE_SPEAKER, REPLAN, SMALL_PROBLEM, publish_next
from tests.conftest import REPO_ROOT
from tests.feed_samples import (
    HOSTILE_NAME,
    HOSTILE_ROOM,
    HOSTILE_TITLE,
    HOSTILE_TRACK,
    hostile_sample,
    publish_sample_event,
)
from webapp import create_app

pytest_plugins = ("tests.agenda_fixtures",)

# CI checks the project out with the shared reference data beside it; the schemas are not copied in.
SCHEMAS = REPO_ROOT.parent / "shared" / "schemas" / "frab"
LINKS = FrabLinks("https://agenda.example.org/", lambda key: f"https://agenda.example.org/sessions/{key}")


def _schema_file(name: str) -> Path:
    path = SCHEMAS / name
    if not path.exists():
        pytest.skip(f"the Frab schemas are not beside the checkout ({path})")
    return path


@pytest.fixture(scope="module")
def xsd() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(_schema_file("schedule.xml.xsd"))


@pytest.fixture(scope="module")
def json_validator() -> jsonschema.Draft6Validator:
    schema = json.loads(_schema_file("schedule.schema.json").read_text())
    return jsonschema.Draft6Validator(schema, format_checker=jsonschema.Draft6Validator.FORMAT_CHECKER)


def document() -> dict[str, Any]:
    sample, entries = hostile_sample()
    return schedule_document(sample.event, None, entries, LINKS)


def talks(doc: dict[str, Any]) -> list[dict[str, Any]]:
    days = doc["schedule"]["conference"]["days"]
    return [talk for day in days for room in day["rooms"].values() for talk in room]


def test_xml_is_valid_against_the_xsd(xsd: xmlschema.XMLSchema) -> None:
    xsd.validate(schedule_xml(document()).decode())


def test_json_is_valid_against_the_json_schema(json_validator: jsonschema.Draft6Validator) -> None:
    json_validator.validate(json.loads(schedule_json(document())))


def test_hostile_text_reads_back_exactly_from_xml_and_json() -> None:
    doc = document()
    root = ET.fromstring(schedule_xml(doc))
    [opening] = [e for e in root.iter("event") if e.findtext("title") == HOSTILE_TITLE]
    assert opening.findtext("room") == HOSTILE_ROOM
    assert opening.findtext("track") == HOSTILE_TRACK
    assert [p.text for p in opening.iter("person")] == [HOSTILE_NAME, "李明"]
    assert HOSTILE_ROOM in [r.get("name") for r in root.iter("room")]
    assert root.find("conference/track").get("name") == HOSTILE_TRACK
    from_json = json.loads(schedule_json(doc))
    [talk] = [t for t in talks(from_json) if t["title"] == HOSTILE_TITLE]
    assert talk["room"] == HOSTILE_ROOM
    assert [p["name"] for p in talk["persons"]] == [HOSTILE_NAME, "李明"]


def test_ids_and_guids_are_stable_and_unique() -> None:
    sample, entries = hostile_sample()
    first = talks(schedule_document(sample.event, None, entries, LINKS))
    # A re-import builds new row objects for the same session ids: the guids must not change.
    assert [t["guid"] for t in talks(document())] == [t["guid"] for t in first]
    assert len({t["guid"] for t in first}) == len({t["id"] for t in first}) == len(first)
    # Integer ids are the sessions' primary keys, which a re-import keeps (rows are updated in place).
    by_title = {e.session.title: e.session.id for e in entries}
    assert all(t["id"] == by_title[t["title"]] for t in first)


def test_identifiers_match_the_schemas_patterns() -> None:
    doc = document()
    conference = doc["schedule"]["conference"]
    assert re.fullmatch(r"[a-z0-9_-][a-z0-9_]{3,}(-2[0-9]{3}-[a-z]+)?", conference["acronym"])
    for talk in talks(doc):
        assert re.fullmatch(r"[a-z0-9_]{4,}-[a-z0-9\-_]{4,}", talk["slug"])
        assert re.fullmatch(r"[a-z0-9_-]+[a-z0-9]", talk["slug"])
    assert acronym("ab") == "ab_event"
    assert acronym("WSIS+20 2025") == "wsis_20_2025"
    assert talk_slug("wsis_2025", 7, "الحوار") == "wsis_2025-7-session"


def test_cancelled_sessions_and_private_links_are_left_out() -> None:
    doc = document()
    titles = [t["title"] for t in talks(doc)]
    assert "Dropped workshop" not in titles
    assert len(titles) == 2
    for talk in talks(doc):
        assert talk["links"] == []
        assert talk["url"].startswith("https://agenda.example.org/sessions/")


def test_days_hold_every_room_and_times_carry_offsets() -> None:
    day_one, day_two = document()["schedule"]["conference"]["days"]
    assert list(day_one["rooms"]) == [HOSTILE_ROOM, "Room 17"]
    assert day_one["day_start"] == "2025-07-07T09:00:00+02:00"
    assert day_two["rooms"]["Room 17"][0]["date"] == "2025-07-08T14:00:00+02:00"
    assert day_two["rooms"]["Room 17"][0]["duration"] == "01:15"


def test_output_is_deterministic_whatever_the_entry_order() -> None:
    sample, entries = hostile_sample()
    first = schedule_document(sample.event, None, entries, LINKS)
    again = schedule_document(sample.event, None, entries[::-1], LINKS)
    assert schedule_xml(first) == schedule_xml(again)
    assert schedule_json(first) == schedule_json(again)


# --- over HTTP -------------------------------------------------------------------------------------


def http_talks(client: FlaskClient) -> dict[str, dict[str, Any]]:
    return {t["url"].rsplit("/", 1)[1]: t for t in talks(client.get("/schedule.json").get_json())}


@pytest.mark.db
def test_served_files_are_valid_and_hold_the_published_version_only(
    agenda_client: FlaskClient, xsd: xmlschema.XMLSchema, json_validator: jsonschema.Draft6Validator
) -> None:
    xml = agenda_client.get("/schedule.xml")
    assert xml.mimetype == "application/xml"
    xsd.validate(xml.get_data(as_text=True))
    served = agenda_client.get("/schedule.json")
    assert served.mimetype == "application/json"
    json_validator.validate(served.get_json())
    for body in (xml.get_data(as_text=True), served.get_data(as_text=True)):
        assert DRAFT_ONLY_TITLE not in body
    by_key = http_talks(agenda_client)
    assert sorted(by_key) == ["s-c1", "s-close", "s-hostile", "s-open"]
    assert by_key["s-c1"]["date"] == "2025-07-08T10:00:00+02:00"  # the draft moves it; apps must not see that
    assert by_key["s-hostile"]["persons"][0]["name"] == HOSTILE_SPEAKER
    assert served.get_json()["schedule"]["version"] == "1"
    etag = served.headers["ETag"]
    assert agenda_client.get("/schedule.json", headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.db
def test_ids_survive_reimport_and_republish(agenda_client: FlaskClient, engine: Engine) -> None:
    before = http_talks(agenda_client)
    with transaction(engine) as db:
        import_problem(db, SMALL_PROBLEM)
    publish_next(engine, REPLAN)
    after = http_talks(agenda_client)
    assert "s-hostile" not in after  # dropped by the re-plan; apps report it gone
    for key in ("s-open", "s-c1", "s-close"):
        assert (after[key]["id"], after[key]["guid"]) == (before[key]["id"], before[key]["guid"])
    assert after["s-c1"]["date"] == "2025-07-09T11:00:00+02:00"


@pytest.mark.db
@pytest.mark.slow
def test_the_whole_sample_event_is_valid(
    database_url: str, engine: Engine, xsd: xmlschema.XMLSchema, json_validator: jsonschema.Draft6Validator
) -> None:
    _, schedule = publish_sample_event(engine)
    client = create_app({"TESTING": True, "DATABASE_URL": database_url}).test_client()
    xsd.validate(client.get("/schedule.xml").get_data(as_text=True))
    document = client.get("/schedule.json").get_json()
    json_validator.validate(document)
    assert len(talks(document)) == len(schedule.assignments)
