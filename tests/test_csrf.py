"""The site's forms refuse a POST that does not carry the browser session's own CSRF token.

Each refusal is tried with a form that is otherwise complete and valid, so the 400 can only come from
the CSRF check (not from the form's own validation), and nothing may be stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import Engine, func, select

from scheduler.db import transaction
from scheduler.models import Bookmark, Participant
from tests.test_live_data import seed
from tests.test_live_web import csrf, sign_up
from webapp import create_app

pytestmark = pytest.mark.db

# What the refusal page says to the visitor, whole.
REFUSED = "<p>The form has expired or did not come from this site. Reload the page and try again.</p>"


@dataclass
class Site:
    app: Flask
    engine: Engine


@pytest.fixture
def site(engine: Engine, database_url: str) -> Iterator[Site]:
    seed(engine)
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "LIVE_TICKER": False,
                      "SOCKETIO_MESSAGE_QUEUE": None})
    yield Site(app, engine)
    app.extensions["agenda_engine"].dispose()


def registration(**fields: str) -> dict[str, str]:
    return {"name": "Eve", "email": "eve@example.org", "country": "KE",
            "stakeholder_group": "civil-society", "language": "fr", **fields}


def count(engine: Engine, table: type[Participant] | type[Bookmark]) -> int:
    with transaction(engine) as db:
        return db.scalar(select(func.count()).select_from(table)) or 0


def refused(response: object) -> bool:
    return response.status_code == 400 and REFUSED in response.get_data(as_text=True)  # type: ignore[attr-defined]


def test_the_complete_form_with_the_sessions_token_registers(site: Site) -> None:
    # The control for the tests below: this form is complete and valid.
    client = site.app.test_client()
    response = client.post("/register", data=registration(csrf_token=csrf(client, "/register")))
    assert response.status_code == 200
    assert count(site.engine, Participant) == 1


def test_a_complete_form_without_the_token_is_refused(site: Site) -> None:
    client = site.app.test_client()
    csrf(client, "/register")  # the browser session now holds a token; the form does not send it
    assert refused(client.post("/register", data=registration()))
    assert count(site.engine, Participant) == 0


@pytest.mark.parametrize("given", ["", "forged-token", "None"])
def test_a_browser_session_that_holds_no_token_is_refused(site: Site, given: str) -> None:
    # Guards `if not expected` in webapp.csrf.check_csrf: a cross-site POST from a browser that never
    # opened one of our forms carries a session with no token at all. Checked with the check written
    # `if expected and not hmac.compare_digest(...)`: the forged registration was stored (200).
    client = site.app.test_client()
    assert refused(client.post("/register", data=registration(csrf_token=given)))
    assert count(site.engine, Participant) == 0


def test_a_token_from_another_browser_session_is_refused(site: Site) -> None:
    attacker, victim = site.app.test_client(), site.app.test_client()
    csrf(victim, "/register")
    assert refused(victim.post("/register", data=registration(csrf_token=csrf(attacker, "/register"))))
    assert count(site.engine, Participant) == 0


def test_the_token_stays_the_same_for_the_browser_session(site: Site) -> None:
    client = site.app.test_client()
    first = csrf(client, "/register")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", first)  # 32 random bytes: 256 bits
    sign_up(client)
    assert csrf(client, "/bookmark/s-open") == csrf(client, "/my") == first
    assert csrf(site.app.test_client(), "/register") != first


def test_bookmarks_and_signing_out_need_the_token_too(site: Site) -> None:
    client = site.app.test_client()
    sign_up(client)
    assert refused(client.post("/bookmarks/s-open", data={"next": "/sessions"}))
    assert count(site.engine, Bookmark) == 0
    assert refused(client.post("/my/forget", data={"csrf_token": "forged-token"}))
    assert client.get("/my").status_code == 200  # still signed in
