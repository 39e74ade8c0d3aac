"""bench.solver_bench's report: sizes on the command line, and a `## Solver` section that replaces
its earlier self without touching the other sections of docs/benchmarks.md."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from bench.robust_bench import (
    CHAINS_1MIN,
    FINE_GRID_EVENTS,
    MESSY_1000,
    WSIS,
    FineGrid,
    FirstAgendas,
    Outcome,
    Repeat,
    Robustness,
    Steadiness,
    targets,
)
from bench.robust_bench import report as messy_report
from bench.solver_bench import Replan, Run, Size, SizeResult, report, write_section


def test_sizes_are_sessions_rooms_days() -> None:
    assert Size.parse("300/18/5") == Size(300, 18, 5)
    assert str(Size(300, 18, 5)) == "300/18/5"
    with pytest.raises(argparse.ArgumentTypeError, match="SESSIONS/ROOMS/DAYS"):
        Size.parse("300x18")


def test_the_solver_section_is_replaced_and_the_others_kept(tmp_path: Path) -> None:
    path = tmp_path / "benchmarks.md"
    path.write_text("# Benchmarks\n\nintro\n\n## Solver\n\nold numbers\n\n## Live updates\n\nlive numbers\n")
    write_section(path, "## Solver\n\nnew numbers\n")
    assert path.read_text() == ("# Benchmarks\n\nintro\n\n## Solver\n\nnew numbers\n\n"
                                "## Live updates\n\nlive numbers\n")
    fresh = tmp_path / "fresh.md"
    write_section(fresh, "## Solver\n\nnumbers\n")
    assert fresh.read_text() == "# Benchmarks\n\n## Solver\n\nnumbers\n"


def run(status: str, seconds: float, first: float | None, violations: int = 0) -> Run:
    return Run(seconds, first, status, 100.0 if first else None, 80.0, violations, 0, 3, 120.0)


def test_the_report_judges_each_target_from_what_was_measured() -> None:
    wsis = SizeResult(Size(300, 18, 5), 60, 198, run("feasible", 2.5, 2.5), run("optimal", 30.0, 3.1),
                      0.02, 1, "speaker sp-late is available 2h30 on 8 July but has three 60-minute sessions")
    big = SizeResult(Size(3000, 120, 5), 120, 16000, run("unknown", 90, None, 3000),
                     run("unknown", 121, None, 3000), 0.2, 1, "x")
    replan = Replan(Size(300, 18, 5), "room-006 closed", "the first agenda", run("feasible", 10, 1.2))
    text = report([wsis, big], replan, "python -m bench.solver_bench", seed=1, workers=2)
    assert text.startswith("## Solver\n")
    assert "| 300 sessions: first valid agenda within 2 s | 3.1 s | NO |" in text
    assert "| 300 sessions: proven optimal within 60 s | 30.0 s | yes |" in text
    assert "| 3,000 sessions: first valid agenda within 120 s | - | NO |" in text
    assert "| precheck finds the infeasibility within 1 s | 200 ms | yes |" in text
    assert "| re-plan after one change: valid agenda within 10 s | 1.2 s | yes |" in text
    assert "no complete agenda" in text


def outcome(objective: float | None, first: float | None = 0.5, missed: int = 0, seconds: float = 60.0,
            mib: float = 100.0) -> Outcome:
    status = "feasible" if objective is not None else "unknown"
    return Outcome(seconds, first, status, objective, None, 0, missed, mib)


def test_the_messy_event_targets_are_judged_from_what_was_measured() -> None:
    first = (FirstAgendas(CHAINS_1MIN, (outcome(10.0, 0.4), outcome(10.0, 1.9))),
             FirstAgendas(MESSY_1000, (outcome(10.0, 5.5),)))
    steady = (Steadiness(CHAINS_1MIN, 60, (outcome(100.0), outcome(124.0))),
              Steadiness(WSIS, 60, (outcome(400.0), outcome(520.0, missed=1))))
    repeat = Repeat(WSIS, 60, True, (70.0, 71.0), 410.0, (400.0, 520.0))
    grids = (FineGrid(FINE_GRID_EVENTS[0], outcome(93.0, seconds=0.4), outcome(93.0, seconds=1.0)),)
    rows = {name: (shown, met) for name, shown, met in targets(Robustness(first, steady, repeat, grids))}
    assert rows["up to 300 sessions: first complete agenda within 2 s"] == ("1.9 s", True)
    assert rows["up to 1,000 sessions: first complete agenda within 5 s"] == ("5.5 s", False)
    assert rows["2 seeds at 60 s: worst objective within 1.25x the best, every event"] == ("1.300", False)
    assert rows["'never' preferences met (the planted agendas meet them all)"] == ("1 missed", False)
    assert rows["--deterministic: identical agendas run after run"] == ("identical", True)
    assert rows["one-minute grid at most 2x the 15-minute grid (one-room)"] == ("2.50x", False)
    text = "\n".join(messy_report(Robustness(first, steady, repeat, grids)))
    assert "| chains-1min | 60 s | 100.0, 124.0 | 1.240 | 0, 0 | yes |" in text
    assert "identical schedules (but for `solve_seconds`), objective 410.0 against 460.0 on average" in text
