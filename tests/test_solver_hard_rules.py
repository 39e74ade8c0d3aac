"""Each hard rule of the solver, on a problem where only that rule keeps the answer right.

In every problem the soft goals pull the other way: a preferred hour worth more than anything the
rule-abiding agenda saves, a cheaper room, or both. With the rule taken out of the model (or out of
the candidates `solver.instance` prepares), the optimum breaks it; the independent checker, which
`solved` runs, and the exact answer asserted here both catch that. Each test names the rule it was
checked against: the rule was removed by hand, the test failed, and the rule was put back.
"""

from __future__ import annotations

from typing import Any

from solver import SolveOptions, solve
from solver.domain import Problem, Schedule
from tests.test_solver_support import build, day, room, rooms_of, session, speaker, starts, valid

FAST = SolveOptions(time_limit=20.0, workers=1)
# Missing a preferred period of weight 10 costs 20 points: more than a tight speaker change (5), a
# track clash, or a hall's empty seats (0.5 per 100).
STRONG = 10


def prefers(start: str, end: str, weight: float = STRONG, *, else_: tuple[str, str] | None = None
            ) -> dict[str, Any]:
    """A preferred period; with `else_`, a second one worth half as much (the rule-abiding answer)."""
    periods = [(start, end, weight)] + ([(*else_, weight / 2)] if else_ else [])
    return {"preferred": [{"start": f"2025-07-07T{a}", "end": f"2025-07-07T{b}", "weight": w}
                          for a, b, w in periods]}


TWICE_AT_NINE = [session("s-1", **prefers("09:00", "10:00")), session("s-2", **prefers("09:00", "10:00"))]


def solved(problem: Problem) -> Schedule:
    schedule = solve(problem, FAST)
    assert schedule.status == "optimal", [c.message for c in schedule.conflicts]
    assert valid(problem, schedule)
    return schedule


def placed(schedule: Schedule) -> dict[str, tuple[str, str]]:
    where, when = rooms_of(schedule), starts(schedule)
    return {sid: (where[sid], when[sid]) for sid in where}


# --- rules the model enforces between sessions (solver.model) --------------------------------------


def test_room_no_overlap() -> None:
    # Checked against PlacementModel.add_room_no_overlap removed: both took 09:00 in room-a.
    problem = build(TWICE_AT_NINE)
    assert sorted(starts(solved(problem)).values()) == ["09:00", "10:00"]


def test_room_changeover() -> None:
    # Checked against the changeover left out of the room intervals (`size = slots(duration)`):
    # s-2 took its preferred 10:00, right after s-1, with no time to turn the room round.
    problem = build([session("s-1", **prefers("09:00", "10:00")),
                     session("s-2", **prefers("10:00", "11:00", weight=5))], changeover=30)
    assert starts(solved(problem)) == {"s-1": "09:00", "s-2": "10:30"}


def test_room_unavailability() -> None:
    # The cosy room fits exactly but is closed until 10:00; the hall is open but wasteful.
    # Checked against PlacementModel.add_room_unavailability removed: cosy at 09:00.
    closed = [{"start": "2025-07-07T09:00", "end": "2025-07-07T10:00", "reason": "set-up"}]
    problem = build([session("s-1", expected_attendance=40, **prefers("09:00", "10:00"))],
                    rooms=[room("cosy", 40, unavailable=closed), room("hall", 500)])
    assert placed(solved(problem)) == {"s-1": ("hall", "09:00")}


def test_speaker_one_session_at_a_time() -> None:
    # Two rooms, one speaker, both sessions wanting 09:00: overlapping costs only a tight change (5).
    # Checked against PlacementModel.add_speaker_no_overlap removed: both at 09:00 in two rooms.
    problem = build([session("s-1", speakers=["sp-1"], **prefers("09:00", "10:00")),
                     session("s-2", speakers=["sp-1"], **prefers("09:00", "10:00"))],
                    rooms=[room("room-a"), room("room-b")], speakers=[speaker("sp-1")])
    got = sorted(starts(solved(problem)).values())
    assert got[0] == "09:00" and got[1] >= "10:00"


def test_no_overlap_group() -> None:
    # Checked against PlacementModel.add_group_no_overlap removed: both at 09:00 in two rooms.
    problem = build(TWICE_AT_NINE, rooms=[room("room-a"), room("room-b")],
                    no_overlap=[{"sessions": ["s-1", "s-2"], "reason": "same delegation"}])
    got = sorted(starts(solved(problem)).values())
    assert got[0] == "09:00" and got[1] >= "10:00"


def test_after_order() -> None:
    # Checked against PlacementModel.add_precedence removed: the follow-up at 09:00 in room-b.
    problem = build([session("opening", fixed={"room": "room-a", "start": "2025-07-07T09:00"}),
                     session("follow-up", after=["opening"], **prefers("09:00", "10:00"))],
                    rooms=[room("room-a"), room("room-b")])
    assert starts(solved(problem)) == {"opening": "09:00", "follow-up": "10:00"}


def test_one_room_per_session() -> None:
    # Checked against `sum(rooms) == present` removed from PlacementModel._session_vars: with no
    # room held, room waste was free and reading the agenda failed.
    problem = build([session("s-1", expected_attendance=40)], rooms=[room("cosy", 50), room("hall", 500)])
    assert placed(solved(problem)) == {"s-1": ("cosy", "09:00")}


# --- rules on a session's own candidates (solver.instance, strict mode) --------------------------


def test_seats() -> None:
    # Checked against the capacity test removed from instance.room_fits: the session went to "small".
    problem = build([session("big", expected_attendance=300)],
                    rooms=[room("small", 50), room("hall", 400)], days=[day(close="10:00")])
    assert rooms_of(solved(problem)) == {"big": "hall"}


def test_features_and_booths() -> None:
    # Each needs the biggest rooms; each would go to the smallest one without its rule. Checked
    # against the features test, then the booths test, removed from instance.room_fits.
    problem = build([session("six", interpretation=["ar", "zh", "en", "fr", "ru", "es"]),
                     session("live", requires=["streaming"])],
                    rooms=[room("small", 50), room("booths", 450, interpretation_booths=6),
                           room("studio", 500, features=["streaming"])],
                    days=[day(close="10:00")])
    assert rooms_of(solved(problem)) == {"six": "booths", "live": "studio"}


def test_window() -> None:
    # Checked against the window rule removed from Instance.start_rules: 09:00.
    problem = build([session("s-1", window={"earliest": "2025-07-07T11:00"}, **prefers("09:00", "10:00"))])
    assert starts(solved(problem)) == {"s-1": "11:00"}


def test_window_latest_end() -> None:
    # Checked against `st + duration <= high` written `st <= high`: 12:00, ending after 12:30.
    problem = build([session("s-1", window={"latest": "2025-07-07T12:30"},
                             **prefers("12:00", "13:00", else_=("11:30", "12:30")))])
    assert starts(solved(problem)) == {"s-1": "11:30"}


def test_fixed_start_and_room() -> None:
    # Checked against the fixed rule removed from Instance.start_rules (09:00) and the fixed room
    # filter removed from Instance._candidates (cosy).
    fixed = {"room": "hall", "start": "2025-07-07T11:00"}
    problem = build([session("s-1", expected_attendance=40, fixed=fixed, **prefers("09:00", "10:00"))],
                    rooms=[room("cosy", 40), room("hall", 500)])
    assert placed(solved(problem)) == {"s-1": ("hall", "11:00")}


def test_speaker_availability() -> None:
    # Checked against the availability rule removed from Instance.start_rules: 09:00.
    problem = build([session("s-1", speakers=["sp-1"], **prefers("09:00", "10:00"))],
                    speakers=[speaker("sp-1", ("2025-07-07T10:30", "2025-07-07T13:00"))])
    assert starts(solved(problem)) == {"s-1": "10:30"}


def test_breaks_and_closing_time() -> None:
    # A lunch 12:00-13:00 and a 17:00 close; s-1 would rather run into lunch, s-2 past the close.
    # Checked against the breaks dropped from Day.blocks (s-1 at 11:30) and against GridDay.starts
    # offering starts up to half an hour past the close (s-2 at 16:30).
    problem = build([session("s-1", **prefers("11:30", "12:30", else_=("11:00", "12:00"))),
                     session("s-2", **prefers("16:30", "17:30", else_=("16:00", "17:00")))],
                    days=[day(close="17:00", breaks=(("12:00", "13:00"),))],
                    rooms=[room("room-a"), room("room-b")])
    assert starts(solved(problem)) == {"s-1": "11:00", "s-2": "16:00"}
