"""How far CP-SAT's lower bound gets on the whole model of a WSIS-size event, per worker portfolio.

    .venv/bin/python -m bench.bound_bench [--size 300/18/5] [--seed 1] [--time-limit 60]
                                          [--reference-limit 240] [--workers 2]
                                          [--portfolios default max_lp,objective_lb_search ...]

Proving an agenda optimal needs the bound to reach the best agenda's objective. Per portfolio (a
comma-separated list of CP-SAT subsolvers, or `default` for CP-SAT's own), the whole model, hinted
with the greedy agenda, runs for the time limit and the bound is read at fixed moments. The last row
is the same for a relaxation: rooms may hold several sessions at once (no room no-overlap), which
shows how much of the gap the rooms' packing makes. Beside them, the best agenda that `solver.solve`
finds with `--reference-limit` seconds: no bound above it is possible, and the optimum lies between
the best bound and it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from bench.solver_bench import Size, machine
from bench.synthetic import generate
from solver import SolveOptions, solve
from solver.costs import UNITS, Costs, Placement
from solver.greedy import greedy
from solver.instance import Instance
from solver.model import PlacementModel
from solver.options import Weights
from solver.search import PROOF_SUBSOLVERS, run

DEFAULT_PORTFOLIOS = ("default", ",".join(PROOF_SUBSOLVERS), "objective_shaving,max_lp",
                      "lb_tree_search,max_lp", "core,max_lp")
MOMENTS = (5.0, 15.0, 30.0, 60.0)


class RoomsShared(PlacementModel):
    """The relaxation in which a room can hold several sessions at once: its optimum bounds every agenda's."""

    def add_room_no_overlap(self) -> None:
        return None


@dataclass(frozen=True, slots=True)
class Trace:
    portfolio: str
    model: str
    bounds: list[tuple[float, float]]  # (seconds, bound in points), rising
    status: str
    objective: float | None

    def bound_at(self, seconds: float) -> float | None:
        return max((b for t, b in self.bounds if t <= seconds), default=None)


def trace(costs: Costs, start: Mapping[str, Placement], portfolio: str, relaxed: bool, time_limit: float,
          workers: int, seed: int) -> Trace:
    """One run of the whole model (or the relaxation) from the `start` agenda, its bound as it rose."""
    inst = costs.inst
    pm = (RoomsShared if relaxed else PlacementModel)(inst, inst.info)
    pm.add_objective(costs)
    pm.hint(start)
    bounds: list[tuple[float, float]] = []
    begin = time.perf_counter()
    out = run(pm, time_limit=time_limit, workers=workers, seed=seed,
              bound=lambda b: bounds.append((time.perf_counter() - begin, b / UNITS)),
              subsolvers=() if portfolio == "default" else tuple(portfolio.split(",")))
    if out.bound is not None:
        bounds.append((time.perf_counter() - begin, out.bound / UNITS))
    objective = None if out.objective is None else out.objective / UNITS
    return Trace(portfolio, "rooms shared (relaxation)" if relaxed else "whole model",
                 bounds, out.status.name.lower(), objective)


def report(size: Size, seed: int, workers: int, time_limit: float, traces: Sequence[Trace],
           reference: float | None, reference_limit: float, command: str) -> str:
    moments = [m for m in MOMENTS if m < time_limit] + [time_limit]
    head = " | ".join(f"bound at {m:g} s" for m in moments)
    lines = [f"Measured {date.today():%Y-%m-%d} on {machine()}; `bench.synthetic` event {size}, seed {seed}, "
             f"{workers} CP-SAT workers, hinted with the greedy agenda.", "", f"    {command}", "",
             f"| portfolio | model | {head} | status | CP-SAT's own best agenda |",
             "|---|---|" + "---|" * len(moments) + "---|---|"]
    for t in traces:
        cells = " | ".join(_points(t.bound_at(m)) for m in moments)
        lines.append(f"| `{t.portfolio}` | {t.model} | {cells} | {t.status} | {_points(t.objective)} |")
    lines += ["", f"Best agenda `solver.solve` found in {reference_limit:g} s: {_points(reference)} "
              "(the optimum of the whole model lies between the highest bound above and this)."]
    return "\n".join(lines) + "\n"


def _points(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bound_bench", description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=Size.parse, default=Size.parse("300/18/5"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--reference-limit", type=float, default=240.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--portfolios", nargs="*", default=list(DEFAULT_PORTFOLIOS))
    args = parser.parse_args(argv)
    problem, _ = generate(args.size.sessions, args.size.rooms, args.size.days, args.seed)
    runs = [(p, False) for p in args.portfolios] + [(",".join(PROOF_SUBSOLVERS), True)]
    costs = Costs(Instance(problem), Weights())
    start, _ = greedy(costs)
    traces = []
    for portfolio, relaxed in runs:
        print(f"{portfolio}{' (rooms shared)' if relaxed else ''} ...", file=sys.stderr, flush=True)
        traces.append(trace(costs, start, portfolio, relaxed, args.time_limit, args.workers, args.seed))
    print(f"reference solve, {args.reference_limit:g} s ...", file=sys.stderr, flush=True)
    schedule = solve(problem, SolveOptions(time_limit=args.reference_limit, workers=args.workers,
                                           seed=args.seed))
    command = "python -m bench.bound_bench " + " ".join(sys.argv[1:] if argv is None else argv)
    print(report(args.size, args.seed, args.workers, args.time_limit, traces, schedule.objective,
                 args.reference_limit, command.strip()))


if __name__ == "__main__":
    main()
