"""Accounts in the domain and on the command line: Argon2 hashes, roles, the last admin, tokens
stored as hashes, and `scheduler users ...` / `scheduler --as EMAIL` writing the audit log."""

from __future__ import annotations

import getpass
import hashlib

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select

from scheduler import accounts
from scheduler.cli import main
from scheduler.db import transaction
from scheduler.models import ApiToken, AuditEntry, User
from tests.console_data import SETUP

pytestmark = pytest.mark.db


def entries(engine: Engine) -> list[AuditEntry]:
    with transaction(engine) as db:
        return list(db.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_passwords_are_argon2id_hashes_at_a_memory_hard_cost(engine: Engine) -> None:
    with transaction(engine) as db:
        user, password = accounts.add_user(db, "a@example.org", "viewer", actor=SETUP)
        assert user.password_hash.startswith("$argon2id$") and password not in user.password_hash
        assert "m=65536" in user.password_hash  # 64 MiB per hash
        assert user.must_change_password
        lockout = accounts.Lockout()
        assert accounts.sign_in(db, "A@Example.org ", password, lockout=lockout, via="cli") is user
        with pytest.raises(accounts.SignInRefused):
            accounts.sign_in(db, "a@example.org", password + "x", lockout=lockout, via="cli")


def test_lockout_doubles_and_is_capped() -> None:
    from datetime import datetime, timedelta

    rule = accounts.Lockout(failures=3, minutes=1, longest_minutes=10)
    now = datetime(2025, 7, 8, 10, 0)
    assert rule.until(2, now) is None
    assert rule.until(3, now) == now + timedelta(minutes=1)
    assert rule.until(4, now) == now + timedelta(minutes=2)
    assert rule.until(20, now) == now + timedelta(minutes=10)


def test_api_tokens_are_stored_as_hashes_and_stop_with_the_account(engine: Engine) -> None:
    with transaction(engine) as db:
        user, _ = accounts.add_user(db, "script@example.org", "editor", actor=SETUP)
        token = accounts.issue_token(db, user, actor=SETUP, label="nightly")
        stored = db.scalars(select(ApiToken)).one()
        assert (
            stored.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in stored.token_hash
        )
        assert accounts.user_for_token(db, token) is user
        assert (
            accounts.user_for_token(db, token + "x") is None and accounts.user_for_token(db, "nope") is None
        )
        accounts.add_user(db, "admin@example.org", "admin", actor=SETUP)
        accounts.disable(db, user, actor=SETUP)
        assert accounts.user_for_token(db, token) is None


def test_the_last_admin_cannot_be_demoted_or_disabled(engine: Engine) -> None:
    with transaction(engine) as db:
        admin, _ = accounts.add_user(db, "boss@example.org", "admin", actor=SETUP)
        with pytest.raises(accounts.AccountError, match="last active admin"):
            accounts.set_role(db, admin, "editor", actor=SETUP)
        with pytest.raises(accounts.AccountError, match="last active admin"):
            accounts.disable(db, admin, actor=SETUP)
        with pytest.raises(accounts.AccountError, match="not one of"):
            accounts.add_user(db, "x@example.org", "owner", actor=SETUP)
        with pytest.raises(accounts.AccountError, match="not an email"):
            accounts.add_user(db, "not-an-address", "viewer", actor=SETUP)


def test_users_commands_and_the_audit_lines_they_write(engine: Engine) -> None:
    runner = CliRunner()
    added = runner.invoke(main, ["users", "add", "Ada@Example.org", "--role", "admin", "--name", "Ada"])
    assert added.exit_code == 0, added.output
    one_time = added.output.split("one-time password: ")[1].split()[0]
    with transaction(engine) as db:
        assert accounts.sign_in(db, "ada@example.org", one_time, lockout=accounts.Lockout(), via="cli")
    assert runner.invoke(main, ["users", "add", "bob@example.org"]).exit_code == 0
    listed = runner.invoke(main, ["users", "list"]).output
    assert "ada@example.org\tadmin\tmust change password" in listed and "bob@example.org\tviewer" in listed
    assert (
        runner.invoke(
            main, ["--as", "ada@example.org", "users", "role", "bob@example.org", "editor"]
        ).exit_code
        == 0
    )
    token = runner.invoke(main, ["users", "token", "bob@example.org", "--label", "ci"])
    assert token.exit_code == 0 and token.output.startswith("sct_")
    assert runner.invoke(main, ["users", "disable", "bob@example.org"]).exit_code == 0
    assert "bob@example.org\teditor\tdisabled" in runner.invoke(main, ["users", "list"]).output
    refused = runner.invoke(main, ["users", "disable", "ada@example.org"])
    assert refused.exit_code == 2 and "last active admin" in refused.output
    unknown = runner.invoke(main, ["users", "role", "nobody@example.org", "viewer"])
    assert unknown.exit_code == 2 and "no account for 'nobody@example.org'" in unknown.output
    bad_as = runner.invoke(main, ["--as", "nobody@example.org", "users", "list"])
    assert bad_as.exit_code == 0  # reading needs no actor
    bad_write = runner.invoke(main, ["--as", "nobody@example.org", "users", "add", "c@example.org"])
    assert bad_write.exit_code == 2 and "--as: no account" in bad_write.output
    log = [(e.actor, e.via, e.action, e.subject, e.before, e.after) for e in entries(engine)]
    me = f"os:{getpass.getuser()}"
    assert log[0][:4] == (me, "cli", "account.add", "ada@example.org")
    assert ("ada@example.org", "cli", "account.role", "bob@example.org", "viewer", "editor") in log
    assert (me, "cli", "account.disable", "bob@example.org", "active", "disabled") in log
    assert any(action == "account.token" for _, _, action, *_ in log)
    with transaction(engine) as db:
        assert db.scalars(select(User.email).where(User.email == "c@example.org")).first() is None
