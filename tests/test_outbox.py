"""The outbox against a real SMTP server on loopback: what is held waits, what is queued is sent
once, temporary errors are retried and permanent ones shown failed, and no header can be injected."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from redis import Redis
from sqlalchemy import Engine, select

from scheduler import config, jobs, mail, outbox
from scheduler.audit import SYSTEM
from scheduler.db import transaction
from scheduler.models import AuditEntry, Event, OutboxMessage
from scheduler.outbox import Draft
from tests.smtp_server import SmtpServer, smtp_server
from tests.test_live_data import REDIS_URL, redis_available, seed

pytestmark = pytest.mark.db


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


def settings(smtp: SmtpServer, **more: Any) -> dict[str, Any]:
    return {**config.defaults(), **smtp.settings(), "AGENDA_BASE_URL": "https://agenda.example.org", **more}


@pytest.fixture
def event_id(engine: Engine) -> int:
    return seed(engine)


def put(
    engine: Engine, *, held: bool = False, name: str = "Ana", subject: str = "Hello", key: str | None = None
) -> int | None:
    with transaction(engine) as db:
        event = db.scalars(select(Event)).one()
        draft = Draft(name, "ana@example.org", "en", subject, "The text.\n")
        message = outbox.put(db, event, draft, kind="live", reason="test", held=held, dedupe_key=key)
        return None if message is None else message.id


def state(engine: Engine, message_id: int) -> OutboxMessage:
    with transaction(engine) as db:
        message = outbox.find(db, message_id)
        db.expunge(message)
        return message


def test_a_queued_message_is_sent_once_with_a_text_part(
    engine: Engine, event_id: int, smtp: SmtpServer
) -> None:
    message_id = put(engine)
    assert message_id is not None
    done = outbox.deliver(engine, settings(smtp))
    assert (done.sent, done.failed) == (1, 0)
    assert outbox.deliver(engine, settings(smtp)).sent == 0
    [received] = smtp.mailbox.received
    assert received["Subject"] == "Hello" and received["To"] == "Ana <ana@example.org>"
    assert received.get_body(("plain",)).get_content().strip() == "The text."  # type: ignore[union-attr]
    assert state(engine, message_id).state == outbox.SENT


def test_the_same_dedupe_key_writes_one_message(engine: Engine, event_id: int) -> None:
    assert put(engine, key="live:1:1:participant:1") is not None
    assert put(engine, key="live:1:1:participant:1") is None
    with transaction(engine) as db:
        assert len(db.scalars(select(OutboxMessage)).all()) == 1


def test_held_messages_wait_until_released(engine: Engine, event_id: int, smtp: SmtpServer) -> None:
    message_id = put(engine, held=True)
    assert message_id is not None
    assert outbox.deliver(engine, settings(smtp)).sent == 0
    assert smtp.mailbox.received == []
    with transaction(engine) as db:
        outbox.release(db, [outbox.find(db, message_id)], actor=SYSTEM)
    assert outbox.deliver(engine, settings(smtp)).sent == 1
    assert len(smtp.mailbox.received) == 1


def test_a_held_back_queued_message_waits_again(engine: Engine, event_id: int, smtp: SmtpServer) -> None:
    message_id = put(engine)
    with transaction(engine) as db:
        assert outbox.hold(db, [outbox.find(db, message_id)], actor=SYSTEM) == 1  # type: ignore[arg-type]
    assert outbox.deliver(engine, settings(smtp)).sent == 0
    assert state(engine, message_id).state == outbox.HELD  # type: ignore[arg-type]


def test_a_temporary_failure_is_retried_after_a_wait(engine: Engine, event_id: int, smtp: SmtpServer) -> None:
    smtp.mailbox.replies[:] = ["451 4.3.0 Try again later"]
    message_id = put(engine)
    assert message_id is not None
    waits: list[float] = []

    def wait(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    done = outbox.deliver(engine, settings(smtp), sleep=wait)
    assert done.sent == 1 and waits and all(0 <= w <= 0.2 for w in waits)
    message = state(engine, message_id)
    assert (message.state, message.attempts) == (outbox.SENT, 2)
    assert len(smtp.mailbox.received) == 1


def test_a_permanent_failure_is_shown_failed_with_the_reply(
    engine: Engine, event_id: int, smtp: SmtpServer
) -> None:
    smtp.mailbox.replies[:] = ["550 5.1.1 No such mailbox"]
    message_id = put(engine)
    assert message_id is not None
    done = outbox.deliver(engine, settings(smtp))
    assert (done.sent, done.failed) == (0, 1)
    message = state(engine, message_id)
    assert message.state == outbox.FAILED and message.attempts == 1
    assert message.last_error.startswith("550") and "No such mailbox" in message.last_error
    with transaction(engine) as db:
        assert db.scalars(select(AuditEntry.action).where(AuditEntry.action == "message.failed")).one()


def test_too_many_temporary_failures_end_failed(engine: Engine, event_id: int, smtp: SmtpServer) -> None:
    smtp.mailbox.replies[:] = ["421 4.7.0 Busy"] * 5
    message_id = put(engine)
    assert message_id is not None
    outbox.deliver(engine, settings(smtp), sleep=time.sleep)
    message = state(engine, message_id)
    assert (message.state, message.attempts) == (outbox.FAILED, 3)
    assert smtp.mailbox.received == []


def test_no_server_is_a_temporary_failure(engine: Engine, event_id: int, smtp: SmtpServer) -> None:
    message_id = put(engine)
    assert message_id is not None
    closed = settings(smtp, MAIL_PORT=1)  # nothing listens on port 1 of loopback
    done = outbox.deliver(engine, closed, wait=False)
    assert done.retrying == 1
    message = state(engine, message_id)
    assert message.state == outbox.QUEUED and message.next_attempt_at is not None and message.last_error


@pytest.mark.parametrize(
    ("name", "subject"),
    [("Eve\r\nBcc: victim@example.net", "Hi"), ("Eve", "Hi\r\nBcc: victim@example.net"),
     ("Eve\nX-Injected: yes", "Hi\rX-Injected: yes")],
)  # fmt: skip
def test_line_breaks_in_names_and_subjects_add_no_header(
    engine: Engine, event_id: int, smtp: SmtpServer, name: str, subject: str
) -> None:
    message_id = put(engine, name=name, subject=subject)
    assert message_id is not None
    outbox.deliver(engine, settings(smtp))
    [received] = smtp.mailbox.received
    assert received["Bcc"] is None and received["X-Injected"] is None
    assert smtp.mailbox.envelopes[0][1] == ["ana@example.org"]
    # An edited subject goes through the same door.
    with transaction(engine) as db:
        built = mail.build(outbox.find(db, message_id), "Team\r\nBcc: x@example.net <agenda@example.org>")
    assert built["Bcc"] is None and "\n" not in str(built["Subject"]) and "\n" not in str(built["From"])


def test_only_held_messages_can_be_edited_and_unsent_ones_discarded(
    engine: Engine, event_id: int, smtp: SmtpServer
) -> None:
    held = put(engine, held=True)
    with transaction(engine) as db:
        message = outbox.find(db, held)  # type: ignore[arg-type]
        outbox.edit(db, message, "New subject", "New text.\n", actor=SYSTEM)
        with pytest.raises(outbox.OutboxError):
            outbox.edit(db, message, "Two\nlines", "", actor=SYSTEM)
    with transaction(engine) as db:
        message = outbox.find(db, held)  # type: ignore[arg-type]
        assert (message.subject, message.text, message.html) == ("New subject", "New text.\n", "")
        assert outbox.discard(db, [message], actor=SYSTEM) == 1
        with pytest.raises(outbox.OutboxError):
            outbox.release(db, [message], actor=SYSTEM)
    assert outbox.deliver(engine, settings(smtp)).sent == 0


def test_an_unknown_kind_to_hold_is_refused() -> None:
    with pytest.raises(outbox.OutboxError, match="livee"):
        outbox.held_kinds({"MAIL_HOLD_KINDS": "publication, livee"})


def test_a_message_whose_worker_died_while_sending_is_shown_failed_not_resent(
    engine: Engine, event_id: int, smtp: SmtpServer
) -> None:
    message_id = put(engine)
    with transaction(engine) as db:
        message = outbox.find(db, message_id)  # type: ignore[arg-type]
        message.state, message.updated_at = outbox.SENDING, message.updated_at - outbox.SENDING_TIMEOUT * 2
    assert outbox.deliver(engine, settings(smtp)).sent == 0
    stale = state(engine, message_id)  # type: ignore[arg-type]
    assert stale.state == outbox.FAILED and "may or may not have gone out" in stale.last_error
    assert smtp.mailbox.received == []


@pytest.mark.slow
@pytest.mark.skipif(not redis_available(), reason="needs Redis on 127.0.0.1:6379")
def test_with_a_job_queue_an_rq_worker_sends_the_outbox(
    engine: Engine, event_id: int, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"test-outbox-{uuid.uuid4().hex[:12]}"
    # The worker reads its settings as `scheduler worker` does: from the environment.
    for key, value in {**smtp.environment(), "JOB_QUEUE_URL": REDIS_URL, "JOB_QUEUE_NAME": name}.items():
        monkeypatch.setenv(key, value)
    put(engine)
    queue_settings = config.load(instance_file=False)
    try:
        jobs.dispatch_delivery(queue_settings, str(engine.url))
        assert smtp.mailbox.received == []  # handed over, not sent by the caller
        jobs.work(queue_settings, burst=True)
    finally:
        connection = Redis.from_url(REDIS_URL)
        for key in connection.scan_iter(f"rq:*{name}*"):
            connection.delete(key)
        connection.srem("rq:queues", f"rq:queue:{name}")
    assert len(smtp.mailbox.received) == 1


def test_one_refused_message_does_not_stop_the_rest_of_the_batch(
    engine: Engine, event_id: int, smtp: SmtpServer
) -> None:
    smtp.mailbox.replies[:] = ["250 OK", "550 5.1.1 No such mailbox", "451 4.3.0 Later"]
    ids = [put(engine, subject=f"Message {n}") for n in range(4)]
    done = outbox.deliver(engine, settings(smtp), wait=False)
    assert (done.sent, done.failed, done.retrying) == (2, 1, 1)
    assert [state(engine, i).state for i in ids] == [outbox.SENT, outbox.FAILED, outbox.QUEUED, outbox.SENT]  # type: ignore[arg-type]
    assert [m["Subject"] for m in smtp.mailbox.received] == ["Message 0", "Message 3"]
