"""Running CP-SAT on a placement model: time limit, workers, a stop button, and live progress.

Time is kept by a `Clock`: wall-clock seconds, or, in deterministic mode, CP-SAT's deterministic
time (a count of the work done, the same on every run), with CP-SAT's interleaved search so that
its workers take their turns in a fixed order. Nothing else the solver decides depends on the
time, so a deterministic solve gives the same agenda on every run with the same seed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from solver.costs import UNITS, Breakdown, Placement
from solver.domain import ScheduleStatus
from solver.model import PlacementModel
from solver.options import Progress

# Above this many sessions, presolve probing costs more time than it saves.
_PROBING_LIMIT = 150
# A proving run's workers: the strongest LP relaxation, and a search that raises the bound step by
# step. With 2 workers, the default portfolio (one default_lp worker, the other on neighbourhoods)
# left the bound where the root LP put it: 369.2 at 1 s and at 60 s on 300 synthetic sessions,
# where these two reach 381 in 30 s (and 296 -> 354 on the WSIS sample). `python -m
# bench.bound_bench` compares them with other portfolios.
PROOF_SUBSOLVERS = ("max_lp", "objective_lb_search")

# Deterministic seconds a second of the time limit buys in deterministic mode: about what CP-SAT does
# in a wall-clock second on 2 cores (0.15-0.2 with interleaved workers on the whole model of 300
# sessions, 0.1-0.5 for one worker on a neighbourhood), so a limit takes roughly as long either way.
DETERMINISTIC_RATE = 0.15

Found = Callable[[dict[str, Placement], float, float], None]


@dataclass(frozen=True, slots=True)
class Outcome:
    status: cp_model.CpSolverStatus
    placements: dict[str, Placement] | None
    objective: float | None
    bound: float | None

    @property
    def proven(self) -> bool:
        return self.status == cp_model.OPTIMAL

    @property
    def infeasible(self) -> bool:
        return self.status == cp_model.INFEASIBLE


class _Listener(cp_model.CpSolverSolutionCallback):
    def __init__(self, pm: PlacementModel, found: Found | None) -> None:
        super().__init__()
        self.pm = pm
        self.found = found
        self.best: dict[str, Placement] | None = None

    def on_solution_callback(self) -> None:
        self.best = self.pm.read(self)
        if self.found is not None:
            self.found(self.best, self.objective_value, self.best_objective_bound)


def run(pm: PlacementModel, *, time_limit: float, workers: int, seed: int, clock: Clock | None = None,
        stop: threading.Event | None = None, found: Found | None = None,
        bound: Callable[[float], None] | None = None, light: bool = False,
        subsolvers: Sequence[str] = ()) -> Outcome:
    """Solve `pm` within `time_limit` seconds of `clock`'s kind (wall-clock without one), charging
    `clock` for them; `found` hears each better agenda, `bound` each better bound.

    `light` skips presolve probing, for the many small models of the neighbourhood search.
    `subsolvers` replaces CP-SAT's portfolio of full workers (`PROOF_SUBSOLVERS` spends them on
    raising the lower bound rather than on finding better agendas).
    """
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = max(1, workers)
    if clock is not None and clock.deterministic:
        params.max_deterministic_time = max(0.001, time_limit * DETERMINISTIC_RATE)
        # Several workers take their turns in a fixed order; a small model gets one worker, as
        # switching between workers costs it more than they find (a 25-session neighbourhood at
        # 1,000 sessions: 1-2 s of wall clock for 0.1 deterministic seconds, against 0.2-0.8 s).
        params.interleave_search = params.num_workers > 1 and not light
        params.num_workers = 1 if light else params.num_workers
    else:
        params.max_time_in_seconds = max(0.01, time_limit)
    params.random_seed = seed
    # Ctrl-C belongs to the caller (it sets `stop`); CP-SAT's own handler would end the process.
    params.catch_sigint_signal = False
    if light or len(pm.vars) > _PROBING_LIMIT:
        params.cp_model_probing_level = 0
    if subsolvers:
        params.subsolvers.extend(subsolvers)
        params.num_full_subsolvers = min(params.num_workers, len(subsolvers))
    if bound is not None:
        solver.best_bound_callback = bound
    listener = _Listener(pm, found)
    if stop is not None and stop.is_set():
        return Outcome(cp_model.UNKNOWN, None, None, None)
    with StopWatch(solver, stop):
        status = solver.solve(pm.model, listener)
    if clock is not None:
        clock.spend(solver.deterministic_time)
    if status == cp_model.MODEL_INVALID:
        raise RuntimeError(f"CP-SAT rejected the model: {pm.model.validate()}")
    has_solution = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    placements = pm.read(solver) if has_solution else listener.best
    has_objective = has_solution and pm.model.has_objective()
    return Outcome(status, placements, solver.objective_value if has_objective else None,
                   solver.best_objective_bound if has_objective else None)


class StopWatch:
    """Stops the search when `stop` is set; polls because CP-SAT may not have started yet when it is."""

    def __init__(self, solver: cp_model.CpSolver, stop: threading.Event | None) -> None:
        self.solver = solver
        self.stop = stop
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> StopWatch:
        if self.stop is not None:
            self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.done.set()
        if self.thread.is_alive():
            self.thread.join()

    def _watch(self) -> None:
        assert self.stop is not None
        while not self.done.is_set():
            if self.stop.wait(0.05):
                while not self.done.wait(0.05):
                    self.solver.stop_search()
                return


class Clock:
    """The time a solve (or a part of it) has, and what is left of it, in seconds.

    Wall-clock seconds since it began, or, when `deterministic`, the deterministic seconds CP-SAT
    reports for the searches charged to it (and to every clock it is part of), each counted as
    1 / DETERMINISTIC_RATE seconds. `elapsed` is always wall-clock time, for progress and the
    schedule's `solve_seconds`.
    """

    def __init__(self, limit: float, deterministic: bool = False, parent: Clock | None = None) -> None:
        self.begin = time.monotonic()
        self.limit = limit
        self.deterministic = deterministic
        self.parent = parent
        self.spent = 0.0

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.begin

    @property
    def left(self) -> float:
        used = self.spent / DETERMINISTIC_RATE if self.deterministic else self.elapsed
        return max(0.0, self.limit - used)

    def part(self, limit: float) -> Clock:
        """A clock for the next `limit` seconds of this one, charging this one too."""
        return Clock(min(limit, self.left), self.deterministic, self)

    def spend(self, deterministic_seconds: float) -> None:
        self.spent += deterministic_seconds
        if self.parent is not None:
            self.parent.spend(deterministic_seconds)


class Reporter:
    """Hands progress to the caller, once per change, whichever thread the news comes from."""

    def __init__(self, clock: Clock, listener: Callable[[Progress], None] | None) -> None:
        self.clock = clock
        self.listener = listener
        self.lock = threading.Lock()
        self.objective: int | None = None
        self.bound: int | None = None
        self.clashes: int | None = None
        # No bound above this is passed on (it holds for a narrower search only; see solver.api).
        self.ceiling: int | None = None

    def __call__(self, objective: float | None = None, bound: float | None = None,
                 clashes: int | None = None) -> None:
        if bound is not None and self.ceiling is not None:
            bound = min(bound, self.ceiling)
        with self.lock:
            changed = False
            if objective is not None and (self.objective is None or objective < self.objective):
                self.objective, self.clashes, changed = round(objective), clashes, True
            if bound is not None and (self.bound is None or bound > self.bound):
                self.bound, changed = round(bound), True
            if changed and self.listener is not None:
                self.listener(Progress(self.clock.elapsed, _points(self.objective), _points(self.bound),
                                       self.clashes))

    def agenda(self, breakdown: Breakdown, bound: float | None = None) -> None:
        """A complete agenda was found: its objective and its track clashes."""
        self(breakdown.total, bound, breakdown.track_clashes)


def _points(value: int | None) -> float | None:
    return None if value is None else value / UNITS


@dataclass(frozen=True, slots=True)
class Result:
    """Where a search strategy ended: an agenda (or none) and a proven lower bound, in units."""

    status: ScheduleStatus
    placements: dict[str, Placement] | None
    bound: int | None = None
