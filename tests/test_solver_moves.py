"""Moves of one session (descent, annealing) and the neighbourhood search's bookkeeping: they never
make an agenda worse or invalid, and the free sessions' part of the objective tells the difference."""

from __future__ import annotations

import random

from bench.synthetic import Messy, generate
from scheduler.check import check
from solver.anneal import anneal
from solver.costs import Costs, Placement
from solver.descent import descend
from solver.domain import Assignment, Problem, Schedule
from solver.greedy import greedy
from solver.instance import Instance
from solver.options import Weights
from solver.search import Clock

SHAPE = Messy(grid=1, chains=3, chain_length=10, never=0.3, tracks=4)


def _as_schedule(costs: Costs, placements: dict[str, Placement]) -> Schedule:
    moment, sessions = costs.inst.timeline.moment, costs.inst.sessions
    return Schedule("feasible", tuple(
        Assignment(sid, room, moment(start), moment(start + sessions[sid].duration_minutes))
        for sid, (room, start) in placements.items()))


def _event() -> tuple[Problem, Costs, dict[str, Placement]]:
    problem, _ = generate(120, 8, 3, 4, SHAPE)
    costs = Costs(Instance(problem), Weights())
    start, left_out = greedy(costs)
    assert left_out == []
    return problem, costs, start


def test_descent_and_annealing_never_make_the_agenda_worse_nor_invalid() -> None:
    problem, costs, start = _event()
    before = costs.evaluate(start).total
    descended = descend(costs, start, clock=Clock(30))
    annealed = anneal(costs, descended, clock=Clock(2), seed=3)
    assert costs.evaluate(descended).total < before
    assert costs.evaluate(annealed).total <= costs.evaluate(descended).total
    for placements in (descended, annealed):
        assert set(placements) == set(start)
        assert check(problem, _as_schedule(costs, placements)).violations == []


def test_annealing_in_deterministic_mode_repeats() -> None:
    _, costs, start = _event()
    runs = [anneal(costs, start, clock=Clock(1, deterministic=True), seed=5) for _ in range(2)]
    assert runs[0] == runs[1] != start


def test_the_descent_places_a_session_left_out_where_it_fits() -> None:
    _, costs, start = _event()
    left_out = sorted(start)[7]
    without = {sid: p for sid, p in start.items() if sid != left_out}
    assert left_out in descend(costs, without, clock=Clock(30))


def test_the_free_sessions_part_of_the_objective_tells_the_difference() -> None:
    _, costs, start = _event()
    rng = random.Random(1)
    for _ in range(100):
        free = rng.sample(sorted(start), 8)
        other = dict(start)
        for sid in free:
            info = costs.inst.info[sid]
            if rng.random() < 0.1:
                del other[sid]
            else:
                other[sid] = (rng.choice(info.rooms), rng.choice(info.starts))
        difference = costs.evaluate(other).total - costs.evaluate(start).total
        assert costs.local(other, free) - costs.local(start, free) == difference
