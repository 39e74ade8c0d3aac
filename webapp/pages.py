"""Which agenda the site shows, and the one cache every public GET goes through.

Only the latest *published* version is ever read: drafts cannot reach a page. Every public page,
calendar feed, export, schedule file and API response depends only on the agenda's state
(`scheduler.effective.AgendaState`: the event's import, its published version and the programme
team's live changes), on its URL and on the interface language. `published` builds such a response
once per (state, host, path, language, the query parameters the view declares), keeps its bytes
with a SHA-256 ETag, and serves it from memory after that, or a bodiless 304 when the client's
ETag (or Last-Modified) still holds.

The state is read from the database on every request (one query), so a publication or a live
change made by any process or the command line shows at once, on every server process. The event
clock is not part of it: pages that change with the clock (Now & Next, join links) are not cached.

Query parameters a view does not declare never reach the key, so cache-busting URLs (`?x=1`,
`?x=2`, ...) share one entry; the cache is bounded in entries and in bytes.

A text body is also kept gzip-compressed, compressed once when it is cached: a client that accepts
gzip (every browser) gets those bytes, with their own ETag, and nginx, which compresses what comes
without a `Content-Encoding`, passes them on as they are. The WSIS+20 session list is 450 KB of
HTML and 30 KB compressed; compressing it for every request cost more than building it once.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC
from functools import wraps
from typing import Any

from flask import Flask, Response, abort, current_app, g, make_response, render_template, request
from sqlalchemy.orm import Session as DbSession

from scheduler.agenda import EventNotFound, find_event
from scheduler.effective import AgendaState, EventGone, agenda_state
from scheduler.models import Event
from webapp.conditional import body_etag
from webapp.db import get_db
from webapp.i18n import select_locale
from webapp.programme import Programme, SnapshotCache

PageView = Callable[..., str | Response]
NOT_PUBLISHED = "No agenda has been published yet."
# Response headers a cached response keeps (the body, status, type and validators are kept anyway).
KEPT_HEADERS = ("Content-Disposition",)
# Bodies kept gzip-compressed as well: text of at least this size (a workbook is compressed already).
GZIP_MIN_BYTES = 1024
GZIP_TYPES = ("text/", "application/json", "application/xml", "application/atom+xml")


def site_event(db: DbSession) -> Event | None:
    """The event this site serves: `AGENDA_EVENT` (id or slug), else the only one stored."""
    if "agenda_event" not in g:
        try:
            g.agenda_event = find_event(db, current_app.config.get("AGENDA_EVENT") or None)
        except EventNotFound:
            g.agenda_event = None
    return g.agenda_event


def current_state() -> AgendaState | None:
    """The site's agenda state for this request (read once per request); None before publication."""
    if "agenda_state" not in g:
        g.agenda_state = _site_state(get_db())
    return g.agenda_state


def _site_state(db: DbSession) -> AgendaState | None:
    """One query on the hot path: the state of the event this process found it serves before.

    Which event that is (`site_event`) is looked up again only when it is gone, or none was
    found yet, so a cached response costs a single query.
    """
    known = current_app.extensions.get("agenda_site_event_id")
    if known is not None:
        try:
            return agenda_state(db, known)
        except EventGone:
            current_app.extensions.pop("agenda_site_event_id", None)
    event = site_event(db)
    if event is None:
        return None
    current_app.extensions["agenda_site_event_id"] = event.id
    return agenda_state(db, event.id)


def _snapshot(db: DbSession, event: Event, state: AgendaState) -> Programme:
    return current_app.extensions["agenda_snapshots"].get(db, event, state)


def programme_of(db: DbSession, event: Event) -> Programme | None:
    """The agenda of `event` as it stands, or None before its first publication."""
    state = agenda_state(db, event.id)
    return _snapshot(db, event, state) if state is not None else None


def current_programme() -> Programme | None:
    """The site's agenda as it stands, or None before the first publication."""
    state = current_state()
    if state is None:
        return None
    db = get_db()
    event = site_event(db)
    assert event is not None  # a state exists only for an event
    return _snapshot(db, event, state)


# --- the response cache ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CachedResponse:
    body: bytes
    status: int
    mimetype: str
    etag: str
    headers: tuple[tuple[str, str], ...] = ()
    gzipped: bytes | None = None  # the body compressed, for clients that accept gzip

    @classmethod
    def of(cls, response: Response) -> CachedResponse:
        body = response.get_data()
        kept = tuple((name, response.headers[name]) for name in KEPT_HEADERS if name in response.headers)
        mimetype = response.mimetype or "text/html"
        compress = len(body) >= GZIP_MIN_BYTES and mimetype.startswith(GZIP_TYPES)
        # mtime=0: the same body always compresses to the same bytes, on every process.
        gzipped = gzip.compress(body, compresslevel=6, mtime=0) if compress else None
        return cls(body, response.status_code, mimetype, body_etag(body), kept, gzipped)

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped or b"")


Key = tuple[str, ...]


class ResponseCache:
    """Built responses by (state, host, path, declared parameters): an LRU bounded in entries and bytes."""

    def __init__(self, entries: int = 512, max_bytes: int = 64 * 2**20) -> None:
        self._entries = entries
        self._max_bytes = max_bytes
        self._bytes = 0
        self._items: OrderedDict[Key, CachedResponse] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Key) -> CachedResponse | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Key, item: CachedResponse) -> None:
        if item.size > self._max_bytes:
            return
        with self._lock:
            previous = self._items.pop(key, None)
            if previous is not None:
                self._bytes -= previous.size
            self._items[key] = item
            self._bytes += item.size
            while len(self._items) > self._entries or self._bytes > self._max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= dropped.size

    def __len__(self) -> int:
        return len(self._items)

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


def init_app(app: Flask) -> None:
    """Caches per app, not per process: two apps in one process (tests) never share an agenda."""
    app.extensions["agenda_snapshots"] = SnapshotCache()
    app.extensions["agenda_responses"] = ResponseCache(max_bytes=int(app.config["RESPONSE_CACHE_MB"] * 2**20))


def _key(state: AgendaState, params: tuple[str, ...]) -> Key:
    # The host too: feeds and links built with `_external` differ per host name.
    # And the interface language, whichever way it was chosen (URL, cookie or Accept-Language).
    chosen = [f"{name}={request.args[name]}" for name in params if name in request.args]
    return (state.tag, request.host, request.path, select_locale(), *chosen)


def _serve(cached: CachedResponse, state: AgendaState) -> Response:
    compressed = cached.gzipped is not None and request.accept_encodings["gzip"] > 0
    body = cached.gzipped if compressed else cached.body
    response = Response(body, status=cached.status, mimetype=cached.mimetype)
    response.headers.extend(cached.headers)
    if cached.gzipped is not None:
        response.vary.add("Accept-Encoding")
    if compressed:
        response.content_encoding = "gzip"
    # Each encoding is its own representation, with its own strong validator.
    response.set_etag(f"{cached.etag}-gzip" if compressed else cached.etag)
    if state.last_modified is not None:  # naive UTC, as stored
        response.last_modified = state.last_modified.replace(microsecond=0, tzinfo=UTC)
    # Always revalidate: a change must show at once, and a 304 costs almost nothing.
    response.headers["Cache-Control"] = "public, no-cache"
    response.vary.update(("Accept-Language", "Cookie"))
    return response.make_conditional(request)


def published(
    params: Iterable[str] = (),
    strict: bool = False,
    unpublished: Callable[[], Response] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Response]]:
    """Serve the view from the response cache, keyed by the agenda's state and the request.

    `params` are the query parameters the view reads; others are ignored, or, with `strict`,
    passed to the view uncached (so that it can refuse them). Before the first publication the
    view is not called: `unpublished()` answers, or a 404. Only 200 responses are kept.
    """
    declared = tuple(params)

    def decorate(view: Callable[..., Any]) -> Callable[..., Response]:
        @wraps(view)
        def wrapper(**kwargs: Any) -> Response:
            state = current_state()
            if state is None:
                if unpublished is not None:
                    return unpublished()
                abort(404, description=NOT_PUBLISHED)
            if strict and not set(request.args) <= set(declared):
                return make_response(view(**kwargs))
            g.cache_params = declared
            cache: ResponseCache = current_app.extensions["agenda_responses"]
            key = _key(state, declared)
            cached = cache.get(key)
            if cached is None:
                cached = CachedResponse.of(make_response(view(**kwargs)))
                if cached.status == 200:
                    cache.put(key, cached)
            return _serve(cached, state)

        return wrapper

    return decorate


def not_published() -> Response:
    response = Response(render_template("agenda/not_published.html"), mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    return response


def published_page(params: Iterable[str] = ()) -> Callable[[PageView], Callable[..., Response]]:
    """A public page: `view(programme, **url_values)` through `published`, with the friendly page
    before the first publication."""

    def decorate(view: PageView) -> Callable[..., Response]:
        @published(params, unpublished=not_published)
        @wraps(view)
        def page(**kwargs: Any) -> str | Response:
            programme = current_programme()
            assert programme is not None  # `published` answers before the first publication
            return view(programme, **kwargs)

        return page

    return decorate
