"""What commands that write messages share: the settings for writing them, and handing them on.

The messages, the outbox and the job queue are imported when a command writes messages, so that
`scheduler --help` loads none of them (docs/benchmarks.md, "Command-line start-up").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scheduler import config
from scheduler.cli.output import echo, plural

if TYPE_CHECKING:
    from scheduler import notifications


def mailing(base_url: str | None = None) -> notifications.Mailing | None:
    """How to write messages now; None (said on stderr) when the settings do not allow it."""
    from scheduler import notifications
    from scheduler.outbox import OutboxError

    try:
        return notifications.Mailing.of(config.load(), base_url)
    except OutboxError as error:
        echo(f"No messages written: {error}", err=True)
        return None


def written(done: notifications.Written | None) -> None:
    """Say what went to the outbox, and have a worker send what is not held (after the commit)."""
    if done is None:
        return
    echo(
        f"{plural(done.queued, 'message')} in the outbox; not reached: {done.no_email} without email, "
        f"{done.stopped} who stopped messages",
        err=True,
    )
    if not done.queued:
        return
    from scheduler import jobs
    from scheduler.db import database_url

    try:
        jobs.dispatch_delivery(config.load(), database_url())
    except Exception as error:  # the queue is down: the messages wait, and the change stands
        echo(f"Not handed to a worker ({error}): `scheduler outbox send ID...` sends them.", err=True)
