"""`scheduler solve`: writes a valid agenda, explains infeasibility, reports re-plan moves, rejects bad
input with exit 2, and on Ctrl-C (a real SIGINT to a real process) still writes the best agenda found."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import solver.api
from bench.synthetic import Messy, generate
from scheduler.check import check
from scheduler.cli import main
from scheduler.cli.solve import ProgressLine
from scheduler.problem_file import dump_problem, load_problem
from scheduler.schedule_file import load_schedule
from solver import Progress, SolveOptions, solve
from solver.domain import Problem, Schedule
from tests.test_solver_support import problem_data, room, session, speaker

REPO = Path(__file__).resolve().parent.parent


def write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["solve", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def test_solve_writes_a_valid_agenda(tmp_path: Path) -> None:
    problem_path = write(tmp_path / "p.json", problem_data([session("s-1"), session("s-2", tracks=["C1"])]))
    code, out, err = run(problem_path, "-o", tmp_path / "s.json", "--time-limit", "10", "--workers", "1")
    assert code == 0, err
    schedule = load_schedule(tmp_path / "s.json")
    assert check(load_problem(problem_path), schedule).violations == []
    assert schedule.status == "optimal" and "status optimal: 2 of 2 sessions placed" in out
    assert "best" in err and "bound" in err and "gap" in err
    assert "lower_bound" in json.loads((tmp_path / "s.json").read_text())


def test_an_impossible_problem_is_explained_and_exits_1(tmp_path: Path) -> None:
    talks = [session(f"s-02{n}", 60, speakers=["sp-007"]) for n in range(3)]
    data = problem_data(talks, rooms=[room("room-a"), room("room-b")],
                        speakers=[speaker("sp-007", ("2025-07-07T09:00", "2025-07-07T11:30"))])
    code, out, _ = run(write(tmp_path / "p.json", data), "-o", tmp_path / "s.json", "--time-limit", "5")
    assert code == 1
    assert "sp-007" in out and "s-020" in out
    written = json.loads((tmp_path / "s.json").read_text())
    assert written["status"] == "infeasible" and not written.get("assignments") and written["conflicts"]


def test_a_replan_prints_and_writes_its_changes(tmp_path: Path) -> None:
    talks = [session("s-1", speakers=["sp-1"]), session("s-2"), session("s-3")]
    first = problem_data(talks, rooms=[room("room-a"), room("room-b")], speakers=[speaker("sp-1")])
    problem_path = write(tmp_path / "p.json", first)
    assert run(problem_path, "-o", tmp_path / "before.json", "--time-limit", "5")[0] == 0
    before = load_schedule(tmp_path / "before.json")
    start = before.assignment("s-1").start  # type: ignore[union-attr]
    # sp-1 can no longer come at the time s-1 had: it must move, s-2 must not; s-3 is called off.
    later = f"{start:%Y-%m-%d}T{start.hour + 1:02d}:00"
    first["speakers"] = [speaker("sp-1", (later, "2025-07-07T13:00"))]
    first["sessions"] = talks[:2]
    code, out, err = run(write(tmp_path / "p.json", first), "-o", tmp_path / "after.json",
                         "--baseline", tmp_path / "before.json", "--time-limit", "5")
    assert code == 0, err
    assert "2 changes from the baseline:" in out and "s-1:" in out and "s-3: cancelled" in out
    changes = json.loads((tmp_path / "after.json").read_text())["changes"]
    assert [(c["kind"], c["session"]) for c in changes] == [("moved", "s-1"), ("cancelled", "s-3")]
    assert changes[0]["before"]["start"] == f"{start:%Y-%m-%dT%H:%M}" and changes[1]["after"] is None


def test_bad_input_exits_2_and_says_where(tmp_path: Path) -> None:
    broken = problem_data([session("s-1", duration_minutes=-5)])
    code, _, err = run(write(tmp_path / "p.json", broken), "-o", tmp_path / "s.json")
    assert code == 2 and "duration_minutes" in err and not (tmp_path / "s.json").exists()
    good = write(tmp_path / "good.json", problem_data([session("s-1")]))
    code, _, err = run(good, "-o", tmp_path / "s.json", "--baseline", write(tmp_path / "b.json", {"nope": 1}))
    assert code == 2 and "b.json" in err
    code, _, err = run(good, "-o", tmp_path / "missing-dir" / "s.json", "--time-limit", "2")
    assert code == 2 and "cannot write" in err


@pytest.mark.slow
def test_ctrl_c_stops_the_search_and_still_writes_the_best_agenda(tmp_path: Path) -> None:
    problem, _ = generate(160, 12, 5, seed=2)
    dump_problem(problem, tmp_path / "p.json")
    output = tmp_path / "s.json"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "scheduler", "solve", str(tmp_path / "p.json"), "-o", str(output),
         "--time-limit", "300", "--workers", "1"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        first = process.stderr.readline()  # the first progress line: an agenda exists
        assert "best" in first, first
        time.sleep(1.0)
        began = time.monotonic()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert time.monotonic() - began < 30
    assert "interrupted" in err
    schedule = load_schedule(output)
    assert schedule.status == "feasible" and "written to" in out
    assert check(problem, schedule).violations == []


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_rewrites_one_line_on_a_terminal_and_prints_plain_lines_otherwise() -> None:
    terminal, pipe = _Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        line = ProgressLine(stream)
        line.show(Progress(0.5, 120.0, None))
        line.show(Progress(0.7, 100.0, 80.0))
        line.finish()
    assert terminal.getvalue().count("\r") == 2 and terminal.getvalue().endswith("\n")
    assert "gap 20.0%" in terminal.getvalue()
    # Off a terminal the second update came too soon to print, but the final figures still do.
    assert pipe.getvalue().splitlines() == [ProgressLine.describe(Progress(0.5, 120.0, None)),
                                            ProgressLine.describe(Progress(0.7, 100.0, 80.0))]


def test_when_the_time_runs_out_before_any_agenda_the_cli_says_so_and_why(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The greedy agenda of this event leaves s-32 out; with no time to repair it, no agenda is found.
    problem, _ = generate(33, 3, 2, 836565, Messy(grid=15, chains=4, chain_length=10, tracks=4))
    dump_problem(problem, tmp_path / "p.json")

    def out_of_time(problem: Problem, options: SolveOptions, **keys: Any) -> Schedule:
        return solve(problem, replace(options, time_limit=0.0), **keys)

    monkeypatch.setattr(solver.api, "solve", out_of_time)  # where the command finds it, when it runs
    code, out, _ = run(tmp_path / "p.json", "-o", tmp_path / "s.json", "--time-limit", "5")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == f"status unknown: no agenda found within 5 s, written to {tmp_path / 's.json'}"
    assert "the fast start placed 32 of 33 sessions" in lines[1]
    assert lines[2].startswith("  - s-32 (60 min) has no place in the agenda found so far")
    assert lines[-1] == "run again with a longer limit, e.g. --time-limit 30"
    written = load_schedule(tmp_path / "s.json")
    assert written.status == "unknown" and written.assignments == ()
    assert [c.sessions[0] for c in written.conflicts] == ["s-32", "s-32"]
