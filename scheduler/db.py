"""Where the database is and how to open it.

The `DATABASE_URL` setting chooses the database (PostgreSQL in production, `postgresql+psycopg://...`);
without it the embedded default is SQLite in the instance folder, so a fresh checkout runs with no set-up.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from scheduler import config
from scheduler.config import PROJECT_ROOT, instance_path

__all__ = ["PROJECT_ROOT", "database_url", "instance_path", "make_engine", "session_factory"]


def database_url(url: str | None = None) -> str:
    """`url`, or the configured `DATABASE_URL`, with the driver named; SQLite in the instance folder
    when neither is set."""
    url = url or config.load()["DATABASE_URL"]
    if url:
        # Heroku-style and plain URLs name no driver; psycopg 3 is the one we install.
        if url.startswith("postgres://"):
            url = "postgresql://" + url.removeprefix("postgres://")
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return url
    return f"sqlite:///{instance_path() / 'agenda.db'}"


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def make_engine(url: str | None = None) -> Engine:
    url = database_url(url)
    if url.startswith("sqlite"):
        database = url.split("///", 1)[-1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # The web server and the CLI write to the same file; wait for each other's locks.
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
        return engine
    return create_engine(url, pool_pre_ping=True)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: committed if the block finishes, rolled back whole if it raises."""
    with session_factory(engine).begin() as session:
        yield session
