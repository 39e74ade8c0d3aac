"""The Alembic chain builds exactly the tables the models describe, and migrates stored events."""

from __future__ import annotations

from datetime import datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Engine, text

from scheduler import models, schema


def test_the_migrations_build_exactly_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), models.Base.metadata) == []


# Rows as revision 0001 stored them (JSON columns given as JSON text).
OLD_EVENT = {
    "id": 1, "slug": "old", "name": "Old", "venue": "", "timezone": "UTC", "granularity_minutes": 15,
    "changeover_minutes": 0, "problem_extra": "{}", "problem_given_defaults": "[]", "calendar_extra": "{}",
    "calendar_given_defaults": "[]", "imported_at": datetime(2025, 1, 1), "extra": "{}",
    "given_defaults": "[]",
}  # fmt: skip
OLD_SPEAKER = {
    "id": 1, "event_id": 1, "key": "sp-1", "position": 0, "name": "Ana", "has_availability": False,
    "extra": "{}", "given_defaults": "[]",
}  # fmt: skip


def _downgrade(engine: Engine, revision: str) -> None:
    config = schema._alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def _insert(connection: Connection, table: str, values: dict[str, object]) -> None:
    columns, parameters = ", ".join(values), ", ".join(f":{name}" for name in values)
    connection.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({parameters})"), values)


def test_content_columns_reach_events_stored_before_them(engine: Engine) -> None:
    _downgrade(engine, "0001")
    with engine.begin() as connection:
        _insert(connection, "events", OLD_EVENT)
        _insert(connection, "speakers", OLD_SPEAKER)
    schema.upgrade(engine)
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT affiliation, bio, photo, email, language, translations FROM speakers")
        ).one()
    assert tuple(row[:5]) == ("", "", None, None, None)
    assert row[5] in ({}, "{}")  # JSON comes back decoded on PostgreSQL, as text on SQLite


OLD_SESSION = {
    "id": 1, "event_id": 1, "key": "s-1", "position": 0, "title": "Old session", "type": "",
    "duration_minutes": 60, "expected_attendance": 0, "requires": "[]", "interpretation": "[]",
    "organizers": "[]", "tracks": "[]", "remote_audience": "[]", "after": "[]", "optional": False,
    "preferred": "[]", "extra": "{}", "given_defaults": "[]",
}  # fmt: skip


def test_live_changes_stored_before_0003_count_as_one_change(engine: Engine) -> None:
    # Calendar SEQUENCEs add each session's live revision: a delay made before the count existed
    # must still raise it, or a feed would show the delay with the SEQUENCE clients already hold.
    _downgrade(engine, "0002")
    with engine.begin() as connection:
        _insert(connection, "events", OLD_EVENT)
        columns = ", ".join(f'"{name}"' for name in OLD_SESSION)  # `after`, `window` are SQL words
        values = ", ".join(f":{name}" for name in OLD_SESSION)
        connection.execute(text(f"INSERT INTO sessions ({columns}) VALUES ({values})"), OLD_SESSION)
        _insert(connection, "live_states", {
            "session_id": 1, "delay_minutes": 10, "cancelled": False, "updated_at": datetime(2025, 7, 8, 9),
        })  # fmt: skip
    schema.upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT delay_minutes, revision FROM live_states")).one() == (10, 1)


def test_people_stored_before_0005_hear_of_their_sessions_until_they_stop(engine: Engine) -> None:
    # Messages are new: everyone registered before them gets live messages (and can stop them), and
    # no speaker has been told of any version, so the next publication tells them everything.
    _downgrade(engine, "0004_console_accounts")
    with engine.begin() as connection:
        _insert(connection, "events", OLD_EVENT)
        _insert(connection, "speakers", {**OLD_SPEAKER, "translations": "{}", "bio": "", "affiliation": ""})
        _insert(connection, "participants", {
            "id": 1, "event_id": 1, "name": "Ada", "email": "ada@example.org", "country": "CH",
            "stakeholder_group": "civil-society", "language": "fr", "token_hash": "0" * 64,
            "created_at": datetime(2025, 7, 1),
        })  # fmt: skip
    schema.upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT live_messages FROM participants")).scalar_one() in (True, 1)
        told, stopped = connection.execute(text("SELECT told_version, messages_stopped FROM speakers")).one()
    assert told is None and stopped in (False, 0)
