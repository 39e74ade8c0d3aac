"""The database schema, managed by the Alembic migrations in `scheduler/migrations`."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine


def _alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", "scheduler:migrations")
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to `revision`; safe to run on an up-to-date database."""
    config = _alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def new_revision(engine: Engine, message: str) -> None:
    """Write a migration for the difference between the models and the database (developers only)."""
    config = _alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
