"""A published live-test event served by a test-client app with a hand-moved event clock.

`Site` is what the `site` fixture (`tests.live_fixtures`, loaded with `pytest_plugins`) gives; the
participant helpers here are shared by the participation, live and "live state everywhere" tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from scheduler.live import EventClock
from tests.test_live_data import DAY1

PROVIDER = "https://meet.example.org/wsis20/{room}-{date}?lang={channel}"


class Clock:
    """A set event clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.seconds = 0.0
        self.clock = EventClock(start, timer=lambda: self.seconds)

    def set(self, hh_mm_ss: str) -> None:
        moment = datetime.combine(DAY1, datetime.strptime(hh_mm_ss, "%H:%M:%S").time())
        assert self.clock.start is not None
        self.seconds = (moment - self.clock.start).total_seconds()


@dataclass
class Site:
    app: Flask
    client: FlaskClient
    engine: Engine
    event_id: int
    clock: Clock


def csrf(client: FlaskClient, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found, f"no CSRF field on {path}"
    return found.group(1)


def sign_up(client: FlaskClient, name: str = "Ada") -> str:
    form = {
        "csrf_token": csrf(client, "/register"),
        "name": name,
        "email": f"{name.lower()}@example.org",
        "country": "KE",
        "stakeholder_group": "civil-society",
        "language": "fr",
    }
    page = client.post("/register", data=form)
    assert page.status_code == 200
    # A new registration signs the browser in; "My agenda" shows the personal link (also emailed).
    mine = client.get("/my").get_data(as_text=True)
    found = re.search(r'value="http://localhost/my/([A-Za-z0-9_-]+)"', mine)
    assert found
    return found.group(1)


def bookmark(client: FlaskClient, key: str) -> None:
    token = csrf(client, f"/bookmark/{key}")
    response = client.post(f"/bookmarks/{key}", data={"csrf_token": token, "next": "/sessions"})
    assert response.status_code == 303 and response.headers["Location"] == "/sessions"
