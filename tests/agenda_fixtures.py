"""Fixtures for tests of the public site: a small event, imported and published, and a client.

Use them from a test module with `pytest_plugins = ("tests.agenda_fixtures",)`.

The event has two days, three rooms and five sessions, one of them with a hostile title (HTML,
quotes, Arabic, Chinese, Russian, a newline). Version 1 is published; version 2 is a draft that
moves a session and places a session the published agenda does not have, so tests can check that
drafts never reach a page.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from scheduler.db import transaction
from scheduler.store import import_problem
from scheduler.versions import publish_schedule, save_draft
from solver.domain import (
    Assignment,
    Break,
    Calendar,
    Day,
    Event,
    Problem,
    Room,
    Schedule,
    Session,
    Speaker,
)
from webapp import create_app

HOSTILE_TITLE = '<script>alert("x")</script> & "quoted" \'single\' — مرحبا 你好 Привет\nsecond line'
HOSTILE_SPEAKER = 'Dr <b>Bold</b> O\'Brien & "Sons"'
DRAFT_ONLY_TITLE = "Secret draft-only session"
PUBLISHED_AT = datetime(2025, 6, 1, 10, 0)  # UTC
UN_LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 7, day, hour, minute)


SMALL_PROBLEM = Problem(
    event=Event(name="Test Summit 2025", timezone="Europe/Zurich", venue="Palexpo, Geneva"),
    calendar=Calendar(
        granularity_minutes=15,
        changeover_minutes=0,
        days=(
            Day(date(2025, 7, 8), time(9), time(18), breaks=(Break(time(12, 30), time(13, 30), "Lunch"),)),
            Day(date(2025, 7, 9), time(9), time(18)),
        ),
    ),
    rooms=(
        Room("room-a", "Plenary Room A", 800, features=("hybrid", "captioning"), interpretation_booths=6),
        Room("room-b", "Room B", 120, features=("hybrid",), interpretation_booths=2),
        Room("room-k", "Workshop Room K", 40),
    ),
    speakers=(
        Speaker("sp-1", "H.E. Amina Hassan", role="minister"),
        Speaker("sp-2", "Li Wei 李伟", role="regulator"),
        Speaker("sp-3", "Иван Петров", role="academia"),
        Speaker("sp-4", HOSTILE_SPEAKER, role="civil society"),
    ),
    sessions=(
        Session(
            "s-open",
            "Opening ceremony",
            60,
            type="ceremony",
            interpretation=UN_LANGUAGES,
            speakers=("sp-1",),
            organizers=("ITU",),
            tracks=("WSIS+20 review",),
            requires=("hybrid",),
        ),
        Session(
            "s-c1",
            "Action Line C1: the role of governments",
            45,
            type="high-level dialogue",
            interpretation=("en", "fr"),
            speakers=("sp-2", "sp-3"),
            organizers=("UNESCO",),
            tracks=("C1",),
        ),
        Session(
            "s-hostile",
            HOSTILE_TITLE,
            90,
            type="workshop",
            speakers=("sp-4", "sp-2"),
            organizers=("<i>Org</i> & Co",),
            tracks=("C2", "C10"),
        ),
        Session(
            "s-close",
            "Closing plenary",
            30,
            type="ceremony",
            speakers=("sp-1",),
            tracks=("WSIS+20 review",),
            interpretation=UN_LANGUAGES,
        ),
        Session("s-later", DRAFT_ONLY_TITLE, 30, type="workshop", tracks=("C1",), optional=True),
    ),
)

PUBLISHED = Schedule(
    status="feasible",
    assignments=(
        Assignment("s-open", "room-a", _at(8, 10), _at(8, 11)),
        Assignment("s-c1", "room-b", _at(8, 10), _at(8, 10, 45)),
        Assignment("s-hostile", "room-k", _at(8, 14), _at(8, 15, 30)),
        Assignment("s-close", "room-a", _at(9, 16), _at(9, 16, 30)),
    ),
)

DRAFT = Schedule(
    status="feasible",
    assignments=(
        *(a for a in PUBLISHED.assignments if a.session != "s-c1"),
        Assignment("s-c1", "room-b", _at(9, 11), _at(9, 11, 45)),
        Assignment("s-later", "room-k", _at(9, 9), _at(9, 9, 30)),
    ),
)


@dataclass(frozen=True)
class PublishedEvent:
    event_id: int
    slug: str
    version: int


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
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test"})
    yield app
    app.extensions["agenda_engine"].dispose()


@pytest.fixture
def agenda_client(agenda_app: Flask) -> FlaskClient:
    return agenda_app.test_client()
