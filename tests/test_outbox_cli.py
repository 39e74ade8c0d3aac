"""`scheduler outbox ...`, `scheduler speaker-links --email` and messages written by `scheduler
publish`, against a real SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, select

from scheduler.cli import main
from scheduler.db import transaction
from scheduler.models import AuditEntry, OutboxMessage, Speaker
from scheduler.schedule_file import dump_schedule
from tests.smtp_server import SmtpServer, smtp_server
from tests.test_live_data import DAY1, SPEAKER_MAIL_HOST, at, schedule, seed

pytestmark = pytest.mark.db


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[SmtpServer]:
    monkeypatch.delenv("SOCKETIO_MESSAGE_QUEUE", raising=False)
    monkeypatch.delenv("JOB_QUEUE_URL", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("AGENDA_BASE_URL", "https://agenda.example.org")
    with smtp_server() as server:
        for name, value in server.environment().items():
            monkeypatch.setenv(name, value)
        yield server


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def states(engine: Engine) -> list[str]:
    with transaction(engine) as db:
        return list(db.scalars(select(OutboxMessage.state).order_by(OutboxMessage.id)))


def test_speaker_links_by_email_are_held_then_sent_from_the_cli(engine: Engine, smtp: SmtpServer) -> None:
    seed(engine)
    with transaction(engine) as db:
        db.scalars(select(Speaker).where(Speaker.key == "sp-nd")).one().email = None
    issued = run("speaker-links", "--email", "--base-url", "https://agenda.example.org")
    assert issued.exit_code == 0, issued.output
    # The speaker without an address is printed, as before; the four others are in the outbox.
    assert issued.output.count("https://agenda.example.org/speaker/") == 1 and "sp-nd" in issued.output
    assert "4 messages in the outbox; not reached: 1 without email" in issued.output
    assert states(engine) == ["held"] * 4

    listing = run("outbox", "list", "--state", "held")
    assert listing.exit_code == 0 and listing.output.count("\theld\tspeaker-links\t") == 4
    shown = run("outbox", "show", "1")
    assert "Subject: Live Test Event: your speaker page" in shown.output
    assert "https://agenda.example.org/speaker/" in shown.output

    assert run("outbox", "discard", "2").exit_code == 0
    sent = run("outbox", "send", "--all")
    assert sent.exit_code == 0, sent.output
    assert "3 message(s) released" in sent.output and "3 sent, 0 failed" in sent.output
    assert states(engine) == ["sent", "discarded", "sent", "sent"]
    assert len(smtp.mailbox.received) == 3
    link = smtp.mailbox.received[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "https://agenda.example.org/speaker/" in link
    with transaction(engine) as db:
        actions = list(db.scalars(select(AuditEntry.action).where(AuditEntry.action.startswith("message"))))
    assert actions.count("message.send") == 3 and actions.count("message.discard") == 1


@pytest.mark.parametrize("command", [("show", "99"), ("send", "99"), ("discard", "1", "99")])
def test_an_unknown_message_is_bad_input(engine: Engine, smtp: SmtpServer, command: tuple[str, ...]) -> None:
    seed(engine)
    run("speaker-links", "--email", "--base-url", "https://agenda.example.org")
    result = run("outbox", *command)
    assert result.exit_code == 2 and "no message 99 in the outbox" in result.output
    assert states(engine) == ["held"] * 5  # nothing half-done: message 1 was not discarded


def test_a_permanent_failure_is_shown_failed_and_exits_1(engine: Engine, smtp: SmtpServer) -> None:
    seed(engine)
    run("speaker-links", "--email", "--base-url", "https://agenda.example.org")
    smtp.mailbox.replies[:] = ["550 5.1.1 No such mailbox"]
    result = run("outbox", "send", "1")
    assert result.exit_code == 1 and "0 sent, 1 failed" in result.output
    listing = run("outbox", "list", "--state", "failed")
    assert "550 5.1.1 No such mailbox" in listing.output


def test_publishing_a_replan_writes_the_affected_speakers_messages(
    engine: Engine, smtp: SmtpServer, tmp_path: Path
) -> None:
    seed(engine)
    with transaction(engine) as db:
        for speaker in db.scalars(select(Speaker)):
            speaker.told_version = 1
    moved = tmp_path / "moved.schedule.json"
    dump_schedule(schedule(moves={"s-next": ("room-c", at(DAY1, "17:15"))}), moved)
    published = run("publish", "--schedule", str(moved))
    assert published.exit_code == 0, published.output
    assert "1 message in the outbox" in published.output
    with transaction(engine) as db:
        [message] = db.scalars(select(OutboxMessage)).all()
        assert (message.state, message.recipient_email) == ("held", f"sp-nd@{SPEAKER_MAIL_HOST}")
