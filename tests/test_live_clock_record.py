"""The clock a server leaves for `scheduler live` commands: which record counts, and how it is written.

A server started with a set clock records it (with its process id and database) in the instance
folder; a command uses it only while that process runs, else its own `AGENDA_CLOCK` setting.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from scheduler import live
from scheduler.db import database_url
from scheduler.live import EventClock, Slot

SERVER_CLOCK = "2025-07-08T15:00:00@2026-03-02T09:00:00+00:00"


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    # A machine where nothing has run yet: not even the instance folder's parent exists.
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "fresh" / "instance"))
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'agenda.db'}", "AGENDA_CLOCK": "2025-07-08T09:00"}


def record_as(pid: object, settings: dict[str, str]) -> None:
    """The server's record, as if process `pid` had written it."""
    live.record_clock(SERVER_CLOCK, database_url(settings["DATABASE_URL"]))
    path = Path(os.environ["INSTANCE_PATH"]) / live.CLOCK_RECORD
    record = json.loads(path.read_text())
    path.write_text(json.dumps(record | {"pid": pid}))


def clock_start(settings: dict[str, str]) -> datetime | None:
    return live.configured_clock(settings).start


def test_a_running_servers_clock_is_the_commands_clock_until_it_stops(settings: dict[str, str]) -> None:
    live.record_clock(SERVER_CLOCK, database_url(settings["DATABASE_URL"]))
    assert clock_start(settings) == datetime(2025, 7, 8, 15, 0)
    live.forget_clock()
    assert clock_start(settings) == datetime(2025, 7, 8, 9, 0)


def test_a_server_that_has_stopped_leaves_no_clock(settings: dict[str, str]) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)
    record_as(int(finished.stdout), settings)
    assert clock_start(settings) == datetime(2025, 7, 8, 9, 0)


@pytest.mark.parametrize("pid", [0, -1, None, "1"])
def test_a_record_without_a_real_process_id_is_ignored(settings: dict[str, str], pid: object) -> None:
    """Process 0 would ask about this process's whole group; no id or a text is a damaged record."""
    record_as(pid, settings)
    assert clock_start(settings) == datetime(2025, 7, 8, 9, 0)


def test_a_server_that_is_process_1_counts_as_running(settings: dict[str, str]) -> None:
    """In a container the server is often the first and only process."""
    record_as(1, settings)
    assert clock_start(settings) == datetime(2025, 7, 8, 15, 0)


def test_a_server_another_user_runs_counts_as_running(
    settings: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(pid: int, signal: int) -> None:
        raise PermissionError(f"process {pid} belongs to someone else")

    record_as(os.getpid(), settings)
    monkeypatch.setattr(os, "kill", refuse)
    assert clock_start(settings) == datetime(2025, 7, 8, 15, 0)


@pytest.mark.usefixtures("new_york_machine")
def test_a_set_clock_is_shared_as_the_utc_instant_at_which_it_showed_its_start() -> None:
    ticks = iter([100.0, 130.0])  # made, then shared 30 s later
    clock = EventClock(datetime(2025, 7, 8, 10, 55), timer=lambda: next(ticks),
                       real_now=lambda: datetime(2026, 3, 2, 9, 0, 30, tzinfo=UTC))
    assert clock.shared() == "2025-07-08T10:55:00@2026-03-02T09:00:00.000000+00:00"
    geneva = datetime(2026, 3, 2, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    assert EventClock(datetime(2025, 7, 8, 10, 55), anchor=geneva).shared() == (
        "2025-07-08T10:55:00@2026-03-02T09:00:00.000000+00:00"
    )


def test_a_sessions_news_goes_to_its_event_its_room_and_itself() -> None:
    slot = Slot(1, "s-7", "S7", "room-b", "Room B", 2, datetime(2025, 7, 8, 9), datetime(2025, 7, 8, 10))
    assert live.slot_rooms(42, slot) == ["event:42", "room:42:room-b", "session:42:s-7"]


def test_a_record_that_is_not_an_object_is_ignored(settings: dict[str, str]) -> None:
    path = Path(os.environ["INSTANCE_PATH"])
    path.mkdir(parents=True)
    (path / live.CLOCK_RECORD).write_text(json.dumps([SERVER_CLOCK, os.getpid()]))
    assert clock_start(settings) == datetime(2025, 7, 8, 9, 0)
