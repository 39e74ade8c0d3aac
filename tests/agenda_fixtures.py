"""Fixtures for tests of the public site: the small event of `tests.agenda_data`, published, and a client.

Use them from a test module with `pytest_plugins = ("tests.agenda_fixtures",)`; take the data and
helpers (`SMALL_PROBLEM`, `REPLAN`, `publish_next`, ...) from `tests.agenda_data`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from scheduler.db import transaction
from scheduler.store import import_problem
from scheduler.versions import publish_schedule, save_draft
from tests.agenda_data import DRAFT, PUBLISHED, PUBLISHED_AT, SMALL_PROBLEM, PublishedEvent
from webapp import create_app


@pytest.fixture
def agenda_event(engine: Engine) -> PublishedEvent:
    """SMALL_PROBLEM imported, PUBLISHED published as version 1, DRAFT saved as version 2."""
    with transaction(engine) as db:
        event = import_problem(db, SMALL_PROBLEM)
        version = publish_schedule(db, event, PUBLISHED, now=PUBLISHED_AT)
        save_draft(db, event, DRAFT)
        return PublishedEvent(event.id, event.slug, version.number)


@pytest.fixture
def agenda_app(database_url: str, agenda_event: PublishedEvent) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "JOIN_URL_TEMPLATE": "https://meet.example.org/{event}-{room}",
        }
    )
    yield app
    app.extensions["agenda_engine"].dispose()


@pytest.fixture
def agenda_client(agenda_app: Flask) -> FlaskClient:
    return agenda_app.test_client()
