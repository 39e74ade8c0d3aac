"""Rate limits (issue 14): one client registered 300 times in 2.9 s; now each client address gets
RATELIMIT_REGISTRATION, and reports, console sign-ins and join requests are limited too, with a
readable 429 page. Behind the documented nginx the address is the forwarded one, and only then.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from scheduler.db import transaction
from scheduler.models import Speaker
from scheduler.speaker_links import create_token
from tests.console_data import csrf as console_csrf
from tests.test_live_data import REDIS_URL, redis_available, seed
from webapp import create_app

LIMITS = {
    "RATELIMIT_REGISTRATION": "3 per minute",
    "RATELIMIT_SPEAKER_REPORTS": "2 per hour",
    "RATELIMIT_CONSOLE_LOGIN": "2 per minute",
    "RATELIMIT_JOIN": "4 per minute",
}


@pytest.fixture
def make_app(engine: Engine, database_url: str) -> Iterator[Any]:
    seed(engine)
    apps: list[Flask] = []

    def make(**settings: object) -> Flask:
        app = create_app({"DATABASE_URL": database_url, "TESTING": True, "LIVE_TICKER": False,
                          "SOCKETIO_MESSAGE_QUEUE": None, **LIMITS, **settings})  # fmt: skip
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["agenda_engine"].dispose()


def _from(address: str) -> dict[str, Any]:
    return {"environ_base": {"REMOTE_ADDR": address}}


def _statuses(client: FlaskClient, method: str, url: str, times: int, **request: Any) -> list[int]:
    return [client.open(url, method=method, **request).status_code for _ in range(times)]


def test_registrations_are_limited_per_address_with_a_readable_page(make_app: Any) -> None:
    client = make_app().test_client()
    # Refused forms count too: a script need not fill them in well to fill the table.
    assert _statuses(client, "POST", "/register", 3, data={}, **_from("198.51.100.1")) == [400] * 3
    refused = client.post("/register", data={}, **_from("198.51.100.1"))
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "Too many requests from your address (at most 3 per 1 minute)" in page
    assert "<h1>Too Many Requests</h1>" in page and refused.mimetype == "text/html"
    assert int(refused.headers["Retry-After"]) > 0
    assert client.get("/register", **_from("198.51.100.1")).status_code == 200  # reading is not limited
    assert client.post("/register", data={}, **_from("198.51.100.2")).status_code == 400  # another address


def test_behind_a_trusted_proxy_the_forwarded_address_counts_and_otherwise_it_does_not(make_app: Any) -> None:
    proxied = make_app(TRUSTED_PROXIES=1).test_client()
    for n in range(5):  # five clients behind one nginx: none is limited by the others
        forwarded = {"headers": {"X-Forwarded-For": f"203.0.113.{n}"}, **_from("127.0.0.1")}
        assert proxied.post("/register", data={}, **forwarded).status_code == 400
    direct = make_app().test_client()
    claims = [direct.post("/register", data={}, headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
              for n in range(4)]  # fmt: skip
    assert claims == [400, 400, 400, 429]  # a client cannot pick a new address per request


def test_console_sign_ins_and_join_requests_are_limited(make_app: Any) -> None:
    client = make_app().test_client()
    wrong = {"csrf_token": console_csrf(client), "email": "admin@example.org", "password": "guess"}
    assert _statuses(client, "POST", "/console/login", 3, data=wrong) == [401, 401, 429]
    assert client.get("/console/login").status_code == 200
    assert _statuses(client, "GET", "/join/s-open?t=x", 5)[-1] == 429


def test_speaker_reports_are_limited(make_app: Any, engine: Engine) -> None:
    with transaction(engine) as db:
        token = create_token(db, db.query(Speaker).filter_by(key="sp-m1").one())
    client = make_app().test_client()
    assert _statuses(client, "POST", f"/speaker/{token}", 3, data={})[-1] == 429


@pytest.mark.skipif(not redis_available(), reason="needs Redis at 127.0.0.1:6379")
def test_with_redis_every_process_counts_together(make_app: Any) -> None:
    shared = {"RATELIMIT_STORAGE_URI": REDIS_URL, "SOCKETIO_CHANNEL": f"test-limits-{uuid.uuid4().hex}"}
    first, second = make_app(**shared).test_client(), make_app(**shared).test_client()
    answers = [c.post("/register", data={}).status_code for c in (first, second, first, second)]
    assert answers == [400, 400, 400, 429]
    # Another deployment on the same Redis (another channel) counts on its own.
    other = make_app(**(shared | {"SOCKETIO_CHANNEL": f"test-limits-{uuid.uuid4().hex}"})).test_client()
    assert other.post("/register", data={}).status_code == 400
