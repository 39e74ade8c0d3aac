"""The participation pages, personal feed, join route, Now & Next and the /live namespace."""

from __future__ import annotations

import icalendar
import pytest
from sqlalchemy import event as sql_events
from sqlalchemy import select

from scheduler import live, participants
from scheduler.db import transaction
from scheduler.models import Join, Participant
from tests.live_site import Site, bookmark, csrf, sign_up
from tests.test_live_data import event_of
from webapp.extensions import socketio

pytestmark = pytest.mark.db

pytest_plugins = ("tests.live_fixtures",)


# --- registration and my agenda --------------------------------------------------------------------


def test_register_shows_the_link_and_remembers_the_browser(site: Site) -> None:
    form = site.client.get("/register").get_data(as_text=True)
    for choice in ("Kenya", "Civil society", "International organisation", "中文", "العربية"):
        assert choice in form
    token = sign_up(site.client)
    with transaction(site.engine) as db:
        stored = db.scalars(select(Participant)).one()
        assert (stored.name, stored.country, stored.language) == ("Ada", "KE", "fr")
        assert stored.token_hash == participants.hash_token(token)
    page = site.client.get("/my")
    assert page.status_code == 200 and "Ada" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "private, no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_registration_errors_are_shown_and_nothing_is_stored(site: Site) -> None:
    form = {"csrf_token": csrf(site.client, "/register"), "name": "", "email": "x", "country": "ZZ"}
    page = site.client.post("/register", data=form)
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "please give your name" in text and "please choose a country" in text
    with transaction(site.engine) as db:
        assert db.scalars(select(Participant)).all() == []


def test_registration_without_the_csrf_field_is_refused(site: Site) -> None:
    # A complete, valid form: its 400 can only come from the CSRF check. (The incomplete form this
    # test used to post was refused by validation, so it passed with the check switched off; checked
    # with `return` as check_csrf's first line: the registration below was stored.)
    csrf(site.client, "/register")
    form = {"name": "Eve", "email": "eve@example.org", "country": "KE",
            "stakeholder_group": "civil-society", "language": "fr"}
    response = site.client.post("/register", data=form)
    assert response.status_code == 400
    assert "did not come from this site" in response.get_data(as_text=True)
    with transaction(site.engine) as db:
        assert db.scalars(select(Participant)).all() == []


def test_personal_link_signs_in_another_browser_and_leaves_the_address_bar(site: Site) -> None:
    token = sign_up(site.client)
    other = site.app.test_client()
    assert other.get("/my").status_code == 303  # unknown browser: off to registration
    response = other.get(f"/my/{token}")
    assert response.status_code == 303 and response.headers["Location"] == "/my"
    assert other.get("/my").status_code == 200
    assert site.app.test_client().get("/my/not-a-real-token").status_code == 404


def test_bookmarks_from_the_public_pages(site: Site) -> None:
    public = site.client.get("/sessions").get_data(as_text=True)
    assert "/bookmark/s-open?next=/sessions" in public
    anonymous = site.app.test_client().get("/bookmark/s-open")
    assert anonymous.status_code == 303
    assert anonymous.headers["Location"] == "/register?bookmark=s-open&next=/sessions/s-open"
    sign_up(site.client)
    bookmark(site.client, "s-open")
    bookmark(site.client, "s-par")
    mine = site.client.get("/my").get_data(as_text=True)
    assert "Opening the floor" in mine and "Parallel track" in mine and "After the floor" not in mine
    assert "Remove from my agenda" in mine and "/join/s-open?t=" in mine
    page = site.client.get("/bookmark/s-open").get_data(as_text=True)
    assert "Remove from my agenda" in page
    token = csrf(site.client, "/bookmark/s-open")
    site.client.post("/bookmarks/s-open", data={"csrf_token": token, "action": "remove"})
    assert "Opening the floor" not in site.client.get("/my").get_data(as_text=True)


def test_bookmark_needs_a_participant_and_a_real_session(site: Site) -> None:
    client = site.app.test_client()
    token = csrf(client, "/register")
    assert client.post("/bookmarks/s-open", data={"csrf_token": token}).status_code == 403
    sign_up(client)
    token = csrf(client, "/register")
    assert client.post("/bookmarks/s-nope", data={"csrf_token": token}).status_code == 404
    assert client.get("/bookmark/s-nope").status_code == 404


def test_bookmark_redirects_only_within_the_site(site: Site) -> None:
    sign_up(site.client)
    token = csrf(site.client, "/bookmark/s-open")
    response = site.client.post(
        "/bookmarks/s-open", data={"csrf_token": token, "next": "https://evil.example/"}
    )
    assert response.headers["Location"] == "/my"
    response = site.client.post("/bookmarks/s-open", data={"csrf_token": token, "next": "//evil.example/x"})
    assert response.headers["Location"] == "/my"


# --- the personal feed ----------------------------------------------------------------------------


def test_personal_feed_has_bookmarks_join_links_and_reminders(site: Site) -> None:
    token = sign_up(site.client)
    bookmark(site.client, "s-open")
    bookmark(site.client, "s-par")
    response = site.app.test_client().get(f"/calendar/my/{token}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"].startswith("private")
    calendar = icalendar.Calendar.from_ical(response.data)
    events = {str(e["UID"]).split("@")[0]: e for e in calendar.walk("VEVENT")}
    assert set(events) == {"s-open", "s-par"}
    assert str(events["s-open"]["CONFERENCE"]) == f"http://localhost/join/s-open?t={token}"
    alarm = events["s-open"].walk("VALARM")[0]
    assert alarm["TRIGGER"].to_ical() == b"-PT10M"
    assert "meet.example.org" not in response.get_data(as_text=True)
    again = site.app.test_client().get(
        f"/calendar/my/{token}.ics", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def test_personal_feed_of_a_revoked_link_is_gone(site: Site) -> None:
    token = sign_up(site.client)
    with transaction(site.engine) as db:
        found = participants.by_token(db, event_of(db, site.event_id), token)
        assert found is not None
        participants.revoke(found)
    assert site.client.get(f"/calendar/my/{token}.ics").status_code == 404


# --- joining --------------------------------------------------------------------------------------


def test_join_redirects_inside_the_window_and_records_it(site: Site) -> None:
    token = sign_up(site.client)
    site.clock.set("15:45:00")
    response = site.app.test_client().get(f"/join/s-open?t={token}")
    assert response.status_code == 302
    assert response.headers["Location"] == "https://meet.example.org/wsis20/room-a-2025-07-08?lang=fr"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response.headers["Cache-Control"]
    with transaction(site.engine) as db:
        assert len(db.scalars(select(Join)).all()) == 1


def test_join_before_the_window_shows_a_countdown(site: Site) -> None:
    token = sign_up(site.client)
    site.clock.set("15:44:59")
    response = site.client.get(f"/join/s-open?t={token}")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-countdown="1"' in text and "15:45" in text
    assert "meet.example.org" not in text


@pytest.mark.parametrize(
    ("now", "outcome", "status"), [("17:00:00", "ended", 200), ("16:30:00", "cancelled", 200)]
)
def test_join_after_the_end_or_when_cancelled(site: Site, now: str, outcome: str, status: int) -> None:
    token = sign_up(site.client)
    if outcome == "cancelled":
        with transaction(site.engine) as db:
            live.change(db, event_of(db, site.event_id), "s-open", "cancel")
    site.clock.set(now)
    response = site.client.get(f"/join/s-open?t={token}")
    assert response.status_code == status
    assert f'data-join-outcome="{outcome}"' in response.get_data(as_text=True)


def test_join_with_a_bad_token_or_session(site: Site) -> None:
    site.clock.set("16:10:00")
    assert site.client.get("/join/s-open?t=forged").status_code == 403
    assert site.client.get("/join/s-open").status_code == 403
    token = sign_up(site.client)
    assert site.client.get(f"/join/s-nope?t={token}").status_code == 404


# --- Now & Next and the /live namespace -----------------------------------------------------------


def test_now_page_renders_the_board(site: Site) -> None:
    site.clock.set("16:30:00")
    page = site.client.get("/now")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "public, no-cache"
    assert 'data-room="room-a"' in text and "Opening the floor" in text and "After the floor" in text
    # Room C's next session is on the next day, and says so.
    assert 'Wed 9 Jul</span>, <span class="when" data-localize><time data-field="start"' in text
    assert 'datetime="2025-07-09T09:00:00+02:00">09:00</time>' in text
    assert "data-token" not in text and "Join online</a>" not in text.replace("hidden>Join online</a>", "")
    token = sign_up(site.client)
    mine = site.client.get("/now")
    assert f'data-token="{token}"' in mine.get_data(as_text=True)
    assert mine.headers["Cache-Control"] == "private, no-store" and "ETag" not in mine.headers


def test_now_page_answers_304_until_the_board_changes(site: Site) -> None:
    site.clock.set("16:30:00")
    first = site.client.get("/now")
    unchanged = {"If-None-Match": first.headers["ETag"]}
    again = site.client.get("/now", headers=unchanged)
    assert again.status_code == 304 and again.data == b""
    with transaction(site.engine) as db:
        live.change(db, event_of(db, site.event_id), "s-next", "delay", 15)
    delayed = site.client.get("/now", headers=unchanged)
    assert delayed.status_code == 200 and delayed.headers["ETag"] != first.headers["ETag"]
    site.clock.set("17:00:00")  # s-open has ended: the board moves on
    moved = site.client.get("/now", headers={"If-None-Match": delayed.headers["ETag"]})
    assert moved.status_code == 200 and moved.headers["ETag"] != delayed.headers["ETag"]


def test_an_anonymous_connection_costs_no_query_once_the_process_ticks(site: Site) -> None:
    hub = site.app.extensions["live_hub"]
    site.clock.set("16:30:00")
    hub.tick()
    hub._started = True  # as when the background ticker runs (the tests tick by hand)
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    engine = site.app.extensions["agenda_engine"]
    sql_events.listen(engine, "before_cursor_execute", record)
    try:
        clients = [live_client(site) for _ in range(5)]
    finally:
        sql_events.remove(engine, "before_cursor_execute", record)
    snapshots = [received(client, "snapshot")[0] for client in clients]
    assert statements == []
    assert all(s["rooms"] == snapshots[0]["rooms"] for s in snapshots)
    assert {r["room"]: r for r in snapshots[0]["rooms"]}["room-a"]["now"]["session"] == "s-open"


def live_client(site: Site, token: str | None = None, watch: list[str] | None = None):  # type: ignore[no-untyped-def]
    auth: dict[str, object] = {"watch": watch or ["event"]}
    if token:
        auth["token"] = token
    return socketio.test_client(site.app, namespace="/live", auth=auth)


def received(client, name: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return [m["args"][0] for m in client.get_received("/live") if m["name"] == name]


def test_connecting_gives_the_current_state_at_once(site: Site) -> None:
    site.clock.set("16:30:00")
    client = live_client(site)
    assert client.is_connected("/live")
    (snapshot,) = received(client, "snapshot")
    rooms = {r["room"]: r for r in snapshot["rooms"]}
    assert rooms["room-a"]["now"]["session"] == "s-open" and rooms["room-a"]["next"]["session"] == "s-next"
    assert snapshot["clock"] == "2025-07-08T16:30:00"
    assert "bookmarks" not in snapshot and "open" not in snapshot


def test_a_forged_token_is_refused(site: Site) -> None:
    client = live_client(site, token="forged")
    assert not client.is_connected("/live")


def test_participant_snapshot_lists_bookmarks_and_open_links(site: Site) -> None:
    token = sign_up(site.client)
    bookmark(site.client, "s-open")
    site.clock.set("15:50:00")
    (snapshot,) = received(live_client(site, token), "snapshot")
    assert snapshot["bookmarks"] == ["s-open"]
    assert [s["url"] for s in snapshot["open"]] == [f"/join/s-open?t={token}"]


def test_transitions_are_pushed_to_watchers_and_join_open_to_the_bookmarker(site: Site) -> None:
    token = sign_up(site.client)
    bookmark(site.client, "s-open")
    site.clock.set("15:44:59")
    hub = site.app.extensions["live_hub"]
    hub.tick()
    participant = live_client(site, token)
    anonymous = live_client(site)
    other_room = live_client(site, watch=["room:room-c"])
    for client in (participant, anonymous, other_room):
        client.get_received("/live")
    site.clock.set("15:45:00")
    hub.tick()
    states = received(anonymous, "session_state")
    assert [(s["session"], s["phase"]) for s in states] == [("s-open", "opening"), ("s-par", "opening")]
    assert all("url" not in s for s in states)
    (opened,) = received(participant, "join_open")
    assert opened["session"] == "s-open" and opened["url"] == f"/join/s-open?t={token}"
    assert other_room.get_received("/live") == []
    hub.tick()
    assert anonymous.get_received("/live") == []  # nothing changed, nothing sent


def test_a_delay_reaches_clients_on_the_next_tick(site: Site) -> None:
    site.clock.set("15:30:00")
    hub = site.app.extensions["live_hub"]
    hub.tick()
    client = live_client(site, watch=["session:s-open"])
    client.get_received("/live")
    with transaction(site.engine) as db:
        live.change(db, event_of(db, site.event_id), "s-open", "delay", 10)
    hub.tick()
    (state,) = received(client, "session_state")
    assert (state["phase"], state["delay_minutes"], state["start"]) == ("delayed", 10, "2025-07-08T16:10")
    assert state["message"] == "Opening the floor is delayed by 10 minutes: now 16:10-17:10, Room A."


def test_the_board_is_pushed_when_a_session_ends(site: Site) -> None:
    site.clock.set("16:59:59")
    client = live_client(site)
    client.get_received("/live")
    hub = site.app.extensions["live_hub"]
    hub.tick()
    site.clock.set("17:00:00")
    hub.tick()
    (board,) = received(client, "board")
    room_a = next(r for r in board["rooms"] if r["room"] == "room-a")
    assert room_a["now"] is None and room_a["next"]["session"] == "s-next"


def test_a_connection_between_two_ticks_does_not_swallow_a_transition(site: Site) -> None:
    hub = site.app.extensions["live_hub"]
    site.clock.set("15:44:59")
    hub.tick()
    early = live_client(site)
    early.get_received("/live")
    site.clock.set("15:45:00")
    late = live_client(site)  # its snapshot is taken between the ticks
    hub.tick()
    for client in (early, late):
        pushed = [(s["session"], s["phase"]) for s in received(client, "session_state")]
        assert ("s-open", "opening") in pushed
