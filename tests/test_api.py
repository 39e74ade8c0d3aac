"""`/api/v1/`: the OpenAPI document matches the routes and the responses, filters, errors, CORS, caching."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import jsonschema
import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate
from sqlalchemy import Engine

from scheduler.db import transaction
from scheduler.store import import_problem
from tests.agenda_data import DRAFT_ONLY_TITLE, HOSTILE_SPEAKER, HOSTILE_TITLE, SMALL_PROBLEM
from webapp import create_app

pytestmark = pytest.mark.db
pytest_plugins = ("tests.agenda_fixtures",)

PUBLISHED_KEYS = ["s-open", "s-c1", "s-hostile", "s-close"]


def api_paths(app: Flask) -> dict[str, set[str]]:
    """The app's /api/v1 routes in OpenAPI spelling (`<key>` -> `{key}`), with their methods."""
    paths: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            paths.setdefault(path, set()).update(m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
    return paths


def schema_validator(document: dict[str, Any], name: str) -> jsonschema.Draft202012Validator:
    """A validator for one component schema of the document, its `$ref`s resolved within it."""
    schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    validator = jsonschema.Draft202012Validator
    return validator(schema, format_checker=validator.FORMAT_CHECKER)


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.data
    return [s["id"] for s in response.get_json()]


# --- the OpenAPI document ----------------------------------------------------------------------------


def test_openapi_document_is_valid_and_documents_exactly_the_routes(agenda_client: FlaskClient) -> None:
    document = agenda_client.get("/api/v1/openapi.json").get_json()
    validate(document)
    routes = api_paths(agenda_client.application)
    documented = {path: {m for m in item if m != "parameters"} for path, item in document["paths"].items()}
    assert documented == routes


RESPONSES = {
    "/api/v1/event": "Event",
    "/api/v1/days": "Day",
    "/api/v1/rooms": "Room",
    "/api/v1/tracks": "Track",
    "/api/v1/sessions": "Session",
    "/api/v1/sessions/s-hostile": "Session",
    "/api/v1/speakers": "Speaker",
    "/api/v1/speakers/sp-4": "SpeakerDetail",
    "/api/v1/versions": "Version",
    "/api/v1/sessions/nope": "Error",
    "/api/v1/sessions?day=someday": "Error",
}


def test_responses_match_the_documented_schemas(agenda_client: FlaskClient) -> None:
    document = agenda_client.get("/api/v1/openapi.json").get_json()
    for url, name in RESPONSES.items():
        data = agenda_client.get(url).get_json()
        items = data if isinstance(data, list) else [data]
        assert items, url
        for item in items:
            schema_validator(document, name).validate(item)


# --- what the API says -------------------------------------------------------------------------------


def test_sessions_are_the_published_version_with_offsets(agenda_client: FlaskClient) -> None:
    sessions = agenda_client.get("/api/v1/sessions").get_json()
    assert [s["id"] for s in sessions] == PUBLISHED_KEYS
    assert DRAFT_ONLY_TITLE not in agenda_client.get("/api/v1/sessions").get_data(as_text=True)
    c1 = sessions[1]
    # The draft moves s-c1 to the 9th: the API must show the published time.
    assert (c1["start"], c1["end"]) == ("2025-07-08T10:00:00+02:00", "2025-07-08T10:45:00+02:00")
    assert datetime.fromisoformat(c1["start"]).utcoffset() is not None
    assert c1["room"] == {"id": "room-b", "name": "Room B"}
    assert c1["url"] == "http://localhost/sessions/s-c1"
    assert c1["calendar"] == "http://localhost/sessions/s-c1.ics"
    assert agenda_client.get("/api/v1/sessions/s-later").status_code == 404


def test_hostile_text_reads_back_exactly(agenda_client: FlaskClient) -> None:
    hostile = agenda_client.get("/api/v1/sessions/s-hostile").get_json()
    assert hostile["title"] == HOSTILE_TITLE
    assert hostile["speakers"][0] == {
        "id": "sp-4",
        "name": HOSTILE_SPEAKER,
        "role": "civil society",
        "affiliation": "",
    }
    assert agenda_client.get("/api/v1/speakers/sp-4").get_json()["name"] == HOSTILE_SPEAKER


FILTERS = {
    "day=2025-07-09": ["s-close"],
    "track=C1": ["s-c1"],
    "type=ceremony": ["s-open", "s-close"],
    "room=room-a": ["s-open", "s-close"],
    "language=fr": ["s-open", "s-c1", "s-close"],
    "speaker=sp-2": ["s-c1", "s-hostile"],
    "q=GOVERNMENTS": ["s-c1"],
    "q=привет": ["s-hostile"],
    "q=petrov иван": [],
    "q=Иван": ["s-c1"],
    "type=ceremony&day=2025-07-08": ["s-open"],
    "room=nope": [],
}


def test_session_filters(agenda_client: FlaskClient) -> None:
    for query, expected in FILTERS.items():
        assert ids(agenda_client.get(f"/api/v1/sessions?{query}")) == expected, query


def test_bad_filters_are_400_with_a_json_reason(agenda_client: FlaskClient) -> None:
    for query, words in {"day=2025-02-30": "not a date", "lang=fr": "Unknown parameter(s) lang"}.items():
        response = agenda_client.get(f"/api/v1/sessions?{query}")
        assert response.status_code == 400
        assert words in response.get_json()["message"]


def test_unknown_ids_are_404_json(agenda_client: FlaskClient) -> None:
    for url in ("/api/v1/sessions/nope", "/api/v1/speakers/nope", "/api/v1/speakers/sp-unused"):
        response = agenda_client.get(url)
        assert response.status_code == 404
        assert response.mimetype == "application/json"
        assert response.get_json()["status"] == 404
        assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_event_days_rooms_tracks_speakers(agenda_client: FlaskClient) -> None:
    event = agenda_client.get("/api/v1/event").get_json()
    assert (event["name"], event["timezone"], event["version"]) == ("Test Summit 2025", "Europe/Zurich", 1)
    assert event["calendar"] == "http://localhost/calendar/agenda.ics"
    days = agenda_client.get("/api/v1/days").get_json()
    assert [(d["date"], d["sessions"]) for d in days] == [("2025-07-08", 3), ("2025-07-09", 1)]
    assert days[0]["breaks"] == [
        {"start": "2025-07-08T12:30:00+02:00", "end": "2025-07-08T13:30:00+02:00", "label": "Lunch"}
    ]
    rooms = agenda_client.get("/api/v1/rooms").get_json()
    assert [(r["id"], r["sessions"], r["hybrid"]) for r in rooms] == [
        ("room-a", 2, True), ("room-b", 1, True), ("room-k", 1, False)
    ]
    tracks = agenda_client.get("/api/v1/tracks").get_json()
    assert {t["name"]: t["sessions"] for t in tracks} == {"WSIS+20 review": 2, "C1": 1, "C2": 1, "C10": 1}
    speakers = {s["id"]: s["sessions"] for s in agenda_client.get("/api/v1/speakers").get_json()}
    assert speakers == {"sp-1": ["s-open", "s-close"], "sp-2": ["s-c1", "s-hostile"],
                        "sp-3": ["s-c1"], "sp-4": ["s-hostile"]}


def test_versions_list_published_versions_only_with_changes(agenda_client: FlaskClient) -> None:
    [version] = agenda_client.get("/api/v1/versions").get_json()  # version 2 is a draft
    assert version["number"] == 1
    assert version["published_at"] == "2025-06-01T10:00:00+00:00"
    assert sorted(c["session"] for c in version["changes"]) == sorted(PUBLISHED_KEYS)
    assert {c["kind"] for c in version["changes"]} == {"new"}


# --- HTTP --------------------------------------------------------------------------------------------


def test_cors_is_open_on_the_api_only(agenda_client: FlaskClient) -> None:
    assert agenda_client.get("/api/v1/sessions").headers["Access-Control-Allow-Origin"] == "*"
    preflight = agenda_client.options(
        "/api/v1/sessions",
        headers={"Origin": "https://app.example", "Access-Control-Request-Headers": "If-None-Match"},
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    assert "ETag" in agenda_client.get("/api/v1/event").headers["Access-Control-Expose-Headers"]
    for url in ("/", "/calendar/agenda.ics", "/export/agenda.csv"):
        assert "Access-Control-Allow-Origin" not in agenda_client.get(url).headers, url


def test_responses_revalidate_with_their_etag(agenda_client: FlaskClient) -> None:
    first = agenda_client.get("/api/v1/sessions?track=C1")
    again = agenda_client.get("/api/v1/sessions?track=C1", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    other = agenda_client.get("/api/v1/sessions?track=C2", headers={"If-None-Match": first.headers["ETag"]})
    assert other.status_code == 200


def test_nothing_published_yet_is_a_json_404(database_url: str, engine: Engine) -> None:
    with transaction(engine) as db:
        import_problem(db, SMALL_PROBLEM)
    client = create_app({"TESTING": True, "DATABASE_URL": database_url}).test_client()
    response = client.get("/api/v1/sessions")
    assert response.status_code == 404
    assert response.get_json()["message"] == "No agenda has been published yet."
    assert client.get("/api/v1/openapi.json").status_code == 200
