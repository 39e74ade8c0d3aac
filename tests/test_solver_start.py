"""The first agenda on messy events: long `after` chains, fine grids, "never" preferences, crowded
tracks. The fast start (greedy, then repaired) places every session whenever a planted agenda
exists; what it cannot place in time is named, with the reason, in an honest `unknown`."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.synthetic import Messy, generate
from scheduler.check import check
from solver import SolveOptions, Weights, greedy_schedule, solve
from solver.costs import Costs
from solver.domain import Problem, Schedule
from solver.greedy import greedy
from solver.instance import Instance
from solver.search import Clock
from solver.start import first_agenda
from solver.timeline import coarsest_step
from tests.test_solver_support import build, day, room, session, starts

# Wall-clock seconds the fast start may spend repairing: far more than it needs (well under 1 s).
REPAIR_SECONDS = 20.0


@st.composite
def messy_events(draw: st.DrawFn) -> tuple[Problem, Schedule]:
    """Small events with the shapes of real data, each feasible by its planted agenda."""
    rooms, days = draw(st.integers(1, 6), label="rooms"), draw(st.integers(1, 3), label="days")
    sessions = draw(st.integers(2, min(80, 3 * rooms * days)), label="sessions")
    shape = Messy(grid=draw(st.sampled_from((1, 5, 15)), label="grid"),
                  chains=draw(st.integers(1, 6), label="chains"),
                  chain_length=draw(st.integers(2, 15), label="chain length"),
                  never=draw(st.sampled_from((0.0, 0.3, 0.7)), label="never"),
                  tracks=draw(st.sampled_from((None, 1, 3)), label="tracks"))
    return generate(sessions, rooms, days, draw(st.integers(0, 2**32 - 1), label="seed"), shape)


@settings(max_examples=40, deadline=None)
@given(messy_events())
def test_the_fast_start_places_every_session_whenever_a_planted_agenda_exists(
        event: tuple[Problem, Schedule]) -> None:
    problem, planted = event
    assert check(problem, planted).violations == []
    costs = Costs(Instance(problem), Weights())
    start = first_agenda(costs, None, clock=Clock(REPAIR_SECONDS), options=SolveOptions(workers=1), stop=None)
    assert start.missing == []
    placed = {sid for sid in start.placements}
    assert {s.id for s in problem.sessions if not s.optional} <= placed


def test_the_greedy_start_alone_places_a_long_chain_inside_one_track() -> None:
    # The shape that left the 11th session of a 12-session chain without a place.
    problem, _ = generate(200, 12, 3, 0, Messy(grid=1, chains=4, chain_length=12, never=0.3, tracks=4))
    chains = [s for s in problem.sessions if s.after]
    assert len(chains) >= 30
    _, left_out = greedy(Costs(Instance(problem), Weights()))
    assert [s for s in left_out if not problem.session(s).optional] == []


def test_a_chain_is_kept_in_order_and_within_its_bounds() -> None:
    # Five 40-minute parts in one room from 09:00 to 12:20: exactly one way, first to last.
    parts = [session(f"part-{n}", 40, after=[f"part-{n - 1}"] if n > 1 else []) for n in range(1, 6)]
    problem = build(list(reversed(parts)), days=[day(close="12:20")], granularity=20)
    schedule = greedy_schedule(problem)
    assert schedule.status == "feasible"
    assert starts(schedule) == {"part-1": "09:00", "part-2": "09:40", "part-3": "10:20",
                                "part-4": "11:00", "part-5": "11:40"}


# --- no agenda in time ---------------------------------------------------------------------------


def _greedy_fails() -> Problem:
    """An event whose greedy agenda leaves s-32 out (its three starts taken); a repair places it."""
    problem, _ = generate(33, 3, 2, 836565, Messy(grid=15, chains=4, chain_length=10, tracks=4))
    return problem


def test_without_time_for_a_repair_the_status_is_unknown_and_says_why() -> None:
    problem = _greedy_fails()
    schedule = greedy_schedule(problem)
    assert schedule.status == "unknown" and schedule.assignments == ()
    summary, why = schedule.conflicts
    assert summary.message.startswith("no agenda found within 0 s: the fast start placed 32 of 33 sessions")
    assert "longer time limit, e.g. 30 s" in summary.message and summary.sessions == ("s-32",)
    assert why.message.startswith("s-32 (60 min) has no place in the agenda found so far: of its 3 possible "
                                  "starts, at 3 every room it fits (room-001) is taken, by ")
    assert why.sessions[0] == "s-32" and len(why.sessions) > 1 and why.rooms == ("room-001",)


def test_with_a_second_the_repair_finds_the_agenda() -> None:
    problem = _greedy_fails()
    schedule = solve(problem, SolveOptions(time_limit=2, workers=1))
    assert schedule.status in ("optimal", "feasible")
    assert check(problem, schedule).violations == []


# --- "never" preferences -------------------------------------------------------------------------


def _never(start: str, end: str) -> dict[str, object]:
    return {"start": f"2025-07-07T{start}", "end": f"2025-07-07T{end}", "weight": 1000}


def test_never_starts_are_ruled_out_while_an_agenda_without_them_exists() -> None:
    # Clashes pull "late" to the morning's first hour (10 points), but it is "never" before 11:00.
    problem = build([session("early", tracks=["C1"]), session("mid", tracks=["C1"]),
                     session("late", tracks=["C1"], preferred=[_never("11:00", "13:00")])],
                    rooms=[room("room-a"), room("room-b")], granularity=60)
    schedule = solve(problem, SolveOptions(time_limit=10, workers=1))
    assert schedule.status == "optimal"
    assert starts(schedule)["late"] in ("11:00", "12:00")
    assert schedule.objective is not None and schedule.objective < 1000


def test_when_no_agenda_meets_every_never_they_are_only_expensive() -> None:
    # Both want the one morning slot of the only room: one of them must miss it.
    wanted = [_never("09:00", "11:00")]
    problem = build([session("a", 120, preferred=wanted), session("b", 120, preferred=wanted)],
                    granularity=60)
    schedule = solve(problem, SolveOptions(time_limit=10, workers=1))
    assert schedule.status == "optimal"
    assert schedule.extra["objective_terms"]["preferred"] == 2000
    assert schedule.objective == schedule.bound


def test_weights_never_0_leaves_them_soft() -> None:
    problem = build([session("late", preferred=[_never("11:00", "13:00")])], granularity=60)
    costs = Costs(Instance(problem), Weights(never=0.0))
    start = first_agenda(costs, None, clock=Clock(5), options=SolveOptions(workers=1), stop=None)
    assert not start.avoiding_never
    hard = first_agenda(Costs(Instance(problem), Weights()), None, clock=Clock(5),
                        options=SolveOptions(workers=1), stop=None)
    assert hard.avoiding_never
    assert set(hard.costs.inst.info["late"].starts) < set(costs.inst.info["late"].starts)


# --- fine grids ----------------------------------------------------------------------------------


def test_a_one_minute_grid_is_searched_on_the_coarsest_grid_its_data_allow() -> None:
    fine, _ = generate(40, 4, 2, 3, Messy(grid=1))
    coarse, _ = generate(40, 4, 2, 3, Messy(grid=5))
    assert fine.calendar.granularity_minutes == 1
    assert Instance(fine).timeline.step == 5
    assert Instance(fine).info == Instance(coarse).info


def test_one_moment_off_the_coarser_grid_keeps_the_fine_one() -> None:
    assert coarsest_step(1, [540, 600, 1020], [60, 45, 15]) == 15
    assert coarsest_step(1, [540, 607], [60]) == 1
    assert coarsest_step(10, [540, 600], [45, 15]) == 10  # 15 is no multiple of the 10-minute grid
    problem = build([session("talk", preferred=[{"start": "2025-07-07T10:07", "end": "2025-07-07T12:00",
                                                 "weight": 2}])], granularity=1)
    assert Instance(problem).timeline.step == 1
