"""Properties of the solver on seeded synthetic events, each feasible by its planted schedule:
the solver always returns an agenda that `scheduler.check` passes, the precheck never raises a false
alarm, and what the precheck proves impossible the solver does not claim to have solved."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.synthetic import generate
from scheduler.check import check
from solver import solve
from solver.domain import Period, Problem, Schedule, Session, Speaker
from solver.options import SolveOptions
from solver.precheck import precheck

# Small enough that a single worker solves each in a second or two.
OPTIONS = SolveOptions(time_limit=20.0, workers=1, seed=0)


@st.composite
def planted_events(draw: st.DrawFn, most: int = 16) -> tuple[Problem, Schedule]:
    rooms, days = draw(st.integers(1, 3), label="rooms"), draw(st.integers(1, 2), label="days")
    sessions = draw(st.integers(1, min(most, 3 * rooms * days)), label="sessions")
    return generate(sessions, rooms, days, draw(st.integers(0, 2**32 - 1), label="seed"))


@settings(max_examples=12, deadline=None)
@given(planted_events())
def test_the_solver_always_returns_a_valid_agenda(event: tuple[Problem, Schedule]) -> None:
    problem, _ = event
    schedule = solve(problem, OPTIONS)
    assert schedule.status in ("optimal", "feasible"), [c.message for c in schedule.conflicts]
    assert check(problem, schedule).violations == []


@settings(max_examples=6, deadline=None)
@given(planted_events())
def test_a_replan_from_the_planted_agenda_is_valid_too(event: tuple[Problem, Schedule]) -> None:
    problem, planted = event
    schedule = solve(problem, OPTIONS, baseline=planted)
    assert check(problem, schedule).violations == []


@settings(max_examples=60, deadline=None)
@given(planted_events(most=60))
def test_the_precheck_never_reports_a_conflict_on_a_feasible_event(event: tuple[Problem, Schedule]) -> None:
    problem, _ = event
    assert precheck(problem) == []


def overbook_a_speaker(problem: Problem) -> Problem:
    """A speaker available 2h30 on the first day with three 60-minute sessions: infeasible."""
    opens = problem.calendar.days[0].opens_at
    speaker = Speaker("sp-late", "Late", available=(Period(opens, opens + timedelta(minutes=150)),))
    talks = tuple(Session(f"s-late-{n}", "Talk", 60, speakers=("sp-late",)) for n in (1, 2, 3))
    return replace(problem, speakers=(*problem.speakers, speaker), sessions=(*problem.sessions, *talks))


@settings(max_examples=6, deadline=None)
@given(planted_events())
def test_what_the_precheck_proves_impossible_the_solver_reports_infeasible(
        event: tuple[Problem, Schedule]) -> None:
    problem = overbook_a_speaker(event[0])
    conflicts = precheck(problem)
    # The generated event may also lack the room time those talks need: a second, true conflict.
    assert ("sp-late",) in [c.speakers for c in conflicts]
    schedule = solve(problem, OPTIONS)
    assert schedule.status == "infeasible"
    assert schedule.assignments == ()
    assert any("sp-late" in c.speakers for c in schedule.conflicts)
