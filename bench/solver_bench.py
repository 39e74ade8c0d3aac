"""How fast and how good the solver is, on synthetic events from WSIS size up to ten times it.

    .venv/bin/python -m bench.solver_bench [--sizes 300/18/5 1000/45/5 3000/120/5] [--time-limit S]
                                           [--workers 2] [--seed 1] [--no-messy]
                                           [--write docs/benchmarks.md]

Per size: the greedy start on its own (the baseline), then the solver with the time limit (60 s
at 300 sessions, 120 s at 1,000, 300 s at 3,000): time to the first valid agenda, time to the
proven optimum or the gap left at the limit, objective and bound, track clashes (counted by
`scheduler.check`, beside the planted schedule's), and peak memory. Each solve runs in a fresh
child process so that its peak resident memory is its own. Then the precheck on an infeasible
variant of each event, at WSIS size a re-plan after one change, and the messy events of
`bench.robust_bench` (first agenda, five seeds, repeatable runs, fine grids). Prints a markdown
report with every target, met or not; `--write` also puts it under `## Solver` in the given file.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

from bench import robust_bench
from bench.child import LoadWatch, in_child, peak_mib
from bench.robust_bench import Robustness
from bench.synthetic import generate
from scheduler.check import check
from scheduler.diff import diff_assignments
from solver.domain import Period, Problem, Schedule, Session, Speaker, Window
from solver.precheck import precheck

T = TypeVar("T")
DEFAULT_SIZES = ("300/18/5", "1000/45/5", "3000/120/5")
SECTION = "## Solver"


@dataclass(frozen=True, slots=True)
class Size:
    sessions: int
    rooms: int
    days: int

    @classmethod
    def parse(cls, text: str) -> Size:
        try:
            sessions, rooms, days = (int(part) for part in text.split("/"))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not SESSIONS/ROOMS/DAYS, e.g. 300/18/5") from None
        return cls(sessions, rooms, days)

    def __str__(self) -> str:
        return f"{self.sessions}/{self.rooms}/{self.days}"


@dataclass(frozen=True, slots=True)
class Run:
    """One agenda made in a child process, as `scheduler.check` judges it."""

    seconds: float
    first_valid: float | None
    status: str
    objective: float | None
    bound: float | None
    violations: int
    unscheduled: int
    track_clashes: int
    peak_mib: float
    moves: int | None = None

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        return abs(self.objective - self.bound) / max(abs(self.objective), 1e-9)


@dataclass(frozen=True, slots=True)
class Replan:
    size: Size
    change: str
    baseline: str
    run: Run


@dataclass(frozen=True, slots=True)
class SizeResult:
    size: Size
    time_limit: float
    planted_clashes: int
    greedy: Run
    solve: Run
    precheck_seconds: float
    precheck_conflicts: int
    precheck_example: str


# --- what the child processes do ------------------------------------------------------------------


def _judge(problem: Problem, schedule: Schedule, seconds: float, first_valid: float | None,
           moves: int | None = None) -> Run:
    report = check(problem, schedule)
    return Run(seconds, first_valid, schedule.status, schedule.objective, schedule.bound,
               len(report.violations), len(schedule.unscheduled), report.quality.track_clashes, peak_mib(),
               moves)


def _timed_solve(problem: Problem, time_limit: float, workers: int, seed: int,
                 baseline: Schedule | None = None) -> tuple[Schedule, float, float | None]:
    """Solve, noting when the first agenda arrived by our own clock (not the solver's)."""
    from solver import solve
    from solver.options import SolveOptions

    begin = time.perf_counter()
    first: list[float] = []

    def heard(progress: Any) -> None:
        if not first and progress.objective is not None:
            first.append(time.perf_counter() - begin)

    schedule = solve(problem, SolveOptions(time_limit=time_limit, workers=workers, seed=seed),
                     baseline=baseline, on_progress=heard)
    seconds = time.perf_counter() - begin
    return schedule, seconds, first[0] if first else None


def _greedy_child(size: Size, seed: int) -> Run:
    from solver import greedy_schedule

    problem, _ = generate(size.sessions, size.rooms, size.days, seed)
    begin = time.perf_counter()
    schedule = greedy_schedule(problem)
    seconds = time.perf_counter() - begin
    return _judge(problem, schedule, seconds, seconds if schedule.assignments else None)


def _solve_child(size: Size, seed: int, time_limit: float, workers: int) -> Run:
    problem, _ = generate(size.sessions, size.rooms, size.days, seed)
    schedule, seconds, first = _timed_solve(problem, time_limit, workers, seed)
    return _judge(problem, schedule, seconds, first)


def _replan_child(size: Size, seed: int, time_limit: float, replan_limit: float, workers: int) -> Replan:
    """Solve, take one room away for a morning it is busy, and re-plan from the published agenda."""
    problem, planted = generate(size.sessions, size.rooms, size.days, seed)
    before, _, _ = _timed_solve(problem, time_limit, workers, seed)
    baseline = "the first agenda"
    if not before.assignments:
        before, baseline = planted, "the planted agenda (the first solve found none)"
    changed, change = _close_a_busy_room(problem, before)
    after, seconds, first = _timed_solve(changed, replan_limit, workers, seed, baseline=before)
    moves = len(diff_assignments(before.assignments, after.assignments)) if after.assignments else None
    return Replan(size, change, baseline, _judge(changed, after, seconds, first, moves))


# --- the events changed for the precheck and the re-plan -------------------------------------------


def _close_a_busy_room(problem: Problem, schedule: Schedule) -> tuple[Problem, str]:
    """The room with most sessions on the second morning becomes unavailable that morning.

    Rooms holding a session fixed there or then are passed over: closing one would make the
    event infeasible, which is the precheck's case, not a re-plan.
    """
    day = problem.calendar.days[min(1, len(problem.calendar.days) - 1)]
    start, end = day.blocks()[0]
    sessions = {s.id: s for s in problem.sessions}
    busy: dict[str, int] = {}
    pinned: set[str] = set()
    for a in schedule.assignments:
        if start <= a.start < end:
            busy[a.room] = busy.get(a.room, 0) + 1
            if sessions[a.session].fixed is not None:
                pinned.add(a.room)
    room_id = max(sorted(set(busy) - pinned), key=lambda r: busy[r])
    rooms = tuple(replace(r, unavailable=(*r.unavailable, Period(start, end, "VIP bilateral")))
                  if r.id == room_id else r for r in problem.rooms)
    change = (f"{room_id} closed {day.date.day} {day.date:%B} {start:%H:%M}-{end:%H:%M}, "
              f"moving its {busy[room_id]} sessions")
    return replace(problem, rooms=rooms), change


def _overbooked_speaker(problem: Problem) -> Problem:
    """Add a speaker available 2h30 on the second day with three 60-minute sessions that day."""
    day = problem.calendar.days[min(1, len(problem.calendar.days) - 1)]
    opens = day.opens_at
    speaker = Speaker("sp-late", "Late arrival", available=(Period(opens, opens + timedelta(minutes=150)),))
    talks = tuple(Session(f"s-late-{n}", f"Late talk {n}", 60, speakers=("sp-late",),
                          window=Window(day.opens_at, day.closes_at)) for n in (1, 2, 3))
    return replace(problem, speakers=(*problem.speakers, speaker), sessions=(*problem.sessions, *talks))


def _time_precheck(problem: Problem) -> tuple[float, int, str]:
    infeasible = _overbooked_speaker(problem)
    begin = time.perf_counter()
    conflicts = precheck(infeasible)
    seconds = time.perf_counter() - begin
    return seconds, len(conflicts), conflicts[0].message if conflicts else "(none found)"


# --- the run -------------------------------------------------------------------------------------


def default_limit(size: Size) -> float:
    """The targets' limits: 60 s at WSIS size, 120 s at 1,000 sessions, 300 s at 3,000."""
    return 60.0 if size.sessions <= 300 else 120.0 if size.sessions <= 1000 else 300.0


def measure(size: Size, seed: int, time_limit: float, workers: int) -> SizeResult:
    problem, planted = generate(size.sessions, size.rooms, size.days, seed)
    planted_clashes = check(problem, planted).quality.track_clashes
    greedy = in_child(_greedy_child, size, seed)
    solved = in_child(_solve_child, size, seed, time_limit, workers)
    seconds, found, example = _time_precheck(problem)
    return SizeResult(size, time_limit, planted_clashes, greedy, solved, seconds, found, example)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    kib = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    return f"{os.cpu_count()} cores ({cpu}), {kib / 2**20:.1f} GiB RAM, Python {platform.python_version()}"


# --- the report ----------------------------------------------------------------------------------


def _s(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.1f} s" if seconds >= 1 else f"{seconds * 1000:.0f} ms"


def _n(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}"


def _valid(run: Run) -> str:
    if run.status in ("unknown", "infeasible"):
        return "no complete agenda"
    if run.violations:
        return f"INVALID ({run.violations} broken rules)"
    return "valid" + (f", {run.unscheduled} optional left out" if run.unscheduled else "")


def _outcome(run: Run) -> str:
    if run.status == "optimal":
        return f"optimal in {_s(run.seconds)}"
    gap = f", gap {run.gap:.1%}" if run.gap is not None else ""
    return f"{run.status} at {_s(run.seconds)}{gap}"


def report(results: Sequence[SizeResult], replan: Replan | None, command: str, seed: int,
           workers: int, messy: Robustness | None = None, beside: str = "") -> str:
    """The `## Solver` section; `beside`: what else the machine ran meanwhile, in words."""
    lines = [
        SECTION, "",
        f"Measured {date.today():%Y-%m-%d} on {machine()}, shared with other work while it ran{beside}. "
        f"Synthetic WSIS-like events from `bench.synthetic` (seed {seed}, each with a planted valid "
        f"agenda), CP-SAT with {workers} workers; every agenda is judged by `scheduler.check`. "
        "Times are wall clock from the call, including the precheck and the greedy start.",
        "", f"    {command}", "",
        *_solver_table(results), "",
        "Precheck on an infeasible variant of each event (a speaker available 2h30 on the second day, "
        "with three 60-minute sessions that day):", "",
        *_precheck_table(results),
    ]
    if replan is not None:
        run = replan.run
        lines += ["", f"Re-plan at {replan.size} after one change ({replan.change}), from {replan.baseline} "
                  f"as baseline: first valid agenda after {_s(run.first_valid)}, {_outcome(run)}, "
                  f"{_valid(run)}, {'-' if run.moves is None else run.moves} sessions moved."]
    if messy is not None:
        lines += ["", *robust_bench.report(messy)]
    rows = _targets(results, replan) + (robust_bench.targets(messy) if messy is not None else [])
    lines += ["", "Targets (2 cores):", "", "| target | measured | met |", "|---|---|---|",
              *(f"| {name} | {shown} | {'yes' if met else 'NO'} |" for name, shown, met in rows)]
    return "\n".join(lines) + "\n"


def _solver_table(results: Sequence[SizeResult]) -> list[str]:
    lines = ["| event (sessions/rooms/days) | greedy start | CP-SAT first valid | CP-SAT result (limit) "
             "| objective | bound | track clashes: CP-SAT / greedy / planted "
             "| peak memory (greedy / CP-SAT) |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(
            f"| {r.size} | {_s(r.greedy.seconds)}, {_valid(r.greedy)} | {_s(r.solve.first_valid)} "
            f"| {_outcome(r.solve)} ({r.time_limit:g} s), {_valid(r.solve)} | {_n(r.solve.objective)} "
            f"| {_n(r.solve.bound)} | {_clashes(r.solve)} / {_clashes(r.greedy)} / {r.planted_clashes} "
            f"| {r.greedy.peak_mib:,.0f} / {r.solve.peak_mib:,.0f} MiB |")
    return lines


def _precheck_table(results: Sequence[SizeResult]) -> list[str]:
    return ["| event | precheck time | conflicts | first conflict |", "|---|---|---|---|",
            *(f"| {r.size} | {_s(r.precheck_seconds)} | {r.precheck_conflicts} | {r.precheck_example} |"
              for r in results)]


def _targets(results: Sequence[SizeResult], replan: Replan | None) -> list[tuple[str, str, bool]]:
    """Each target this run measured: (target, what was measured, met)."""
    by_size = {(r.size.sessions, r.size.rooms, r.size.days): r for r in results}
    rows: list[tuple[str, float | None, float]] = []
    ratios: list[tuple[str, float | None, float]] = []
    if wsis := by_size.get((300, 18, 5)):
        rows.append(("300 sessions: first valid agenda within 2 s", wsis.solve.first_valid, 2))
        optimal = wsis.solve.seconds if wsis.solve.status == "optimal" else None
        rows.append(("300 sessions: proven optimal within 60 s", optimal, 60))
    if thousand := by_size.get((1000, 45, 5)):
        rows.append(("1,000 sessions: first valid agenda within 15 s", thousand.solve.first_valid, 15))
        ratios.append((f"1,000 sessions, {thousand.time_limit:g} s: at most 0.85x the greedy start's "
                       "clashing pairs", _clash_ratio(thousand), 0.85))
    if big := by_size.get((3000, 120, 5)):
        rows.append(("3,000 sessions: first valid agenda within 120 s", big.solve.first_valid, 120))
        rows.append(("3,000 sessions: peak memory under 4 GiB (MiB)", big.solve.peak_mib, 4096))
        ratios.append((f"3,000 sessions, {big.time_limit:g} s: at most 0.9x the greedy start's "
                       "clashing pairs", _clash_ratio(big), 0.9))
    if results:
        rows.append(("precheck finds the infeasibility within 1 s",
                     max(r.precheck_seconds for r in results if r.precheck_conflicts)
                     if all(r.precheck_conflicts for r in results) else None, 1))
    if replan is not None:
        rows.append(("re-plan after one change: valid agenda within 10 s", replan.run.first_valid, 10))
    shown = [(name, "-" if value is None else f"{value:,.0f}" if "MiB" in name else _s(value),
              value is not None and value <= limit) for name, value, limit in rows]
    return shown + [(name, "-" if value is None else f"{value:.3f}x", value is not None and value <= limit)
                    for name, value, limit in ratios]


def _clash_ratio(result: SizeResult) -> float | None:
    """The solver's clashing pairs over the greedy start's (both valid agendas), or None."""
    solved = result.solve.status in ("optimal", "feasible") and not result.solve.violations
    if not solved or not result.greedy.track_clashes:
        return None
    return result.solve.track_clashes / result.greedy.track_clashes


def _clashes(run: Run) -> str:
    return "-" if run.status in ("unknown", "infeasible") else str(run.track_clashes)


def write_section(path: Path, section: str) -> None:
    """Replace the `## Solver` section of `path` (or add it), leaving every other section alone."""
    text = path.read_text() if path.exists() else "# Benchmarks\n\n"
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == SECTION), None)
    if start is None:
        path.write_text(text.rstrip("\n") + "\n\n" + section)
        return
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    tail = "".join(lines[end:])
    path.write_text("".join(lines[:start]) + section + ("\n" + tail if tail else ""))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.solver_bench", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="*", type=Size.parse, default=[Size.parse(s) for s in DEFAULT_SIZES],
                        help="SESSIONS/ROOMS/DAYS, default: %(default)s")
    parser.add_argument("--time-limit", type=float,
                        help="seconds per solve (default: 60 up to 300 sessions, 120 up to 1,000, then 300)")
    parser.add_argument("--replan-limit", type=float, default=10.0,
                        help="seconds for the re-plan after the change (default 10)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--replan-size", type=Size.parse, default=Size.parse(DEFAULT_SIZES[0]),
                        help="event size for the re-plan measure (default 300/18/5)")
    parser.add_argument("--no-replan", action="store_true", help="skip the re-plan measure")
    parser.add_argument("--no-messy", action="store_true", help="skip the messy events (bench.robust_bench)")
    parser.add_argument("--messy-limit", type=float, default=60.0, help="seconds per messy-event solve")
    parser.add_argument("--messy-seeds", type=int, default=5, help="solver seeds per messy event")
    parser.add_argument("--messy-events", nargs="*", choices=sorted(robust_bench.EVENTS),
                        default=list(robust_bench.DEFAULT_EVENTS), help="default: %(default)s")
    parser.add_argument("--write", type=Path, help="also write the report under '## Solver' in this file")
    args = parser.parse_args(argv)
    with LoadWatch() as load:
        results = []
        for size in args.sizes:
            print(f"measuring {size} ...", file=sys.stderr, flush=True)
            results.append(measure(size, args.seed, args.time_limit or default_limit(size), args.workers))
        replan = None
        if not args.no_replan:
            size = args.replan_size
            print(f"re-planning {size} ...", file=sys.stderr, flush=True)
            replan = in_child(_replan_child, size, args.seed, args.time_limit or default_limit(size),
                              args.replan_limit, args.workers)
        messy = None
        if not args.no_messy:
            messy = robust_bench.measure(args.workers, args.messy_limit, args.messy_seeds,
                                         events=[robust_bench.EVENTS[name] for name in args.messy_events])
    command = "python -m bench.solver_bench " + " ".join(sys.argv[1:] if argv is None else argv)
    section = report(results, replan, command.strip(), args.seed, args.workers, messy, load.describe())
    print(section)
    if args.write:
        write_section(args.write, section)


if __name__ == "__main__":
    main()
