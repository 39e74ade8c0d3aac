"""The solver on messy events: first agenda, steadiness across seeds, repeatable runs, fine grids.

Events come from `bench.synthetic` with the shapes real conference data showed (`Messy`: long
`after` chains inside one track, one-minute and 5-minute grids, preferences weighted "never",
tracks with more hours than one room holds), each feasible by its planted agenda, which meets
every "never" preference. Every agenda measured is judged by `scheduler.check`.

- First agenda: the time from the call to the first complete agenda (the search is stopped
  there and that agenda is checked), on several seeds of each event.
- Steadiness: five solver seeds on one event, worst objective over best, and how many "never"
  preferences each agenda misses.
- Repeatable: the same deterministic solve in two processes with different hash seeds.
- Fine grids: one event on its 15-minute grid and on a one-minute grid.

`bench.solver_bench` runs it and writes it up with its own tables; run alone it prints them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bench.child import in_child, peak_mib
from bench.synthetic import PLAIN, Messy, generate
from scheduler.check import check
from solver.domain import Problem, Schedule

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Event:
    """A benchmark event: its size, its shape and the seed it is generated from."""

    name: str
    sessions: int
    rooms: int
    days: int
    shape: Messy = PLAIN
    seed: int = 1

    def generate(self, seed: int | None = None) -> tuple[Problem, Schedule]:
        return generate(self.sessions, self.rooms, self.days, self.seed if seed is None else seed, self.shape)

    def describe(self) -> str:
        return f"{self.sessions}/{self.rooms}/{self.days}, {self.shape.describe()}"


WSIS = Event("wsis", 300, 18, 5)
# The shape of the real 203-session event that got no agenda in 5 s: chains of 12 in one track.
CHAINS_1MIN = Event("chains-1min", 200, 12, 3, Messy(grid=1, chains=4, chain_length=12, never=0.3, tracks=4))
CHAINS_5MIN = Event("chains-5min", 300, 18, 5, Messy(grid=5, chains=6, chain_length=15, never=0.2, tracks=8))
MESSY_1000 = Event("messy-1000", 1000, 45, 5, Messy(grid=1, chains=10, chain_length=12, never=0.3, tracks=12))
PLAIN_1000 = Event("plain-1000", 1000, 45, 5)
EVENTS = {e.name: e for e in (WSIS, CHAINS_1MIN, CHAINS_5MIN, MESSY_1000, PLAIN_1000)}
DEFAULT_EVENTS = ("wsis", "chains-1min", "chains-5min", "messy-1000")
# One room's days on a 15-minute grid, and a few rooms': the same events on a one-minute grid.
FINE_GRID_EVENTS = (Event("one-room", 30, 1, 5, Messy(grid=15)),
                    Event("six-rooms", 100, 6, 3, Messy(grid=15)))


@dataclass(frozen=True, slots=True)
class Outcome:
    """One solve, as `scheduler.check` judges it."""

    seconds: float
    first: float | None
    status: str
    objective: float | None
    bound: float | None
    violations: int
    never_missed: int
    peak_mib: float

    @property
    def valid(self) -> bool:
        return self.status in ("optimal", "feasible") and self.violations == 0


# --- what the child processes do ------------------------------------------------------------------


def never_missed(problem: Problem, schedule: Schedule) -> int:
    """How many sessions of the agenda sit outside every period their preferences weigh as "never"."""
    from solver.costs import Costs, units
    from solver.instance import Instance
    from solver.options import Weights

    costs = Costs(Instance(problem), Weights())
    minute = costs.inst.timeline.minute
    threshold = units(Weights().never)
    return sum(costs.preference(a.session, minute(a.start)) >= threshold for a in schedule.assignments)


def _outcome(problem: Problem, schedule: Schedule, seconds: float, first: float | None) -> Outcome:
    report = check(problem, schedule)
    return Outcome(seconds, first, schedule.status, schedule.objective, schedule.bound,
                   len(report.violations), never_missed(problem, schedule), peak_mib())


def solve_event(problem: Problem, time_limit: float, seed: int, workers: int, *,
                first_only: bool = False) -> Outcome:
    """Solve, timing the first agenda by our own clock; `first_only` stops the search right there.
    The solver's modules are loaded before the clock starts (OR-Tools takes a second or so)."""
    from solver import SolveOptions, api

    begin = time.perf_counter()
    first: list[float] = []
    stop = threading.Event()

    def heard(progress: Any) -> None:
        if not first and progress.objective is not None:
            first.append(time.perf_counter() - begin)
            if first_only:
                stop.set()

    options = SolveOptions(time_limit=time_limit, workers=workers, seed=seed)
    schedule = api.solve(problem, options, on_progress=heard, stop=stop)
    return _outcome(problem, schedule, time.perf_counter() - begin, first[0] if first else None)


def _event_child(event: Event, event_seed: int | None, time_limit: float, seed: int, workers: int,
                 first_only: bool = False) -> Outcome:
    problem, _ = event.generate(event_seed)
    return solve_event(problem, time_limit, seed, workers, first_only=first_only)


def _fine_grid_child(event: Event, grid: int, time_limit: float, workers: int) -> Outcome:
    problem, _ = event.generate()
    problem = replace(problem, calendar=replace(problem.calendar, granularity_minutes=grid))
    return solve_event(problem, time_limit, 0, workers)


_DETERMINISTIC_SOLVE = """
import json, sys
from bench.robust_bench import EVENTS
from scheduler.schedule_file import schedule_to_data
from solver import SolveOptions, solve
event, limit, workers = EVENTS[sys.argv[1]], float(sys.argv[2]), int(sys.argv[3])
problem, _ = event.generate()
options = SolveOptions(time_limit=limit, workers=workers, seed=0, deterministic=True)
schedule = solve(problem, options)
data = schedule_to_data(schedule)
seconds = data.pop("solve_seconds")
print(json.dumps({"schedule": data, "seconds": seconds}))
"""


def _deterministic_run(event: Event, time_limit: float, workers: int, hash_seed: str) -> tuple[str, float]:
    """The schedule file's text but for `solve_seconds`, and those seconds: from a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONHASHSEED": hash_seed}
    command = [sys.executable, "-c", _DETERMINISTIC_SOLVE, event.name, str(time_limit), str(workers)]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=True)
    printed = json.loads(done.stdout)
    return json.dumps(printed["schedule"], sort_keys=True), printed["seconds"]


# --- the measures --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FirstAgendas:
    """Time to the first complete agenda on several generated events of one shape."""

    event: Event
    runs: tuple[Outcome, ...]

    @property
    def slowest(self) -> float | None:
        times = [r.first for r in self.runs]
        return None if any(t is None for t in times) else max(t for t in times if t is not None)


@dataclass(frozen=True, slots=True)
class Steadiness:
    event: Event
    time_limit: float
    runs: tuple[Outcome, ...]

    @property
    def spread(self) -> float | None:
        """Worst objective over best across the seeds (None when a run found no valid agenda)."""
        values = [r.objective for r in self.runs if r.valid]
        if len(values) < len(self.runs) or not values:
            return None
        best = min(v for v in values if v is not None)
        return max(v for v in values if v is not None) / max(best, 1e-9)


@dataclass(frozen=True, slots=True)
class Repeat:
    event: Event
    time_limit: float
    identical: bool
    seconds: tuple[float, float]
    objective: float | None
    wall_objectives: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class FineGrid:
    event: Event
    coarse: Outcome
    fine: Outcome

    @property
    def time_ratio(self) -> float:
        return self.fine.seconds / max(self.coarse.seconds, 1e-9)

    @property
    def memory_ratio(self) -> float:
        return self.fine.peak_mib / max(self.coarse.peak_mib, 1e-9)


@dataclass(frozen=True, slots=True)
class Robustness:
    first: tuple[FirstAgendas, ...]
    steady: tuple[Steadiness, ...]
    repeat: Repeat | None
    grids: tuple[FineGrid, ...]


def measure_first(event: Event, seeds: Sequence[int], workers: int, limit: float = 60.0) -> FirstAgendas:
    return FirstAgendas(event, tuple(in_child(_event_child, event, seed, limit, 0, workers, True)
                                     for seed in seeds))


def measure_steady(event: Event, seeds: Sequence[int], time_limit: float, workers: int) -> Steadiness:
    return Steadiness(event, time_limit, tuple(in_child(_event_child, event, None, time_limit, seed, workers)
                                               for seed in seeds))


def measure_repeat(event: Event, time_limit: float, workers: int, wall: Steadiness | None) -> Repeat:
    runs = [_deterministic_run(event, time_limit, workers, hash_seed) for hash_seed in ("1", "2")]
    (first, seconds_a), (second, seconds_b) = runs
    objective = json.loads(first).get("objective")
    walls = tuple(r.objective for r in wall.runs if r.objective is not None) if wall else ()
    return Repeat(event, time_limit, first == second, (seconds_a, seconds_b), objective, walls)


def measure_grid(event: Event, time_limit: float, workers: int) -> FineGrid:
    coarse = in_child(_fine_grid_child, event, event.shape.grid, time_limit, workers)
    fine = in_child(_fine_grid_child, event, 1, time_limit, workers)
    return FineGrid(event, coarse, fine)


def measure(workers: int, time_limit: float = 60.0, seeds: int = 5, first_seeds: int = 8,
            events: Sequence[Event] = tuple(EVENTS[name] for name in DEFAULT_EVENTS)) -> Robustness:
    first = []
    for event in events:
        count = first_seeds if event.sessions <= 300 else max(2, first_seeds // 3)
        print(f"first agendas: {event.name} ...", file=sys.stderr, flush=True)
        first.append(measure_first(event, range(1, count + 1), workers))
    steady = []
    for event in events:
        print(f"steadiness: {event.name} ...", file=sys.stderr, flush=True)
        steady.append(measure_steady(event, range(seeds), time_limit, workers))
    print("repeatable runs ...", file=sys.stderr, flush=True)
    wsis = next((s for s in steady if s.event == WSIS), None)
    repeat = measure_repeat(WSIS, time_limit, workers, wsis)
    grids = []
    for event in FINE_GRID_EVENTS:
        print(f"fine grid: {event.name} ...", file=sys.stderr, flush=True)
        grids.append(measure_grid(event, time_limit, workers))
    return Robustness(tuple(first), tuple(steady), repeat, tuple(grids))


# --- the report ----------------------------------------------------------------------------------


def _s(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.1f} s" if seconds >= 1 else f"{seconds * 1000:.0f} ms"


def _n(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}"


def report(r: Robustness) -> list[str]:
    lines = ["### Messy events", "",
             "Events of `bench.synthetic` with the shapes of real conference data (`Messy`): "
             + "; ".join(f"`{e.name}` {e.describe()}" for e in dict.fromkeys(
                 [*(f.event for f in r.first), *(s.event for s in r.steady)])) + ".", "",
             "First complete agenda (the search stopped there; every agenda valid by `scheduler.check`):", "",
             "| event | generated events | slowest first agenda | all valid |", "|---|---|---|---|"]
    for f in r.first:
        valid = all(run.valid for run in f.runs)
        lines.append(f"| {f.event.name} | {len(f.runs)} | {_s(f.slowest)} | {'yes' if valid else 'NO'} |")
    lines += ["", "Five solver seeds on one event each (the objective's worst over its best; 'never' missed: "
              "sessions outside every period their preferences weigh as 'never', which the planted agenda "
              "never is):", "",
              "| event | limit | objectives (seeds 0-4) | worst / best | 'never' missed | all valid |",
              "|---|---|---|---|---|---|"]
    for s in r.steady:
        objectives = ", ".join(_n(run.objective) for run in s.runs)
        spread = "-" if s.spread is None else f"{s.spread:.3f}"
        missed = ", ".join(str(run.never_missed) for run in s.runs)
        valid = "yes" if all(run.valid for run in s.runs) else "NO"
        lines.append(f"| {s.event.name} | {s.time_limit:g} s | {objectives} | {spread} | {missed} "
                     f"| {valid} |")
    if r.repeat is not None:
        rep = r.repeat
        mean = sum(rep.wall_objectives) / len(rep.wall_objectives) if rep.wall_objectives else None
        lines += ["", f"Repeatable: `--deterministic` with {rep.time_limit:g} s on `{rep.event.name}`, "
                  "in two processes with different hash seeds: "
                  f"{'identical' if rep.identical else 'DIFFERENT'} "
                  f"schedules (but for `solve_seconds`), objective {_n(rep.objective)} against "
                  f"{_n(mean)} on average by the wall clock (seeds 0-4 above); the runs took "
                  f"{_s(rep.seconds[0])} and {_s(rep.seconds[1])}."]
    lines += ["", "Fine grids: the same event on its 15-minute grid and on a one-minute grid (time to the "
              "proven optimum, or the limit; peak memory):", "",
              "| event | 15-minute grid | one-minute grid | time ratio | memory ratio |",
              "|---|---|---|---|---|"]
    for g in r.grids:
        def shown(o: Outcome) -> str:
            return (f"{o.status} in {_s(o.seconds)}, {_n(o.objective)}, {o.peak_mib:,.0f} MiB"
                    + ("" if o.valid else ", INVALID"))
        size = f"{g.event.sessions}/{g.event.rooms}/{g.event.days}"
        lines.append(f"| {g.event.name} ({size}) | {shown(g.coarse)} | {shown(g.fine)} | {g.time_ratio:.2f} "
                     f"| {g.memory_ratio:.2f} |")
    return lines


def targets(r: Robustness) -> list[tuple[str, str, bool]]:
    """(target, measured, met) for each target of the messy-event measures."""
    rows = []
    small = [f for f in r.first if f.event.sessions <= 300]
    large = [f for f in r.first if 300 < f.event.sessions <= 1000]
    for name, group, limit in (("up to 300 sessions: first complete agenda within 2 s", small, 2.0),
                               ("up to 1,000 sessions: first complete agenda within 5 s", large, 5.0)):
        if group:
            times = [f.slowest for f in group]
            worst = None if any(t is None for t in times) else max(t for t in times if t is not None)
            valid = all(run.valid for f in group for run in f.runs)
            rows.append((name, _s(worst), worst is not None and worst <= limit and valid))
    if r.steady:
        spreads = [s.spread for s in r.steady]
        worst = None if any(x is None for x in spreads) else max(x for x in spreads if x is not None)
        seeds, limit = max(len(s.runs) for s in r.steady), max(s.time_limit for s in r.steady)
        rows.append((f"{seeds} seeds at {limit:g} s: worst objective within 1.25x the best, every event",
                     "-" if worst is None else f"{worst:.3f}", worst is not None and worst <= 1.25))
        missed = sum(run.never_missed for s in r.steady for run in s.runs)
        rows.append(("'never' preferences met (the planted agendas meet them all)", f"{missed} missed",
                     missed == 0))
    if r.repeat is not None:
        rows.append(("--deterministic: identical agendas run after run", "identical" if r.repeat.identical
                     else "different", r.repeat.identical))
    for g in r.grids:
        ratio = max(g.time_ratio, g.memory_ratio)
        both = g.coarse.valid and g.fine.valid
        rows.append((f"one-minute grid at most 2x the 15-minute grid ({g.event.name})", f"{ratio:.2f}x",
                     both and ratio <= 2.0))
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.robust_bench", description=__doc__.split("\n")[0])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seeds", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--events", nargs="*", choices=sorted(EVENTS), default=list(DEFAULT_EVENTS))
    args = parser.parse_args(argv)
    result = measure(args.workers, args.time_limit, args.seeds, args.first_seeds,
                     [EVENTS[name] for name in args.events])
    print("\n".join(report(result)))
    for name, shown, met in targets(result):
        print(f"| {name} | {shown} | {'yes' if met else 'NO'} |")


if __name__ == "__main__":
    main()
