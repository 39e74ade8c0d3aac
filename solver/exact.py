"""One CP-SAT model of the whole event, started from the greedy agenda, for up to a few hundred sessions.

Small events get the whole model for all the time: it proves most of them optimal in seconds. Above
a few dozen sessions the time is split: the whole model first (it may prove optimality, and it
proves a lower bound either way), then the neighbourhood search (`solver.lns`), which finds better
agendas sooner, then the same model again from the best agenda found, to improve and prove.

With a baseline the search is lexicographic: first the fewest sessions that move (room or start
differ from the baseline, or left out), then, with that many moves as a constraint, the best agenda.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from solver import lns
from solver.costs import Costs, Placement
from solver.model import PlacementModel
from solver.options import SolveOptions
from solver.search import PROOF_SUBSOLVERS, Clock, Outcome, Reporter, Result, run

# Share of the remaining time the first re-planning phase (fewest moves) may use.
_MOVES_SHARE = 0.5
# Above this many sessions the neighbourhood search gets a share of the time between two rounds of
# the whole model (first round, search, second round: shares of the time left at each step).
# The first round only raises the bound (`PROOF_SUBSOLVERS`): a quarter of 60 s took the bound from
# 369 to 381 (seed 1) and 348 to 385 (seed 2) on 300 synthetic sessions, 296 to 351 on the WSIS
# sample; a tenth reached 372 and 343.
_SEARCH_ABOVE = 80
_FIRST_ROUND_SHARE = 0.25
# ... but at least this long (when the time allows), enough to prove a hundred-odd sessions optimal.
_FIRST_ROUND_SECONDS = 5.0
_SEARCH_SHARE = 0.9
# Of that search, the share spent annealing: CP-SAT's neighbourhoods do better than at 1,000
# sessions (300 sessions, 60 s, seed 1: 395 points with none, 385 with 0.2, 389 with 0.7).
_ANNEAL_SHARE = 0.2


class _Whole:
    """The whole model, built once and solved in rounds, each from the best agenda so far."""

    def __init__(self, costs: Costs, options: SolveOptions, report: Reporter,
                 stop: threading.Event | None, clock: Clock) -> None:
        self.costs = costs
        self.options = options
        self.clock = clock
        self.report = report
        self.stop = stop
        self.pm = PlacementModel(costs.inst, costs.inst.info)

    def round(self, hint: Mapping[str, Placement], seconds: float, prove: bool = False) -> Outcome:
        self.pm.hint(hint)
        return run(self.pm, time_limit=seconds, workers=self.options.workers, seed=self.options.seed,
                   clock=self.clock, stop=self.stop, found=self._found,
                   bound=lambda bound: self.report(bound=bound),
                   subsolvers=PROOF_SUBSOLVERS if prove else ())

    def _found(self, placements: dict[str, Placement], _: float, bound: float) -> None:
        # CP-SAT's own objective may count a clash literal its agenda does not need; report the agenda's.
        self.report.agenda(self.costs.evaluate(placements), bound)


def optimise(costs: Costs, start: dict[str, Placement], *, baseline: Mapping[str, Placement] | None,
             clock: Clock, options: SolveOptions, report: Reporter, stop: threading.Event | None,
             floor: int) -> Result:
    whole = _Whole(costs, options, report, stop, clock)
    hint, moves_proven = start, True
    if baseline:
        first = _fewest_moves(whole, baseline, start, clock.left * _MOVES_SHARE)
        if first.infeasible:
            return Result("infeasible", None)
        hint = first.placements or start
        moves_proven = first.proven
    whole.pm.add_objective(costs)
    found: list[dict[str, Placement]] = [hint]
    bound = floor
    if not baseline and len(costs.inst.info) > _SEARCH_ABOVE:
        first_round = max(clock.left * _FIRST_ROUND_SHARE, min(_FIRST_ROUND_SECONDS, clock.left / 2))
        out = whole.round(hint, first_round, prove=True)
        if out.infeasible or out.proven or _stopped(stop):
            return _result(costs, out, found, floor, report)
        bound = max(bound, round(out.bound)) if out.bound is not None else bound
        found += [p for p in (out.placements,) if p is not None]
        hint = min(found, key=lambda p: costs.evaluate(p).total)
        warm = lns.improve(costs, hint, baseline=None, clock=clock.part(clock.left * _SEARCH_SHARE),
                           options=options, report=report, stop=stop, floor=bound,
                           anneal_share=_ANNEAL_SHARE)
        if warm.placements is not None:
            found.append(warm.placements)
            hint = warm.placements
        if warm.status == "optimal" or _stopped(stop):
            return Result(warm.status, _best(costs, found), bound)
    out = whole.round(hint, clock.left)
    return _result(costs, out, found, bound, report, moves_proven)


def _fewest_moves(whole: _Whole, baseline: Mapping[str, Placement], hint: Mapping[str, Placement],
                  seconds: float) -> Outcome:
    """Minimise the moves alone; the model keeps 'no more moves than that' for the next phase."""
    moves = whole.pm.add_moves(baseline)
    whole.pm.model.minimize(moves)
    whole.pm.hint(hint)
    out = run(whole.pm, time_limit=seconds, workers=whole.options.workers, seed=whole.options.seed,
              clock=whole.clock, stop=whole.stop,
              found=lambda placements, *_: whole.report.agenda(whole.costs.evaluate(placements)))
    if out.placements is not None and out.objective is not None:
        whole.pm.model.add(moves <= round(out.objective))
    return out


def _result(costs: Costs, out: Outcome, found: list[dict[str, Placement]], bound: int, report: Reporter,
            moves_proven: bool = True) -> Result:
    if out.infeasible:
        return Result("infeasible", None)
    if out.bound is not None:
        bound = max(bound, round(out.bound))
    report(bound=bound)
    if out.proven and out.placements is not None:
        # Nothing else found can be better than a proven optimum.
        return Result("optimal" if moves_proven else "feasible", out.placements, bound)
    best = _best(costs, [*found, *([out.placements] if out.placements is not None else [])])
    return Result("unknown", None, bound) if best is None else Result("feasible", best, bound)


def _stopped(stop: threading.Event | None) -> bool:
    return stop is not None and stop.is_set()


def _best(costs: Costs, found: list[dict[str, Placement]]) -> dict[str, Placement] | None:
    """The cheapest complete agenda (every mandatory session placed), if any."""
    mandatory = costs.inst.mandatory()
    complete = [p for p in found if all(s in p for s in mandatory)]
    return min(complete, key=lambda p: costs.evaluate(p).total, default=None)
