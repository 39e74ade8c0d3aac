"""`scheduler serve`, `scheduler demo` and `scheduler speaker-links`: the public site and its links."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import click
from sqlalchemy import Engine

from scheduler.agenda import find_event
from scheduler.cli.database import database, stored_event
from scheduler.cli.live import clock_option
from scheduler.cli.output import echo
from scheduler.db import PROJECT_ROOT, instance_path, make_engine, transaction
from scheduler.models import Speaker
from scheduler.plaintext import one_line
from scheduler.problem_file import ProblemFileError, load_problem
from scheduler.schema import upgrade
from scheduler.speaker_links import issue_links, renew_token, revoke_tokens, speaker_link
from scheduler.store import StoreError, import_problem
from scheduler.versions import VersionError, publish, save_draft
from solver.domain import Problem, Schedule
from solver.options import Progress

DEFAULT_BASE_URL = "http://127.0.0.1:5000"
SAMPLE_PROBLEM = PROJECT_ROOT / "data" / "wsis20-2025.problem.json"
# July 2025 has passed: the demo runs its clock from a busy morning of the event, so Now & Next is live.
DEMO_CLOCK = "2025-07-08T10:55"


def run_server(host: str, port: int) -> None:
    """Serve the web app (pages, feeds and live updates) for DATABASE_URL until interrupted."""
    # One gevent process holds thousands of Socket.IO connections only if blocking I/O
    # (database, Redis, sockets) yields to other greenlets; patch before any connection exists.
    from gevent import monkey

    monkey.patch_all()
    # Imported here: the CLI's other commands need not load Flask and Socket.IO.
    from webapp import create_app
    from webapp.extensions import socketio

    app = create_app()
    echo(f"Serving the agenda on http://{host}:{port}/ (Ctrl+C to stop)")
    try:
        socketio.run(app, host=host, port=port)
    except OSError as error:  # the port is taken, or the address is not this machine's
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror or error}") from None


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@clock_option()
def serve_command(host: str, port: int) -> None:
    """Serve the public agenda for the database in DATABASE_URL."""
    run_server(host, port)


# --- speaker links ---------------------------------------------------------------------------


def _speaker(speakers: list[Speaker], key: str) -> Speaker:
    found = next((s for s in speakers if s.key == key), None)
    if found is None:
        raise click.ClickException(f"no speaker with id {key!r} in this event")
    return found


def _line(speaker: Speaker, link: str) -> str:
    # Tab-separated, one speaker a line: a name holding a tab or a line break must not add a field or a line.
    return f"{one_line(speaker.key)}\t{one_line(speaker.name)}\t{link}"


@click.command("speaker-links")
@click.argument("event_ref", metavar="[EVENT]", required=False)
@click.option("--base-url", default=DEFAULT_BASE_URL, show_default=True, help="The public site's address.")
@click.option("--revoke", "revoke_key", metavar="SPEAKER", help="Revoke this speaker's link (by speaker id).")
@click.option("--new", "renew", is_flag=True, help="Issue fresh links, revoking the old ones.")
def speaker_links_command(event_ref: str | None, base_url: str, revoke_key: str | None, renew: bool) -> None:
    """Print each speaker's private page link, creating links for speakers who have none.

    A link can be shown only when it is created (only its hash is stored), so speakers who already
    have one are listed without it. --new issues fresh links for everyone; --revoke SPEAKER cuts one
    speaker's link (with --new, that speaker gets a fresh one). Output: speaker id, name and link,
    tab-separated, one speaker per line.
    """
    with database() as engine, stored_event(engine, event_ref) as (db, event):
        if revoke_key is not None:
            speaker = _speaker(list(event.speakers), revoke_key)
            if renew:
                echo(_line(speaker, speaker_link(base_url, renew_token(db, speaker))))
            else:
                count = revoke_tokens(db, speaker)
                echo(f"Revoked {count} link(s) of {speaker.key} ({speaker.name}).")
            return
        for issued in issue_links(db, event, renew=renew):
            already = "(already issued; --new replaces it)"
            link = speaker_link(base_url, issued.token) if issued.token else already
            echo(_line(issued.speaker, link))


# --- demo ------------------------------------------------------------------------------------


def demo_database_url() -> str:
    """The embedded SQLite database in the instance folder, whatever DATABASE_URL says."""
    return f"sqlite:///{instance_path() / 'agenda.db'}"


def _progress_printer() -> Callable[[Progress], None]:
    """Print each better agenda the solver finds (bound-only updates are too many to show)."""
    last: list[float | None] = [None]

    def show(progress: Progress) -> None:
        if progress.objective is None or progress.objective == last[0]:
            return
        last[0] = progress.objective
        bound = "" if progress.bound is None else f", lower bound {progress.bound:g}"
        echo(f"  {progress.elapsed:6.1f}s  agenda found, cost {progress.objective:g}{bound}")

    return show


def _solve(problem: Problem, time_limit: float) -> Schedule:
    from solver import SolveOptions, solve  # loads OR-Tools: only when solving

    echo(
        f"Solving {len(problem.sessions)} sessions in {len(problem.rooms)} rooms (up to {time_limit:g}s)..."
    )
    schedule = solve(problem, SolveOptions(time_limit=time_limit), on_progress=_progress_printer())
    if schedule.status == "infeasible":
        reasons = "\n".join(f"  {c.message}" for c in schedule.conflicts)
        raise click.ClickException(f"the sample event has no agenda:\n{reasons}")
    if schedule.status == "unknown":
        raise click.ClickException(
            f"the solver found no agenda within {time_limit:g}s: try a longer --time-limit"
        )
    echo(
        f"Solved: {schedule.status}, {len(schedule.assignments)} sessions placed, "
        f"{len(schedule.unscheduled)} left out, cost {schedule.objective}"
    )
    return schedule


def import_solve_publish(engine: Engine, problem_path: Path, time_limit: float) -> str:
    """Import (or re-import) the sample, solve it, publish the result; return the event's slug."""
    try:
        problem = load_problem(problem_path)
    except ProblemFileError as error:
        raise click.ClickException(f"{problem_path}: {error}") from None
    try:
        with transaction(engine) as db:
            slug = import_problem(db, problem).slug
    except StoreError as error:
        raise click.ClickException(f"{problem_path}: {error}") from None
    echo(f"Imported {problem.event.name} as event {slug!r}.")
    schedule = _solve(problem, time_limit)
    try:
        with transaction(engine) as db:
            event = find_event(db, slug)
            draft = save_draft(db, event, schedule, note="scheduler demo: solver result")
            version = publish(db, event, draft)
            echo(f"Saved draft version {draft.number}; published it as version {version.number}.")
    except VersionError as error:
        raise click.ClickException(str(error)) from None
    return slug


@click.command("demo")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-serve", is_flag=True, help="Prepare the database, then exit without serving.")
@click.option(
    "--time-limit",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=1),
    help="Seconds the solver may search.",
)
@clock_option(DEMO_CLOCK)
def demo_command(port: int, no_serve: bool, time_limit: float) -> None:
    """Solve and publish the WSIS+20 sample event in the embedded database, then serve it.

    Uses instance/agenda.db (not DATABASE_URL), brings its schema up to date, imports
    data/wsis20-2025.problem.json (updating it if already there), solves it, saves the result
    as a draft and publishes it.
    """
    url = demo_database_url()
    engine = make_engine(url)
    try:
        upgrade(engine)
        slug = import_solve_publish(engine, SAMPLE_PROBLEM, time_limit)
    finally:
        engine.dispose()
    echo(f"The agenda is at http://127.0.0.1:{port}/")
    if no_serve:
        return
    # The server reads its database and event from the environment, as in production.
    os.environ["DATABASE_URL"] = url
    os.environ["AGENDA_EVENT"] = slug
    run_server("127.0.0.1", port)
