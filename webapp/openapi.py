"""The OpenAPI 3.1 description of `/api/v1/`, served at `/api/v1/openapi.json`.

Written out here rather than generated, so it reads as documentation; tests check that it is a
valid OpenAPI document, that its paths are exactly the API's routes, and that real responses
validate against its schemas.
"""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]

API_VERSION = "1.0.0"


def _ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: Json) -> Json:
    return {"anyOf": [schema, {"type": "null"}]}


def _object(properties: Json, description: str = "") -> Json:
    schema: Json = {"type": "object", "required": list(properties), "properties": properties}
    if description:
        schema["description"] = description
    return schema


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
STRINGS = {"type": "array", "items": STRING}
DATE = {"type": "string", "format": "date"}
DATE_TIME = {"type": "string", "format": "date-time", "description": "ISO 8601 with the UTC offset"}
URI = {"type": "string", "format": "uri"}
PAGE_AND_FEED = {"url": URI, "calendar": URI}
PARAGRAPHS = {"type": "string", "description": "Plain text; paragraphs are separated by a blank line"}
AFFILIATION = {"type": "string", "description": "Organisation or delegation; empty when not given"}
# What the public may read about a speaker beyond the name (never their e-mail address).
SPEAKER_PROFILE = {
    "bio": {**PARAGRAPHS, "description": "A short biography; empty when not given"},
    "photo": _nullable({**URI, "description": "An https:// URL of a portrait"}),
}

# The sessions list's query parameters, in the order the documentation lists them.
SESSION_FILTER_HELP = {
    "day": ("Only sessions on this day (YYYY-MM-DD, the event's local date).", DATE),
    "track": ("Only sessions in this track (exact name, e.g. `C1`).", STRING),
    "type": ("Only sessions of this type (e.g. `workshop`).", STRING),
    "room": ("Only sessions in this room (room id).", STRING),
    "language": ("Only sessions interpreted into this language (code, e.g. `fr`).", STRING),
    "speaker": ("Only sessions with this speaker (speaker id).", STRING),
    "q": ("Words that must all appear in the title, speakers or organizers (any case).", STRING),
}
SESSION_FILTERS = tuple(SESSION_FILTER_HELP)

SCHEMAS: Json = {
    "Error": _object({"error": STRING, "status": INTEGER, "message": STRING}),
    "RoomRef": _object({"id": STRING, "name": STRING}),
    "Person": _object({"id": STRING, "name": STRING, "role": _nullable(STRING), "affiliation": AFFILIATION}),
    "Event": _object(
        {
            "name": STRING,
            "slug": STRING,
            "venue": STRING,
            "timezone": {"type": "string", "description": "IANA time zone of every local time"},
            "start": _nullable(DATE),
            "end": _nullable(DATE),
            "version": {"type": "integer", "description": "The published version shown"},
            "published_at": _nullable(DATE_TIME),
            "url": URI,
            "calendar": URI,
            "schedule_xml": URI,
            "schedule_json": URI,
        }
    ),
    "Break": _object({"start": DATE_TIME, "end": DATE_TIME, "label": STRING}),
    "Day": _object(
        {
            "date": DATE,
            "opens": DATE_TIME,
            "closes": DATE_TIME,
            "breaks": {"type": "array", "items": _ref("Break")},
            "sessions": {"type": "integer", "description": "Sessions taking place (not cancelled)"},
            **PAGE_AND_FEED,
        }
    ),
    "Room": _object(
        {
            "id": STRING,
            "name": STRING,
            "capacity": INTEGER,
            "features": STRINGS,
            "interpretation_booths": INTEGER,
            "hybrid": BOOLEAN,
            "sessions": INTEGER,
            **PAGE_AND_FEED,
        }
    ),
    "Track": _object({"name": STRING, "sessions": INTEGER, **PAGE_AND_FEED}),
    "Session": _object(
        {
            "id": STRING,
            "title": STRING,
            "abstract": {**PARAGRAPHS, "description": "What the session is about; empty when not given"},
            "type": STRING,
            "status": {
                "type": "string",
                "enum": ["scheduled", "delayed", "started", "ended", "cancelled"],
                "description": "What the programme team said today; `scheduled` when nothing",
            },
            "notes": {
                "type": "array",
                "items": {
                    "type": "string",
                    "enum": ["delayed", "cancelled", "started_early", "started", "ended_early", "ended"],
                },
                "description": "What happened, in reading order (pages say e.g. \"Delayed by 20 min\")",
            },
            "delay_minutes": {**INTEGER, "description": "The announced delay (0: on time)"},
            "day": DATE,
            "start": {**DATE_TIME, "description": "When it starts now: the published start plus any delay"},
            "end": {**DATE_TIME, "description": "When it ends now: the published end plus any delay"},
            "scheduled_start": {**DATE_TIME, "description": "The start in the published version"},
            "scheduled_end": {**DATE_TIME, "description": "The end in the published version"},
            "started_at": _nullable({**DATE_TIME, "description": "When the team marked it started"}),
            "ended_at": _nullable({**DATE_TIME, "description": "When the team marked it ended"}),
            "duration_minutes": INTEGER,
            "room": _ref("RoomRef"),
            "hybrid": BOOLEAN,
            "tracks": STRINGS,
            "speakers": {"type": "array", "items": _ref("Person")},
            "organizers": STRINGS,
            "interpretation": {**STRINGS, "description": "Interpreted language codes (ar zh en fr ru es)"},
            **PAGE_AND_FEED,
        },
        "A session as it stands after the programme team's changes of the day. A session a "
        "publication dropped stays listed as cancelled for one published version, then disappears.",
    ),
    "Speaker": _object(
        {
            "id": STRING,
            "name": STRING,
            "role": _nullable(STRING),
            "affiliation": AFFILIATION,
            **SPEAKER_PROFILE,
            "sessions": {**STRINGS, "description": "Session ids"},
            **PAGE_AND_FEED,
        }
    ),
    "SpeakerDetail": _object(
        {
            "id": STRING,
            "name": STRING,
            "role": _nullable(STRING),
            "affiliation": AFFILIATION,
            **SPEAKER_PROFILE,
            "sessions": {"type": "array", "items": _ref("Session")},
            **PAGE_AND_FEED,
        }
    ),
    "Placement": _object({"room": STRING, "start": DATE_TIME, "end": DATE_TIME}),
    "Change": _object(
        {
            "kind": {"type": "string", "enum": ["new", "moved", "cancelled"]},
            "session": STRING,
            "title": STRING,
            "before": _nullable(_ref("Placement")),
            "after": _nullable(_ref("Placement")),
        }
    ),
    "Version": _object(
        {
            "number": INTEGER,
            "published_at": DATE_TIME,
            "note": STRING,
            "changes": {"type": "array", "items": _ref("Change")},
        }
    ),
}


def _json(schema: Json, description: str) -> Json:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERROR_RESPONSES = {
    "304": {"description": "Not modified: the `If-None-Match` or `If-Modified-Since` validators still hold"},
    "404": _json(_ref("Error"), "Nothing published yet, or no such id"),
}


def _get(operation_id: str, summary: str, schema: Json, **extra: Any) -> Json:
    responses = {"200": _json(schema, summary), **ERROR_RESPONSES, **extra.pop("responses", {})}
    return {"get": {"operationId": operation_id, "summary": summary, "tags": ["agenda"],
                    "responses": responses, **extra}}


def _list_of(name: str) -> Json:
    return {"type": "array", "items": _ref(name)}


def _id_parameter(name: str, description: str) -> Json:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": STRING}


SESSION_PARAMETERS = [
    {"name": name, "in": "query", "required": False, "description": help_text, "schema": schema}
    for name, (help_text, schema) in SESSION_FILTER_HELP.items()
]

PATHS: Json = {
    "/api/v1/event": _get("getEvent", "The event and the published version shown", _ref("Event")),
    "/api/v1/days": _get("listDays", "The event's days with opening hours and breaks", _list_of("Day")),
    "/api/v1/rooms": _get("listRooms", "The rooms", _list_of("Room")),
    "/api/v1/tracks": _get("listTracks", "The tracks of published sessions", _list_of("Track")),
    "/api/v1/sessions": _get(
        "listSessions",
        "Published sessions in time order; filters combine (all must match)",
        _list_of("Session"),
        parameters=SESSION_PARAMETERS,
        responses={"400": _json(_ref("Error"), "An unknown parameter or a malformed day")},
    ),
    "/api/v1/sessions/{key}": _get(
        "getSession", "One published session", _ref("Session"),
        parameters=[_id_parameter("key", "The session id, e.g. `s-001`")],
    ),
    "/api/v1/speakers": _get("listSpeakers", "Speakers of published sessions, by name", _list_of("Speaker")),
    "/api/v1/speakers/{key}": _get(
        "getSpeaker", "One speaker with their sessions", _ref("SpeakerDetail"),
        parameters=[_id_parameter("key", "The speaker id, e.g. `sp-001`")],
    ),
    "/api/v1/versions": _get(
        "listVersions", "Published versions, newest first, each with what it changed", _list_of("Version")
    ),
    "/api/v1/openapi.json": {
        "get": {
            "operationId": "getOpenApi",
            "summary": "This document",
            "tags": ["meta"],
            "responses": {"200": _json({"type": "object"}, "The OpenAPI 3.1 document")},
        }
    },
}


def openapi_document() -> Json:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Published agenda API",
            "version": API_VERSION,
            "description": (
                "The latest published version of the event's agenda as it stands after the programme "
                "team's live changes (delays, cancellations), read-only. Local times carry the "
                "event's UTC offset. Responses have an ETag: send it back in `If-None-Match` to get a "
                "`304` while nothing changed. CORS is open to any origin."
            ),
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": "agenda"}, {"name": "meta"}],
        "paths": PATHS,
        "components": {"schemas": SCHEMAS},
    }
