"""The outbox in the console and its API: publication messages wait for review, the team reads,
edits, sends or discards them (editors only), live cancellations go out at once; every message is
sent by a worker process through a real SMTP server, never by the request."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from scheduler.audit import SYSTEM
from scheduler.db import transaction
from scheduler.models import AuditEntry, OutboxMessage
from scheduler.versions import save_draft
from tests.console_data import Console, make_token, post
from tests.smtp_server import SmtpServer, smtp_server
from tests.test_live_data import DAY1, SPEAKER_MAIL_HOST, at, event_of, schedule

pytest_plugins = ("tests.console_fixtures",)
pytestmark = pytest.mark.db


@pytest.fixture
def smtp(console: Console) -> Iterator[SmtpServer]:
    with smtp_server() as server:
        console.app.config.update(server.settings())
        yield server


def publish_a_replan(console: Console) -> None:
    """Publish, from the console, a draft that moves s-par (speakers sp-w2 and sp-nd)."""
    with transaction(console.engine) as db:
        event = event_of(db, console.event_id)
        # The first publication's messages are not this test's subject: everyone has been told of it.
        for speaker in event.speakers:
            speaker.told_version = 1
        moved = schedule(moves={"s-par": ("room-b", at(DAY1, "17:00"))})
        draft = save_draft(db, event, moved, note="re-plan", actor=SYSTEM)
        number = draft.number
    client = console.client("editor")
    confirmed = {"note": "moved", "confirm_broken_rules": "yes"}
    answer = post(client, f"/console/versions/{number}/publish", confirmed)
    assert answer.status_code in (200, 302, 303), answer.get_data(as_text=True)  # type: ignore[attr-defined]


def held_ids(console: Console) -> list[int]:
    with transaction(console.engine) as db:
        return list(db.scalars(select(OutboxMessage.id).where(OutboxMessage.state == "held")))


def test_publication_messages_wait_until_the_team_sends_them(console: Console, smtp: SmtpServer) -> None:
    publish_a_replan(console)
    held = held_ids(console)
    assert len(held) == 2
    time.sleep(1.0)
    assert smtp.mailbox.received == []
    client = console.client("editor")
    page = client.get("/console/outbox?state=held").get_data(as_text=True)
    assert page.count('data-state="held"') == 2 and "data-send-all" in page
    read = client.get(f"/console/outbox/{held[0]}").get_data(as_text=True)
    assert "Moved: “Parallel track”" in read and "live-test.ics" in read
    change = {"subject": "Your session moved", "text": "Parallel track now starts at 17:00."}
    edited = post(client, f"/console/outbox/{held[0]}/edit", change)
    assert edited.status_code == 302  # type: ignore[attr-defined]
    sent = post(client, "/console/outbox/send", {"all": "1"})
    assert sent.status_code == 302  # type: ignore[attr-defined]
    messages = smtp.arrived(2)
    assert sorted(str(m["To"]).split("<")[1].rstrip(">") for m in messages) == [
        f"sp-nd@{SPEAKER_MAIL_HOST}",
        f"sp-w2@{SPEAKER_MAIL_HOST}",
    ]
    assert any(m["Subject"] == "Your session moved" for m in messages)
    with transaction(console.engine) as db:
        actions = list(db.scalars(select(AuditEntry.action).where(AuditEntry.action.startswith("message"))))
    assert actions.count("message.send") == 2 and "message.edit" in actions


def test_viewers_read_the_outbox_but_cannot_send_or_discard(console: Console, smtp: SmtpServer) -> None:
    publish_a_replan(console)
    viewer = console.client("viewer")
    assert viewer.get("/console/outbox").status_code == 200
    ids = held_ids(console)
    assert post(viewer, "/console/outbox/send", {"id": ids}).status_code == 403  # type: ignore[attr-defined]
    assert post(viewer, "/console/outbox/discard", {"id": ids}).status_code == 403  # type: ignore[attr-defined]
    assert held_ids(console) == ids


def test_a_script_reviews_the_outbox_through_the_api(console: Console, smtp: SmtpServer) -> None:
    publish_a_replan(console)
    client = console.app.test_client()
    auth = {"Authorization": f"Bearer {make_token(console.engine, 'editor')}"}
    listing = client.get("/console/api/v1/outbox?state=held", headers=auth).get_json()
    assert listing["counts"]["held"] == 2
    first, second = (m["id"] for m in listing["messages"])
    one = client.get(f"/console/api/v1/outbox/{first}", headers=auth).get_json()
    assert one["attachments"][0]["mime"] == "text/calendar" and one["recipient"]["email"].endswith(
        SPEAKER_MAIL_HOST
    )
    edited = client.post(
        f"/console/api/v1/outbox/{first}", headers=auth, json={"subject": "Moved", "text": "x"}
    )
    assert edited.get_json()["subject"] == "Moved"
    assert client.post("/console/api/v1/outbox/discard", headers=auth, json={"ids": [second]}).get_json() == {
        "discarded": 1
    }
    assert client.post("/console/api/v1/outbox/send", headers=auth, json={"ids": [first]}).get_json() == {
        "released": 1
    }
    [message] = smtp.arrived(1)
    assert message["Subject"] == "Moved"
    assert client.get("/console/api/v1/outbox/9999", headers=auth).status_code == 404
    assert client.post("/console/api/v1/outbox/hold", headers=auth, json={"ids": [first]}).status_code == 409
    again = client.post("/console/api/v1/outbox/send", headers=auth, json={"ids": [second]})
    assert again.status_code == 409


def test_a_live_cancel_from_the_console_is_sent_at_once(console: Console, smtp: SmtpServer) -> None:
    client = console.app.test_client()
    auth = {"Authorization": f"Bearer {make_token(console.engine, 'editor')}"}
    assert client.post("/console/api/v1/live/s-next/cancel", headers=auth).status_code == 200
    [message] = smtp.arrived(1)  # s-next's one speaker, sp-nd
    assert message["To"] == f"Speaker sp-nd <sp-nd@{SPEAKER_MAIL_HOST}>"
    assert "“After the floor” is cancelled" in str(message["Subject"])


def test_speaker_links_are_emailed_from_the_console(console: Console, smtp: SmtpServer) -> None:
    client = console.app.test_client()
    auth = {"Authorization": f"Bearer {make_token(console.engine, 'editor')}"}
    answer = client.post("/console/api/v1/speaker-links", headers=auth).get_json()
    assert answer == {"queued": 5, "no_email": 0}
    assert len(held_ids(console)) == 5  # speaker links are held for review by default
