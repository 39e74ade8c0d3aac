"""Calendar feeds people subscribe to: the whole agenda, a day, a track, a room, a speaker, a session.

Each feed is the latest published version as it stands (live changes included) filtered one way,
built by `scheduler.ical` and served through the response cache with an ETag, so calendar apps
polling every hour mostly get `304 Not Modified`. An id the published agenda does not know is a
404, never an empty calendar that would hide a typo.

Pages offer the feeds through the `feeds/_subscribe.html` macro, which calls `subscribe_links`.
Personal feeds (remote participation) build their body with `scheduler.ical.build_calendar` and
serve it with `calendar_response`, so every feed follows the same rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from urllib.parse import quote

from flask import Blueprint, Response, abort, has_request_context
from flask_babel import gettext

from scheduler.effective import NOTE_TEXTS, AgendaEntry
from scheduler.ical import FeedTexts, build_calendar, feed_info
from webapp.conditional import conditional_response
from webapp.feed_data import published_now, session_page_url, uid_host
from webapp.formatting import long_date
from webapp.i18n import DEFAULT_LANGUAGE, PARAMETER, select_locale
from webapp.pages import current_programme, published
from webapp.programme import Programme

bp = Blueprint("feeds", __name__)

CALENDAR_MIMETYPE = "text/calendar"
GOOGLE_ADD_BY_URL = "https://calendar.google.com/calendar/r?cid="


@bp.app_template_global()
def subscribe_links(url: str) -> dict[str, str]:
    """Ways to take a feed at absolute `url`: subscribe (webcal), Google's add-by-URL, download."""
    if has_request_context() and select_locale() != DEFAULT_LANGUAGE:  # in the page's language
        url += ("&" if "?" in url else "?") + f"{PARAMETER}={select_locale()}"
    webcal = "webcal://" + url.split("://", 1)[-1]
    return {"webcal": webcal, "https": url, "google": GOOGLE_ADD_BY_URL + quote(webcal, safe="")}


def calendar_response(body: bytes, last_modified: datetime | None, private: bool = False) -> Response:
    return conditional_response(body, CALENDAR_MIMETYPE, last_modified, private=private)


def feed_texts() -> FeedTexts:
    """The words of a feed in this request's language."""
    return FeedTexts(
        speakers=gettext("Speakers: %(names)s"),
        organizers=gettext("Organizers: %(names)s"),
        tracks=gettext("Tracks: %(names)s"),
        interpretation=gettext("Interpretation: %(languages)s"),
        join=gettext("Join online: %(url)s"),
        join_label=gettext("Join online"),
        alarm=gettext("%(title)s starts soon"),
        notes={kind: gettext(text) for kind, text in NOTE_TEXTS.items()},
    )


def calendar_name(event_name: str, title: str) -> str:
    return gettext("%(event)s: %(title)s", event=event_name, title=title)


def _calendar(title: str | None, keep: Callable[[AgendaEntry], bool]) -> Response:
    agenda = published_now()
    event = agenda.event
    name = calendar_name(event.name, title) if title else event.name
    chosen: Iterable[AgendaEntry] = [e for e in agenda.entries if keep(e)]
    body = build_calendar(feed_info(event, name, uid_host(), feed_texts()), chosen, session_page_url)
    return Response(body, mimetype=CALENDAR_MIMETYPE)


def _feed(
    title: Callable[[Programme], str | None], keep: Callable[[AgendaEntry], bool], unknown: str
) -> Response:
    """The entries `keep` chooses, in a calendar named `title(programme)`: None there is a 404.

    Ids are checked against the pages' cached snapshot first, so a feed exists exactly when its
    page does, and an unknown id costs no database work.
    """
    programme = current_programme()
    name = title(programme) if programme is not None else None
    if name is None:
        abort(404, description=unknown)
    return _calendar(name, keep)


@bp.get("/calendar/agenda.ics")
@published()
def agenda() -> Response:
    return _calendar(None, lambda _: True)


@bp.get("/calendar/day/<day>.ics")
@published()
def day(day: str) -> Response:
    try:
        wanted = date.fromisoformat(day)
    except ValueError:
        abort(404, description=gettext("%(day)s is not a date (YYYY-MM-DD).", day=repr(day)))
    return _feed(
        lambda p: long_date(wanted) if p.day(wanted) else None,
        lambda e: e.start.date() == wanted,
        gettext("The event has no day %(day)s.", day=day),
    )


@bp.get("/calendar/track/<path:track>.ics")
@published()
def track(track: str) -> Response:
    return _feed(
        lambda p: track if track in p.tracks else None,
        lambda e: track in e.session.tracks,
        gettext("No published session is in track %(track)s.", track=repr(track)),
    )


@bp.get("/calendar/room/<key>.ics")
@published()
def room(key: str) -> Response:
    return _feed(
        lambda p: found.name if (found := p.room(key)) else None,
        lambda e: e.room.key == key,
        gettext("No room %(room)s.", room=repr(key)),
    )


@bp.get("/calendar/speaker/<key>.ics")
@published()
def speaker(key: str) -> Response:
    return _feed(
        lambda p: found.person.name if (found := p.speaker(key)) else None,
        lambda e: any(s.key == key for s in e.session.speakers),
        gettext("No published session has speaker %(speaker)s.", speaker=repr(key)),
    )


@bp.get("/sessions/<key>.ics")
@published()
def session(key: str) -> Response:
    return _feed(
        lambda p: found.title if (found := p.session(key)) else None,
        lambda e: e.session.key == key,
        gettext("No published session %(session)s.", session=repr(key)),
    )
