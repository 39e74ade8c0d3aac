"""Which agenda the site shows, and the per-version page cache every public page goes through.

Only the latest *published* version is ever read: drafts cannot reach a page. A page's HTML
depends only on that version (and on the event's last import), so it is rendered once per
(version, URL) and served from memory after that, with an ETag naming the version so browsers
and proxies revalidate with a cheap 304.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Flask, Response, current_app, g, render_template, request
from sqlalchemy.orm import Session as DbSession

from scheduler.agenda import EventNotFound, find_event, latest_published
from scheduler.models import Event
from webapp.db import get_db
from webapp.programme import Programme, SnapshotCache

PageView = Callable[..., str | Response]


def site_event(db: DbSession) -> Event | None:
    """The event this site serves: `AGENDA_EVENT` (id or slug), else the only one stored."""
    if "agenda_event" not in g:
        try:
            g.agenda_event = find_event(db, current_app.config.get("AGENDA_EVENT") or None)
        except EventNotFound:
            g.agenda_event = None
    return g.agenda_event


def programme_of(db: DbSession, event: Event) -> Programme | None:
    """The latest published version of `event`, or None before its first publication."""
    version = latest_published(db, event)
    if version is None:
        return None
    return current_app.extensions["agenda_snapshots"].get(db, event, version)


def current_programme() -> Programme | None:
    """The latest published version of the site's event, or None before the first publication."""
    db = get_db()
    event = site_event(db)
    return programme_of(db, event) if event is not None else None


@dataclass(frozen=True, slots=True)
class CachedPage:
    body: bytes
    status: int
    mimetype: str


class PageCache:
    """Rendered pages by (version tag, URL); bounded, because query strings are visitor input."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._pages: OrderedDict[tuple[str, str], CachedPage] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> CachedPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: tuple[str, str], page: CachedPage) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self._size:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


def init_app(app: Flask) -> None:
    """Caches per app, not per process: two apps in one process (tests) never share an agenda."""
    app.extensions["agenda_snapshots"] = SnapshotCache()
    app.extensions["agenda_pages"] = PageCache()


def version_tag(programme: Programme) -> str:
    """Names the published content: changes whenever a version is published or the event re-imported."""
    return f"{programme.event_id}-{programme.version_number}-{programme.imported_at:%Y%m%d%H%M%S%f}"


def _render(view: PageView, programme: Programme, kwargs: dict[str, Any]) -> CachedPage:
    result = view(programme, **kwargs)
    response = result if isinstance(result, Response) else Response(result, mimetype="text/html")
    return CachedPage(response.get_data(), response.status_code, response.mimetype or "text/html")


def not_published() -> Response:
    response = Response(render_template("agenda/not_published.html"), mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    return response


def published_page(view: PageView) -> Callable[..., Response]:
    """Serve `view(programme, **url_values)` from the page cache, for the published agenda only."""

    @wraps(view)
    def wrapper(**kwargs: Any) -> Response:
        programme = current_programme()
        if programme is None:
            return not_published()
        tag = version_tag(programme)
        # The host too: feeds and links built with `_external` differ per host name.
        key = (tag, request.host + request.full_path)
        pages: PageCache = current_app.extensions["agenda_pages"]
        page = pages.get(key)
        if page is None:
            page = _render(view, programme, kwargs)
            pages.put(key, page)
        response = Response(page.body, status=page.status, mimetype=page.mimetype)
        response.set_etag(tag)
        # Always revalidate: a new publication must show at once, and a 304 costs almost nothing.
        response.headers["Cache-Control"] = "public, no-cache"
        return response.make_conditional(request)

    return wrapper
