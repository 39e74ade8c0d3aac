"""Console benchmark: how fast its pages and API answer at 3,000 sessions, and how soon a solve
started from the console reaches its first agenda compared with the CLI.

    python -m bench.console_bench                  # 3000 sessions, results as Markdown
    python -m bench.console_bench --sessions 300   # a quick look

1. A synthetic event (`bench.synthetic`, 3000 sessions in 120 rooms over 5 days) is imported into a
   fresh SQLite database, its planted agenda published, a re-plan draft saved (a tenth of the sessions
   moved), 200 speaker reports and 2,000 audit lines added.
2. Every console page and API read is requested `--repeat` times through the WSGI app in this
   process (Flask's test client: no network, so what is timed is the app), after one warm-up request.
   The median and the slowest are reported; the target is a median under 200 ms.
3. Time to first agenda, CLI vs console: `scheduler solve PROBLEM` in a subprocess, from its start
   to its first progress line with an objective; then a solve job started through the console API
   (a child process, the embedded default), from the POST to the first progress with an objective
   in the job record. Both pay a Python start-up and an OR-Tools import. Same machine, same run:
   the ratio is what counts.

Not a test; bounded in time (each solve is capped at --time-limit seconds).
"""

from __future__ import annotations

import argparse
import os
import pty
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from datetime import time as time_of_day
from pathlib import Path
from typing import Any

from bench.synthetic import generate, swap_a_tenth
from scheduler import accounts
from scheduler.audit import Actor, record
from scheduler.db import make_engine, transaction
from scheduler.models import AvailabilityReport, Job
from scheduler.problem_file import dump_problem
from scheduler.schema import upgrade
from scheduler.store import import_problem, utc_now
from scheduler.versions import publish_schedule, save_draft

SETUP = Actor("bench", "system")
PAGES = (
    "/console/",
    "/console/solve",
    "/console/versions",
    "/console/versions/2",
    "/console/day",
    "/console/reports",
    "/console/figures",
    "/console/audit",
    "/console/accounts",
    "/console/problem?session=s-0001&speaker=sp-0001&room=room-001",
    "/console/api/v1/dashboard",
    "/console/api/v1/jobs",
    "/console/api/v1/versions",
    "/console/api/v1/versions/2",
    "/console/api/v1/live",
    "/console/api/v1/reports",
    "/console/api/v1/figures",
    "/console/api/v1/audit",
)


def build(url: str, sessions: int, rooms: int) -> tuple[Path, str, datetime]:
    """The event, published and with a draft, plus reports, audit lines and an admin's token."""
    problem, planted = generate(sessions, rooms, 5, seed=7)
    engine = make_engine(url)
    upgrade(engine)
    with transaction(engine) as db:
        event = import_problem(db, problem, slug="bench", actor=SETUP)
        publish_schedule(db, event, planted, force=True, actor=SETUP)
        save_draft(db, event, swap_a_tenth(planted), actor=SETUP)
        for speaker in event.speakers[:200]:
            db.add(AvailabilityReport(speaker=speaker, message="cannot make it", created_at=utc_now()))
        for n in range(2000):
            record(db, SETUP, "live.delay", event=event, subject=f"session s{n}", before="x", after="y")
        user, _ = accounts.add_user(db, "bench@example.org", "admin", actor=SETUP)
        user.must_change_password = False
        token = accounts.issue_token(db, user, actor=SETUP)
    engine.dispose()
    path = Path(tempfile.mkdtemp()) / "problem.json"
    dump_problem(problem, path)
    return path, token, datetime.combine(problem.calendar.days[1].date, time_of_day(11, 0))


def time_pages(
    url: str, token: str, repeat: int, clock: datetime
) -> list[tuple[str, float, float, float, int]]:
    from scheduler.live import EventClock
    from webapp import create_app

    app = create_app({"DATABASE_URL": url, "TESTING": True, "LIVE_TICKER": False, "SECRET_KEY": "bench"})
    # Mid-morning of the second day: every room has a session on now and one next.
    app.extensions["event_clock"] = EventClock(clock, timer=lambda: 0.0)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    rows = []
    for path in PAGES:
        start = time.perf_counter()
        first = client.get(path, headers=headers)
        cold = time.perf_counter() - start
        assert first.status_code == 200, (path, first.status_code, first.get_data(as_text=True)[:300])
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            response = client.get(path, headers=headers)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200
        rows.append(
            (path, cold * 1000, statistics.median(times) * 1000, max(times) * 1000, len(response.get_data()))
        )
    app.extensions["agenda_engine"].dispose()
    return rows


def first_agenda_cli(problem: Path, time_limit: float) -> float:
    """Seconds from starting `scheduler solve` to its first progress with an objective.

    Its stderr is a terminal (a pty), where the progress line is rewritten on every change; into a
    pipe it would print at most once a second, which would blur the comparison.
    """
    out = Path(tempfile.mkdtemp()) / "agenda.json"
    leader, follower = pty.openpty()
    command = [sys.executable, "-m", "scheduler", "solve", str(problem), "-o", str(out)]
    start = time.monotonic()
    process = subprocess.Popen(
        [*command, "--time-limit", str(time_limit)], stderr=follower, stdout=subprocess.DEVNULL
    )
    os.close(follower)
    seen, found = b"", None
    deadline = start + time_limit + 60
    while found is None and time.monotonic() < deadline:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the process ended and closed the terminal
            break
        if not chunk:
            break
        seen += chunk
        if re.search(rb"best [0-9]", seen):
            found = time.monotonic() - start
    process.send_signal(signal.SIGINT)  # Ctrl-C: it keeps the best agenda and stops
    process.wait()
    os.close(leader)
    assert found is not None, f"the CLI printed no agenda: {seen[-500:]!r}"
    return found


def first_agenda_console(url: str, token: str, time_limit: float) -> float:
    """Seconds from POSTing a solve job to the first progress with an objective in its record."""
    from webapp import create_app

    app = create_app(
        {
            "DATABASE_URL": url,
            "TESTING": True,
            "LIVE_TICKER": False,
            "SECRET_KEY": "bench",
            "JOB_QUEUE_URL": None,
        }
    )
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    engine = make_engine(url)
    start = time.monotonic()
    response = client.post("/console/api/v1/jobs", json={"time_limit": time_limit}, headers=headers)
    assert response.status_code == 202, response.get_json()
    job_id = response.get_json()["id"]
    found = None
    deadline = start + time_limit + 60
    while time.monotonic() < deadline:
        with transaction(engine) as db:
            job = db.get(Job, job_id)
            assert job is not None
            if job.progress.get("objective") is not None:
                found = time.monotonic() - start
                job.stop_requested = True
                break
            assert job.state in ("queued", "running"), job.error
        time.sleep(0.02)
    client.post(f"/console/api/v1/jobs/{job_id}/stop", headers=headers)
    _wait_finished(engine, job_id, time_limit + 60)
    engine.dispose()
    app.extensions["agenda_engine"].dispose()
    assert found is not None, "the console job reported no agenda"
    return found


def _wait_finished(engine: Any, job_id: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with transaction(engine) as db:
            job = db.get(Job, job_id)
            if job is not None and job.state not in ("queued", "running"):
                return
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, default=3000)
    parser.add_argument("--rooms", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--solves", type=int, default=3, help="first-agenda trials each way (0: none)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    url = f"sqlite:///{folder / 'bench.db'}"
    os.environ["DATABASE_URL"] = url
    built = time.monotonic()
    problem, token, clock = build(url, args.sessions, args.rooms)
    print(
        f"built {args.sessions} sessions / {args.rooms} rooms in {time.monotonic() - built:.0f}s; "
        f"load {os.getloadavg()[0]:.1f}\n"
    )
    print("| route | first ms | median ms | slowest ms | bytes |\n|---|---:|---:|---:|---:|")
    for path, cold, median, slowest, size in time_pages(url, token, args.repeat, clock):
        print(f"| `{path}` | {cold:.0f} | {median:.0f} | {slowest:.0f} | {size:,} |")
    if not args.solves:
        return
    cli_times, console_times = [], []
    for _ in range(args.solves):
        cli_times.append(first_agenda_cli(problem, args.time_limit))
        console_times.append(first_agenda_console(url, token, args.time_limit))
    cli_s, console_s = statistics.median(cli_times), statistics.median(console_times)
    trials = ", ".join(f"{a:.1f}/{b:.1f}" for a, b in zip(cli_times, console_times, strict=True))
    print(
        f"\nfirst agenda, median of {args.solves}: CLI {cli_s:.1f}s, console {console_s:.1f}s "
        f"(CLI/console per trial: {trials}); ratio console/CLI {console_s / cli_s:.2f}; "
        f"load {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
