"""bench.bound_bench: the relaxation it measures bounds the whole model, and the report shows it."""

from __future__ import annotations

from bench.bound_bench import Trace, report, trace
from bench.solver_bench import Size
from bench.synthetic import generate
from solver.costs import Costs
from solver.greedy import greedy
from solver.instance import Instance
from solver.options import Weights


def test_sharing_rooms_relaxes_the_model_and_both_are_proven_on_a_small_event() -> None:
    problem, _ = generate(30, 3, 2, seed=3)
    costs = Costs(Instance(problem), Weights())
    start, _ = greedy(costs)
    whole = trace(costs, start, "max_lp,objective_lb_search", relaxed=False, time_limit=20, workers=1, seed=0)
    shared = trace(costs, start, "default", relaxed=True, time_limit=20, workers=1, seed=0)
    assert whole.status == shared.status == "optimal"
    assert shared.objective is not None and whole.objective is not None
    assert shared.objective <= whole.objective
    assert whole.bound_at(20) == whole.objective


def test_the_report_reads_each_bound_at_its_moment() -> None:
    rising = Trace("default", "whole model", [(1.0, 300.0), (20.0, 350.0), (50.0, 380.0)], "feasible", 384.5)
    text = report(Size(300, 18, 5), 1, 2, 60.0, [rising], 383.19, 240.0, "python -m bench.bound_bench")
    row = next(line for line in text.splitlines() if line.startswith("| `default`"))
    assert row == "| `default` | whole model | 300.00 | 300.00 | 350.00 | 380.00 | feasible | 384.50 |"
    assert "found in 240 s: 383.19" in text
