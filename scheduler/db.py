"""Where the database is and how to open it.

The `DATABASE_URL` setting chooses the database (PostgreSQL in production, `postgresql+psycopg://...`);
without it the embedded default is SQLite in the instance folder, so a fresh checkout runs with no set-up.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from scheduler import config
from scheduler.config import PROJECT_ROOT, instance_path

__all__ = [
    "PROJECT_ROOT",
    "DatabaseUnavailable",
    "database_url",
    "instance_path",
    "make_engine",
    "open_engine",
    "session_factory",
]

EXAMPLE_URL = "postgresql://user@host/db or sqlite:///path/agenda.db"


class DatabaseUnavailable(Exception):
    """DATABASE_URL names no database this process can open; the message says why, in one sentence."""


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


def open_engine(url: str | None = None) -> Engine:
    """`make_engine`, proven by one connection: a URL that cannot be parsed, names an unknown kind of
    database or a driver that is not installed, or a server that does not answer or has no such
    database, raises DatabaseUnavailable saying so (never with the password)."""
    url = database_url(url)
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        # Unparsed, it may still hold a password: cut out what stands between "user:" and "@".
        shown = re.sub(r":[^:@/]*@", ":***@", url.strip())
        message = f"DATABASE_URL {shown!r} is not a database URL (expected {EXAMPLE_URL})."
        raise DatabaseUnavailable(message) from None
    try:
        engine = make_engine(url)
    except NoSuchModuleError:
        raise DatabaseUnavailable(
            f"DATABASE_URL {shown!r} names a kind of database this service does not know "
            f"({make_url(url).drivername!r}; expected {EXAMPLE_URL})."
        ) from None
    except ImportError as error:
        raise DatabaseUnavailable(
            f"DATABASE_URL {shown!r} needs the Python driver {error.name!r}, which is not installed "
            "(postgresql:// uses psycopg, which is)."
        ) from None
    except OSError as error:  # SQLite's folder cannot be made
        message = f"Cannot open the database {shown!r}: {error.strerror}: {error.filename}."
        raise DatabaseUnavailable(message) from None
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError as error:
        engine.dispose()
        reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        raise DatabaseUnavailable(f"Cannot open the database {shown!r}: {reason}.") from None
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: committed if the block finishes, rolled back whole if it raises."""
    with session_factory(engine).begin() as session:
        yield session
