"""When no agenda exists the solver says why, naming the sessions, speakers, rooms and rules involved:
from the precheck's counting, from a session's own candidates, or from a CP-SAT core."""

from __future__ import annotations

from solver import SolveOptions, solve
from solver.domain import Conflict, Problem, Schedule
from solver.explain import explain
from tests.test_solver_support import build, day, room, session, speaker

OPTIONS = SolveOptions(time_limit=20.0, workers=1)
SIX = ["ar", "zh", "en", "fr", "ru", "es"]


def infeasible(problem: Problem) -> Schedule:
    schedule = solve(problem, OPTIONS)
    assert schedule.status == "infeasible"
    assert schedule.assignments == ()
    assert schedule.conflicts
    for conflict in schedule.conflicts:
        assert conflict.message and conflict.message.strip().upper() != "INFEASIBLE"
    return schedule


def naming(schedule: Schedule, *, sessions: set[str] = frozenset(), speakers: set[str] = frozenset(),
           rooms: set[str] = frozenset()) -> Conflict:
    """The conflict that names all of these in its fields, and the sessions in its words too."""
    for conflict in schedule.conflicts:
        if (sessions <= set(conflict.sessions) and speakers <= set(conflict.speakers)
                and rooms <= set(conflict.rooms) and all(name in conflict.message for name in sessions)):
            return conflict
    raise AssertionError([c.message for c in schedule.conflicts])


def test_a_speaker_available_for_less_than_a_session_lasts() -> None:
    problem = build([session("s-020", 60, speakers=["sp-007"])],
                    speakers=[speaker("sp-007", ("2025-07-07T09:00", "2025-07-07T09:45"))])
    naming(infeasible(problem), sessions={"s-020"}, speakers={"sp-007"})


def test_a_speaker_with_more_sessions_than_hours() -> None:
    problem = build([session(f"s-02{n}", 60, speakers=["sp-007"]) for n in range(3)],
                    rooms=[room("room-a"), room("room-b")],
                    speakers=[speaker("sp-007", ("2025-07-07T09:00", "2025-07-07T11:30"))])
    conflict = naming(infeasible(problem), sessions={"s-020", "s-021", "s-022"}, speakers={"sp-007"})
    assert "2h30" in conflict.message


def test_two_sessions_fixed_in_one_room_at_one_time() -> None:
    fixed = {"room": "room-a", "start": "2025-07-07T10:00"}
    problem = build([session("s-1", fixed=fixed), session("s-2", fixed=fixed)],
                    rooms=[room("room-a"), room("room-b")])
    naming(infeasible(problem), sessions={"s-1", "s-2"}, rooms={"room-a"})


def test_a_feature_no_room_has() -> None:
    problem = build([session("s-1", requires=["sign-language"])], rooms=[room("room-a"), room("room-b")])
    conflict = naming(infeasible(problem), sessions={"s-1"})
    assert "sign-language" in conflict.message


def test_four_sessions_needing_six_booths_and_one_room_with_them() -> None:
    problem = build([session(f"s-{n}", 90, interpretation=SIX) for n in range(4)],
                    rooms=[room("room-c", 2000, interpretation_booths=6), room("room-a"), room("room-b")],
                    days=[day(close="14:00")])
    naming(infeasible(problem), sessions={"s-0", "s-1", "s-2", "s-3"}, rooms={"room-c"})


def test_minutes_that_add_up_but_do_not_fit_the_grid() -> None:
    # Three 40-minute sessions in two hours: 120 minutes of 120, but on a 30-minute grid each one
    # holds the room until the next half hour, so only two fit. Counting cannot see it; CP-SAT can.
    problem = build([session(f"s-{n}", 40) for n in range(3)], days=[day(close="11:00")])
    naming(infeasible(problem), sessions={"s-0", "s-1", "s-2"}, rooms={"room-a"})


def test_a_triangle_of_speakers_and_a_group_in_two_slots() -> None:
    # Each pair shares a speaker or a no_overlap group, so the three need three slots; there are two.
    # Every rule alone passes the counting checks, so the explanation must come from a CP-SAT core.
    window = {"earliest": "2025-07-07T09:00", "latest": "2025-07-07T11:00"}
    problem = build([session("s-1", speakers=["sp-a"], window=window),
                     session("s-2", speakers=["sp-a", "sp-b"], window=window),
                     session("s-3", speakers=["sp-b"], window=window)],
                    rooms=[room("room-a"), room("room-b"), room("room-c")],
                    speakers=[speaker("sp-a"), speaker("sp-b")],
                    no_overlap=[{"sessions": ["s-1", "s-3"], "reason": "same minister"}])
    conflict = naming(infeasible(problem), sessions={"s-1", "s-2", "s-3"}, speakers={"sp-a", "sp-b"})
    assert "rules.no_overlap[0]" in conflict.rules and "same minister" in conflict.message


def test_the_explainer_shrinks_its_core_to_the_rules_that_matter() -> None:
    # sp-z's availability has nothing to do with the clash; a minimal core leaves it out.
    window = {"latest": "2025-07-07T10:00"}
    problem = build([session("s-1", speakers=["sp-a"], window=window),
                     session("s-2", speakers=["sp-a"], window=window),
                     session("s-3", speakers=["sp-z"])],
                    rooms=[room("room-a"), room("room-b")],
                    speakers=[speaker("sp-a"), speaker("sp-z", ("2025-07-07T09:00", "2025-07-07T13:00"))])
    conflicts = explain(problem, time_limit=10)
    assert len(conflicts) == 1
    assert set(conflicts[0].sessions) == {"s-1", "s-2"} and conflicts[0].speakers == ("sp-a",)
