"""`scheduler validate`: check problem (and schedule) files before anything is imported or solved."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from scheduler.cli.output import echo, fail, plural, problem_summary

if TYPE_CHECKING:
    from solver.domain import Schedule


def _schedule_summary(schedule: Schedule) -> str:
    return (
        f"{schedule.status}, {plural(len(schedule.assignments), 'assignment')}, "
        f"{len(schedule.unscheduled)} unscheduled, {plural(len(schedule.conflicts), 'conflict')}"
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
    from scheduler.problem_file import ProblemFileError
    from scheduler.schedule_file import load_schedule
    from scheduler.workbook import read_problem_file

    try:
        problem = read_problem_file(problem_path)
    except ProblemFileError as error:
        fail(problem_path, error.issues)
    echo(f"{click.format_filename(problem_path)}: valid, {problem_summary(problem)}")
    if schedule_path is None:
        return
    try:
        schedule = load_schedule(schedule_path, problem)
    except ProblemFileError as error:
        fail(schedule_path, error.issues)
    echo(f"{click.format_filename(schedule_path)}: valid, {_schedule_summary(schedule)}")
