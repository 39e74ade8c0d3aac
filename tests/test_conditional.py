"""webapp.conditional on its own: validators, caching headers and 304s, as polling clients see them."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

import pytest
from flask import Flask, request

from webapp.conditional import body_etag, conditional_response

BODY = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
ETAG = hashlib.sha256(BODY).hexdigest()
CHANGED = datetime(2025, 7, 1, 9, 30, 15, 999_999)  # naive UTC, as stored


@pytest.fixture
def app() -> Flask:
    app = Flask(__name__)

    @app.get("/feed")
    def feed() -> object:
        given = request.args.get("changed")
        geneva = datetime(2025, 7, 1, 11, 30, 15, tzinfo=timezone(timedelta(hours=2)))
        moment = {"naive": CHANGED, "geneva": geneva, None: None}[given]
        if request.args.get("private") == "1":
            return conditional_response(BODY, "text/calendar", moment, private=True)
        return conditional_response(BODY, "text/calendar", moment)

    return app


def test_the_etag_is_the_bodys_sha256() -> None:
    assert body_etag(BODY) == ETAG
    assert body_etag(b"") == hashlib.sha256(b"").hexdigest()


def test_a_first_fetch_gets_the_body_and_its_validators(app: Flask) -> None:
    response = app.test_client().get("/feed?changed=naive")
    assert (response.status_code, response.data, response.mimetype) == (200, BODY, "text/calendar")
    assert response.headers["ETag"] == f'"{ETAG}"'  # strong: no W/
    assert response.headers["Last-Modified"] == "Tue, 01 Jul 2025 09:30:15 GMT"
    assert response.headers["Cache-Control"] == "public, no-cache"


@pytest.mark.usefixtures("new_york_machine")
def test_a_stored_time_is_utc_whatever_the_servers_timezone(app: Flask) -> None:
    response = app.test_client().get("/feed?changed=naive")
    assert response.headers["Last-Modified"] == "Tue, 01 Jul 2025 09:30:15 GMT"


def test_an_aware_time_is_sent_in_utc(app: Flask) -> None:
    response = app.test_client().get("/feed?changed=geneva")
    assert response.headers["Last-Modified"] == "Tue, 01 Jul 2025 09:30:15 GMT"


def test_personal_responses_are_private_and_may_have_no_date(app: Flask) -> None:
    response = app.test_client().get("/feed?private=1")
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert "Last-Modified" not in response.headers


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"If-None-Match": f'"{ETAG}"'}, 304),
        ({"If-None-Match": f'W/"{ETAG}"'}, 304),
        ({"If-None-Match": f'"other", "{ETAG}"'}, 304),
        ({"If-None-Match": "*"}, 304),
        ({"If-None-Match": '"other"'}, 200),
        ({"If-Modified-Since": "Tue, 01 Jul 2025 09:30:15 GMT"}, 304),
        ({"If-Modified-Since": "Tue, 01 Jul 2025 09:30:14 GMT"}, 200),
        # The ETag is the stronger validator: a changed body wins over an unchanged date.
        ({"If-None-Match": '"other"', "If-Modified-Since": "Tue, 01 Jul 2025 09:30:15 GMT"}, 200),
    ],
)
def test_a_client_that_has_the_body_gets_a_304_without_it(app: Flask, headers: dict[str, str],
                                                           status: int) -> None:
    response = app.test_client().get("/feed?changed=naive", headers=headers)
    assert response.status_code == status
    assert response.data == (b"" if status == 304 else BODY)
    assert response.headers["ETag"] == f'"{ETAG}"'

