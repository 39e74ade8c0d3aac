"""The `console` fixture: the small live event of `tests.test_live_data`, published, one account per
role, and the app (use with `pytest_plugins = ("tests.console_fixtures",)`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine

from scheduler import accounts
from scheduler.live import EventClock
from tests.console_data import ROLES, Console, make_user
from tests.test_live_data import seed
from webapp import create_app


@pytest.fixture
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its smallest cost: the flows are under test here, not the hash's price (which
    `tests/test_console_accounts.py` checks), and the shared machine has two cores."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))


@pytest.fixture
def console(engine: Engine, database_url: str, cheap_hashes: None) -> Iterator[Console]:
    event_id = seed(engine)
    for role in ROLES:
        make_user(engine, role)
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "TESTING": True,
            "LIVE_TICKER": False,
            "SECRET_KEY": "test",
            "SOCKETIO_MESSAGE_QUEUE": None,
            "JOB_QUEUE_URL": None,
        }
    )
    app.extensions["event_clock"] = EventClock(datetime(2025, 7, 8, 16, 10), timer=lambda: 0.0)
    yield Console(app, engine, event_id)
    app.extensions["agenda_engine"].dispose()
