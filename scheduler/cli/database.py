"""How commands open the database: the one in DATABASE_URL, brought up to date first.

Like every module of the command line, it imports the database layer (SQLAlchemy, the models,
alembic) inside the functions that use it: `scheduler --help` and commands without a database
start in a fraction of the time (docs/benchmarks.md, "Command-line start-up").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from scheduler.cli.output import INVALID

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session as DbSession

    from scheduler.models import Event


class InputError(click.ClickException):
    """Bad input named in plain words: exit 2, no traceback."""

    exit_code = INVALID


@contextmanager
def database() -> Iterator[Engine]:
    """The database, migrated: a fresh machine or an older database just works."""
    from scheduler.db import DatabaseUnavailable, open_engine
    from scheduler.schema import upgrade

    try:
        engine = open_engine()
    except DatabaseUnavailable as error:
        raise InputError(str(error)) from None
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()


@contextmanager
def stored_event(
    engine: Engine, event_ref: str | None, refusals: tuple[type[Exception], ...] = ()
) -> Iterator[tuple[DbSession, Event]]:
    """The event in one transaction, rolled back whole if the block fails.

    An unknown event, and the command's own `refusals`, become clean errors (exit 2).
    """
    from scheduler.agenda import EventNotFound, find_event
    from scheduler.db import transaction

    try:
        with transaction(engine) as db:
            yield db, find_event(db, event_ref)
    except (EventNotFound, *refusals) as error:
        raise InputError(str(error)) from None
