"""A live cancellation reaches the session's followers once, not once per server process: two real
servers share the database and Redis, the team cancels through one, then through the other (and once
more from the CLI), and a real SMTP server on loopback counts what arrives."""

from __future__ import annotations

import json
import os
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from scheduler import participants
from scheduler.db import transaction
from scheduler.models import Event, OutboxMessage
from tests.console_data import make_token, make_user
from tests.smtp_server import smtp_server
from tests.test_live_data import REDIS_URL, SPEAKER_MAIL_HOST, cli, redis_available, register, seed, server

pytestmark = [
    pytest.mark.slow,
    pytest.mark.db,
    pytest.mark.skipif(not redis_available(), reason="needs Redis on 127.0.0.1:6379"),
]


def _cancel(base: str, token: str) -> int:
    request = urllib.request.Request(
        base + "/console/api/v1/live/s-open/cancel",
        data=json.dumps({}).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status


def test_a_cancel_through_two_processes_reaches_each_follower_once(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    seed(engine)
    make_user(engine, "editor")
    token = make_token(engine, "editor")
    with transaction(engine) as db:
        event = db.scalars(select(Event)).one()
        participant_id, _ = register(db, event, "Ada")
        participants.add_bookmark(db, participants.find(db, event, participant_id),
                                  participants.session_by_key(db, event, "s-open"))  # fmt: skip
    with smtp_server() as smtp:
        env = {
            **os.environ,
            **smtp.environment(),
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(tmp_path),
            "SOCKETIO_MESSAGE_QUEUE": REDIS_URL,
            "SOCKETIO_CHANNEL": f"test-messages-{uuid.uuid4().hex}",
            "AGENDA_BASE_URL": "https://agenda.example.org",
            "LIVE_TICK_SECONDS": "0.5",
        }
        env.pop("JOB_QUEUE_URL", None)
        with (
            server(env, "2025-07-08T15:00", tmp_path / "one.log") as one,
            server(env, "2025-07-08T15:00", tmp_path / "two.log") as two,
        ):
            # One after the other: two first changes of a session at the same instant race on
            # its live-state row (a live.py matter, reported), which this test is not about.
            answers = [_cancel(base, token) for base in (one, two)]
            assert answers == [200, 200]
            again = cli(env, "live", "cancel", "s-open")
            assert again.returncode == 0, again.stderr
            deadline = time.monotonic() + 30
            while len(smtp.mailbox.received) < 3 and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(2.0)  # long enough for a second copy to arrive, were one sent
        recipients = sorted(str(m["To"]).split("<")[1].rstrip(">") for m in smtp.mailbox.received)
    assert recipients == ["ada@example.org", f"sp-m1@{SPEAKER_MAIL_HOST}", f"sp-m2@{SPEAKER_MAIL_HOST}"]
    with transaction(engine) as db:
        assert set(db.scalars(select(OutboxMessage.state))) == {"sent"}
