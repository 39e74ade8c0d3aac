"""The public agenda pages, through Flask's test client: what they show, what they never show."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine

from scheduler.cli.site import import_solve_publish
from scheduler.db import transaction
from scheduler.problem_file import dump_problem
from scheduler.store import import_problem
from solver.domain import Event, Period
from tests.agenda_data import (
    DRAFT_ONLY_TITLE,
    HOSTILE_SPEAKER,
    HOSTILE_TITLE,
    PUBLISHED,
    REPLAN,
    SMALL_PROBLEM,
    publish_next,
)
from webapp import create_app
from webapp.filters import Filters
from webapp.formatting import kind_label
from webapp.programme import DayView, PersonView, RoomView, SessionView
from webapp.timetable import layout

pytest_plugins = ("tests.agenda_fixtures",)
pytestmark = pytest.mark.db

ATOM = "{http://www.w3.org/2005/Atom}"
GRID_ITEM = re.compile(
    r'<article class="tt-session [^"]*tt-row-(\d+) tt-span-(\d+) tt-col-(\d+)[^"]*"[^>]*>\s*'
    r'<h2 class="tt-title"><a href="/sessions/([^"]+)"'
)


def page(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def linked_sessions(html: str) -> set[str]:
    """Session keys the page links to (its agenda content, whatever the layout)."""
    return set(re.findall(r'href="/sessions/([\w-]+)"', html))


def grid(html: str) -> dict[str, tuple[int, int, int]]:
    """Session key -> (grid row, row span, grid column) of the timetable."""
    return {key: (int(row), int(span), int(col)) for row, span, col, key in GRID_ITEM.findall(html)}


# --- the timetable -----------------------------------------------------------------------------


def test_day_grid_places_sessions_by_room_and_time(agenda_client: FlaskClient) -> None:
    html = page(agenda_client, "/day/2025-07-08")
    # Day opens 09:00, one row per 5 minutes after the heading row: 10:00 is row 2 + 12.
    assert grid(html) == {
        "s-open": (14, 12, 2),  # Plenary Room A, 10:00-11:00
        "s-c1": (14, 9, 3),  # Room B, 10:00-10:45
        "s-hostile": (62, 18, 4),  # Workshop Room K, 14:00-15:30
    }
    assert 'class="timetable tt-cols-3 tt-rows-108"' in html  # 09:00-18:00
    assert re.search(r'class="tt-break tt-row-44 tt-span-12"><span>Lunch', html)
    for room in ("Plenary Room A", "Room B", "Workshop Room K"):
        assert f">{room}</a>" in html


def test_layout_widens_the_day_for_a_session_outside_its_hours() -> None:
    zone = ZoneInfo("Europe/Zurich")
    room = RoomView("r", "R", 10, (), 0)
    day = DayView(
        date(2025, 7, 8), datetime(2025, 7, 8, 9, tzinfo=zone), datetime(2025, 7, 8, 10, tzinfo=zone), ()
    )
    start, end = datetime(2025, 7, 8, 8, 10, tzinfo=zone), datetime(2025, 7, 8, 8, 20, tzinfo=zone)
    early = SessionView(
        "s", "S", "", start, end, room, (PersonView("p", "P", None),), (), (), (), False,
        status="scheduled", notes=(), delay_minutes=0, scheduled_start=start, scheduled_end=end,
        started_at=None, ended_at=None,
    )  # fmt: skip
    table = layout(day, [room], [early])
    assert [m.moment.hour * 60 + m.moment.minute for m in table.marks][:2] == [8 * 60, 8 * 60 + 30]
    assert (table.sessions[0].place.row, table.sessions[0].place.span) == (2 + 2, 2)  # 08:10 is slot 2
    assert table.slots == 24  # 08:00-10:00


def test_room_closures_show_in_their_column(engine: Engine, database_url: str) -> None:
    closed = replace(
        SMALL_PROBLEM.rooms[2],
        unavailable=(
            Period(datetime(2025, 7, 8, 9), datetime(2025, 7, 8, 12), reason="Lent <to> AI for Good"),
        ),
    )
    problem = replace(SMALL_PROBLEM, rooms=(*SMALL_PROBLEM.rooms[:2], closed))
    with transaction(engine) as db:
        import_problem(db, problem)
    publish_next(engine, PUBLISHED)
    html = page(create_app({"DATABASE_URL": database_url}).test_client(), "/day/2025-07-08")
    assert 'class="tt-closed tt-row-2 tt-span-36 tt-col-4"' in html
    assert "Not available: Lent &lt;to&gt; AI for Good" in html


def test_day_list_groups_sessions_under_their_start_time(agenda_client: FlaskClient) -> None:
    html = page(agenda_client, "/day/2025-07-08?view=list")
    assert not grid(html)
    headings = re.findall(
        r'<h2 class="time-heading"[^>]*><span class="when" data-localize><time datetime="([^"]+)"', html
    )
    assert headings == ["2025-07-08T10:00:00+02:00", "2025-07-08T14:00:00+02:00"]
    assert linked_sessions(html) == {"s-open", "s-c1", "s-hostile"}


def test_every_time_carries_its_utc_offset(agenda_client: FlaskClient) -> None:
    for url in ("/day/2025-07-08", "/day/2025-07-09?view=list", "/sessions", "/sessions/s-open", "/changes"):
        stamps = re.findall(r'<time datetime="([^"]+)"', page(agenda_client, url))
        assert stamps, url
        for stamp in stamps:
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", stamp), (url, stamp)
    session = page(agenda_client, "/sessions/s-open")
    assert '<time datetime="2025-07-08T10:00:00+02:00">10:00</time>' in session
    assert "Geneva time" in session and "UTC+02:00" in session


# --- filters and search ------------------------------------------------------------------------


FILTER_CASES = [
    ("track=C1", {"s-c1"}),
    ("track=C10", {"s-hostile"}),
    ("type=ceremony", {"s-open"}),
    ("room=room-k", {"s-hostile"}),
    ("interpretation=fr", {"s-open", "s-c1"}),
    ("hybrid=1", {"s-open", "s-c1"}),
    ("q=li+wei", {"s-c1", "s-hostile"}),  # a speaker
    ("q=UNESCO", {"s-c1"}),  # an organiser
    ("q=%D0%98%D0%92%D0%90%D0%9D", {"s-c1"}),  # "ИВАН": case-insensitive Cyrillic
    ("q=%E4%BD%A0%E5%A5%BD", {"s-hostile"}),  # "你好" in a title
    ("q=opening+ceremony", {"s-open"}),  # every word must match
    ("track=C1&interpretation=ar", set()),
    ("track=no-such-track", set()),
]


def test_filters_and_search(agenda_client: FlaskClient) -> None:
    for query, expected in FILTER_CASES:
        grid_page = page(agenda_client, f"/day/2025-07-08?{query}")
        assert set(grid(grid_page)) == expected, query
        list_page = page(agenda_client, f"/day/2025-07-08?view=list&{query}")
        assert linked_sessions(list_page.split('class="result-count"')[1]) == expected, query


def test_search_covers_every_day(agenda_client: FlaskClient) -> None:
    html = page(agenda_client, "/sessions?q=plenary")
    assert linked_sessions(html.split('class="result-count"')[1]) == {"s-close"}
    assert "1 session match" in html
    everything = page(agenda_client, "/sessions")
    assert linked_sessions(everything) >= {"s-open", "s-c1", "s-hostile", "s-close"}


def test_filters_stay_when_switching_day_or_view(agenda_client: FlaskClient) -> None:
    html = page(agenda_client, "/day/2025-07-08?track=C1&hybrid=1")
    assert 'href="/day/2025-07-09?track=C1&amp;hybrid=1"' in html
    assert 'href="/day/2025-07-08?view=list&amp;track=C1&amp;hybrid=1"' in html
    assert '<option value="C1" selected>' in html
    assert 'id="f-hybrid" type="checkbox" name="hybrid" value="1" checked' in html


def test_filters_from_args_cut_and_ignore_bad_values() -> None:
    filters = Filters.from_args({"q": "  a   " + "x" * 500, "hybrid": "maybe", "track": "C1"})
    assert filters.query.startswith("a x") and len(filters.query) == 200
    assert not filters.hybrid and filters.track == "C1" and filters.active
    assert not Filters.from_args({}).active


BAD_QUERIES = [
    "q=%00%01%02",
    "q=" + "%F0%9F%98%80" * 3000,
    "track=%3Cscript%3E&type=%22&room=%27",
    "view=%3Cb%3E&hybrid=%FF",
    "q=%E0%A4",  # a broken UTF-8 sequence
    "track=C1&track=C2&q[]=1",
]


def test_bad_query_parameters_never_fail(agenda_client: FlaskClient) -> None:
    for query in BAD_QUERIES:
        for url in (f"/day/2025-07-08?{query}", f"/sessions?{query}", f"/?{query}"):
            html = page(agenda_client, url)
            assert "<script>" not in html, url


# --- pages -------------------------------------------------------------------------------------


def test_home_shows_days_tracks_and_links(agenda_client: FlaskClient) -> None:
    html = page(agenda_client, "/")
    assert "Test Summit 2025" in html and "Palexpo, Geneva" in html
    assert 'href="/day/2025-07-08"' in html and 'href="/day/2025-07-09"' in html
    assert "3 sessions" in html and "1 session<" in html
    # Action Lines first, in number order, then the themes.
    tracks = re.findall(r'<a class="chip" href="/tracks/[^"]+">([^<]+)</a>', html)
    assert tracks == ["C1", "C2", "C10", "WSIS+20 review"]


def test_session_page(agenda_client: FlaskClient) -> None:
    html = page(agenda_client, "/sessions/s-c1")
    assert '<h1 dir="auto">Action Line C1: the role of governments</h1>' in html
    assert 'href="/rooms/room-b">Room B</a>' in html
    assert 'href="/speakers/sp-2">Li Wei 李伟</a>' in html and "Regulator" in html
    assert 'href="/tracks/C1"' in html
    assert "English, French" in html and "UNESCO" in html
    assert "How to follow remotely" in html and "<strong>hybrid</strong>" in html
    assert "interpretation channel" in html
    assert 'href="/sessions/s-open"' in html  # "Also at this time"


def test_without_a_join_provider_pages_say_online_participation_is_not_offered(
    database_url: str, agenda_event: object, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING", logger="webapp"):
        app = create_app({"TESTING": True, "DATABASE_URL": database_url})
    told = [r for r in caplog.records if "No join provider is configured" in r.getMessage()]
    assert len(told) == 1  # the team is told once, in the server log
    html = page(app.test_client(), "/sessions/s-c1")
    assert "Online participation is not offered for this session" in html
    assert "try again shortly" not in html and "<strong>hybrid</strong>" not in html
    app.extensions["agenda_engine"].dispose()


def test_session_in_a_room_without_remote_set_up(agenda_client: FlaskClient) -> None:
    html = page(agenda_client, "/sessions/s-hostile")
    assert "on site only" in html


def test_room_track_and_index_pages(agenda_client: FlaskClient) -> None:
    room = page(agenda_client, "/rooms/room-a")
    assert "<h1>Plenary Room A</h1>" in room and "800 seats" in room and "6 interpretation booths" in room
    assert linked_sessions(room) == {"s-open", "s-close"}
    track = page(agenda_client, "/tracks/WSIS%2B20%20review")
    assert linked_sessions(track) == {"s-open", "s-close"}
    assert "Workshop Room K" in page(agenda_client, "/rooms")
    assert 'href="/tracks/C10"' in page(agenda_client, "/tracks")


@pytest.mark.parametrize(
    ("path", "feed"),
    [
        ("/", "/calendar/agenda.ics"),
        ("/day/2025-07-08", "/calendar/day/2025-07-08.ics"),
        ("/sessions/s-c1", "/sessions/s-c1.ics"),
        ("/rooms/room-a", "/calendar/room/room-a.ics"),
        ("/tracks/WSIS%2B20%20review", "/calendar/track/WSIS+20%20review.ics"),
        ("/speakers/sp-2", "/calendar/speaker/sp-2.ics"),
    ],
)
def test_every_page_offers_its_calendar_feed_to_subscribe(
    agenda_client: FlaskClient, path: str, feed: str
) -> None:
    html = page(agenda_client, path)
    webcal = f"webcal://localhost{feed}"
    assert f'href="{webcal}"' in html
    assert f'href="https://calendar.google.com/calendar/r?cid={quote(webcal, safe="")}"' in html
    assert f'href="http://localhost{feed}" download' in html
    assert agenda_client.get(feed).status_code == 200


UNKNOWN_URLS = [
    "/sessions/no-such-session",
    "/rooms/no-such-room",
    "/tracks/no-such-track",
    "/speakers/no-such-speaker",
    "/day/2025-07-10",
    "/day/2025-13-45",
    "/day/tuesday",
    "/no/such/page",
    "/sessions/%00",
]


def test_unknown_ids_get_a_styled_404(agenda_client: FlaskClient) -> None:
    for url in UNKNOWN_URLS:
        response = agenda_client.get(url)
        assert (response.status_code, response.mimetype) == (404, "text/html"), url
        assert "We could not find that page" in response.get_data(as_text=True)
        assert 'class="site-header"' in response.get_data(as_text=True)


def test_json_clients_get_json_errors(agenda_client: FlaskClient) -> None:
    response = agenda_client.get("/sessions/nope", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.get_json() == {"error": "Not Found", "status": 404}


def test_hostile_strings_come_out_escaped(agenda_client: FlaskClient) -> None:
    for url in (
        "/day/2025-07-08",
        "/day/2025-07-08?view=list",
        "/sessions/s-hostile",
        "/sessions?q=quoted",
        "/speakers/sp-4",
        "/speakers",
        "/tracks/C2",
        "/changes",
    ):
        html = page(agenda_client, url)
        assert "<script>alert" not in html and "<b>Bold</b>" not in html and "<i>Org</i>" not in html, url
    session = page(agenda_client, "/sessions/s-hostile")
    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;quoted&#34; &#39;single&#39;"
    assert escaped in session
    assert "مرحبا 你好 Привет\nsecond line" in session
    assert "Dr &lt;b&gt;Bold&lt;/b&gt; O&#39;Brien &amp; &#34;Sons&#34;" in session
    assert "&lt;i&gt;Org&lt;/i&gt; &amp; Co" in session
    assert HOSTILE_TITLE not in session and HOSTILE_SPEAKER not in session


# --- only the published agenda -----------------------------------------------------------------


def test_drafts_never_reach_a_page(agenda_client: FlaskClient) -> None:
    """Version 2 is a draft that moves s-c1 to 9 July and places s-later: neither shows."""
    for url in (
        "/",
        "/day/2025-07-08",
        "/day/2025-07-09",
        "/day/2025-07-09?view=list",
        "/sessions",
        "/tracks/C1",
        "/rooms/room-k",
        "/changes",
        "/changes.atom",
    ):
        assert DRAFT_ONLY_TITLE not in page(agenda_client, url), url
    page(agenda_client, "/sessions/s-later", status=404)
    assert "s-c1" in grid(page(agenda_client, "/day/2025-07-08"))
    assert "s-c1" not in grid(page(agenda_client, "/day/2025-07-09"))


def test_before_publication_a_friendly_page(engine: Engine, database_url: str) -> None:
    with transaction(engine) as db:
        import_problem(db, SMALL_PROBLEM)
    client = create_app({"DATABASE_URL": database_url}).test_client()
    for url in ("/", "/day/2025-07-08", "/sessions/s-open", "/changes", "/speakers"):
        html = page(client, url)
        assert "The agenda is not published yet" in html and "Opening ceremony" not in html
    empty = create_app({"DATABASE_URL": database_url, "AGENDA_EVENT": "no-such-event"}).test_client()
    assert "not published yet" in page(empty, "/")


def test_agenda_event_chooses_among_several(
    agenda_client: FlaskClient, engine: Engine, database_url: str
) -> None:
    other = replace(SMALL_PROBLEM, event=Event(name="Another Forum", timezone="Asia/Tokyo"))
    with transaction(engine) as db:
        import_problem(db, other, slug="another")
    chosen = create_app({"DATABASE_URL": database_url, "AGENDA_EVENT": "test-summit-2025"}).test_client()
    assert "Test Summit 2025" in page(chosen, "/")
    unpublished = create_app({"DATABASE_URL": database_url, "AGENDA_EVENT": "another"}).test_client()
    assert "not published yet" in page(unpublished, "/")


# --- changelog and its feed --------------------------------------------------------------------


def test_changelog_and_atom_feed(agenda_client: FlaskClient, engine: Engine) -> None:
    number = publish_next(engine, REPLAN)
    html = page(agenda_client, "/changes")
    assert f'id="v{number}"' in html and 'id="v1"' in html
    latest = html.split(f'id="v{number}"')[1].split('id="v1"')[0]
    assert "Moved (1)" in latest and "Cancelled (1)" in latest and "New (1)" in latest
    assert "was Room B, Tue 8 Jul" in latest and "now Room B, Wed 9 Jul" in latest
    assert DRAFT_ONLY_TITLE in latest  # s-later is now published

    response = agenda_client.get("/changes.atom")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        f"Version {number}: 1 new, 1 moved, 1 cancelled",
        "Version 1: 4 new, 0 moved, 0 cancelled",
    ]
    assert feed.findtext(f"{ATOM}updated") == "2025-06-20T08:30:00Z"
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == 2 and all(ids)
    again = ET.fromstring(agenda_client.get("/changes.atom").data)
    assert [e.findtext(f"{ATOM}id") for e in again.findall(f"{ATOM}entry")] == ids
    first = entries[1].find(f"{ATOM}content")
    assert first is not None and first.get("type") == "xhtml"
    assert HOSTILE_TITLE in "".join(first.itertext())  # escaped in XML, intact once parsed


def test_atom_feed_survives_control_characters(engine: Engine, database_url: str) -> None:
    odd = replace(SMALL_PROBLEM.sessions[0], title="Bell\x07 and tab\x0b title")
    with transaction(engine) as db:
        import_problem(db, replace(SMALL_PROBLEM, sessions=(odd, *SMALL_PROBLEM.sessions[1:])))
    publish_next(engine, PUBLISHED)
    feed = ET.fromstring(create_app({"DATABASE_URL": database_url}).test_client().get("/changes.atom").data)
    assert "Bell and tab title" in "".join(feed.itertext())


def test_cancelled_sessions_are_marked_not_placed(agenda_client: FlaskClient, engine: Engine) -> None:
    publish_next(engine, REPLAN)
    day = page(agenda_client, "/day/2025-07-08")
    assert "s-hostile" not in grid(day)
    listed = page(agenda_client, "/day/2025-07-08?view=list")
    assert re.search(r'class="session-item[^"]* is-cancelled" data-session="s-hostile">', listed)
    session = page(agenda_client, "/sessions/s-hostile")
    assert '<strong class="live-note" data-note="cancelled">Cancelled</strong>' in session


# --- caching -----------------------------------------------------------------------------------


def test_pages_carry_the_version_as_etag_and_answer_304(agenda_client: FlaskClient, engine: Engine) -> None:
    first = agenda_client.get("/day/2025-07-09")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, no-cache"
    again = agenda_client.get("/day/2025-07-09", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""

    publish_next(engine, REPLAN)
    fresh = agenda_client.get("/day/2025-07-09", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != etag
    assert "s-c1" in grid(fresh.get_data(as_text=True)) and "s-later" in grid(fresh.get_data(as_text=True))


def test_cached_pages_differ_by_query(agenda_client: FlaskClient) -> None:
    assert set(grid(page(agenda_client, "/day/2025-07-08?track=C1"))) == {"s-c1"}
    assert set(grid(page(agenda_client, "/day/2025-07-08?track=C2"))) == {"s-hostile"}
    assert set(grid(page(agenda_client, "/day/2025-07-08?track=C1"))) == {"s-c1"}


def test_kind_label() -> None:
    assert kind_label("wsis-stocktaking") == "WSIS stocktaking"
    assert kind_label("high-level-policy-session") == "High level policy session"
    assert kind_label("LeadersTalkX") == "LeadersTalkX"


# --- serve and demo ------------------------------------------------------------------------------


def test_serve_says_when_the_port_is_taken(database_url: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "scheduler", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "DATABASE_URL": database_url},
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "Traceback" not in result.stderr


def test_demo_publishes_once_and_replans_a_changed_file_with_few_moves(
    engine: Engine, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "small.problem.json"
    # A file cannot give a title on two lines (it is refused when read): the hostile one is joined.
    sessions = tuple(replace(s, title=" ".join(s.title.split())) for s in SMALL_PROBLEM.sessions)
    problem = replace(SMALL_PROBLEM, sessions=sessions)
    dump_problem(problem, path)
    assert import_solve_publish(engine, path, time_limit=20) == "test-summit-2025"
    assert "Published version 1 (0 sessions moved)." in capsys.readouterr().out

    # Run again with the same file: what is published is served, nothing is solved or reshuffled.
    assert import_solve_publish(engine, path, time_limit=20) == "test-summit-2025"
    again = capsys.readouterr().out
    assert "small.problem.json is unchanged: serving published version 1." in again
    assert "Solving" not in again

    # A changed file is imported and re-planned from the published agenda: a new title moves nothing.
    renamed = replace(problem.sessions[0], title="Opening, renamed")
    dump_problem(replace(problem, sessions=(renamed, *problem.sessions[1:])), path)
    import_solve_publish(engine, path, time_limit=20)
    replanned = capsys.readouterr().out
    assert "small.problem.json changed since published version 1: re-planning" in replanned
    assert "Published version 2 (0 sessions moved)." in replanned
    client = create_app({"DATABASE_URL": database_url}).test_client()
    assert {"s-open", "s-c1", "s-close"} <= linked_sessions(page(client, "/sessions"))
    assert "Version 2" in page(client, "/changes") and "Version 3" not in page(client, "/changes")
    assert "Opening, renamed" in page(client, f"/sessions/{renamed.id}")
