"""The solver's front door: a problem in, the best agenda found (or why there is none) out.

1. Counting checks (`solver.precheck`) and each session's own candidates catch the plain conflicts.
2. A greedy agenda, repaired where it left a session out, comes first (`solver.start`), so there is
   a valid answer (and progress to show) within moments; starts marked "never" stay ruled out
   when that agenda manages without them.
3. Up to `SolveOptions.lns_above` sessions, one CP-SAT model improves it and can prove it optimal;
   larger events go to the large-neighbourhood search.
4. When CP-SAT proves there is no agenda, `solver.explain` says which rules clash; when the time
   runs out before any agenda, the schedule says so and names the sessions still without a place.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping

from solver import exact, lns
from solver.bounds import TrackBound, never_bound, objective_bound, track_clash_bound
from solver.costs import UNITS, Costs, Placement
from solver.domain import Assignment, Conflict, Problem, Schedule, Unscheduled
from solver.explain import explain
from solver.greedy import Greedy
from solver.instance import Instance
from solver.options import Progress, SolveOptions, Weights
from solver.precheck import precheck
from solver.search import Clock, Reporter, Result
from solver.start import Start, first_agenda
from solver.words import no_agenda_in_time, no_place, unplaced

DEFAULT_OPTIONS = SolveOptions()
# An explanation gets at least this long, even when the search used up the time limit.
_EXPLAIN_SECONDS = (5.0, 60.0)


def solve(problem: Problem, options: SolveOptions = DEFAULT_OPTIONS, baseline: Schedule | None = None,
          on_progress: Callable[[Progress], None] | None = None,
          stop: threading.Event | None = None) -> Schedule:
    """The best agenda found within `options.time_limit` seconds (or until `stop` is set).

    With a `baseline`, as few sessions as possible move from where the baseline put them.
    `on_progress` hears every better agenda and every better bound, from any thread.
    """
    clock = Clock(options.time_limit, options.deterministic)
    conflicts = precheck(problem)
    if conflicts:
        return _infeasible(conflicts, clock)
    inst = Instance(problem, anchors=[a.start for a in baseline.assignments] if baseline else ())
    blocked = [s for s in inst.mandatory() if s not in inst.info]
    if blocked:
        return _infeasible([no_place(inst, s) for s in blocked], clock)
    costs = Costs(inst, options.weights)
    clash = track_clash_bound(costs)
    floor = objective_bound(costs, clash)
    report = Reporter(clock, on_progress)
    kept = placements_of(inst, baseline) if baseline else None
    start = first_agenda(costs, kept, clock=clock, options=options, stop=stop)
    search = start.costs
    floor_searched = floor
    if search.never:
        # The search runs without the "never" starts: its bounds hold only for agendas without them,
        # and an agenda with one costs at least `ceiling`, so no bound reported may exceed that.
        report.ceiling = never_bound(costs, search.never, floor)
        floor_searched = objective_bound(search, track_clash_bound(search))
    if not start.missing:
        report.agenda(costs.evaluate(start.placements), floor)
    if clock.left <= 0 or (stop is not None and stop.is_set()):
        # No time to build a model: the first agenda is the answer.
        result = Result("feasible", start.placements, floor)
        if start.missing:
            result = Result("unknown", None, floor)
    else:
        strategy = lns.improve if len(problem.sessions) > options.lns_above else exact.optimise
        result = strategy(search, start.placements, baseline=kept, clock=clock, options=options,
                          report=report, stop=stop, floor=floor_searched)
    if result.status == "infeasible":
        seconds = min(max(clock.left, _EXPLAIN_SECONDS[0]), _EXPLAIN_SECONDS[1])
        return _infeasible(explain(problem, time_limit=seconds, seed=options.seed, stop=stop), clock)
    if report.ceiling is not None:
        result = _within(result, report.ceiling, costs)
    if result.placements is None:
        return _unknown(costs, start, result.bound, options, clock, _bounds_extra(clash, floor))
    return _schedule(costs, result, clash, floor, clock)


def greedy_schedule(problem: Problem, weights: Weights = DEFAULT_OPTIONS.weights) -> Schedule:
    """The greedy agenda alone, without CP-SAT: what the search starts from (for benchmarks)."""
    return solve(problem, SolveOptions(time_limit=0.0, weights=weights))


def _within(result: Result, ceiling: int, costs: Costs) -> Result:
    """A search result without "never" starts, with its bound and status made true of every agenda."""
    bound = ceiling if result.bound is None else min(result.bound, ceiling)
    status = result.status
    placements = result.placements
    if status == "optimal" and placements is not None and costs.evaluate(placements).total > ceiling:
        status = "feasible"
    return Result(status, result.placements, bound)


def _unknown(costs: Costs, start: Start, bound: int | None, options: SolveOptions, clock: Clock,
             extra: dict[str, object]) -> Schedule:
    """No agenda in time: say so, and name the sessions the first agenda could not place, and why."""
    board = Greedy(costs)
    for sid, placement in start.placements.items():
        board.place(sid, placement)
    missing = start.missing
    conflicts = [no_agenda_in_time(options.time_limit, len(start.placements), len(costs.inst.sessions),
                                   missing, deterministic=options.deterministic),
                 *(unplaced(costs.inst, sid, board.obstacles(sid)) for sid in missing)]
    return Schedule("unknown", conflicts=tuple(conflicts),
                    bound=None if bound is None else round(bound / UNITS, 4),
                    solve_seconds=round(clock.elapsed, 3), extra=extra)


def placements_of(inst: Instance, schedule: Schedule) -> dict[str, Placement]:
    """A schedule's assignments as (room, start minute), for the sessions and rooms the problem knows."""
    return {a.session: (a.room, inst.timeline.minute(a.start)) for a in schedule.assignments
            if a.session in inst.sessions and a.room in inst.rooms}


def _infeasible(conflicts: list[Conflict], clock: Clock) -> Schedule:
    return Schedule("infeasible", conflicts=tuple(conflicts), solve_seconds=round(clock.elapsed, 3))


def _schedule(costs: Costs, result: Result, clash: TrackBound, floor: int, clock: Clock) -> Schedule:
    inst = costs.inst
    extra = _bounds_extra(clash, floor)
    bound = None if result.bound is None else round(result.bound / UNITS, 4)
    assert result.placements is not None
    placements = result.placements
    breakdown = costs.evaluate(placements)
    assignments = []
    for session in inst.problem.sessions:
        if session.id in placements:
            room, start = placements[session.id]
            assignments.append(Assignment(session.id, room, inst.timeline.moment(start),
                                          inst.timeline.moment(start + session.duration_minutes)))
    extra["objective_terms"] = {k: round(v, 4) for k, v in breakdown.points().items()}
    return Schedule(result.status, tuple(assignments), tuple(_left_out(costs, placements)),
                    objective=round(breakdown.total / UNITS, 4), bound=bound,
                    solve_seconds=round(clock.elapsed, 3), extra=extra)


def _bounds_extra(clash: TrackBound, floor: int) -> dict[str, object]:
    return {"lower_bound": {"objective": floor / UNITS, "track_clash": clash.units / UNITS,
                            "track_clash_pairs": clash.pairs}}


def _left_out(costs: Costs, placements: Mapping[str, Placement]) -> list[Unscheduled]:
    """Optional sessions not in the agenda, each with the reason."""
    inst = costs.inst
    missing = [s for s in inst.sessions if s not in placements]
    if not missing:
        return []
    board = Greedy(costs)
    for sid, placement in placements.items():
        board.place(sid, placement)
    return [Unscheduled(sid, _why_left_out(board, sid)) for sid in missing]


def _why_left_out(board: Greedy, sid: str) -> str:
    inst = board.inst
    if sid not in inst.info:
        return no_place(inst, sid).message
    info = inst.info[sid]
    if any(board.fits(sid, (room, st)) for room in info.rooms for st in info.starts_in(room)):
        return "not placed within the time limit, though a free room and time exists"
    return ("every room and time its rules allow is taken by other sessions, or clashes with its "
            "speakers' other sessions, its no_overlap groups or its after order")
