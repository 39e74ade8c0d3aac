"""`/api/v1/`: the published agenda as JSON, for apps, signage and other sites.

Read-only and public: the latest published version only, as it stands after the team's live
changes (the same snapshot the pages show), times in ISO 8601 with the event's UTC offset, ids as
in the problem file. Every response goes through the one response cache (`webapp.pages.published`)
with a body-hash ETag, so clients revalidate with `If-None-Match`; CORS is open because nothing
here is private and nothing can be changed. Errors are JSON too: `{"error", "status", "message"}`.
The OpenAPI document at `/api/v1/openapi.json` (`webapp.openapi`) describes exactly these routes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar

from flask import Blueprint, Response, abort, request, url_for
from werkzeug.exceptions import HTTPException, default_exceptions

from webapp.changelog import ChangeView, Placement, VersionNotes, load_changelog
from webapp.conditional import conditional_response
from webapp.db import get_db
from webapp.filters import Filters
from webapp.openapi import SESSION_FILTERS, openapi_document
from webapp.pages import current_programme, published
from webapp.programme import DayView, PersonView, Programme, RoomView, SessionView

bp = Blueprint("api", __name__, url_prefix="/api/v1")

Json = dict[str, Any]
T = TypeVar("T")

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "If-None-Match, If-Modified-Since",
    "Access-Control-Expose-Headers": "ETag, Last-Modified",
    "Access-Control-Max-Age": "86400",
}


@bp.after_request
def allow_any_origin(response: Response) -> Response:
    response.headers.update(CORS_HEADERS)
    return response


def json_error(error: HTTPException) -> tuple[Response, int]:
    status = error.code or 500
    body = {"error": error.name, "status": status, "message": error.description or error.name}
    return Response(_dumps(body), mimetype="application/json"), status


# Registered for each status code: Flask prefers the site's per-code HTML pages to a class handler.
for _code in default_exceptions:
    bp.register_error_handler(_code, json_error)


def _dumps(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


def _reply(data: object) -> Response:
    return Response(_dumps(data), mimetype="application/json")


def _or_404(found: T | None, message: str) -> T:
    if found is None:
        abort(404, description=message)
    return found


def _programme() -> Programme:
    return _or_404(current_programme(), "No agenda has been published yet.")


def _iso(moment: datetime) -> str:
    return moment.isoformat()


# --- representations ---------------------------------------------------------------------------------


def _room_ref(room: RoomView) -> Json:
    return {"id": room.key, "name": room.name}


def _person(person: PersonView) -> Json:
    return {"id": person.key, "name": person.name, "role": person.role, "affiliation": person.affiliation}


def _session(session: SessionView) -> Json:
    return {
        "id": session.key,
        "title": session.title,
        "abstract": session.abstract,
        "type": session.type,
        "status": session.status,
        "notes": [note.kind for note in session.notes],
        "delay_minutes": session.delay_minutes,
        "day": session.day.isoformat(),
        "start": _iso(session.start),
        "end": _iso(session.end),
        "scheduled_start": _iso(session.scheduled_start),
        "scheduled_end": _iso(session.scheduled_end),
        "started_at": _iso(session.started_at) if session.started_at else None,
        "ended_at": _iso(session.ended_at) if session.ended_at else None,
        "duration_minutes": session.minutes,
        "room": _room_ref(session.room),
        "hybrid": session.hybrid,
        "tracks": list(session.tracks),
        "speakers": [_person(p) for p in session.speakers],
        "organizers": list(session.organizers),
        "interpretation": list(session.interpretation),
        "url": url_for("agenda.session", key=session.key, _external=True),
        "calendar": url_for("feeds.session", key=session.key, _external=True),
    }


def _day(day: DayView, programme: Programme) -> Json:
    return {
        "date": day.date.isoformat(),
        "opens": _iso(day.opens),
        "closes": _iso(day.closes),
        "breaks": [{"start": _iso(b.start), "end": _iso(b.end), "label": b.label} for b in day.breaks],
        "sessions": programme.day_counts[day.date],
        "url": url_for("agenda.day", day=day.date.isoformat(), _external=True),
        "calendar": url_for("feeds.day", day=day.date.isoformat(), _external=True),
    }


def _room(room: RoomView, programme: Programme) -> Json:
    return {
        **_room_ref(room),
        "capacity": room.capacity,
        "features": list(room.features),
        "interpretation_booths": room.interpretation_booths,
        "hybrid": room.hybrid,
        "sessions": programme.room_counts[room.key],
        "url": url_for("agenda.room", key=room.key, _external=True),
        "calendar": url_for("feeds.room", key=room.key, _external=True),
    }


def _speaker(person: PersonView, sessions: Iterable[SessionView]) -> Json:
    return {
        **_person(person),
        "bio": person.bio,
        "photo": person.photo,
        "sessions": [s.key for s in sessions],
        "url": url_for("speakers.profile", key=person.key, _external=True),
        "calendar": url_for("feeds.speaker", key=person.key, _external=True),
    }


def _placement(placement: Placement | None) -> Json | None:
    if placement is None:
        return None
    return {"room": placement.room, "start": _iso(placement.start), "end": _iso(placement.end)}


def _change(change: ChangeView) -> Json:
    return {
        "kind": change.kind,
        "session": change.session_key,
        "title": change.title,
        "before": _placement(change.before),
        "after": _placement(change.after),
    }


def _version(notes: VersionNotes) -> Json:
    return {
        "number": notes.number,
        "published_at": _iso(notes.published_at),
        "note": notes.note,
        "changes": [_change(c) for c in notes.changes],
    }


# --- session filters ---------------------------------------------------------------------------------


def _session_filter(args: Mapping[str, str]) -> tuple[Filters, date | None, str]:
    """The sessions query's filters; an unknown parameter or a malformed day is a 400."""
    unknown = sorted(set(args) - set(SESSION_FILTERS))
    if unknown:
        known = ", ".join(SESSION_FILTERS)
        abort(400, description=f"Unknown parameter(s) {', '.join(unknown)}; the filters are {known}.")
    day = None
    if args.get("day"):
        try:
            day = date.fromisoformat(args["day"])
        except ValueError:
            abort(400, description=f"day={args['day']!r} is not a date (YYYY-MM-DD).")
    filters = Filters(
        track=args.get("track", ""),
        type=args.get("type", ""),
        room=args.get("room", ""),
        language=args.get("language", ""),
        query=" ".join(args.get("q", "").split()),
    )
    return filters, day, args.get("speaker", "")


def _matches(session: SessionView, filters: Filters, day: date | None, speaker: str) -> bool:
    return (
        filters.matches(session)
        and (day is None or session.day == day)
        and (not speaker or any(p.key == speaker for p in session.speakers))
    )


# --- routes ------------------------------------------------------------------------------------------


@bp.get("/openapi.json")
def openapi() -> Response:
    return conditional_response(_dumps(openapi_document()), "application/json")


@bp.get("/event")
@published()
def event() -> Response:
    p = _programme()
    data = {
        "name": p.name,
        "slug": p.slug,
        "venue": p.venue,
        "timezone": p.timezone,
        "start": p.days[0].date.isoformat() if p.days else None,
        "end": p.days[-1].date.isoformat() if p.days else None,
        "version": p.version_number,
        "published_at": _iso(p.published_local) if p.published_local else None,
        "url": url_for("agenda.home", _external=True),
        "calendar": url_for("feeds.agenda", _external=True),
        "schedule_xml": url_for("schedule_apps.xml", _external=True),
        "schedule_json": url_for("schedule_apps.json", _external=True),
    }
    return _reply(data)


@bp.get("/days")
@published()
def days() -> Response:
    p = _programme()
    return _reply([_day(d, p) for d in p.days])


@bp.get("/rooms")
@published()
def rooms() -> Response:
    p = _programme()
    return _reply([_room(r, p) for r in p.rooms])


@bp.get("/tracks")
@published()
def tracks() -> Response:
    p = _programme()
    data = [
        {
            "name": track,
            "sessions": p.track_counts[track],
            "url": url_for("agenda.track", track=track, _external=True),
            "calendar": url_for("feeds.track", track=track, _external=True),
        }
        for track in p.tracks
    ]
    return _reply(data)


@bp.get("/sessions")
@published(SESSION_FILTERS, strict=True)
def sessions() -> Response:
    p = _programme()
    filters, day, speaker = _session_filter(request.args)
    return _reply([_session(s) for s in p.sessions if _matches(s, filters, day, speaker)])


@bp.get("/sessions/<key>")
@published()
def session(key: str) -> Response:
    p = _programme()
    found = _or_404(p.session(key), f"No published session {key!r}.")
    return _reply(_session(found))


@bp.get("/speakers")
@published()
def speakers() -> Response:
    p = _programme()
    return _reply([_speaker(s.person, s.sessions) for s in p.speakers])


@bp.get("/speakers/<key>")
@published()
def speaker(key: str) -> Response:
    p = _programme()
    found = _or_404(p.speaker(key), f"No published session has speaker {key!r}.")
    data = _speaker(found.person, found.sessions) | {"sessions": [_session(s) for s in found.sessions]}
    return _reply(data)


@bp.get("/versions")
@published()
def versions() -> Response:
    p = _programme()
    return _reply([_version(v) for v in load_changelog(get_db(), p)])
