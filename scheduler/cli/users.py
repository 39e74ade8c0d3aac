"""`scheduler users ...`: the programme team's console accounts.

The first account is made here (`scheduler users add EMAIL --role admin`); it prints a one-time
password that must be changed at the first sign-in. Every change is written to the audit log as the
OS user, or as `scheduler --as EMAIL users ...`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from scheduler.cli.acting import acting
from scheduler.cli.database import InputError, database
from scheduler.cli.output import echo
from scheduler.roles import ROLES

if TYPE_CHECKING:
    from types import ModuleType

    from sqlalchemy.orm import Session as DbSession

role_choice = click.Choice(ROLES)


@contextmanager
def _accounts() -> Iterator[tuple[DbSession, ModuleType]]:
    """One transaction on the migrated database, and `scheduler.accounts` (loaded only now); refused
    changes become clean errors (exit 2)."""
    from scheduler import accounts
    from scheduler.db import transaction

    try:
        with database() as engine, transaction(engine) as db:
            yield db, accounts
    except accounts.AccountError as error:
        raise InputError(str(error)) from None


@click.group("users")
def users_group() -> None:
    """Console accounts: add, list, change role, disable, reset passwords, issue API tokens.

    Roles: viewer (reads everything in the console), editor (imports, solves, publishes, runs the
    day), admin (everything, and manages accounts).
    """


@users_group.command("add")
@click.argument("email")
@click.option("--role", type=role_choice, default="viewer", show_default=True)
@click.option("--name", default="", help="The person's name, as the console shows it.")
def add(email: str, role: str, name: str) -> None:
    """Create an account; prints a one-time password to change at the first sign-in."""
    with _accounts() as (db, accounts):
        user, password = accounts.add_user(db, email, role, name=name, actor=acting(db))
        line = f"added {user.email} ({user.role})"
    echo(line)
    echo(f"one-time password: {password}")
    echo("Sign in at /console/ with it; you will be asked to choose a new password.")


@users_group.command("list")
def list_users() -> None:
    """One line per account: email, role, status, last sign-in."""
    with _accounts() as (db, accounts):
        rows = [
            (
                u.email,
                u.role,
                accounts.status(u),
                f"{u.last_login_at:%Y-%m-%d %H:%M}" if u.last_login_at else "never signed in",
            )
            for u in accounts.users(db)
        ]
    for row in rows:
        echo("\t".join(row))
    if not rows:
        echo("No accounts yet: scheduler users add EMAIL --role admin", err=True)


@users_group.command("role")
@click.argument("email")
@click.argument("role", type=role_choice)
def role(email: str, role: str) -> None:
    """Change the role of EMAIL's account (signs them out everywhere)."""
    with _accounts() as (db, accounts):
        user = accounts.set_role(db, accounts.find_user(db, email), role, actor=acting(db))
        line = f"{user.email} is now {user.role}"
    echo(line)


def _status_command(name: str, change: str, done: str, help_text: str) -> click.Command:
    """A command that changes EMAIL's account with `scheduler.accounts.<change>`."""

    @click.command(name, help=help_text)
    @click.argument("email")
    def command(email: str) -> None:
        with _accounts() as (db, accounts):
            user = getattr(accounts, change)(db, accounts.find_user(db, email), actor=acting(db))
            line = f"{user.email} is {done}"
        echo(line)

    return command


users_group.add_command(
    _status_command(
        "disable",
        "disable",
        "disabled",
        "Disable EMAIL's account: signed out everywhere, password and API tokens refused.",
    )
)
users_group.add_command(
    _status_command("enable", "enable", "active", "Enable EMAIL's account again (and lift a lockout).")
)


@users_group.command("reset-password")
@click.argument("email")
def reset_password(email: str) -> None:
    """Give EMAIL a new one-time password (printed once; to be changed at sign-in)."""
    with _accounts() as (db, accounts):
        user = accounts.find_user(db, email)
        password = accounts.reset_password(db, user, actor=acting(db))
    echo(f"one-time password for {email.strip().lower()}: {password}")


@users_group.command("token")
@click.argument("email")
@click.option("--label", default="", help="What the token is for (shown in the console).")
@click.option("--revoke", is_flag=True, help="Revoke every token of EMAIL instead of issuing one.")
def token(email: str, label: str, revoke: bool) -> None:
    """Issue a personal API token for EMAIL (printed once; only its hash is stored).

    Scripts send it as `Authorization: Bearer TOKEN` to /console/api/v1/.
    """
    with _accounts() as (db, accounts):
        user = accounts.find_user(db, email)
        if revoke:
            count = accounts.revoke_tokens(db, user, actor=acting(db))
            echo(f"revoked {count} token(s) of {user.email}")
            return
        secret = accounts.issue_token(db, user, label=label, actor=acting(db))
    echo(secret)
