"""`scheduler validate`: check problem (and schedule) files before anything is imported or solved."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click

from scheduler.problem_file import Issue, ProblemFileError
from scheduler.schedule_file import load_schedule
from scheduler.workbook import read_problem_file
from solver.domain import Problem, Schedule

INVALID = 2


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _fail(path: Path, issues: list[Issue]) -> NoReturn:
    for issue in issues:
        click.echo(str(issue), err=True)
    click.echo(f"{click.format_filename(path)}: {_plural(len(issues), 'problem')} found", err=True)
    click.get_current_context().exit(INVALID)


def _problem_summary(problem: Problem) -> str:
    return ", ".join(
        (
            _plural(len(problem.sessions), "session"),
            _plural(len(problem.rooms), "room"),
            _plural(len(problem.speakers), "speaker"),
            _plural(len(problem.calendar.days), "day"),
        )
    )


def _schedule_summary(schedule: Schedule) -> str:
    return (
        f"{schedule.status}, {_plural(len(schedule.assignments), 'assignment')}, "
        f"{len(schedule.unscheduled)} unscheduled, {_plural(len(schedule.conflicts), 'conflict')}"
    )


@click.command()
@click.argument("problem_path", metavar="PROBLEM", type=click.Path(path_type=Path))
@click.option(
    "--schedule",
    "schedule_path",
    type=click.Path(path_type=Path),
    help="Also check this schedule file, and that its ids and days are the problem's.",
)
def validate(problem_path: Path, schedule_path: Path | None) -> None:
    """Check a problem file (.json, or an .xlsx workbook) and list every problem found in it.

    Exits 0 when the file is valid, 2 when it is not (each issue is printed on its own line,
    with the JSON path, or the sheet, row and column, where it is).
    """
    try:
        problem = read_problem_file(problem_path)
    except ProblemFileError as error:
        _fail(problem_path, error.issues)
    click.echo(f"{click.format_filename(problem_path)}: valid, {_problem_summary(problem)}")
    if schedule_path is None:
        return
    try:
        schedule = load_schedule(schedule_path, problem)
    except ProblemFileError as error:
        _fail(schedule_path, error.issues)
    click.echo(f"{click.format_filename(schedule_path)}: valid, {_schedule_summary(schedule)}")
