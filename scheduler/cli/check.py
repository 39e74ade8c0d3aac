"""`scheduler check`: is a schedule a valid agenda for a problem, and how good is it?"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from scheduler.cli.output import echo, fail, plural

if TYPE_CHECKING:
    from scheduler.check import CheckReport, Quality
    from solver.domain import Schedule

VIOLATED = 1


@click.command("check")
@click.argument("problem_path", metavar="PROBLEM", type=click.Path(path_type=Path))
@click.argument("schedule_path", metavar="SCHEDULE", type=click.Path(path_type=Path))
def check_command(problem_path: Path, schedule_path: Path) -> None:
    """Check SCHEDULE against every hard rule of PROBLEM and report its quality.

    Prints each broken rule in plain words, then the quality figures. Exits 0 when the schedule
    is valid, 1 when it breaks a rule, 2 when a file cannot be read.
    """
    from scheduler.check import check
    from scheduler.problem_file import ProblemFileError, load_problem
    from scheduler.schedule_file import load_schedule

    try:
        problem = load_problem(problem_path)
    except ProblemFileError as error:
        fail(problem_path, error.issues)
    try:
        # Ids the problem does not know are the checker's to report, as broken rules.
        schedule = load_schedule(schedule_path)
    except ProblemFileError as error:
        fail(schedule_path, error.issues)
    report = check(problem, schedule)
    echo(_summary(schedule, len(problem.sessions)))
    for line in _violation_lines(report):
        echo(line)
    for line in _quality_lines(report.quality):
        echo(line)
    if not report.valid:
        click.get_current_context().exit(VIOLATED)


def _summary(schedule: Schedule, sessions: int) -> str:
    lines = [f"status {schedule.status}: {len(schedule.assignments)} of {plural(sessions, 'session')} "
             f"placed, {len(schedule.unscheduled)} unscheduled"]
    lines += [f"  conflict: {conflict.message}" for conflict in schedule.conflicts]
    return "\n".join(lines)


def _violation_lines(report: CheckReport) -> list[str]:
    if report.valid:
        return ["valid: every hard rule holds"]
    return [f"INVALID: {plural(len(report.violations), 'broken rule')}"] + [
        f"  [{v.rule}] {v.message}" for v in report.violations
    ]


def _quality_lines(q: Quality) -> list[str]:
    from scheduler.check import SPEAKER_MOVE_MINUTES

    lines = [
        "quality:",
        f"  track clashes: {q.track_clashes} (attendance-weighted {q.track_clash_attendance})",
        f"  preferences met: {q.preferences_met} of {q.preferences_total} "
        f"(weight {q.preference_weight_met:g} of {q.preference_weight_total:g})",
        f"  remote audiences in waking hours: {q.remote_met} of {q.remote_total}",
        f"  empty seats: {q.seat_slack}",
        f"  speakers with under {SPEAKER_MOVE_MINUTES} min between rooms: {len(q.tight_changes)}",
    ]
    lines += [f"    {t.speaker}: {t.before} -> {t.after} ({t.minutes} min)" for t in q.tight_changes]
    per_day = ", ".join(f"{day.day} {day:%B} {count}" for day, count in q.sessions_per_day.items())
    lines.append(f"  sessions per day: {per_day or 'none'}")
    return lines
