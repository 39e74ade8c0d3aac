"""Re-planning from a baseline: only the sessions that must move, move; everything else stays put."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from scheduler.diff import diff_assignments
from solver import SolveOptions, solve
from solver.domain import Period, Problem, Schedule, Speaker
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
