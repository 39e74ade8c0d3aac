"""Shared fixtures: a fresh, migrated database per test, on SQLite or on `DATABASE_URL`.

With `DATABASE_URL` pointing at PostgreSQL (as CI does), each test gets a schema of its own in
that database, dropped afterwards, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from scheduler.db import make_engine
from scheduler.schema import upgrade

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_PROBLEM = REPO_ROOT / "data" / "wsis20-2025.problem.json"


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres", "postgresql")) else None


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database brought to the latest migration, once per test process."""
    path = tmp_path_factory.mktemp("template") / "agenda.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    # Closing the last connection checkpoints the write-ahead log into the file, so a copy is whole.
    engine.dispose()
    return path


@pytest.fixture
def database_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[str]:
    """The URL of an empty, migrated database, also exported as DATABASE_URL for CLI calls.

    On SQLite it is a copy of a database migrated once per test process (migrating takes far
    longer than copying). On PostgreSQL the test's own schema is chosen with libpq's `options`, so
    that subprocesses opening the same URL land in it too.
    """
    base = _postgres_url()
    if base is None:
        database = tmp_path / "agenda.db"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), database)
        url = f"sqlite:///{database}"
        monkeypatch.setenv("DATABASE_URL", url)
        yield url
        return
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = make_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    url = f"{base}{separator}options=-csearch_path%3D{schema}"
    monkeypatch.setenv("DATABASE_URL", url)
    upgrade(make_engine(url))
    try:
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()



def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that touches the database, so CI can run them again on PostgreSQL."""
    for item in items:
        if "database_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


@pytest.fixture
def new_york_machine(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process's own clock in New York: stored times (naive UTC) must still be read as UTC."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
