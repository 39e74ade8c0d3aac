"""bench.synthetic: seeded, WSIS-shaped, and always feasible with its planted schedule as witness."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.synthetic import ACTION_LINES, NEVER_WEIGHT, PLAIN, Messy, generate
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


def test_a_messy_event_has_the_shapes_of_real_data_and_stays_feasible() -> None:
    shape = Messy(grid=1, chains=4, chain_length=12, never=0.3, tracks=4)
    problem, planted = generate(200, 12, 3, 2, shape)
    assert check(problem, planted).violations == []
    assert problem.calendar.granularity_minutes == 1
    assert {t for s in problem.sessions for t in s.tracks} == {"T1", "T2", "T3", "T4"}
    # The chains: each link follows the one before it, inside one track, 12 links at most.
    sessions = {s.id: s for s in problem.sessions}
    follows = {s.id: s.after[-1] for s in problem.sessions if s.after and s.after[-1] in sessions}

    def length(sid: str) -> int:
        return 1 + length(follows[sid]) if sid in follows else 1

    last = max(follows, key=length)
    chain = [last]
    while chain[-1] in follows:
        chain.append(follows[chain[-1]])
    # (A chain may continue a follow-up edge of the plain event: 13 links here.)
    assert len(chain) >= 12 and len({sessions[sid].tracks for sid in chain[:12]}) == 1
    never = [s for s in problem.sessions
             if s.preferred and min(p.weight for p in s.preferred) >= NEVER_WEIGHT]
    assert 0.2 * len(sessions) < len(never) < 0.4 * len(sessions)
    assert shape.describe() == "1-minute grid, 4 chains of 12, 30% never, 4 tracks"


def test_the_plain_shape_changes_nothing_and_a_coarse_grid_moves_the_plants_onto_it() -> None:
    assert generate(60, 6, 2, seed=1, shape=PLAIN) == generate(60, 6, 2, seed=1)
    problem, planted = generate(80, 6, 2, 4, Messy(grid=15))
    assert check(problem, planted).violations == []
    assert all(a.start.minute % 15 == 0 for a in planted.assignments)
    with pytest.raises(ValueError, match="shape"):
        generate(10, 2, 1, 0, Messy(grid=7))
