"""`scheduler outbox`: the team's review of messages from the command line (list, show, send,
discard), and `scheduler outbox deliver`, which a job worker runs to send what is queued."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from scheduler import config
from scheduler.cli.acting import acting
from scheduler.cli.database import InputError, database, stored_event
from scheduler.cli.live import event_option
from scheduler.cli.output import echo
from scheduler.message_states import STATES
from scheduler.plaintext import one_line

if TYPE_CHECKING:
    from sqlalchemy.orm import Session as DbSession

    from scheduler.models import Event, OutboxMessage

# The outbox, the mail and the job queue are imported by the commands that use them, so that
# `scheduler --help` loads no database layer (docs/benchmarks.md, "Command-line start-up").


@click.group("outbox")
def outbox_group() -> None:
    """Review the messages waiting to be sent: list, show, send (release) or discard them."""


@contextmanager
def _outbox(event_ref: str | None) -> Iterator[tuple[DbSession, Event]]:
    """The event in one transaction; an unknown message id is bad input (exit 2), a message whose
    state refuses the action a clean error (exit 1). Nothing is stored either way."""
    from scheduler import outbox

    try:
        with database() as engine, stored_event(engine, event_ref, (outbox.MessageNotFound,)) as found:
            yield found
    except outbox.OutboxError as error:
        raise click.ClickException(str(error)) from None


def _messages(db: DbSession, event: Event, ids: Sequence[int]) -> list[OutboxMessage]:
    from scheduler import outbox

    return [outbox.find(db, message_id, event) for message_id in ids]


@outbox_group.command("list")
@click.option("--state", type=click.Choice(STATES), help="Only messages in this state.")
@event_option
def list_messages(state: str | None, event_ref: str | None) -> None:
    """One message a line: id, state, kind, recipient, subject, attempts, last error (tab-separated)."""
    from scheduler import outbox

    with _outbox(event_ref) as (db, event):
        for m in outbox.listing(db, event, state, limit=100_000):
            fields = (m.id, m.state, m.kind, f"{m.recipient_name} <{m.recipient_email}>", m.subject,
                      m.attempts, m.last_error)  # fmt: skip
            echo("\t".join(one_line(str(field)) for field in fields))
        counts = outbox.counts(db, event)
    echo(
        ", ".join(f"{count} {name}" for name, count in counts.items() if count) or "the outbox is empty",
        err=True,
    )


@outbox_group.command("show")
@click.argument("message_id", metavar="ID", type=int)
@event_option
def show(message_id: int, event_ref: str | None) -> None:
    """A message as it will be (or was) sent: its headers, text and attachments."""
    from scheduler import outbox

    with _outbox(event_ref) as (db, event):
        shown = outbox.public(outbox.find(db, message_id, event))
    recipient = shown["recipient"]
    echo(f"To: {one_line(recipient['name'])} <{recipient['email']}>")
    echo(f"Subject: {one_line(shown['subject'])}")
    echo(f"State: {shown['state']} ({shown['kind']}: {shown['reason']}), attempts {shown['attempts']}")
    if shown["last_error"]:
        echo(f"Last error: {one_line(shown['last_error'])}")
    for attachment in shown["attachments"]:
        echo(f"Attachment: {attachment['name']} ({attachment['mime']}, {attachment['bytes']} bytes)")
    echo("")
    echo(shown["text"])


@outbox_group.command("send")
@click.argument("message_ids", metavar="ID...", type=int, nargs=-1)
@click.option("--all", "every", is_flag=True, help="Every held message.")
@event_option
def send(message_ids: tuple[int, ...], every: bool, event_ref: str | None) -> None:
    """Release held (or failed) messages and send them now."""
    from scheduler import outbox

    if bool(message_ids) == every:
        raise click.UsageError("give message ids, or --all")
    with _outbox(event_ref) as (db, event):
        chosen = outbox.held_batch(db, event) if every else _messages(db, event, message_ids)
        ids = [m.id for m in outbox.release(db, chosen, actor=acting(db))]
    echo(f"{len(ids)} message(s) released")
    if ids:
        _deliver(ids)


def _deliver(ids: Sequence[int]) -> None:
    """Send now: through the job queue when there is one, else in this process (the worker's code)."""
    from scheduler import jobs, outbox
    from scheduler.db import database_url
    from scheduler.mail import MailNotConfigured

    settings = config.load()
    if settings["JOB_QUEUE_URL"]:
        jobs.dispatch_delivery(settings, database_url())
        echo("Handed to the job queue's workers.")
        return
    try:
        with database() as engine:
            done = outbox.deliver(engine, settings, ids)
    except MailNotConfigured as error:
        raise click.ClickException(f"{error}; the messages stay queued") from None
    echo(f"{done.sent} sent, {done.failed} failed")
    if done.failed:
        raise click.ClickException("some messages failed: `scheduler outbox list --state failed` says why")


@outbox_group.command("discard")
@click.argument("message_ids", metavar="ID...", type=int, nargs=-1, required=True)
@event_option
def discard(message_ids: tuple[int, ...], event_ref: str | None) -> None:
    """Never send these messages (they stay listed, discarded)."""
    from scheduler import outbox

    with _outbox(event_ref) as (db, event):
        count = outbox.discard(db, _messages(db, event, message_ids), actor=acting(db))
    echo(f"{count} message(s) discarded")


@outbox_group.command("deliver", hidden=True)
def deliver() -> None:
    """Send every queued message, retrying temporary failures (what a job worker runs)."""
    from scheduler import jobs
    from scheduler.mail import MailNotConfigured

    try:
        echo(jobs.deliver_outbox())
    except MailNotConfigured as error:
        raise InputError(str(error)) from None
