"""One CP-SAT model of the whole event, started from the greedy agenda, for up to a few hundred sessions.

Above a few dozen sessions the neighbourhood search (`solver.lns`) first improves the greedy agenda
for half the time; the whole model then starts from its best agenda, improves it further where it
can and proves a lower bound, or optimality.

With a baseline the search is lexicographic: first the fewest sessions that move (room or start
differ from the baseline, or left out), then, with that many moves as a constraint, the best agenda.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping

from solver import lns
from solver.costs import Costs, Placement
from solver.model import PlacementModel
from solver.options import SolveOptions
from solver.search import Clock, Found, Outcome, Reporter, Result, run

# Share of the remaining time the first re-planning phase (fewest moves) may use.
_MOVES_SHARE = 0.5
# Above this many sessions, the neighbourhood search improves the greedy agenda for a share of the
# time before the whole model gets it: it finds better agendas sooner, the whole model proves bounds.
_SEARCH_FIRST_ABOVE = 80
_SEARCH_SHARE = 0.5


def optimise(costs: Costs, start: dict[str, Placement], *, baseline: Mapping[str, Placement] | None,
             clock: Clock, options: SolveOptions, report: Reporter, stop: threading.Event | None,
             floor: int) -> Result:
    hint, moves_proven = start, True
    if not baseline and len(costs.inst.info) > _SEARCH_FIRST_ABOVE:
        warm = lns.improve(costs, start, baseline=None, clock=Clock(clock.left * _SEARCH_SHARE),
                           options=options, report=report, stop=stop, floor=floor)
        hint = warm.placements or start
        if warm.status == "optimal" or (stop and stop.is_set()):
            return Result(warm.status, warm.placements, floor)
    pm = PlacementModel(costs.inst, costs.inst.info)
    if baseline:
        moves = pm.add_moves(baseline)
        pm.model.minimize(moves)
        pm.hint(hint)
        first = _run(pm, clock.left * _MOVES_SHARE, options, stop,
                     lambda placements, *_: report(costs.evaluate(placements).total))
        if first.infeasible:
            return Result("infeasible", None)
        if first.placements is not None and first.objective is not None:
            pm.model.add(moves <= round(first.objective))
            hint, moves_proven = first.placements, first.proven
    pm.add_objective(costs)
    pm.hint(hint)
    # CP-SAT's own objective may count a clash literal its agenda does not need; report the agenda's.
    out = _run(pm, clock.left, options, stop,
               lambda placements, _, bound: report(costs.evaluate(placements).total, bound),
               bound=lambda bound: report(bound=bound))
    if out.infeasible:
        return Result("infeasible", None)
    bound = max(floor, round(out.bound)) if out.bound is not None else floor
    report(bound=bound)
    found = [p for p in (out.placements, hint) if p is not None and _complete(costs, p)]
    if not found:
        return Result("unknown", None, bound)
    best = min(found, key=lambda p: costs.evaluate(p).total)
    proven = out.proven and moves_proven and best is out.placements
    return Result("optimal" if proven else "feasible", best, bound)


def _run(pm: PlacementModel, seconds: float, options: SolveOptions, stop: threading.Event | None,
         found: Found, bound: Callable[[float], None] | None = None) -> Outcome:
    return run(pm, time_limit=seconds, workers=options.workers, seed=options.seed, stop=stop,
               found=found, bound=bound)


def _complete(costs: Costs, placements: Mapping[str, Placement]) -> bool:
    return all(sid in placements for sid in costs.inst.mandatory())
