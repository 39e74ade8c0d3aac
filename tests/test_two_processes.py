"""Two real server processes sharing Redis: a CLI change reaches the clients of both.

Each server is `scheduler serve` (gevent) on its own loopback port; the message queue channel is
unique to this test run, so parallel runs and other tests never hear each other.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import socketio
from sqlalchemy import Engine

from scheduler.schedule_file import dump_schedule
from tests.test_live_data import DAY1, REDIS_URL, at, cli, redis_available, schedule, seed, server

pytestmark = [
    pytest.mark.slow,
    pytest.mark.db,
    pytest.mark.skipif(not redis_available(), reason="needs Redis on 127.0.0.1:6379"),
]

WAIT = 30.0


class Watcher:
    """A python-socketio client on one server, collecting what it is sent on /live."""

    def __init__(self, base: str) -> None:
        self.client = socketio.Client(reconnection=False)
        self.events: list[tuple[str, Any]] = []
        self.arrived = threading.Condition()
        self.client.on("*", self._record, namespace="/live")
        # The whole event (as Now & Next does) and one session (whose notices come from the CLI).
        watch = ["event", "session:s-open"]
        self.client.connect(base, namespaces=["/live"], auth={"watch": watch}, transports=["websocket"])

    def _record(self, name: str, data: Any) -> None:
        with self.arrived:
            self.events.append((name, data))
            self.arrived.notify_all()

    def wait_for(self, name: str, **expected: Any) -> dict[str, Any]:
        def match() -> dict[str, Any] | None:
            return next(
                (d for n, d in self.events if n == name and all(d.get(k) == v for k, v in expected.items())),
                None,
            )

        with self.arrived:
            assert self.arrived.wait_for(lambda: match() is not None, timeout=WAIT), (
                name,
                expected,
                self.events,
            )
            found = match()
            assert found is not None
            return found


@pytest.fixture
def env(engine: Engine, database_url: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    seed(engine)
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(tmp_path),
        "SOCKETIO_MESSAGE_QUEUE": REDIS_URL,
        "SOCKETIO_CHANNEL": f"test-live-{uuid.uuid4().hex}",
        "LIVE_TICK_SECONDS": "0.5",
    }
    yield environment


def test_a_cli_delay_reaches_clients_of_both_processes(env: dict[str, str], tmp_path: Path) -> None:
    with (
        server(env, "2025-07-08T15:00", tmp_path / "one.log") as one,
        server(env, "2025-07-08T15:00", tmp_path / "two.log") as two,
    ):
        watchers = [Watcher(one), Watcher(two)]
        try:
            for watcher in watchers:
                snapshot = watcher.wait_for("snapshot")
                assert any(r["next"] and r["next"]["session"] == "s-open" for r in snapshot["rooms"])
            result = cli(env, "live", "delay", "s-open", "10")
            assert result.returncode == 0, result.stderr
            assert "Announced to connected clients through the message queue." in result.stdout
            for watcher in watchers:
                # The announcement comes through Redis from the CLI ...
                notice = watcher.wait_for("notice", kind="delay", session="s-open")
                assert notice["delay_minutes"] == 10 and "delayed by 10 minutes" in notice["message"]
                # ... and each process pushes the new state it derives to its own clients, once.
                state = watcher.wait_for("session_state", session="s-open", delay_minutes=10)
                assert state["start"] == "2025-07-08T16:10" and state["message"] == notice["message"]
            states = [
                [d for n, d in w.events if n == "session_state" and d["session"] == "s-open"]
                for w in watchers
            ]
            assert [len(s) for s in states] == [1, 1]

            moved = tmp_path / "moved.schedule.json"
            dump_schedule(schedule(moves={"s-par": ("room-b", at(DAY1, "14:00"))}), moved)
            result = cli(env, "publish", "--schedule", str(moved))
            assert result.returncode == 0, result.stderr
            assert "Announced to connected clients" in result.stdout
            for watcher in watchers:
                changed = watcher.wait_for("agenda_changed")
                assert [c["session"] for c in changed["changes"]] == ["s-par"]
        finally:
            for watcher in watchers:
                watcher.client.disconnect()
