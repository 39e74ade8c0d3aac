"""The CP-SAT model where the usual solve does not look: rules under assumption literals (the
explainer's model) and a baseline the changed event no longer allows (re-planning)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from ortools.sat.python import cp_model

from solver import SolveOptions, Weights, solve
from solver.costs import Costs
from solver.domain import Assignment, Conflict, Schedule
from solver.explain import explain
from solver.instance import Instance
from solver.model import PlacementModel
from tests.test_solver_support import build, day, room, rooms_of, session, speaker, starts, valid

OPTIONS = SolveOptions(time_limit=20.0, workers=1)


def test_the_explainer_names_a_fixed_room_that_cannot_hold_two_sessions() -> None:
    # s-1 may use only room-a between 10:00 and 11:00; s-2 is fixed there at 10:30. Rooms b and c are
    # free, so only the fixed room makes this impossible (and the precheck cannot see it).
    window = {"earliest": "2025-07-07T10:00", "latest": "2025-07-07T11:00"}
    problem = build([session("s-1", fixed={"room": "room-a"}, window=window),
                     session("s-2", fixed={"room": "room-a", "start": "2025-07-07T10:30"})],
                    rooms=[room("room-a"), room("room-b"), room("room-c")])
    [conflict] = explain(problem, time_limit=10)
    assert conflict.sessions == ("s-1", "s-2")
    assert "s-1 is fixed in room-a" in conflict.message and "fixed" in conflict.rules


def test_the_explainer_names_a_closure_of_the_only_room_big_enough() -> None:
    # Only the hall seats 400, and it is closed all morning; s-1 must end by noon. s-2 could use the
    # hall too, so the closure is a rule of both sessions.
    closed = [{"start": "2025-07-07T09:00", "end": "2025-07-07T12:00", "reason": "set-up"}]
    problem = build([session("s-1", expected_attendance=400, window={"latest": "2025-07-07T12:00"}),
                     session("s-2", expected_attendance=10)],
                    rooms=[room("hall", 500, unavailable=closed), room("room-a", 50)],
                    days=[day(close="16:00")])
    [conflict] = explain(problem, time_limit=10)
    assert (conflict.sessions, conflict.rooms) == (("s-1",), ("hall",))
    assert set(conflict.rules) == {"room unavailability", "window"}


def test_a_replan_moves_a_session_out_of_a_room_it_no_longer_fits() -> None:
    # s-1 was in the small room at 09:00; it now expects 80 people. It keeps its start in the big room,
    # and s-2 keeps its place.
    baseline = Schedule("optimal", (
        Assignment("s-1", "small", *_hour("09:00")), Assignment("s-2", "big", *_hour("11:00"))))
    problem = build([session("s-1", expected_attendance=80), session("s-2", expected_attendance=10)],
                    rooms=[room("small", 50), room("big", 100)])
    schedule = solve(problem, OPTIONS, baseline=baseline)
    assert valid(problem, schedule)
    assert rooms_of(schedule) == {"s-1": "big", "s-2": "big"}
    assert starts(schedule) == {"s-1": "09:00", "s-2": "11:00"}


def _hour(start: str) -> tuple[datetime, datetime]:
    begin = datetime.fromisoformat(f"2025-07-07T{start}")
    return begin, begin + timedelta(hours=1)


@pytest.mark.parametrize(("closed", "expected", "charged"), [
    # Room-a closes at 10:00: room-b at 10:00 leaves sp-1 no time to walk, charged the speaker buffer
    # (and still cheaper than missing the preference).
    ([{"start": "2025-07-07T10:00", "end": "2025-07-07T13:00"}], ("room-b", 10 * 60), True),
    # Room-a stays open: staying in the same room needs no walk and costs nothing.
    ([], ("room-a", 10 * 60), False),
])
def test_a_change_next_to_a_fixed_session_is_charged_only_between_rooms(
    closed: list[dict[str, str]], expected: tuple[str, int], charged: bool
) -> None:
    # The neighbourhood search fixes some sessions (the context) and moves the rest. s-1 (sp-1) is
    # fixed in room-a 09:00-10:00, and s-2 (sp-1) wants 10:00.
    wants_ten = {"preferred": [{"start": "2025-07-07T10:00", "end": "2025-07-07T11:00", "weight": 10}]}
    problem = build([session("s-1", speakers=["sp-1"]), session("s-2", speakers=["sp-1"], **wants_ten)],
                    rooms=[room("room-a", unavailable=closed), room("room-b")], speakers=[speaker("sp-1")],
                    granularity=15)
    inst = Instance(problem)
    costs = Costs(inst, Weights(room_waste=0.0, day_balance=0.0))
    context = {"s-1": ("room-a", 9 * 60)}
    pm = PlacementModel(inst, {"s-2": inst.info["s-2"]}, context=context)
    pm.add_objective(costs)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(pm.model) == cp_model.OPTIMAL
    placements = pm.read(solver)
    assert placements == {"s-2": expected}
    assert solver.objective_value == costs.evaluate({**context, **placements}).total == costs.buffer * charged


def test_the_explainer_names_the_closure_of_a_sessions_only_room() -> None:
    # One room, closed the whole day: the session's placement and the closure cannot both hold.
    closed = [{"start": "2025-07-07T09:00", "end": "2025-07-07T13:00", "reason": "works"}]
    problem = build([session("s-1")], rooms=[room("room-a", unavailable=closed)])
    [conflict] = explain(problem, time_limit=10)
    assert (conflict.sessions, conflict.rooms) == (("s-1",), ("room-a",))
    assert "room unavailability" in conflict.rules


def test_the_explainer_names_the_speaker_whose_availability_is_too_short() -> None:
    problem = build([session("s-1", 60, speakers=["sp-7"])],
                    speakers=[speaker("sp-7", ("2025-07-07T09:00", "2025-07-07T09:45"))])
    assert explain(problem, time_limit=10) == [Conflict(
        "these rules cannot all hold together: speaker sp-7 is available only 7 July 09:00-09:45; s-1 must "
        "take place", sessions=("s-1",), speakers=("sp-7",), rules=("speaker availability",))]
