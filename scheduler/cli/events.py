"""`scheduler import/export/convert/plan/publish/versions`: the stored event and its agenda versions.

Every command that touches the database reads DATABASE_URL and brings its schema up to date first,
so a fresh machine needs no set-up. EVENT is an event id or slug, and may be left out when the
database holds a single event. Exit codes: 0 done, 1 refused (an infeasible plan, a schedule that
breaks a hard rule), 2 bad input (invalid file, unknown event or version), 3 published but not
announced (the message queue could not be reached).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from scheduler.cli.acting import acting
from scheduler.cli.database import InputError, database, stored_event
from scheduler.cli.mailing import mailing, written
from scheduler.cli.output import echo, fail, not_announced, plural, problem_summary
from scheduler.cli.solve import ProgressLine, solve_interruptibly

if TYPE_CHECKING:
    from sqlalchemy.orm import Session as DbSession

    from scheduler import models
    from solver.domain import Problem, Schedule
    from solver.options import SolveOptions

REFUSED = 1


event_argument = click.argument("event_ref", metavar="[EVENT]", required=False)


def _refusals() -> tuple[type[Exception], ...]:
    """The domain's refusals, which the commands turn into clean errors (exit 2)."""
    from scheduler.speaker_reports import ReportNotFound
    from scheduler.store import StoreError
    from scheduler.versions import VersionError
    from scheduler.workbook import WorkbookError

    return (StoreError, VersionError, WorkbookError, ReportNotFound)


def _read_problem(path: Path) -> Problem:
    from scheduler.problem_file import ProblemFileError
    from scheduler.workbook import read_problem_file

    try:
        return read_problem_file(path)
    except ProblemFileError as error:
        fail(path, error.issues)


def _write_problem(problem: Problem, path: Path, xlsx: bool) -> None:
    from scheduler.problem_file import dump_problem
    from scheduler.workbook import WorkbookError, write_workbook

    try:
        if xlsx or path.suffix.lower() == ".xlsx":
            write_workbook(problem, path)
        else:
            dump_problem(problem, path)
    except (OSError, WorkbookError) as error:
        raise InputError(f"cannot write {click.format_filename(path)}: {error}") from None


# --- the problem -----------------------------------------------------------------------------


@click.command("import")
@click.argument("problem_path", metavar="PROBLEM", type=click.Path(path_type=Path))
@click.option("--slug", help="The event's name in URLs (default: from the event's name).")
def import_command(problem_path: Path, slug: str | None) -> None:
    """Store the event in PROBLEM (.json or .xlsx), or update it in place if its slug exists.

    An invalid file is refused with every issue listed; nothing is stored.
    """
    from scheduler.db import transaction
    from scheduler.store import StoreError, import_problem

    problem = _read_problem(problem_path)
    with database() as engine:
        try:
            with transaction(engine) as db:
                event = import_problem(db, problem, slug, actor=acting(db))
                slug, event_id = event.slug, event.id
        except StoreError as error:
            raise InputError("nothing stored:\n" + "\n".join(error.issues)) from None
    echo(f"stored event {slug!r} (id {event_id}): {problem_summary(problem)}")


@click.command("export")
@event_argument
@click.option(
    "-o", "--output", "output", required=True, type=click.Path(path_type=Path), help="File to write."
)
@click.option("--xlsx", is_flag=True, help="Write a workbook whatever the suffix (default: by the suffix).")
def export_command(event_ref: str | None, output: Path, xlsx: bool) -> None:
    """Write the stored EVENT as a problem file (.json) or workbook (.xlsx)."""
    from scheduler.store import export_problem

    with database() as engine, stored_event(engine, event_ref, _refusals()) as (db, event):
        problem = export_problem(db, event)
    _write_problem(problem, output, xlsx)
    echo(f"wrote {click.format_filename(output)}: {problem_summary(problem)}")


@click.command("convert")
@click.argument("problem_path", metavar="PROBLEM", type=click.Path(path_type=Path))
@click.option(
    "-o", "--output", "output", required=True, type=click.Path(path_type=Path), help="File to write."
)
def convert_command(problem_path: Path, output: Path) -> None:
    """Convert a problem file between JSON and a workbook (.xlsx), by the suffixes; no database."""
    problem = _read_problem(problem_path)
    _write_problem(problem, output, xlsx=False)
    echo(f"wrote {click.format_filename(output)}: {problem_summary(problem)}")


# --- planning --------------------------------------------------------------------------------


@click.command("plan")
@event_argument
@click.option(
    "--time-limit", default=60.0, show_default=True, type=click.FloatRange(min=0.1), help="Seconds."
)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1), help="Search threads.")
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed of the search.")
@click.option(
    "--replan", is_flag=True, help="Start from the published agenda and move as little as possible."
)
@click.option("--note", default="", help="A note kept with the draft.")
def plan_command(
    event_ref: str | None, time_limit: float, workers: int, seed: int, replan: bool, note: str
) -> None:
    """Solve the stored EVENT and keep the result as a draft (Ctrl+C stops with the best so far).

    Exits 1 when no agenda exists; the draft is still kept, with the conflicts that explain why.
    """
    from scheduler.diff import diff_assignments
    from scheduler.store import export_problem
    from scheduler.versions import save_draft
    from solver.options import SolveOptions

    with database() as engine:
        with stored_event(engine, event_ref, _refusals()) as (db, event):
            problem, event_id = export_problem(db, event), event.id
            baseline = _baseline(db, event) if replan else None
        options = SolveOptions(time_limit=time_limit, workers=workers, seed=seed)
        schedule = _solve(problem, options, baseline)
        with stored_event(engine, str(event_id), _refusals()) as (db, event):
            number = save_draft(db, event, schedule, note=note, actor=acting(db)).number
    echo(f"draft version {number}: {_schedule_line(schedule, len(problem.sessions))}")
    for line in _report_lines(schedule):
        echo(line)
    if baseline is not None:
        moves = diff_assignments(baseline.assignments, schedule.assignments)
        echo(f"{plural(len(moves), 'change')} against the published agenda")
        for change in moves:
            echo(f"  {change.describe()}")
    if schedule.status == "infeasible":
        click.get_current_context().exit(REFUSED)


def _baseline(db: DbSession, event: models.Event) -> Schedule:
    from scheduler.agenda import latest_published
    from scheduler.versions import version_schedule

    published = latest_published(db, event)
    if published is None:
        raise InputError("nothing is published yet, so there is nothing to re-plan: plan without --replan")
    return version_schedule(db, published)


def _solve(problem: Problem, options: SolveOptions, baseline: Schedule | None) -> Schedule:
    """The solver with `scheduler solve`'s progress line; Ctrl+C keeps the best agenda found so far."""
    line = ProgressLine(sys.stderr)
    schedule = solve_interruptibly(problem, options, baseline, line)
    line.finish()
    return schedule


def _schedule_line(schedule: Schedule, sessions: int) -> str:
    figures = [f"{schedule.status}", f"{len(schedule.assignments)} of {plural(sessions, 'session')} placed"]
    if schedule.objective is not None:
        figures.append(f"objective {schedule.objective:g}")
    if schedule.bound is not None:
        figures.append(f"bound {schedule.bound:g}")
    if schedule.solve_seconds is not None:
        figures.append(f"{schedule.solve_seconds:.1f}s")
    return ", ".join(figures)


def _report_lines(schedule: Schedule) -> Iterator[str]:
    for left_out in schedule.unscheduled:
        yield f"  unscheduled {left_out.session}: {left_out.reason}"
    for conflict in schedule.conflicts:
        yield f"  conflict: {conflict.message}"


# --- publishing ------------------------------------------------------------------------------


@click.command("publish")
@event_argument
@click.option(
    "--schedule", "schedule_path", type=click.Path(path_type=Path), help="Publish this schedule file."
)
@click.option("--draft", "draft_number", type=int, help="Publish this version (default: the newest draft).")
@click.option("--force", is_flag=True, help="Publish even if the checker finds broken hard rules.")
def publish_command(
    event_ref: str | None, schedule_path: Path | None, draft_number: int | None, force: bool
) -> None:
    """Publish a draft (or a schedule file) of EVENT as its next public version.

    The schedule is checked against every hard rule first; a broken rule refuses the publication
    (exit 1) unless --force is given.
    """
    from scheduler import notifications
    from scheduler.live import QueueError, notify_published
    from scheduler.versions import PublishRefused

    if schedule_path is not None and draft_number is not None:
        raise click.UsageError("give --schedule or --draft, not both")
    with database() as engine, stored_event(engine, event_ref, _refusals()) as (db, event):
        try:
            version = _publish(db, event, schedule_path, draft_number, force)
        except PublishRefused as refused:
            for violation in refused.violations:
                echo(f"  [{violation.rule}] {violation.message}", err=True)
            raise click.ClickException(
                f"not published: {plural(len(refused.violations), 'broken hard rule')} "
                "(--force publishes anyway)"
            ) from None
        found = mailing()
        done = found and notifications.publication(db, event, version, found, actor=acting(db))
        counts = {
            kind: sum(c.kind == kind for c in version.changes) for kind in ("new", "moved", "cancelled")
        }
        line = (
            f"published version {version.number}: {plural(len(version.assignments), 'session')}; "
            f"{counts['new']} new, {counts['moved']} moved, {counts['cancelled']} cancelled"
        )
    echo(line)
    written(done)
    # After the commit: viewers must never hear of a version they cannot load yet.
    try:
        announced = notify_published(event, version)
    except QueueError as error:
        not_announced(f"Published version {version.number}", error)
        return
    if announced:
        echo("Announced to connected clients through the message queue.")


def _publish(
    db: DbSession, event: models.Event, schedule_path: Path | None, draft_number: int | None, force: bool
) -> models.ScheduleVersion:
    from scheduler.problem_file import ProblemFileError
    from scheduler.schedule_file import load_schedule
    from scheduler.store import export_problem
    from scheduler.versions import drafts, find_version, publish, publish_schedule

    if schedule_path is not None:
        try:
            schedule = load_schedule(schedule_path, export_problem(db, event))
        except ProblemFileError as error:
            fail(schedule_path, error.issues)
        note = f"from {schedule_path.name}"
        return publish_schedule(db, event, schedule, force=force, note=note, actor=acting(db))
    if draft_number is not None:
        return publish(db, event, find_version(db, event, draft_number), force=force, actor=acting(db))
    newest = next(iter(drafts(db, event)), None)
    if newest is None:
        raise InputError("there is no draft to publish: run `scheduler plan` first, or give --schedule FILE")
    return publish(db, event, newest, force=force, actor=acting(db))


@click.command("versions")
@event_argument
def versions_command(event_ref: str | None) -> None:
    """List EVENT's versions, drafts and published, newest first."""
    with database() as engine, stored_event(engine, event_ref, _refusals()) as (db, event):
        rows = _version_rows(db, event)
    header = ("version", "state", "created (UTC)", "status", "objective", "placed", "changes")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        echo(
            "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


@click.command("reports")
@event_argument
@click.option("--all", "include_resolved", is_flag=True, help="Also list reports already resolved.")
@click.option("--resolve", "number", type=int, metavar="N", help="Mark report N as dealt with.")
def reports_command(event_ref: str | None, include_resolved: bool, number: int | None) -> None:
    """List what speakers said they cannot make, from their private pages (oldest first).

    Change the speaker's availability in the problem file, re-import, `scheduler plan --replan`,
    publish, then --resolve the report.
    """
    from scheduler.speaker_reports import describe, reports, resolve
    from scheduler.store import utc_now

    with database() as engine, stored_event(engine, event_ref, _refusals()) as (db, event):
        if number is not None:
            echo(describe(resolve(db, event, number, utc_now(), actor=acting(db))))
            return
        lines = [describe(report) for report in reports(db, event, include_resolved)]
    echo("\n".join(lines) if lines else "No open availability reports.")


def _version_rows(db: DbSession, event: models.Event) -> list[tuple[Any, ...]]:
    from sqlalchemy import select

    from scheduler import models
    from scheduler.versions import DRAFT

    placed = _counts(db, event, models.Assignment.version_id)
    changed = _counts(db, event, models.VersionChange.version_id)
    versions = db.scalars(
        select(models.ScheduleVersion)
        .where(models.ScheduleVersion.event_id == event.id)
        .order_by(models.ScheduleVersion.number.desc())
    ).all()
    return [
        (
            v.number,
            v.state,
            f"{v.created_at:%Y-%m-%d %H:%M}",
            v.status,
            "-" if v.objective is None else f"{v.objective:g}",
            placed.get(v.id, 0),
            "-" if v.state == DRAFT else changed.get(v.id, 0),
        )
        for v in versions
    ]


def _counts(db: DbSession, event: models.Event, version_column: Any) -> dict[int, int]:
    """Rows per version of the event, in one query."""
    from sqlalchemy import func, select

    from scheduler import models

    versions = select(models.ScheduleVersion.id).where(models.ScheduleVersion.event_id == event.id)
    rows = db.execute(
        select(version_column, func.count()).where(version_column.in_(versions)).group_by(version_column)
    ).all()
    return {version_id: count for version_id, count in rows}


event_commands = (
    import_command,
    export_command,
    convert_command,
    plan_command,
    publish_command,
    versions_command,
    reports_command,
)
