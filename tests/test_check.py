"""scheduler.check: one schedule per hard rule that breaks exactly that rule, the quality figures,
and the `scheduler check` command."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

import scheduler.check as checker
from scheduler.check import check
from scheduler.cli import main
from scheduler.problem_file import dump_problem
from scheduler.schedule_file import dump_schedule
from solver import costs, regions
from solver.domain import (
    Assignment,
    Break,
    Calendar,
    Day,
    Event,
    Fixed,
    NoOverlapRule,
    Period,
    Preference,
    Problem,
    Room,
    Rules,
    Schedule,
    Session,
    Speaker,
    Unscheduled,
    Window,
)

TUE, WED = date(2025, 7, 8), date(2025, 7, 9)


def at(day: date, clock: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock))


def make_problem() -> Problem:
    lunch = (Break(time(12, 30), time(13, 30), "Lunch"),)
    return Problem(
        event=Event("Test event", "Europe/Zurich"),
        calendar=Calendar(15, (Day(TUE, time(9), time(18), lunch), Day(WED, time(9), time(18), lunch)),
                          changeover_minutes=15),
        rooms=(
            Room("room-a", "Room A", 100, ("hybrid",)),
            Room("room-b", "Room B", 500, ("hybrid", "captioning"), 6,
                 unavailable=(Period(at(WED, "09:00"), at(WED, "12:00"), "keynote"),)),
        ),
        speakers=(
            Speaker("sp-1", "One"),
            Speaker("sp-2", "Two", available=(Period(at(TUE, "09:00"), at(TUE, "12:00")),)),
        ),
        sessions=(
            Session("s-1", "One", 60, expected_attendance=50, speakers=("sp-1",), tracks=("C1",),
                    preferred=(Preference(at(WED, "09:00"), at(WED, "12:30"), 2.0),),
                    remote_audience=("americas",)),
            Session("s-2", "Two", 60, expected_attendance=300, requires=("captioning",),
                    interpretation=("ar", "zh", "en", "fr", "ru", "es"), speakers=("sp-1",), tracks=("C1",)),
            Session("s-3", "Three", 30, speakers=("sp-2",)),
            Session("s-4", "Four", 45, fixed=Fixed("room-a", at(WED, "14:00"))),
            Session("s-5", "Five", 60, expected_attendance=80, tracks=("C7",),
                    window=Window(at(TUE, "13:30"), at(TUE, "17:00")),
                    preferred=(Preference(at(TUE, "13:30"), at(TUE, "18:00"), 3.0),),
                    remote_audience=("asia-pacific",)),
            Session("s-6", "Six", 30, after=("s-1",)),
            Session("s-7", "Seven", 30, optional=True),
            Session("s-8", "Eight", 60, expected_attendance=40, tracks=("C7", "Youth")),
            Session("s-9", "Nine", 60),
        ),
        rules=Rules(no_overlap=(NoOverlapRule(("s-4", "s-8", "s-9"), "same organiser"),)),
    )


def placed(session: str, room: str, day: date, start: str, minutes: int) -> Assignment:
    begin = at(day, start)
    return Assignment(session, room, begin, begin + timedelta(minutes=minutes))


BASELINE = {
    "s-1": placed("s-1", "room-a", TUE, "09:00", 60),
    "s-2": placed("s-2", "room-b", TUE, "10:30", 60),
    "s-3": placed("s-3", "room-a", TUE, "10:15", 30),
    "s-4": placed("s-4", "room-a", WED, "14:00", 45),
    "s-5": placed("s-5", "room-b", TUE, "14:00", 60),
    "s-6": placed("s-6", "room-a", TUE, "11:00", 30),
    "s-8": placed("s-8", "room-a", TUE, "14:00", 60),
    "s-9": placed("s-9", "room-b", TUE, "15:15", 60),
}


def schedule_with(*changes: Assignment, drop: tuple[str, ...] = ()) -> Schedule:
    assignments = dict(BASELINE)
    for change in changes:
        assignments[change.session] = change
    for session in drop:
        del assignments[session]
    return Schedule("feasible", tuple(assignments.values()), (Unscheduled("s-7", "left out"),))


def rules_broken(schedule: Schedule, problem: Problem | None = None) -> set[str]:
    return {v.rule for v in check(problem or make_problem(), schedule).violations}


def test_baseline_is_valid() -> None:
    report = check(make_problem(), schedule_with())
    assert report.violations == []
    assert report.valid


def test_a_missing_session_is_reported_but_an_optional_one_may_be_left_out() -> None:
    report = check(make_problem(), schedule_with(drop=("s-1",)))
    assert [(v.rule, v.sessions) for v in report.violations] == [("assigned once", ("s-1",))]


def test_a_session_assigned_twice() -> None:
    schedule = schedule_with()
    twice = replace(schedule, assignments=(*schedule.assignments, placed("s-9", "room-b", WED, "16:00", 60)))
    assert rules_broken(twice) == {"assigned once"}


def test_a_session_both_assigned_and_unscheduled() -> None:
    schedule = replace(schedule_with(), unscheduled=(Unscheduled("s-1", "?"),))
    assert rules_broken(schedule) == {"assigned once"}


def test_an_infeasible_schedule_leaves_every_required_session_missing() -> None:
    report = check(make_problem(), Schedule("infeasible"))
    assert {v.sessions[0] for v in report.violations} == {f"s-{n}" for n in (1, 2, 3, 4, 5, 6, 8, 9)}


def test_unknown_session_and_room() -> None:
    schedule = schedule_with()
    extra = replace(schedule, assignments=(*schedule.assignments, placed("s-99", "room-a", WED, "16:00", 30)))
    assert rules_broken(extra) == {"unknown session"}
    assert rules_broken(schedule_with(placed("s-9", "room-z", WED, "16:00", 60))) == {"unknown room"}


def test_end_must_be_start_plus_duration() -> None:
    wrong = Assignment("s-2", "room-b", at(TUE, "10:30"), at(TUE, "11:15"))
    report = check(make_problem(), schedule_with(wrong))
    assert [v.rule for v in report.violations] == ["duration"]
    assert "must end at 11:30" in report.violations[0].message


def test_start_on_the_grid_from_the_days_open() -> None:
    assert rules_broken(schedule_with(placed("s-2", "room-b", TUE, "10:35", 60))) == {"grid"}


def test_inside_the_days_hours() -> None:
    assert rules_broken(schedule_with(placed("s-2", "room-b", TUE, "17:30", 60))) == {"day hours"}
    assert rules_broken(schedule_with(placed("s-2", "room-b", TUE, "08:00", 60))) == {"day hours"}
    assert rules_broken(schedule_with(placed("s-9", "room-b", date(2025, 7, 10), "10:00", 60))) == {
        "day hours"}


def test_not_across_a_break() -> None:
    report = check(make_problem(), schedule_with(placed("s-2", "room-b", TUE, "12:00", 60)))
    assert [v.rule for v in report.violations] == ["break"]
    assert "Lunch 12:30-13:30" in report.violations[0].message


@pytest.mark.parametrize(
    ("needs", "rule"),
    [
        ({"requires": (), "interpretation": ()}, "capacity"),
        ({"expected_attendance": 10, "interpretation": ()}, "features"),
        ({"expected_attendance": 10, "requires": ()}, "booths"),
    ],
)
def test_room_must_seat_equip_and_have_booths(needs: dict[str, object], rule: str) -> None:
    problem = make_problem()
    sessions = tuple(replace(s, **needs) if s.id == "s-2" else s for s in problem.sessions)
    problem = replace(problem, sessions=sessions)
    assert rules_broken(schedule_with(placed("s-2", "room-a", TUE, "16:30", 60)), problem) == {rule}


def test_room_unavailability() -> None:
    report = check(make_problem(), schedule_with(placed("s-9", "room-b", WED, "10:00", 60)))
    assert [v.rule for v in report.violations] == ["room unavailable"]
    assert "(keynote)" in report.violations[0].message


def test_two_sessions_in_one_room_at_once() -> None:
    report = check(make_problem(), schedule_with(placed("s-8", "room-a", TUE, "09:30", 60)))
    assert {v.rule for v in report.violations} == {"room overlap"}
    messages = [v.message for v in report.violations]
    assert "s-1 and s-8 overlap in room-a on 8 July 09:30-10:00" in messages
    assert any("s-8 and s-3" in m for m in messages)


def test_changeover_between_sessions_in_a_room() -> None:
    report = check(make_problem(), schedule_with(placed("s-3", "room-a", TUE, "10:00", 30)))
    assert [v.rule for v in report.violations] == ["changeover"]
    assert report.violations[0].sessions == ("s-1", "s-3")


def test_a_speaker_in_two_sessions_at_once() -> None:
    report = check(make_problem(), schedule_with(placed("s-2", "room-b", TUE, "09:30", 60)))
    assert [(v.rule, v.speakers) for v in report.violations] == [("speaker overlap", ("sp-1",))]


def test_speaker_availability_must_hold_the_whole_session() -> None:
    report = check(make_problem(), schedule_with(placed("s-3", "room-a", TUE, "11:45", 30)))
    assert [(v.rule, v.speakers) for v in report.violations] == [("speaker availability", ("sp-2",))]


def test_a_speaker_never_available() -> None:
    problem = make_problem()
    problem = replace(problem, speakers=(problem.speakers[0], replace(problem.speakers[1], available=())))
    assert rules_broken(schedule_with(), problem) == {"speaker availability"}


def test_fixed_room_and_fixed_start() -> None:
    assert rules_broken(schedule_with(placed("s-4", "room-b", WED, "14:00", 45))) == {"fixed room"}
    assert rules_broken(schedule_with(placed("s-4", "room-a", WED, "14:15", 45))) == {"fixed start"}


def test_window_earliest_and_latest() -> None:
    assert rules_broken(schedule_with(placed("s-5", "room-b", TUE, "09:00", 60))) == {"window"}
    assert rules_broken(schedule_with(placed("s-5", "room-a", TUE, "16:30", 60))) == {"window"}


def test_after_means_after_the_other_ends() -> None:
    report = check(make_problem(), schedule_with(placed("s-6", "room-b", TUE, "09:00", 30)))
    assert [(v.rule, v.sessions) for v in report.violations] == [("after", ("s-1", "s-6"))]


def test_no_overlap_group() -> None:
    report = check(make_problem(), schedule_with(placed("s-9", "room-b", WED, "14:00", 60)))
    assert [(v.rule, v.sessions) for v in report.violations] == [("no_overlap", ("s-4", "s-9"))]
    assert "rules.no_overlap[0] (same organiser)" in report.violations[0].message


def test_quality_figures() -> None:
    problem = make_problem()
    # s-2 right after s-1: sp-1 changes rooms with no time to walk.
    quality = check(problem, schedule_with(placed("s-2", "room-b", TUE, "10:00", 60))).quality
    assert (quality.track_clashes, quality.track_clash_attendance) == (1, 40)  # s-5 and s-8 share C7
    assert (quality.preferences_met, quality.preferences_total) == (1, 2)
    assert (quality.preference_weight_met, quality.preference_weight_total) == (3.0, 5.0)
    # s-1 at 09:00 in Geneva is 03:00 in New York; s-5 at 14:00-15:00 is 20:00-21:00 in Shanghai.
    assert (quality.remote_met, quality.remote_total) == (1, 2)
    assert quality.seat_slack == (100 - 50) + (500 - 300) + 100 + 100 + (500 - 80) + 100 + (100 - 40) + 500
    assert [(t.speaker, t.before, t.after, t.minutes) for t in quality.tight_changes] == [
        ("sp-1", "s-1", "s-2", 0)]
    assert quality.sessions_per_day == {TUE: 7, WED: 1}


def test_the_planted_track_clash_is_counted_once_even_when_two_tracks_are_shared() -> None:
    problem = make_problem()
    sessions = tuple(replace(s, tracks=("C7", "Youth")) if s.id == "s-5" else s for s in problem.sessions)
    assert check(replace(problem, sessions=sessions), schedule_with()).quality.track_clashes == 1


# --- the command ---------------------------------------------------------------------------------


@pytest.fixture()
def files(tmp_path: Path) -> tuple[Path, Path]:
    problem_path, schedule_path = tmp_path / "problem.json", tmp_path / "schedule.json"
    dump_problem(make_problem(), problem_path)
    return problem_path, schedule_path


def run(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", *map(str, args)])
    return result.exit_code, result.output


def test_cli_valid_schedule_exits_0_with_quality(files: tuple[Path, Path]) -> None:
    problem_path, schedule_path = files
    dump_schedule(schedule_with(), schedule_path)
    code, output = run(problem_path, schedule_path)
    assert code == 0, output
    assert "valid: every hard rule holds" in output
    assert "track clashes: 1 (attendance-weighted 40)" in output
    assert "sessions per day: 8 July 7, 9 July 1" in output


def test_cli_broken_rule_exits_1_in_plain_words(files: tuple[Path, Path]) -> None:
    problem_path, schedule_path = files
    dump_schedule(schedule_with(placed("s-8", "room-a", TUE, "09:30", 60)), schedule_path)
    code, output = run(problem_path, schedule_path)
    assert code == 1
    assert "[room overlap] s-1 and s-8 overlap in room-a on 8 July 09:30-10:00" in output


def test_cli_unknown_ids_are_broken_rules_not_bad_input(files: tuple[Path, Path]) -> None:
    problem_path, schedule_path = files
    dump_schedule(schedule_with(placed("s-9", "room-z", WED, "16:00", 60)), schedule_path)
    code, output = run(problem_path, schedule_path)
    assert code == 1
    assert "[unknown room]" in output


def test_cli_bad_input_exits_2_without_traceback(files: tuple[Path, Path], tmp_path: Path) -> None:
    problem_path, schedule_path = files
    schedule_path.write_text("{not json")
    code, output = run(problem_path, schedule_path)
    assert code == 2
    assert "Traceback" not in output
    code, output = run(tmp_path / "missing.json", schedule_path)
    assert code == 2 and "cannot read" in output
    schedule_path.write_text(json.dumps({"format": "agenda-schedule/1", "status": "sideways"}))
    dump_schedule(schedule_with(), tmp_path / "ok.json")
    code, _ = run(problem_path, schedule_path)
    assert code == 2


def test_the_checker_and_the_solver_place_remote_audiences_and_speaker_moves_alike() -> None:
    # Restated in the checker on purpose (it shares nothing with the solver's code); they must agree.
    assert checker.REGION_ZONES == regions.REGION_ZONES
    assert checker.WAKING_HOURS == regions.WAKING_HOURS
    assert checker.SPEAKER_MOVE_MINUTES == costs.SPEAKER_MOVE_MINUTES
