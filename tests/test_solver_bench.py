"""bench.solver_bench's report: sizes on the command line, and a `## Solver` section that replaces
its earlier self without touching the other sections of docs/benchmarks.md."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

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
