"""The `site` fixture: load it with `pytest_plugins = ("tests.live_fixtures",)`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import Engine

from tests.live_site import PROVIDER, Clock, Site
from tests.test_live_data import seed
from webapp import create_app


@pytest.fixture
def site(engine: Engine, database_url: str) -> Iterator[Site]:
    event_id = seed(engine)
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "TESTING": True,
            "LIVE_TICKER": False,
            "JOIN_URL_TEMPLATE": PROVIDER,
            "SOCKETIO_MESSAGE_QUEUE": None,
        }
    )
    clock = Clock(datetime(2025, 7, 8, 15, 0))
    app.extensions["event_clock"] = clock.clock
    yield Site(app, app.test_client(), engine, event_id, clock)
