"""What every `scheduler` command prints the same way: counts, file issues, problem summaries."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from scheduler.plaintext import printable

if TYPE_CHECKING:
    from scheduler.problem_file import Issue
    from solver.domain import Problem

# The exit code of a command given input it cannot use (a bad file, an unknown event).
INVALID = 2
# The exit code of a change that is stored but could not be announced (the message queue is down).
NOT_ANNOUNCED = 3


def not_announced(done: str, error: Exception) -> None:
    """Say plainly that `done` is stored but nobody was told at once, and exit with NOT_ANNOUNCED."""
    echo(
        f"{done} is saved, but it could not be announced: {error}. Viewers still see it on their "
        "server's next update; followers got no immediate notice. Check SOCKETIO_MESSAGE_QUEUE.",
        err=True,
    )
    click.get_current_context().exit(NOT_ANNOUNCED)


def echo(message: str, err: bool = False) -> None:
    """Print `message` (and a newline) for the terminal: stored text may hold controls that a terminal
    would act on (an escape sequence clearing the screen); they are shown as U+FFFD instead."""
    click.echo(printable(message), err=err)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def fail(path: Path, issues: list[Issue]) -> NoReturn:
    """List every issue found in the file at `path` on stderr and exit with INVALID."""
    for issue in issues:
        echo(str(issue), err=True)
    echo(f"{click.format_filename(path)}: {plural(len(issues), 'problem')} found", err=True)
    click.get_current_context().exit(INVALID)


def problem_summary(problem: Problem) -> str:
    return ", ".join(
        (
            plural(len(problem.sessions), "session"),
            plural(len(problem.rooms), "room"),
            plural(len(problem.speakers), "speaker"),
            plural(len(problem.calendar.days), "day"),
        )
    )
