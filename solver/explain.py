"""Why there is no agenda: small sets of rules that cannot all hold, found by CP-SAT.

The model is rebuilt without an objective from a non-strict instance, with one assumption literal
per rule instance (each session being placed, each speaker's availability and no-overlap, each
fixed, window, `after` edge, `no_overlap` group and room unavailability). CP-SAT returns a set of
assumptions that is infeasible on its own; deleting members one at a time while it stays infeasible
shrinks it towards a minimal one. Relaxing that set and asking again finds the next conflict.
"""

from __future__ import annotations

import threading

from ortools.sat.python import cp_model

from solver.domain import Conflict, Problem
from solver.instance import Instance
from solver.model import Guards, PlacementModel, Rule
from solver.search import Clock, StopWatch
from solver.words import describe

# Each probe while shrinking a core gets at most this long.
_PROBE_SECONDS = 2.0
_MOST_CONFLICTS = 3


def explain(problem: Problem, *, time_limit: float, seed: int = 0,
            stop: threading.Event | None = None) -> list[Conflict]:
    clock = Clock(time_limit)
    inst = Instance(problem, strict=False)
    guards = Guards(cp_model.CpModel())
    pm = PlacementModel(inst, inst.info, guards=guards)
    active: dict[Rule, cp_model.IntVar] = dict(guards.literals)
    conflicts: list[Conflict] = []
    while len(conflicts) < _MOST_CONFLICTS and clock.left > 0 and not (stop and stop.is_set()):
        core = _core(pm, active, list(active), clock.left, seed, stop)
        if not core:
            break
        core = _shrink(pm, active, core, clock, seed, stop)
        conflicts.append(describe(inst, core))
        for rule in core:
            active.pop(rule, None)
    if conflicts:
        return conflicts
    return [Conflict("no agenda meets every rule, and the solver could not isolate which rules clash "
                     f"within {time_limit:.0f} s; run again with a longer time limit for an explanation")]


def _core(pm: PlacementModel, literals: dict[Rule, cp_model.IntVar], assumed: list[Rule],
          seconds: float, seed: int, stop: threading.Event | None) -> list[Rule] | None:
    """A subset of `assumed` that cannot hold together, or None when they can (or time ran out)."""
    model = pm.model
    model.clear_assumptions()
    model.add_assumptions([literals[rule] for rule in assumed])
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.catch_sigint_signal = False
    with StopWatch(solver, stop):
        status = solver.solve(model)
    if status != cp_model.INFEASIBLE:
        return None
    by_index = {literals[rule].index: rule for rule in assumed}
    return [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index]


def _shrink(pm: PlacementModel, literals: dict[Rule, cp_model.IntVar], core: list[Rule], clock: Clock,
            seed: int, stop: threading.Event | None) -> list[Rule]:
    """Deletion-based minimisation: drop each rule whose absence still leaves the rest infeasible.

    Rules are tried before placements, so a conflict names as few rules as it can; each probe that
    stays infeasible returns its own (often much smaller) core, which replaces the current one.
    """
    current = list(core)
    for rule in sorted(core, key=lambda r: (r[0] == "place", r)):
        if rule not in current or clock.left <= 0:
            continue
        rest = [r for r in current if r != rule]
        smaller = _core(pm, literals, rest, min(_PROBE_SECONDS, clock.left), seed, stop)
        if smaller is not None:
            current = smaller
    return current
