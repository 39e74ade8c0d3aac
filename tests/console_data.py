"""Helpers for the console's tests: accounts per role, signing in as a person does, CSRF tokens.

The `console` fixture is in `tests.console_fixtures` (`pytest_plugins = ("tests.console_fixtures",)`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from scheduler import accounts
from scheduler.audit import Actor
from scheduler.db import transaction

PASSWORD = "correct horse battery"
ROLES = ("viewer", "editor", "admin")
SETUP = Actor("test-setup", "system")


def email(role: str) -> str:
    return f"{role}@example.org"


def make_user(engine: Engine, role: str, password: str = PASSWORD) -> int:
    """An account of `role` whose password is `password` (already chosen: no one-time password)."""
    with transaction(engine) as db:
        user, _ = accounts.add_user(db, email(role), role, actor=SETUP)
        user.password_hash = accounts.hash_password(password)
        user.must_change_password = False
        return user.id


def make_token(engine: Engine, role: str) -> str:
    with transaction(engine) as db:
        return accounts.issue_token(db, accounts.find_user(db, email(role)), actor=SETUP)


@dataclass
class Console:
    app: Flask
    engine: Engine
    event_id: int

    def client(self, role: str | None = None) -> FlaskClient:
        """A browser signed in as the account of `role` (anonymous with None)."""
        client = self.app.test_client()
        if role is not None:
            response = sign_in(client, email(role), PASSWORD)
            assert response.status_code == 302, response.get_data(as_text=True)
        return client


def csrf(client: FlaskClient, path: str = "/console/login") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found, f"no CSRF field on {path}"
    return found.group(1)


def sign_in(client: FlaskClient, address: str, password: str) -> object:
    token = csrf(client)
    return client.post("/console/login", data={"csrf_token": token, "email": address, "password": password})


def post(client: FlaskClient, path: str, data: dict[str, object] | None = None, **kwargs: object) -> object:
    """A form post with this browser's CSRF token (taken from the dashboard's sign-out form)."""
    token = csrf(client, "/console/")
    return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)  # type: ignore[arg-type]
