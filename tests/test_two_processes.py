"""Two real server processes sharing Redis (and the database): a CLI change reaches both.

Live clients hear of it through Socket.IO, and every cached output of either process (pages,
public and personal feeds read by ical.js, schedule.json, the API) shows it on its next request.

Each server is `scheduler serve` (gevent) on its own loopback port; the message queue channel is
unique to this test run, so parallel runs and other tests never hear each other.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import socketio
from sqlalchemy import Engine, select

from scheduler import participants
from scheduler.db import transaction
from scheduler.models import Event
from scheduler.schedule_file import dump_schedule
from tests.test_icaljs import JS_DIR, read_with_icaljs
from tests.test_live_data import DAY1, REDIS_URL, at, cli, redis_available, register, schedule, seed, server

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


def _get(base: str, path: str) -> bytes:
    with urllib.request.urlopen(base + path, timeout=10) as response:
        assert response.status == 200, path
        return response.read()


def _personal_feed(base: str, token: str, path: Path) -> dict[str, Any]:
    """The participant's feed as ical.js (Thunderbird's parser) reads it: s-open's event."""
    path.write_bytes(_get(base, f"/calendar/my/{token}.ics"))
    script = JS_DIR / "read_feed.mjs"
    [calendar] = read_with_icaljs(script, "Asia/Tokyo", path)
    [event] = [e for e in calendar["events"] if e["uid"].startswith("s-open@")]
    return event


def _public_event(base: str) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(_get(base, "/calendar/agenda.ics"))
    return next(e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("s-open@"))


def _talk(base: str) -> dict[str, Any] | None:
    document = json.loads(_get(base, "/schedule.json"))
    days = document["schedule"]["conference"]["days"]
    found = [t for d in days for r in d["rooms"].values() for t in r if t["url"].endswith("/s-open")]
    return found[0] if found else None


def _outputs(base: str) -> None:
    """Serve, and so cache, every output the test then checks."""
    for path in ["/sessions/s-open", "/day/2025-07-08", "/calendar/agenda.ics", "/schedule.json",
                 "/api/v1/sessions/s-open"]:  # fmt: skip
        _get(base, path)


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_live_changes_reach_every_output_of_the_other_process(
    env: dict[str, str], engine: Engine, tmp_path: Path
) -> None:
    if not (JS_DIR / "node_modules" / "ical.js").is_dir():
        pytest.skip("ical.js is not installed (cd tests/js && npm ci)")
    with transaction(engine) as db:
        event = db.scalars(select(Event)).one()
        _, token = register(db, event)
        participant = participants.by_token(db, event, token)
        assert participant is not None
        participants.add_bookmark(db, participant, participants.session_by_key(db, event, "s-open"))
    zone = ZoneInfo("Europe/Zurich")

    def instant(hh_mm: str) -> int:
        return int(at(DAY1, hh_mm).replace(tzinfo=zone).timestamp())

    with (
        server(env, "2025-07-08T15:00", tmp_path / "one.log") as one,
        server(env, "2025-07-08T15:00", tmp_path / "two.log") as two,
    ):
        for base in (one, two):
            _outputs(base)
        before = _personal_feed(two, token, tmp_path / "before.ics")
        assert before["start"] == instant("16:00") and before["alarms"] == [-600]
        base_sequence = before["sequence"]

        assert cli(env, "live", "delay", "s-open", "20").returncode == 0
        # The CLI has committed: the other processes' next responses show it, cached or not.
        page = _get(two, "/sessions/s-open").decode()
        assert "Delayed by 20 min (was 16:00–17:00)" in page
        assert '<time datetime="2025-07-08T16:20:00+02:00">16:20</time>' in page
        assert "Delayed by 20 min (was 16:00–17:00)" in _get(two, "/day/2025-07-08").decode()
        public = _public_event(two)
        assert public["DTSTART"].dt.hour == 16 and public["DTSTART"].dt.minute == 20
        assert int(public["SEQUENCE"]) == base_sequence + 1
        delayed = _personal_feed(two, token, tmp_path / "delayed.ics")
        assert (delayed["start"], delayed["end"]) == (instant("16:20"), instant("17:20"))
        assert delayed["sequence"] == base_sequence + 1 and delayed["alarms"] == [-600]
        assert delayed["lastModified"] > before["lastModified"]
        talk = _talk(two)
        assert talk is not None and talk["date"] == "2025-07-08T16:20:00+02:00" and talk["start"] == "16:20"
        api = json.loads(_get(two, "/api/v1/sessions/s-open"))
        assert (api["status"], api["start"]) == ("delayed", "2025-07-08T16:20:00+02:00")

        assert cli(env, "live", "cancel", "s-open").returncode == 0
        assert "Cancelled" in _get(one, "/sessions/s-open").decode()
        assert _public_event(one)["STATUS"] == "CANCELLED"
        cancelled = _personal_feed(one, token, tmp_path / "cancelled.ics")
        assert cancelled["status"] == "CANCELLED" and cancelled["sequence"] == base_sequence + 2
        assert cancelled["alarms"] == [] and "Join online" not in cancelled["description"]
        assert _talk(one) is None
        assert json.loads(_get(one, "/api/v1/sessions/s-open"))["status"] == "cancelled"

        assert cli(env, "live", "reset", "s-open").returncode == 0
        for base in (one, two):
            reset = _personal_feed(base, token, tmp_path / "reset.ics")
            assert (reset["start"], reset["status"]) == (instant("16:00"), "CONFIRMED")
            assert reset["sequence"] == base_sequence + 3 and reset["alarms"] == [-600]
            assert "Join online" in reset["description"]
            assert 'data-note="' not in _get(base, "/sessions/s-open").decode()
            assert json.loads(_get(base, "/api/v1/sessions/s-open"))["status"] == "scheduled"
            talk = _talk(base)
            assert talk is not None and talk["start"] == "16:00"


def test_live_status_runs_the_same_clock_as_the_server(env: dict[str, str], tmp_path: Path) -> None:
    # The server shows 15:59:58 when it starts and 16:00 a few seconds later; a command that ran
    # a clock of its own from the same setting would say 15:59, and s-open would not be live yet.
    with server(env, "2025-07-08T15:59:58", tmp_path / "one.log"):
        # The server's clock started before it answered; two more seconds take it past 16:00
        # however fast the machine starts it.
        time.sleep(2.1)
        result = cli(env, "live", "status")
    assert result.returncode == 0, result.stderr
    assert "Live Test Event at 2025-07-08 16:00" in result.stdout
    assert "now:  Tue 16:00-17:00 s-open Opening the floor [live]" in result.stdout
    assert not (tmp_path / "event-clock.json").exists()  # the server took its record away
