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


def _insert(connection: Connection, table: str, values: dict[str, object]) -> None:
    columns, parameters = ", ".join(values), ", ".join(f":{name}" for name in values)
    connection.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({parameters})"), values)


def test_content_columns_reach_events_stored_before_them(engine: Engine) -> None:
    config = schema._alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
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
