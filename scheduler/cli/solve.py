"""`scheduler solve`: plan an agenda for a problem file, or re-plan one with as few moves as possible."""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from scheduler.cli.output import echo, fail

if TYPE_CHECKING:
    from scheduler.diff import Change
    from solver import Progress, SolveOptions
    from solver.domain import Assignment, Problem, Schedule

NO_AGENDA = 1
# Plain (non-terminal) progress output prints at most one line this often, in seconds.
PLAIN_EVERY = 1.0


@click.command("solve")
@click.argument("problem_path", metavar="PROBLEM", type=click.Path(path_type=Path))
@click.option("-o", "--output", "output_path", required=True, type=click.Path(path_type=Path),
              help="Where to write the schedule file.")
@click.option("--time-limit", type=click.FloatRange(min=0.1), default=60.0, show_default=True,
              help="Seconds to search.")
@click.option("--workers", type=click.IntRange(min=1, max=64), default=2, show_default=True,
              help="CP-SAT search threads.")
@click.option("--seed", type=click.IntRange(min=0, max=2**31 - 1), default=0, show_default=True,
              help="Random seed of the search. Runs with one seed repeat exactly only with "
                   "--deterministic; otherwise they vary with the machine's load.")
@click.option("--deterministic", is_flag=True,
              help="Repeatable: the same problem, seed and limit give the same agenda on every run on "
                   "this machine. The limit then counts CP-SAT's deterministic seconds, a measure of "
                   "work, not the clock (docs/solver.md).")
@click.option("--baseline", "baseline_path", type=click.Path(path_type=Path),
              help="A schedule to change as little as possible (re-planning).")
def solve_command(problem_path: Path, output_path: Path, time_limit: float, workers: int, seed: int,
                  deterministic: bool, baseline_path: Path | None) -> None:
    """Find the best agenda for PROBLEM within the time limit and write it to SCHEDULE.

    Shows progress on stderr. Ctrl-C stops the search and still writes the best agenda found.
    With --baseline, as few sessions as possible move, and the moves are printed and written to the
    schedule file (key "changes"). Exits 0 when an agenda is written, 1 when there is none (the
    conflicts are printed and written; when the time ran out first, which sessions found no place
    and why), 2 when an input file cannot be read or the output written.
    """
    from scheduler.diff import diff_assignments
    from scheduler.problem_file import ProblemFileError, load_problem
    from scheduler.schedule_file import dump_schedule, load_schedule
    from solver import SolveOptions

    try:
        problem = load_problem(problem_path)
    except ProblemFileError as error:
        fail(problem_path, error.issues)
    baseline = None
    if baseline_path is not None:
        try:
            # Read on its own: a baseline may name sessions and rooms the problem has since dropped.
            baseline = load_schedule(baseline_path)
        except ProblemFileError as error:
            fail(baseline_path, error.issues)
    options = SolveOptions(time_limit=time_limit, workers=workers, seed=seed, deterministic=deterministic)
    line = ProgressLine(sys.stderr)
    schedule = solve_interruptibly(problem, options, baseline, line)
    line.finish()
    found = schedule.status in ("optimal", "feasible")
    changes = diff_assignments(baseline.assignments, schedule.assignments) if baseline and found else None
    if changes is not None:
        schedule = replace(schedule, extra={**schedule.extra, "changes": [_change_data(c) for c in changes]})
    try:
        dump_schedule(schedule, output_path)
    except OSError as error:
        echo(f"{click.format_filename(output_path)}: cannot write the schedule: {error.strerror}",
                   err=True)
        click.get_current_context().exit(2)
    for text in _report(problem, schedule, changes, output_path, time_limit):
        click.echo(text)
    if not found:
        click.get_current_context().exit(NO_AGENDA)


def solve_interruptibly(problem: Problem, options: SolveOptions, baseline: Schedule | None,
                         line: ProgressLine) -> Schedule:
    """Solve in a worker thread, so that Ctrl-C reaches this one and can stop the search cleanly."""
    from solver import solve  # loads OR-Tools: only when solving

    stop = threading.Event()
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["schedule"] = solve(problem, options, baseline=baseline, on_progress=line.show, stop=stop)
        except BaseException as error:  # handed to the main thread, which re-raises it
            outcome["error"] = error

    worker = threading.Thread(target=work, name="solve", daemon=True)
    with _stop_on_interrupt(stop, line):
        worker.start()
        while worker.is_alive():
            worker.join(0.1)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["schedule"]


@contextmanager
def _stop_on_interrupt(stop: threading.Event, line: ProgressLine) -> Iterator[None]:
    def interrupted(*_: object) -> None:
        if not stop.is_set():
            line.note("interrupted: stopping the search and keeping the best agenda found")
        stop.set()

    previous = signal.signal(signal.SIGINT, interrupted)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class ProgressLine:
    """Elapsed time, best objective, bound and gap: one line rewritten in place on a terminal,
    plain lines (at most one a second) otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.lock = threading.Lock()
        self.last: Progress | None = None
        self.printed_at = 0.0
        self.width = 0

    def show(self, progress: Progress) -> None:
        with self.lock:
            self.last = progress
            now = time.monotonic()
            if not self.tty and now - self.printed_at < PLAIN_EVERY:
                return
            self.printed_at = now
            self._write(self.describe(progress))

    def note(self, message: str) -> None:
        with self.lock:
            if self.tty and self.width:
                self.stream.write("\n")
                self.width = 0
            self.stream.write(message + "\n")
            self.stream.flush()

    def finish(self) -> None:
        """Print the final figures if they were throttled away, and end the line on a terminal."""
        with self.lock:
            if self.last is not None and not self.tty:
                self._write(self.describe(self.last))
            if self.tty and self.width:
                self.stream.write("\n")
            self.stream.flush()

    def _write(self, text: str) -> None:
        if self.tty:
            self.stream.write("\r" + text.ljust(self.width))
            self.width = len(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    @staticmethod
    def describe(progress: Progress) -> str:
        def figure(value: float | None) -> str:
            return "-" if value is None else f"{value:.2f}"

        gap = "-" if progress.gap is None else f"{progress.gap:.1%}"
        return (f"{progress.elapsed:7.1f}s  best {figure(progress.objective)}  "
                f"bound {figure(progress.bound)}  gap {gap}")


def _report(problem: Problem, schedule: Schedule, changes: list[Change] | None, output: Path,
            time_limit: float) -> list[str]:
    from solver.words import suggested_limit

    written = f"written to {click.format_filename(output)}"
    if schedule.status == "unknown":
        # No agenda in time: the conflicts say what the fast start placed, and why not the rest.
        lines = [f"status unknown: no agenda found within {time_limit:g} s, {written}"]
        lines += [f"  - {conflict.message}" for conflict in schedule.conflicts]
        lines.append(f"run again with a longer limit, e.g. --time-limit {suggested_limit(time_limit)}")
        return lines
    lines = [f"status {schedule.status}: {len(schedule.assignments)} of {len(problem.sessions)} sessions "
             f"placed, {len(schedule.unscheduled)} left out, {written}"]
    if schedule.objective is not None:
        bound = "" if schedule.bound is None else f" (lower bound {schedule.bound:g})"
        lines.append(f"objective {schedule.objective:g}{bound}")
    lines += [f"  left out {u.session}: {u.reason}" for u in schedule.unscheduled]
    if schedule.conflicts:
        lines.append("no agenda can meet every rule:")
        lines += [f"  - {conflict.message}" for conflict in schedule.conflicts]
    if changes is not None:
        lines.append(f"{len(changes)} change{'' if len(changes) == 1 else 's'} from the baseline:")
        lines += [f"  {change.describe()}" for change in changes]
    return lines


def _change_data(change: Change) -> dict[str, Any]:
    return {"kind": change.kind, "session": change.session,
            "before": _placement_data(change.before), "after": _placement_data(change.after)}


def _placement_data(assignment: Assignment | None) -> dict[str, str] | None:
    if assignment is None:
        return None
    return {"room": assignment.room, "start": f"{assignment.start:%Y-%m-%dT%H:%M}",
            "end": f"{assignment.end:%Y-%m-%dT%H:%M}"}
