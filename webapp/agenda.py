"""The public agenda: days as a timetable grid or a list, sessions, rooms, tracks and the changelog.

Every page goes through `published_page`, so it shows the latest published version only, as it
stands after the team's live changes, and is rendered once per state of the agenda. Filters and
search come from GET parameters (see `webapp.filters`).
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, render_template, request, url_for

from scheduler.joinlinks import offers_online
from scheduler.xmltext import xml_safe
from webapp import errors, formatting, pages
from webapp.changelog import load_changelog
from webapp.db import get_db
from webapp.filters import PARAMS, Filters
from webapp.participation import join_provider
from webapp.programme import DayView, Programme, RoomView, SessionView, sessions_by_day
from webapp.timetable import day_layout, extent, layout

bp = Blueprint("agenda", __name__)
formatting.register(bp)
errors.register(bp)
bp.record_once(lambda state: pages.init_app(state.app))

PARALLEL_LIMIT = 12


def _day_or_404(programme: Programme, day: str) -> DayView:
    try:
        wanted = date.fromisoformat(day)
    except ValueError:
        abort(404)
    found = programme.day(wanted)
    if found is None:
        abort(404)
    return found


def _grid_rooms(programme: Programme, shown: list[SessionView]) -> list[RoomView]:
    """A filtered day's columns: only the rooms with matches (an unfiltered day shows them all)."""
    used = {s.room.key for s in shown}
    return [room for room in programme.rooms if room.key in used]


@bp.get("/")
@pages.published_page()
def home(programme: Programme) -> str:
    return render_template("agenda/home.html", programme=programme, counts=programme.day_counts)


@bp.get("/day/<day>")
@pages.published_page((*PARAMS, "view"))
def day(programme: Programme, day: str) -> str:
    shown_day = _day_or_404(programme, day)
    filters = Filters.from_args(request.args)
    view = "list" if request.args.get("view") == "list" else "grid"
    on_day = programme.sessions_on(shown_day.date)
    matching = filters.apply(on_day)
    timetable = None
    if view == "grid" and not filters.active:
        timetable = day_layout(programme, shown_day)
    elif view == "grid":
        live = [s for s in matching if not s.cancelled]
        timetable = layout(shown_day, _grid_rooms(programme, live), live, fit=True)
    return render_template(
        "agenda/day.html",
        programme=programme,
        day=shown_day,
        view=view,
        filters=filters,
        sessions=matching,
        total=programme.day_counts[shown_day.date],
        timetable=timetable,
    )


@bp.get("/timetable.css")
@pages.published()
def timetable_css() -> Response:
    """The classes that place the day grids' items (see `webapp.timetable`), for this agenda."""
    programme = pages.current_programme()
    assert programme is not None  # `published` answers before the first publication
    slots, columns = extent(programme)
    css = render_template("agenda/timetable.css", slots=slots, columns=columns)
    return Response(css, mimetype="text/css")


@bp.get("/sessions")
@pages.published_page(PARAMS)
def sessions(programme: Programme) -> str:
    filters = Filters.from_args(request.args)
    matching = filters.apply(programme.sessions)
    return render_template(
        "agenda/sessions.html",
        programme=programme,
        filters=filters,
        count=len(matching),
        groups=sessions_by_day(matching),
    )


@bp.get("/sessions/<key>")
@pages.published_page()
def session(programme: Programme, key: str) -> str:
    shown = programme.session(key)
    if shown is None:
        abort(404)
    parallel = [
        s for s in programme.live_sessions if s.key != key and s.start < shown.end and shown.start < s.end
    ]
    online = offers_online(join_provider(), shown.key, shown.room.key)
    return render_template(
        "agenda/session.html",
        programme=programme,
        entry=shown,
        parallel=parallel[:PARALLEL_LIMIT],
        online=online,
    )


@bp.get("/rooms")
@pages.published_page()
def rooms(programme: Programme) -> str:
    return render_template("agenda/rooms.html", programme=programme, counts=programme.room_counts)


@bp.get("/rooms/<key>")
@pages.published_page()
def room(programme: Programme, key: str) -> str:
    shown = programme.room(key)
    if shown is None:
        abort(404)
    in_room = [s for s in programme.sessions if s.room.key == key]
    return render_template(
        "agenda/room.html", programme=programme, room=shown, groups=sessions_by_day(in_room)
    )


@bp.get("/tracks")
@pages.published_page()
def tracks(programme: Programme) -> str:
    return render_template("agenda/tracks.html", programme=programme, counts=programme.track_counts)


@bp.get("/tracks/<path:track>")
@pages.published_page()
def track(programme: Programme, track: str) -> str:
    if track not in programme.tracks:
        abort(404)
    in_track = [s for s in programme.sessions if track in s.tracks]
    return render_template(
        "agenda/track.html", programme=programme, track=track, groups=sessions_by_day(in_track)
    )


@bp.get("/changes")
@pages.published_page()
def changes(programme: Programme) -> str:
    return render_template(
        "agenda/changes.html", programme=programme, versions=load_changelog(get_db(), programme)
    )


@bp.get("/changes.atom")
@pages.published_page()
def changes_feed(programme: Programme) -> Response:
    versions = load_changelog(get_db(), programme)
    feed_url = url_for("agenda.changes_feed", _external=True)
    body = render_template(
        "agenda/changes.atom.xml", programme=programme, versions=versions, feed_url=feed_url
    )
    # Escaping cannot carry control characters into XML 1.0; only data can hold them, so drop them.
    return Response(xml_safe(body), mimetype="application/atom+xml")
