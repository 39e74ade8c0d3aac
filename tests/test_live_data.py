"""A small published event shared by the remote-participation tests (no tests of its own).

Two days at the venue, three rooms, sessions at the times the join-window tests need:
s-open 16:00-17:00 in room-a on 8 July, s-next right after it, s-par in parallel in room-b.
Also the helpers that run real `scheduler` processes (servers, CLI calls) for the process,
browser and benchmark runs.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session as DbSession

from scheduler import participants
from scheduler.db import transaction
from scheduler.models import Event
from scheduler.store import import_problem
from scheduler.versions import publish_schedule
from solver import domain

DAY1 = date(2025, 7, 8)
DAY2 = date(2025, 7, 9)
PUBLISHED_AT = datetime(2025, 7, 1, 9, 0)


def at(day: date, hh_mm: str) -> datetime:
    return datetime.combine(day, clock_time.fromisoformat(hh_mm))


# Speakers' e-mail addresses are private: tests/test_no_raw_urls.py checks that no output names this host.
SPEAKER_MAIL_HOST = "speaker-mail-secret.example.net"


def _speaker(key: str, gender: str | None, youth: bool | None, role: str | None = None) -> domain.Speaker:
    return domain.Speaker(
        id=key,
        name=f"Speaker {key}",
        gender=gender,
        youth=youth,
        role=role,
        email=f"{key}@{SPEAKER_MAIL_HOST}",
    )


SPEAKERS = (
    _speaker("sp-w1", "female", False, "minister"),
    _speaker("sp-w2", "female", True),
    _speaker("sp-m1", "male", False, "regulator"),
    _speaker("sp-m2", "male", True, "minister"),
    _speaker("sp-nd", None, None),
)


class Planned(NamedTuple):
    title: str
    type: str
    room: str
    start: datetime
    minutes: int
    speakers: tuple[str, ...] = ()
    tracks: tuple[str, ...] = ()
    interpretation: tuple[str, ...] = ()
    expected: int = 0


SESSIONS = {
    "s-morning": Planned(
        "Morning plenary", "plenary", "room-a", at(DAY1, "10:00"), 60, ("sp-w1", "sp-m1"), ("C1",), (), 80
    ),
    "s-open": Planned(
        "Opening the floor",
        "high-level",
        "room-a",
        at(DAY1, "16:00"),
        60,
        ("sp-m1", "sp-m2"),
        ("C1",),
        ("en", "fr", "es"),
        90,
    ),
    "s-next": Planned("After the floor", "workshop", "room-a", at(DAY1, "17:15"), 45, ("sp-nd",), ("C2",)),
    "s-par": Planned(
        "Parallel track",
        "workshop",
        "room-b",
        at(DAY1, "16:00"),
        60,
        ("sp-w2", "sp-nd"),
        ("C2", "C1"),
        (),
        40,
    ),
    "s-day2": Planned("Second day", "high-level", "room-c", at(DAY2, "09:00"), 60, (), ("C3",), (), 10),
}


def problem() -> domain.Problem:
    day = lambda d: domain.Day(date=d, open=clock_time(9, 0), close=clock_time(18, 30))  # noqa: E731
    rooms = (
        domain.Room(id="room-a", name="Room A", capacity=100, features=("hybrid",), interpretation_booths=6),
        domain.Room(id="room-b", name="Room B", capacity=50),
        domain.Room(id="room-c", name="Room C", capacity=20),
    )
    sessions = tuple(
        domain.Session(
            id=key,
            title=p.title,
            type=p.type,
            duration_minutes=p.minutes,
            speakers=p.speakers,
            tracks=p.tracks,
            interpretation=p.interpretation,
            expected_attendance=p.expected,
        )
        for key, p in SESSIONS.items()
    )
    return domain.Problem(
        event=domain.Event(name="Live Test Event", timezone="Europe/Zurich", venue="Palexpo"),
        calendar=domain.Calendar(granularity_minutes=15, days=(day(DAY1), day(DAY2))),
        rooms=rooms,
        speakers=SPEAKERS,
        sessions=sessions,
    )


def schedule(
    moves: dict[str, tuple[str, datetime]] | None = None, drop: tuple[str, ...] = ()
) -> domain.Schedule:
    """The published agenda, with some sessions moved to (room, start) or dropped."""
    moves = moves or {}
    assignments = []
    for key, planned in SESSIONS.items():
        if key in drop:
            continue
        room, begin = moves.get(key, (planned.room, planned.start))
        end = begin + timedelta(minutes=planned.minutes)
        assignments.append(domain.Assignment(session=key, room=room, start=begin, end=end))
    return domain.Schedule(status="feasible", assignments=tuple(assignments))


def seed(engine: Engine, slug: str = "live-test") -> int:
    """Import and publish the event; returns its id."""
    with transaction(engine) as db:
        event = import_problem(db, problem(), slug=slug)
        publish_schedule(db, event, schedule(), now=PUBLISHED_AT, force=True)
        return event.id


def event_of(db: DbSession, event_id: int) -> Event:
    return db.scalars(select(Event).where(Event.id == event_id)).one()


def register(
    db: DbSession,
    event: Event,
    name: str = "Ada",
    country: str = "CH",
    language: str = "fr",
    group: str = "academia-technical",
) -> tuple[int, str]:
    form = participants.validate(name, f"{name.lower()}@example.org", country, group, language)
    participant, token = participants.register(db, event, form)
    return participant.id, token


# --- real server processes (two-process, browser and no-raw-URL tests) ---------------------------

REPO = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/0"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`scheduler ARGS` in a subprocess, as the programme team runs it."""
    return subprocess.run(
        [sys.executable, "-m", "scheduler", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


class Served(str):
    """A running server's base URL, which also knows the server's process id."""

    pid: int


@contextmanager
def server(env: dict[str, str], clock: str, log: Path) -> Iterator[Served]:
    """`scheduler serve --clock CLOCK` on a free loopback port; yields its base URL, stops it after."""
    port = free_port()
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "scheduler", "serve", "--port", str(port), "--clock", clock],
            env=env,
            cwd=REPO,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = Served(f"http://127.0.0.1:{port}")
    base.pid = process.pid
    try:
        _wait_until_up(base, process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(base + "/now", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server at {base} did not answer within 60 s:\n{log.read_text()}")
