"""Re-planning from a baseline: only the sessions that must move, move; everything else stays put."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bench.synthetic import generate
from scheduler.diff import diff_assignments
from scheduler.problem_file import load_problem
from scheduler.schedule_file import load_schedule
from solver import SolveOptions, solve
from solver.domain import Fixed, Period, Problem, Schedule, Session, Speaker
from solver.precheck import precheck
from tests.test_solver_support import build, day, room, session, speaker, valid

OPTIONS = SolveOptions(time_limit=20.0, workers=1)
DAYS = [day("2025-07-07", close="13:00"), day("2025-07-08", close="13:00")]


def event() -> Problem:
    """Eight sessions over two mornings in three rooms (room to spare); sp-1 speaks in three of them."""
    talks = [session(f"s-{n}", 60, speakers=["sp-1"] if n in (1, 2, 3) else [], tracks=[f"T{n % 3}"])
             for n in range(1, 9)]
    return build(talks, rooms=[room("room-a"), room("room-b"), room("room-c")], days=DAYS,
                 speakers=[speaker("sp-1", ("2025-07-07T09:00", "2025-07-08T13:00"))])


def without_day(problem: Problem, speaker_id: str, date: str) -> Problem:
    """The speaker can no longer come on `date`."""
    def cut(sp: Speaker) -> Speaker:
        if sp.id != speaker_id or sp.available is None:
            return sp
        kept = []
        for p in sp.available:
            kept += [q for q in _split(p, date) if q.start < q.end]
        return replace(sp, available=tuple(kept))
    return replace(problem, speakers=tuple(cut(sp) for sp in problem.speakers))


def _split(period: Period, date: str) -> list[Period]:
    day_start = datetime.fromisoformat(f"{date}T00:00")
    day_end = day_start + timedelta(days=1)
    before = replace(period, end=min(period.end, day_start))
    return [before, replace(period, start=max(period.start, day_end))]


def moved(before: Schedule, after: Schedule) -> set[str]:
    return {c.session for c in diff_assignments(before.assignments, after.assignments)}


def test_a_speaker_losing_a_day_moves_only_the_sessions_on_that_day() -> None:
    problem = event()
    before = solve(problem, OPTIONS)
    assert valid(problem, before)
    lost = {a.session for a in before.assignments
            if a.session in ("s-1", "s-2", "s-3") and f"{a.start:%Y-%m-%d}" == "2025-07-08"}
    date, lost = ("2025-07-08", lost) if lost else ("2025-07-07", {"s-1", "s-2", "s-3"})
    changed = without_day(problem, "sp-1", date)
    after = solve(changed, OPTIONS, baseline=before)
    assert valid(changed, after)
    assert moved(before, after) == lost
    assert after.status == "optimal"


def test_an_unchanged_problem_keeps_its_agenda() -> None:
    problem = event()
    before = solve(problem, OPTIONS)
    after = solve(problem, OPTIONS, baseline=before)
    assert valid(problem, after)
    assert moved(before, after) == set()


def test_a_new_session_fits_in_without_moving_the_others() -> None:
    problem = event()
    before = solve(problem, OPTIONS)
    grown = replace(problem, sessions=(*problem.sessions, *build([session("s-new", 60)]).sessions))
    after = solve(grown, OPTIONS, baseline=before)
    assert valid(grown, after)
    assert moved(before, after) == {"s-new"}


def test_a_baseline_naming_unknown_sessions_and_rooms_is_tolerated() -> None:
    problem = event()
    before = solve(problem, OPTIONS)
    stale = replace(before, assignments=(*before.assignments,
                                         replace(before.assignments[0], session="s-gone", room="room-z")))
    after = solve(problem, OPTIONS, baseline=stale)
    assert valid(problem, after)
    assert moved(before, after) == set()


# --- on the sample event and on generated ones ------------------------------------------------

SAMPLE = Path(__file__).resolve().parent.parent / "data"


def pinned(problem: Problem, baseline: Schedule, free: set[str]) -> Problem:
    """The problem with every session but `free` fixed where the baseline put it."""
    placed = {a.session: a for a in baseline.assignments}

    def pin(s: Session) -> Session:
        if s.id in free or s.id not in placed:
            return s
        return replace(s, fixed=Fixed(room=placed[s.id].room, start=placed[s.id].start))

    return replace(problem, sessions=tuple(pin(s) for s in problem.sessions))


def sessions_on(problem: Problem, baseline: Schedule, speaker_id: str, date: str) -> set[str]:
    return {a.session for a in baseline.assignments
            if speaker_id in problem.session(a.session).speakers and f"{a.start:%Y-%m-%d}" == date}


def assert_only_the_lost_sessions_move(
    problem: Problem, baseline: Schedule, speaker_id: str, date: str
) -> None:
    """The speaker loses `date`; their sessions that day must move, and (as an agenda with every other
    session pinned proves) nothing else has to: so the re-plan moves exactly those."""
    changed = without_day(problem, speaker_id, date)
    lost = sessions_on(problem, baseline, speaker_id, date)
    assert lost
    assert solve(pinned(changed, baseline, lost), OPTIONS).status in ("optimal", "feasible")
    after = solve(changed, SolveOptions(time_limit=60.0, workers=2), baseline=baseline)
    assert valid(changed, after)
    assert after.status == "optimal"  # the number of moves is proven minimal
    assert moved(baseline, after) == lost


@pytest.mark.slow
def test_on_the_sample_a_speaker_losing_a_day_moves_only_their_sessions() -> None:
    problem = load_problem(SAMPLE / "wsis20-2025.problem.json")
    baseline = load_schedule(SAMPLE / "wsis20-2025.planted.schedule.json", problem)
    # sp-274 speaks twice on Monday 7 July and is available other days too.
    assert_only_the_lost_sessions_move(problem, baseline, "sp-274", "2025-07-07")


def movable_loss(problem: Problem, baseline: Schedule) -> tuple[str, str]:
    """The first speaker and day whose sessions could move alone (precheck and a pinned solve agree)."""
    for a in baseline.assignments:
        date = f"{a.start:%Y-%m-%d}"
        for speaker_id in problem.session(a.session).speakers:
            if problem.speaker(speaker_id).available is None:
                continue
            changed = without_day(problem, speaker_id, date)
            lost = sessions_on(problem, baseline, speaker_id, date)
            if not precheck(changed) and solve(pinned(changed, baseline, lost), OPTIONS).assignments:
                return speaker_id, date
    raise AssertionError("no speaker of the generated event can lose a day")


@pytest.mark.parametrize("seed", [3, 11])
def test_on_generated_events_a_speaker_losing_a_day_moves_only_their_sessions(seed: int) -> None:
    problem, planted = generate(60, 6, 3, seed)
    assert_only_the_lost_sessions_move(problem, planted, *movable_loss(problem, planted))
