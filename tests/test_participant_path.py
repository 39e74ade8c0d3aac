"""A participant's path through the site, without a browser: personal state kept off the shared
pages, "Add to my agenda" before registering, where online participation is not offered, the
timetable's placement classes and pages a strict Content-Security-Policy can serve.

The same path in headless Chromium is in tests/test_browser_path.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from scheduler import participants
from scheduler.db import transaction
from scheduler.models import Participant
from tests.live_site import Clock, Site, bookmark, csrf, sign_up
from tests.test_live_data import seed
from webapp import create_app
from webapp.extensions import socketio

pytest_plugins = ("tests.live_fixtures", "tests.agenda_fixtures")

PUBLIC = ["/", "/day/2025-07-08", "/day/2025-07-08?view=list", "/sessions", "/sessions/s-open", "/rooms",
          "/rooms/room-a", "/tracks", "/tracks/C1", "/speakers", "/speakers/sp-m1", "/changes"]  # fmt: skip
REGISTRATION = {
    "name": "Grace",
    "email": "grace@example.org",
    "country": "BR",
    "stakeholder_group": "academia-technical",
    "language": "es",
}


def text(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def app_with(database_url: str, **settings: object) -> Flask:
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "LIVE_TICKER": False, **settings})
    app.extensions["event_clock"] = Clock(datetime(2025, 7, 8, 15, 50)).clock
    return app


@pytest.fixture
def no_provider(engine: Engine, database_url: str) -> Iterator[FlaskClient]:
    """The live-test event served with join rooms for room-a only: s-par (room-b) is not online."""
    seed(engine)
    app = app_with(database_url, JOIN_URL_TEMPLATE_ROOMS={"room-a": "https://meet.example.org/{room}"})
    yield app.test_client()
    app.extensions["agenda_engine"].dispose()


# --- personal state: never in the shared pages, always in /me.json -------------------------------------


def test_me_json_says_who_this_browser_is_and_is_never_stored(site: Site) -> None:
    anonymous = site.app.test_client()
    response = anonymous.get("/me.json")
    assert response.get_json() == {"registered": False, "bookmarks": []}
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Set-Cookie" not in response.headers  # an anonymous visitor gets no cookie from it

    sign_up(site.client)
    bookmark(site.client, "s-par")
    bookmark(site.client, "s-open")
    mine = site.client.get("/me.json").get_json()
    assert mine["registered"] is True and mine["bookmarks"] == ["s-open", "s-par"]
    assert mine["csrf_token"] == csrf(site.client, "/register")

    with transaction(site.engine) as db:
        participants.revoke(db.query(Participant).one())
    assert site.client.get("/me.json").get_json() == {"registered": False, "bookmarks": []}


def test_public_pages_are_the_same_for_a_participant_and_a_stranger(site: Site, database_url: str) -> None:
    """Rendered first for a participant with bookmarks in one app and for a stranger in another
    (two empty caches), every public page is byte for byte the same: nothing personal is in it."""
    sign_up(site.client)
    bookmark(site.client, "s-open")
    stranger = app_with(database_url, JOIN_URL_TEMPLATE=site.app.config["JOIN_URL_TEMPLATE"]).test_client()
    for url in PUBLIC:
        theirs, mine = stranger.get(url), site.client.get(url)
        assert mine.status_code == theirs.status_code == 200, url
        assert mine.headers["ETag"] == theirs.headers["ETag"], url
        assert "Grace" not in mine.get_data(as_text=True) and "csrf_token" not in mine.get_data(as_text=True)


def test_every_listed_session_offers_its_bookmark_action(site: Site) -> None:
    """The hook static/personal.js turns into "★ In my agenda": on lists, the session page, the grid."""
    for url in ("/sessions", "/day/2025-07-08?view=list", "/rooms/room-a", "/tracks/C1", "/speakers/sp-m1"):
        page = text(site.client, url)
        listed = set(re.findall(r'data-session="([\w-]+)"', page))
        holders = set(re.findall(r'data-bookmark-actions="([\w-]+)"', page))
        assert listed and listed == holders, url
    assert 'data-bookmark-actions="s-open"' in text(site.client, "/sessions/s-open")
    grid = text(site.client, "/day/2025-07-08")
    assert re.search(r'data-bookmark-actions="s-open" data-bookmark-compact', grid)


def test_navigation_offers_register_and_says_where_my_agenda_is(site: Site) -> None:
    for url in ("/", "/sessions", "/now", "/register"):
        page = text(site.client, url)
        assert re.search(r'<a class="me-link" href="/register" data-me-link data-me="/me.json"', page), url
        assert 'data-registered-href="/my" data-registered-text="My agenda"' in page, url
    # Without JavaScript, "Register" in a browser that already keeps an agenda says so.
    assert "data-already-registered" not in text(site.client, "/register")
    sign_up(site.client)
    assert "This browser already keeps an agenda, for Ada." in text(site.client, "/register")


# --- "Add to my agenda" before registering ---------------------------------------------------------


def test_add_before_registering_leads_through_registration_and_back(site: Site) -> None:
    client = site.client
    response = client.get("/bookmark/s-open?next=/day/2025-07-08")
    assert response.status_code == 303
    assert response.headers["Location"] == "/register?bookmark=s-open&next=/day/2025-07-08"

    form = text(client, response.headers["Location"])
    assert 'data-pending-bookmark="s-open"' in form and "“Opening the floor” will be in your agenda" in form
    assert '<input type="hidden" name="bookmark" value="s-open">' in form
    assert '<input type="hidden" name="next" value="/day/2025-07-08">' in form

    data = {
        **REGISTRATION,
        "csrf_token": csrf(client, "/register"),
        "bookmark": "s-open",
        "next": "/day/2025-07-08",
    }
    page = client.post("/register", data=data)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    body = page.get_data(as_text=True)
    assert 'data-bookmarked="s-open"' in body and "“Opening the floor” is in your agenda." in body
    assert '<a class="button" href="/day/2025-07-08" data-back>Back to where you were</a>' in body
    assert client.get("/me.json").get_json()["bookmarks"] == ["s-open"]
    assert "Opening the floor" in text(client, "/my")


def test_a_form_that_does_not_validate_keeps_the_pending_bookmark(site: Site) -> None:
    data = {**REGISTRATION, "email": "nope", "csrf_token": csrf(site.client, "/register"),
            "bookmark": "s-par", "next": "/sessions"}  # fmt: skip
    page = site.client.post("/register", data=data)
    assert page.status_code == 400
    body = page.get_data(as_text=True)
    assert '<input type="hidden" name="bookmark" value="s-par">' in body
    assert '<input type="hidden" name="next" value="/sessions">' in body
    assert site.client.get("/me.json").get_json()["registered"] is False


@pytest.mark.parametrize(
    ("bookmark_key", "next_page"),
    [("s-gone", "/sessions"), ("s-open", "https://evil.example.org/"), ("s-open", "//evil.example.org")],
)
def test_registration_drops_what_it_cannot_honour(site: Site, bookmark_key: str, next_page: str) -> None:
    """A session no longer published is not bookmarked; a way "back" off this site is not offered."""
    form = text(site.client, f"/register?bookmark={bookmark_key}&next={next_page}")
    assert "evil.example.org" not in form
    data = {**REGISTRATION, "csrf_token": csrf(site.client, "/register"), "bookmark": bookmark_key,
            "next": next_page}  # fmt: skip
    body = site.client.post("/register", data=data).get_data(as_text=True)
    assert "evil.example.org" not in body
    expected = [] if bookmark_key == "s-gone" else [bookmark_key]
    assert site.client.get("/me.json").get_json()["bookmarks"] == expected
    assert ("data-back" in body) is next_page.startswith("/sessions")


def test_a_bookmark_page_for_no_published_session_is_a_404(site: Site) -> None:
    assert site.client.get("/bookmark/s-gone").status_code == 404


def test_bookmarks_change_in_place_with_json(site: Site) -> None:
    sign_up(site.client)
    token = site.client.get("/me.json").get_json()["csrf_token"]
    headers = {"Accept": "application/json"}
    added = site.client.post("/bookmarks/s-par", data={"csrf_token": token}, headers=headers)
    assert added.get_json() == {"bookmarks": ["s-par"]}
    assert added.headers["Cache-Control"] == "private, no-store"
    removed = site.client.post(
        "/bookmarks/s-par", data={"csrf_token": token, "action": "remove"}, headers=headers
    )
    assert removed.get_json() == {"bookmarks": []}
    assert site.client.post("/bookmarks/s-par", data={}, headers=headers).status_code == 400


# --- joining: say so where online participation is not offered ----------------------------------------


def test_my_agenda_says_when_a_session_is_not_offered_online(no_provider: FlaskClient) -> None:
    sign_up(no_provider)
    bookmark(no_provider, "s-open")
    bookmark(no_provider, "s-par")
    page = text(no_provider, "/my")
    assert re.search(r'href="/join/s-open\?t=[\w-]+" data-join="s-open">Join online</a>', page)
    assert 'data-join="s-par"' not in page
    assert page.count("Online participation is not offered for this session.") == 1


def test_now_and_next_says_when_a_session_is_not_offered_online(no_provider: FlaskClient) -> None:
    sign_up(no_provider)
    page = text(no_provider, "/now")
    card = re.compile(r'<article class="live-card" data-session="([\w-]+)".*?</article>', re.S)
    cards = {found.group(1): found.group(0) for found in card.finditer(page)}
    # 15:50: both rooms' 16:00 sessions are open for joining; only room-a has a virtual room.
    assert re.search(
        r'data-field="join" rel="nofollow"\s+href="/join/s-open\?t=[\w-]+"\s+>Join online', cards["s-open"]
    )
    assert '<p class="not-offered" data-field="not_offered" hidden>' in cards["s-open"]
    assert re.search(r'data-field="join"[^>]*hidden>Join online', cards["s-par"])
    assert '<p class="not-offered" data-field="not_offered">Online participation' in cards["s-par"]
    # Titles lead to their session pages; times carry their offset for the viewer's clock.
    assert '<a data-field="title" dir="auto" href="/sessions/s-par">Parallel track</a>' in cards["s-par"]
    assert 'datetime="2025-07-08T16:00:00+02:00">16:00</time>' in cards["s-par"]


def test_no_join_link_is_pushed_for_a_session_not_offered_online(
    no_provider: FlaskClient, engine: Engine
) -> None:
    """At 15:50 both bookmarked sessions are open, but only s-open (room-a) has a virtual room."""
    token = sign_up(no_provider)
    bookmark(no_provider, "s-open")
    bookmark(no_provider, "s-par")
    app = no_provider.application
    client = socketio.test_client(app, namespace="/live", auth={"token": token, "watch": ["event"]})
    (snapshot,) = [m["args"][0] for m in client.get_received("/live") if m["name"] == "snapshot"]
    assert snapshot["bookmarks"] == ["s-open", "s-par"]
    assert [s["session"] for s in snapshot["open"]] == ["s-open"]
    cards = {r["now"]["session"]: r["now"] for r in snapshot["rooms"] if r["now"]}
    cards |= {r["next"]["session"]: r["next"] for r in snapshot["rooms"] if r["next"]}
    assert cards["s-open"]["online"] is True and cards["s-par"]["online"] is False
    assert cards["s-par"]["start_at"] == "2025-07-08T16:00:00+02:00"


# --- the timetable ----------------------------------------------------------------------------------


def grid_classes(html: str) -> set[str]:
    return set(re.findall(r"\btt-(?:row|span|col|cols|rows)-\d+\b", html))


def test_the_timetable_stylesheet_defines_every_place_the_grids_use(site: Site) -> None:
    css = site.client.get("/timetable.css")
    assert css.mimetype == "text/css" and css.headers["Cache-Control"] == "public, no-cache"
    defined = set(re.findall(r"\.(tt-(?:row|span|col|cols|rows)-\d+) \{", css.get_data(as_text=True)))
    used: set[str] = set()
    for url in (
        "/day/2025-07-08",
        "/day/2025-07-09",
        "/day/2025-07-08?track=C2",
        "/day/2025-07-08?room=room-b",
    ):
        page = text(site.client, url)
        assert '<link rel="stylesheet" href="/timetable.css">' in page
        used |= grid_classes(page)
    assert used and used <= defined, used - defined
    assert (
        site.client.get("/timetable.css", headers={"If-None-Match": css.headers["ETag"]}).status_code == 304
    )


def test_a_filtered_grid_shows_only_the_hours_that_match(site: Site) -> None:
    whole = text(site.client, "/day/2025-07-08")
    assert 'class="timetable tt-cols-3 tt-rows-114"' in whole  # 09:00-18:30, every room
    matching = text(site.client, "/day/2025-07-08?room=room-b")
    # Only Room B, only 16:00-17:00: twelve rows from the 16:00 mark, not the day's 09:00.
    assert 'class="timetable tt-cols-1 tt-rows-12"' in matching
    marks = re.findall(
        r'<div class="tt-mark [^"]*"[^>]*>\s*<span data-localize="axis"><time datetime="([^"]+)"', matching
    )
    assert marks == ["2025-07-08T16:00:00+02:00", "2025-07-08T16:30:00+02:00"]
    # The filter form lands on the results, below the form.
    assert 'action="/day/2025-07-08#results"' in matching and 'id="results"' in matching


def test_grid_cards_come_in_time_order_with_the_breaks(agenda_client: FlaskClient) -> None:
    """The page's order is the day's (a phone shows one card under another, a screen reader
    reads them so): the 10:00 sessions, the lunch break, then 14:00."""
    page = text(agenda_client, "/day/2025-07-08")
    items = re.findall(
        r'<article class="tt-session[^"]*" data-session="([\w-]+)"|<div class="(tt-break) ', page
    )
    assert [session or pause for session, pause in items] == ["s-open", "s-c1", "tt-break", "s-hostile"]


# --- pages a strict Content-Security-Policy can serve ----------------------------------------------------


INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.I)


def test_no_page_carries_inline_scripts_or_styles(site: Site) -> None:
    pages = [*PUBLIC, "/now", "/register", "/bookmark/s-open", "/my", "/join/s-open", "/sessions/nope"]
    sign_up(site.client)
    for url in pages:
        page = site.client.get(url).get_data(as_text=True)
        found = INLINE.findall(page)
        assert not found, (url, found)


def test_the_favicon_is_linked_on_every_page_and_served(site: Site) -> None:
    for url in ("/", "/sessions/s-open", "/now", "/register"):
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in text(site.client, url)
    icon = site.client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
