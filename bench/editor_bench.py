"""Timetable editor benchmark: a move checked and answered at 1,000 sessions, and a re-plan around
10 pins at WSIS size.

    python -m bench.editor_bench                   # 1,000 sessions, 40 moves; WSIS re-plan, 10 pins
    python -m bench.editor_bench --moves 10        # a quick look

1. Moves: a synthetic event (`bench.synthetic`, 1,000 sessions in 45 rooms over 5 days, seed 7) is
   imported into a fresh SQLite database and its planted agenda saved as a draft. Each move is a
   POST to `/console/api/v1/versions/N/edits/move` through the WSGI app in this process (Flask's
   test client: no network), with an editor's API token and the draft's current revision: a random
   session to a random room and grid start, so some are accepted and many refused (a taken room,
   a speaker elsewhere, a room too small). Timed from the request to the parsed JSON answer: the
   incremental check, the soft effects, the write, the audit line and the Socket.IO emit. One
   warm-up move first (it builds the problem from the database once per import). For comparison,
   the full checker (`scheduler.check.check`) on the same agenda, and the incremental one alone.
   Target: a move answered in under 100 ms.
2. Re-plan: the WSIS+20 sample (data/wsis20-2025.problem.json, 280 sessions) with its planted agenda
   as the draft; 10 sessions spread over the event pinned where they are, and 5 others moved onto a
   pinned session's room and time (kept as overrides), so the re-plan has something to repair. Then
   what the re-plan job runs: `solve(pinned_problem(...), time_limit, baseline=draft)`, in this
   process (the job adds a process start and the OR-Tools import). The solver returns its best
   agenda when the time limit runs out, so --time-limit (default 4 s) bounds the answer. Target: a
   valid agenda (by the independent checker) with every pin held, within 5 s.

Not a test; bounded in time.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.synthetic import generate
from scheduler import accounts, editing
from scheduler.audit import Actor
from scheduler.check import check, check_sessions
from scheduler.db import make_engine, transaction
from scheduler.problem_file import load_problem
from scheduler.schedule_file import load_schedule
from scheduler.schema import upgrade
from scheduler.store import import_problem
from scheduler.versions import save_draft
from solver import solve
from solver.domain import Assignment, Problem, Schedule
from solver.options import SolveOptions

SETUP = Actor("bench", "system")
PASSWORD = "a benchmark's passphrase"
DATA = Path(__file__).resolve().parent.parent / "data"


def _starts(problem: Problem) -> list[Any]:
    step = timedelta(minutes=problem.calendar.granularity_minutes)
    starts = []
    for day in problem.calendar.days:
        moment = day.opens_at
        while moment < day.closes_at:
            starts.append(moment)
            moment += step
    return starts


def moves(sessions: int, rooms: int, count: int, seed: int) -> dict[str, Any]:
    from webapp import create_app

    problem, planted = generate(sessions, rooms, 5, seed=7)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/editor.db"
        engine = make_engine(url)
        upgrade(engine)
        with transaction(engine) as db:
            event = import_problem(db, problem, slug="bench")
            number = save_draft(db, event, planted, note="bench").number
            user, _ = accounts.add_user(db, "editor@example.org", "editor", actor=SETUP)
            user.must_change_password = False
            user.password_hash = accounts.hash_password(PASSWORD)
            token = accounts.issue_token(db, user, actor=SETUP)
        app = create_app({"DATABASE_URL": url, "TESTING": True, "LIVE_TICKER": False, "SECRET_KEY": "bench",
                          "SOCKETIO_MESSAGE_QUEUE": None})  # fmt: skip
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        chance = random.Random(seed)
        starts, room_ids = _starts(problem), [r.id for r in problem.rooms]
        revision, timings = 0, {"accepted": [], "override": [], "refused": []}
        for index in range(count + 1):
            body = {
                "session": chance.choice(problem.sessions).id,
                "room": chance.choice(room_ids),
                "start": chance.choice(starts).isoformat(),
                "revision": revision,
                # Every other move is kept even if it breaks rules: the write path, with violations.
                "override": index % 2 == 1,
            }
            began = time.perf_counter()
            answer = client.post(f"/console/api/v1/versions/{number}/edits/move", json=body, headers=headers)
            data = answer.get_json()
            elapsed = (time.perf_counter() - began) * 1000
            if answer.status_code == 200:
                revision = data["revision"]
            elif answer.status_code != 409:
                raise RuntimeError(f"unexpected answer {answer.status_code}: {data}")
            if index:  # the first one is the warm-up
                kept = "override" if answer.status_code == 200 and data["override"] else "accepted"
                timings["refused" if answer.status_code != 200 else kept].append(elapsed)
        pages = _pages(app, number, problem)
        app.extensions["agenda_engine"].dispose()
        engine.dispose()
    focus = [planted.assignments[0].session]
    return {
        "timings": timings,
        "pages": pages,
        "full_check_ms": _timed(lambda: check(problem, planted)),
        "incremental_check_ms": _timed(lambda: check_sessions(problem, planted, focus)),
    }


def _pages(app: Any, number: int, problem: Problem) -> dict[str, tuple[float, int]]:
    """The editor page, signed in as a person is (cookie and CSRF): median ms and bytes."""
    client = app.test_client()
    form = client.get("/console/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    client.post("/console/login", data={"csrf_token": token.group(1), "email": "editor@example.org",
                                        "password": PASSWORD})  # fmt: skip
    day = problem.calendar.days[1].date.isoformat()
    rooms = "&".join(f"room={r.id}" for r in problem.rooms[:8])
    found = {}
    for name, query in (("whole day, 45 rooms", f"day={day}"), ("8 rooms", f"day={day}&{rooms}"),
                        ("a search", f"day={day}&q=s-01")):  # fmt: skip
        path = f"/console/versions/{number}/edit?{query}"
        size = len(client.get(path).data)
        found[name] = (_timed(lambda path=path: client.get(path)), size)
    return found


def _timed(work: Any, repeat: int = 5) -> float:
    runs = []
    for _ in range(repeat):
        began = time.perf_counter()
        work()
        runs.append((time.perf_counter() - began) * 1000)
    return statistics.median(runs)


def replan(pins: int, broken: int, time_limit: float, seed: int) -> dict[str, Any]:
    problem = load_problem(DATA / "wsis20-2025.problem.json")
    draft = load_schedule(DATA / "wsis20-2025.planted.schedule.json")
    chance = random.Random(seed)
    placed = list(draft.assignments)
    pinned = placed[:: max(1, len(placed) // pins)][:pins]
    pin_data = {a.session: {"room": a.room, "start": a.start.isoformat()} for a in pinned}
    # Overrides the team kept: other sessions of the same length put on a pinned session's slot.
    durations = {s.id: s.duration_minutes for s in problem.sessions}
    others = [a for a in placed if a.session not in pin_data]
    moved: dict[str, Assignment] = {}
    for target in pinned[:broken]:
        length = durations[target.session]
        fits = [a for a in others if durations[a.session] == length and a.session not in moved]
        if fits:
            victim = chance.choice(fits)
            moved[victim.session] = Assignment(victim.session, target.room, target.start, target.end)
    edited = Schedule("feasible", tuple(moved.get(a.session, a) for a in placed))
    with_pins = editing.pinned_problem(problem, pin_data)
    began = time.perf_counter()
    result = solve(with_pins, SolveOptions(time_limit=time_limit, workers=2, seed=0), baseline=edited)
    seconds = time.perf_counter() - began
    kept = {key: result.assignment(key) for key in pin_data}
    held = all(
        a is not None and a.room == pin_data[key]["room"] and a.start.isoformat() == pin_data[key]["start"]
        for key, a in kept.items()
    )
    return {
        "sessions": len(problem.sessions),
        "pins": len(pin_data),
        "broken_before": len(check(with_pins, edited).violations),
        "seconds": seconds,
        "status": result.status,
        "valid": check(with_pins, result).valid and check(problem, result).valid,
        "pins_held": held,
        "moved": len(editing.replan_moves(with_pins, edited, result)),
    }


def _row(name: str, values: list[float]) -> str:
    if not values:
        return f"| {name} | 0 | – | – | – |"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return f"| {name} | {len(values)} | {statistics.median(values):.1f} | {p95:.1f} | {max(values):.1f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--rooms", type=int, default=45)
    parser.add_argument("--moves", type=int, default=40)
    parser.add_argument("--pins", type=int, default=10)
    parser.add_argument("--time-limit", type=float, default=4.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    measured = moves(args.sessions, args.rooms, args.moves, args.seed)
    print(f"## Moves at {args.sessions} sessions, {args.rooms} rooms\n")
    print("| answer | moves | median ms | p95 ms | slowest ms |\n|---|---:|---:|---:|---:|")
    print(_row("accepted, no rule broken (200)", measured["timings"]["accepted"]))
    print(_row("kept as an override (200)", measured["timings"]["override"]))
    print(_row("refused (409)", measured["timings"]["refused"]))
    print("\n| editor page | median ms | bytes |\n|---|---:|---:|")
    for name, (ms, size) in measured["pages"].items():
        print(f"| {name} | {ms:.0f} | {size:,} |")
    print(f"\nfull check of the agenda: {measured['full_check_ms']:.1f} ms; "
          f"incremental check of one session: {measured['incremental_check_ms']:.1f} ms\n")  # fmt: skip
    outcome = replan(args.pins, 5, args.time_limit, args.seed)
    print(f"## Re-plan around {outcome['pins']} pins, {outcome['sessions']} sessions\n")
    for key, value in outcome.items():
        print(f"- {key}: {round(value, 2) if isinstance(value, float) else value}")


if __name__ == "__main__":
    main()
