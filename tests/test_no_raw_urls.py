"""No virtual-room address and no speaker's e-mail leaks: every page, feed and export (each route in
app.url_map) is fetched with every argument the sample data offers, and no response names the join
provider's host or the host of the speakers' (private) e-mail addresses.

Only `/join/<session>` may send people to the provider: it is the one route left out, and tested to
redirect. E-mail addresses go nowhere public, not even to the speakers' own private pages.
"""

from __future__ import annotations

import io
import itertools
import zipfile
from collections.abc import Iterable
from datetime import datetime

import pytest
from flask import Flask
from sqlalchemy import Engine
from werkzeug.routing import Rule

from scheduler import config, live, notifications, participants
from scheduler.db import transaction
from scheduler.live import EventClock
from scheduler.speaker_links import issue_links
from tests.console_data import make_token, make_user
from tests.test_live_data import SESSIONS, SPEAKER_MAIL_HOST, SPEAKERS, event_of, register, seed
from webapp import create_app
from webapp.extensions import socketio

pytestmark = pytest.mark.db

TEMPLATE_HOST = "rooms-secret.example.net"
JITSI_HOST = "jitsi-secret.example.net"
JOIN_ONLY = {"participation.join"}
# The team's outbox shows whom each message is for: the one place a speaker's address is shown,
# behind the console's sign-in. Every other output, a message's stop page included, must not.
SHOWS_RECIPIENTS = {
    "console.outbox",
    "console.outbox_message",
    "console.api.outbox_list",
    "console.api.outbox_get",
}


def _values(engine: Engine, event_id: int) -> dict[str, list[str]]:
    """Every value a route argument can take in the sample data, by argument name."""
    with transaction(engine) as db:
        event = event_of(db, event_id)
        participant_id, token = register(db, event)
        participant = participants.find(db, event, participant_id)
        for key in ("s-open", "s-par"):
            participants.add_bookmark(db, participant, participants.session_by_key(db, event, key))
        live.change(db, event, "s-par", "delay", 5)
        speaker_tokens = [issued.token for issued in issue_links(db, event) if issued.token]
        # Messages to every speaker in the outbox: their addresses are in the database now.
        mailing = notifications.Mailing.of(
            {**config.defaults(), "AGENDA_BASE_URL": "https://agenda.example.org", "SECRET_KEY": SECRET_KEY}
        )
        assert notifications.publication(db, event, event.versions[-1], mailing, actor=None).queued
        speaker_id = event.speakers[0].id
        stop = notifications.stop_signature(mailing.secret, "speaker", speaker_id)
    rooms, sessions, speakers = ["room-a", "room-b", "room-c"], list(SESSIONS), [s.id for s in SPEAKERS]
    return {
        "key": sessions + rooms + speakers,
        "session_key": sessions,
        "day": ["2025-07-08", "2025-07-09"],
        "track": ["C1", "C2", "C3"],
        "token": [token, *speaker_tokens[:1]],
        "number": ["1"],
        "version": ["1"],
        "upload_id": ["1"],
        "job_id": ["1"],
        "fmt": ["csv", "xlsx"],
        "message_id": ["1"],
        "who": ["speaker"],
        "person_id": [str(speaker_id)],
        "signature": [stop],
    }


def _paths(app: Flask, values: dict[str, list[str]]) -> Iterable[tuple[Rule, str]]:
    urls = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint in JOIN_ONLY or rule.endpoint == "static":
            continue
        missing = [arg for arg in rule.arguments if arg not in values]
        assert not missing, (
            f"the crawl does not know what to put in {rule.rule} for {missing}: add sample values"
        )
        names = sorted(rule.arguments)
        for combination in itertools.product(*(values[name] for name in names)):
            yield rule, urls.build(rule.endpoint, dict(zip(names, combination, strict=True)))


def _contents(body: bytes) -> Iterable[bytes]:
    """A response's bytes, and those inside it when it is a zip (an .xlsx export)."""
    yield body
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            for name in archive.namelist():
                yield archive.read(name)


# The site's key, which also signs the stop links of the messages in the outbox.
SECRET_KEY = "a test key of at least thirty-two bytes"


@pytest.mark.parametrize(
    "provider",
    [
        {"JOIN_URL_TEMPLATE": f"https://{TEMPLATE_HOST}/wsis20/{{room}}-{{date}}"},
        {
            "JOIN_PROVIDER": "jitsi",
            "JITSI_URL": f"https://{JITSI_HOST}",
            "JITSI_APP_ID": "agenda",
            "JITSI_APP_SECRET": "a shared secret of at least 32 bytes",
        },
    ],
    ids=["template", "jitsi"],
)
def test_no_public_output_names_the_provider(
    engine: Engine, database_url: str, provider: dict[str, str]
) -> None:
    event_id = seed(engine)
    make_user(engine, "viewer")
    console_token = make_token(engine, "viewer")  # the console's pages are crawled too
    host = provider.get("JITSI_URL", "").removeprefix("https://") or TEMPLATE_HOST
    app = create_app(
        {"DATABASE_URL": database_url, "TESTING": True, "LIVE_TICKER": False, "SECRET_KEY": SECRET_KEY}
        | provider
    )
    app.extensions["event_clock"] = EventClock(datetime(2025, 7, 8, 15, 50), timer=lambda: 0.0)
    values = _values(engine, event_id)
    client = app.test_client()
    client.get(f"/my/{values['token'][0]}")  # a registered browser: personal pages are crawled too
    crawled = []
    for rule, path in _paths(app, values):
        response = client.get(path, headers={"Authorization": f"Bearer {console_token}"})
        shown = b"".join(_contents(response.data)) + str(response.headers).encode()
        assert host.encode() not in shown, f"{path} ({rule.endpoint}) shows the provider's address"
        if rule.endpoint not in SHOWS_RECIPIENTS:
            assert SPEAKER_MAIL_HOST.encode() not in shown, f"{path} ({rule.endpoint}) shows an e-mail"
        crawled.append((rule.endpoint, response.status_code))
    endpoints_ok = {endpoint for endpoint, status in crawled if status == 200}
    for expected in (
        "agenda.home",
        "agenda.session",
        "participation.my_agenda",
        "participation.personal_feed",
        "live.now_page",
        "console.figures_page",
        "messages.stop",
        "messages.lost_link",
    ):
        assert expected in endpoints_ok, f"{expected} was never fetched successfully: {sorted(endpoints_ok)}"

    live_client = socketio.test_client(app, namespace="/live", auth={"token": values["token"][0]})
    received = str(live_client.get_received("/live"))
    assert host not in received and SPEAKER_MAIL_HOST not in received

    # The one way there: a personal join link, inside the session's window.
    joined = client.get(f"/join/s-open?t={values['token'][0]}")
    assert joined.status_code == 302 and host in joined.headers["Location"]
