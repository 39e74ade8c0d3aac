"""Who is acting at the command line: `scheduler --as EMAIL ...`, or the operating-system user.

Every command that changes something passes `acting(db)` to the domain function, which writes it to
the audit log with the change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from scheduler.cli.database import InputError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session as DbSession

    from scheduler.audit import Actor

AS_KEY = "acting_as"


def remember_as(ctx: click.Context, _param: click.Parameter, email: str | None) -> None:
    ctx.ensure_object(dict)[AS_KEY] = email


as_option = click.option(
    "--as",
    "acting_as",
    metavar="EMAIL",
    expose_value=False,
    callback=remember_as,
    help="Record changes in the audit log as this console account (default: the OS user).",
)


def acting(db: DbSession) -> Actor:
    """The actor for the current command; an unknown or disabled `--as` account is refused."""
    from scheduler.accounts import AccountNotFound, active, find_user
    from scheduler.audit import Actor

    ctx = click.get_current_context(silent=True)
    email = (ctx.find_root().obj or {}).get(AS_KEY) if ctx is not None else None
    if not email:
        return Actor.os_user()
    try:
        user = find_user(db, email)
    except AccountNotFound as error:
        raise InputError(f"--as: {error}") from None
    if not active(user):
        raise InputError(f"--as: the account {user.email} is disabled")
    return Actor(user.email, "cli", user.id)
