"""What machine-readable feeds read: the latest published version's entries, and built bodies per version.

Calendar and schedule apps poll; building a whole-agenda feed takes most of a second, so each
body is built once per (event import, published version, URL) and kept in a bounded cache.
Only published versions are ever read (`scheduler.agenda.latest_published`): drafts cannot leak.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask import Response, abort, current_app, request, url_for

from scheduler.agenda import entries, latest_published
from scheduler.ical import DEFAULT_UID_HOST
from scheduler.models import Event, PublishedEntry, ScheduleVersion
from webapp.conditional import conditional_response
from webapp.db import get_db
from webapp.pages import CachedPage, PageCache, site_event

BODIES_CACHED = 512


@dataclass(frozen=True)
class Published:
    """The site's event and the version the public sees, with its entries (cancelled ones included)."""

    event: Event
    version: ScheduleVersion
    entries: Sequence[PublishedEntry]


def _latest_or_404() -> tuple[Event, ScheduleVersion]:
    db = get_db()
    event = site_event(db)
    version = latest_published(db, event) if event is not None else None
    if event is None or version is None:
        abort(404, description="No agenda has been published yet.")
    return event, version


def cached_response(build: Callable[[Published], bytes], mimetype: str) -> Response:
    """`build(published)` for this URL, built once per published version, as a conditional response.

    Last-Modified is the version's publication time: a session dropped from a feed changes the
    feed although no remaining entry changed.
    """
    event, version = _latest_or_404()
    # imported_at: a re-import edits titles and names in place under the same version. No query
    # string: feeds take none, and it must not let anyone fill the cache with copies.
    key = (f"{event.id}-{version.id}-{event.imported_at.isoformat()}", request.base_url)
    bodies = _bodies()
    page = bodies.get(key)
    if page is None:
        page = CachedPage(build(Published(event, version, entries(get_db(), version))), 200, mimetype)
        bodies.put(key, page)
    return conditional_response(page.body, page.mimetype, version.published_at)


def _bodies() -> PageCache:
    """The app's cache of built bodies: one per app, so apps on different databases never share."""
    return current_app.extensions.setdefault("feed_bodies", PageCache(size=BODIES_CACHED))


def uid_host() -> str:
    """The host part of calendar UIDs: a configured constant, never the request's host."""
    return current_app.config.get("AGENDA_UID_HOST") or DEFAULT_UID_HOST


def session_page_url(session_key: str) -> str:
    return url_for("agenda.session", key=session_key, _external=True)
