"""bench.synthetic: seeded, WSIS-shaped, and always feasible with its planted schedule as witness."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.synthetic import ACTION_LINES, generate
from scheduler.check import check
from scheduler.problem_file import parse_problem, problem_to_data
from scheduler.schedule_file import parse_schedule, schedule_to_data


@pytest.fixture(scope="module")
def wsis() -> tuple:
    return generate(300, 18, 5, seed=7)


def test_the_same_seed_gives_the_same_event_and_another_seed_another() -> None:
    assert generate(60, 6, 2, seed=1) == generate(60, 6, 2, seed=1)
    assert generate(60, 6, 2, seed=1)[0].sessions != generate(60, 6, 2, seed=2)[0].sessions


def test_sizes_are_as_asked(wsis: tuple) -> None:
    problem, planted = wsis
    assert (len(problem.sessions), len(problem.rooms), len(problem.calendar.days)) == (300, 18, 5)
    assert len(planted.assignments) == 300
    assert len({s.id for s in problem.sessions}) == 300


def test_the_planted_schedule_is_valid(wsis: tuple) -> None:
    problem, planted = wsis
    assert check(problem, planted).violations == []


def test_wsis_sized_event_has_every_kind_of_rule(wsis: tuple) -> None:
    problem, _ = wsis
    sessions = problem.sessions
    assert all(s.duration_minutes % 5 == 0 for s in sessions)
    assert set(ACTION_LINES) <= {t for s in sessions for t in s.tracks}
    assert len(Counter(s.type for s in sessions)) >= 6
    assert sum(s.booths_needed == 6 for s in sessions) >= 5
    assert any(s.fixed and s.fixed.room and s.fixed.start for s in sessions)
    assert sum(s.window is not None for s in sessions) >= 10
    assert sum(bool(s.after) for s in sessions) >= 5
    assert sum(bool(s.preferred) for s in sessions) >= 20
    assert sum(bool(s.remote_audience) for s in sessions) >= 50
    assert any(s.optional for s in sessions)
    assert len(problem.no_overlap) >= 3
    assert any(r.unavailable for r in problem.rooms)
    narrow = [sp for sp in problem.speakers if sp.available and any(p.minutes < 240 for p in sp.available)]
    assert len(narrow) >= 10


def test_the_files_read_back_what_was_generated(wsis: tuple) -> None:
    problem, planted = wsis
    assert parse_problem(problem_to_data(problem)) == problem
    assert parse_schedule(schedule_to_data(planted), problem) == planted


def test_too_many_sessions_for_the_venue_is_refused() -> None:
    with pytest.raises(ValueError, match="do not fit"):
        generate(200, 2, 1, seed=0)
    with pytest.raises(ValueError):
        generate(0, 2, 1, seed=0)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), rooms=st.integers(1, 5), days=st.integers(1, 3), data=st.data())
def test_any_small_event_is_feasible_by_its_planted_schedule(seed: int, rooms: int, days: int,
                                                            data: st.DataObject) -> None:
    sessions = data.draw(st.integers(1, 3 * rooms * days), label="sessions")
    problem, planted = generate(sessions, rooms, days, seed)
    assert check(problem, planted).violations == []
