"""`scheduler serve`, `scheduler demo` and `scheduler speaker-links`: the public site and its links."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from scheduler import config
from scheduler.cli.acting import acting
from scheduler.cli.database import InputError, database, stored_event
from scheduler.cli.live import clock_option
from scheduler.cli.mailing import mailing, written
from scheduler.cli.output import echo, plural
from scheduler.config import PROJECT_ROOT
from scheduler.plaintext import one_line

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from scheduler import live
    from scheduler.models import Speaker
    from solver.domain import Problem, Schedule
    from solver.options import Progress

DEFAULT_BASE_URL = "http://127.0.0.1:5000"
SAMPLE_PROBLEM = PROJECT_ROOT / "data" / "wsis20-2025.problem.json"
# July 2025 has passed: the demo runs its clock from a busy morning of the event, so Now & Next is live.
DEMO_CLOCK = "2025-07-08T10:55"
# A real, public meeting service, so that "Join online" opens a room during the demo (override it
# with JOIN_URL_TEMPLATE or JOIN_PROVIDER; see docs/remote-participation.md).
DEMO_JOIN_URL_TEMPLATE = "https://meet.jit.si/{event}-{room}"
# The account `scheduler demo` creates for the console, with a one-time password it prints.
DEMO_ADMIN = "admin@example.org"


def _shared_clock(settings: dict[str, Any]) -> live.EventClock:
    """The configured event clock, pinned to a real instant and recorded for the `live` commands."""
    from scheduler import live
    from scheduler.db import database_url

    try:
        clock = live.EventClock.parse(settings["AGENDA_CLOCK"])
    except live.LiveError as error:
        raise InputError(f"AGENDA_CLOCK: {error}") from None
    shared = clock.shared()
    if shared is not None:
        # Every process that reads the setting now shows the same time, however late it starts.
        os.environ["AGENDA_CLOCK"] = shared
        live.record_clock(shared, database_url(settings["DATABASE_URL"]))
    return clock


def run_server(host: str, port: int, banner: Sequence[str] = ()) -> None:
    """Serve the web app (pages, feeds and live updates) for DATABASE_URL until interrupted."""
    # One gevent process holds thousands of Socket.IO connections only if blocking I/O
    # (database, Redis, sockets) yields to other greenlets; patch before any connection exists.
    from gevent import monkey

    monkey.patch_all()
    # Imported here: the CLI's other commands need not load Flask and Socket.IO.
    from scheduler import live
    from scheduler.db import DatabaseUnavailable, instance_path
    from webapp import create_app
    from webapp.extensions import socketio

    settings = config.load()
    _shared_clock(settings)
    if not settings["SECRET_KEY"]:
        config.instance_key(instance_path(), create=True)
        echo(f"No SECRET_KEY is set: cookies are signed with a new random key kept in "
             f"{instance_path() / config.INSTANCE_KEY_FILE} (readable by you only).")
    # Stopped by a service manager (SIGTERM) as by Ctrl+C: leave through `finally`.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        try:
            app = create_app()
        except (DatabaseUnavailable, config.ConfigError) as error:  # refuse to start, not answer 500
            raise InputError(str(error)) from None
        for line in banner or [f"Serving the agenda on http://{host}:{port}/ (Ctrl+C to stop)"]:
            echo(line)
        socketio.run(app, host=host, port=port)
    except OSError as error:  # the port is taken, or the address is not this machine's
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    finally:
        live.forget_clock()


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@clock_option()
def serve_command(host: str, port: int) -> None:
    """Serve the public agenda for the database in DATABASE_URL.

    With --clock (or AGENDA_CLOCK) the event clock starts at that venue time now and runs on;
    `scheduler live` commands on this machine use the same clock while the server runs.
    """
    run_server(host, port)


# --- speaker links ---------------------------------------------------------------------------


def _speaker(speakers: list[Speaker], key: str) -> Speaker:
    found = next((s for s in speakers if s.key == key), None)
    if found is None:
        raise InputError(f"no speaker with id {key!r} in this event")
    return found


def _line(speaker: Speaker, link: str) -> str:
    # Tab-separated, one speaker a line: a name holding a tab or a line break must not add a field or a line.
    return f"{one_line(speaker.key)}\t{one_line(speaker.name)}\t{link}"


@click.command("speaker-links")
@click.argument("event_ref", metavar="[EVENT]", required=False)
@click.option("--base-url", default=DEFAULT_BASE_URL, show_default=True, help="The public site's address.")
@click.option("--revoke", "revoke_key", metavar="SPEAKER", help="Revoke this speaker's link (by speaker id).")
@click.option("--new", "renew", is_flag=True, help="Issue fresh links, revoking the old ones.")
@click.option(
    "--email",
    "by_email",
    is_flag=True,
    help="Put a message with a fresh link in the outbox for each speaker with an email; print the others.",
)
def speaker_links_command(
    event_ref: str | None, base_url: str, revoke_key: str | None, renew: bool, by_email: bool
) -> None:
    """Print each speaker's private page link, creating links for speakers who have none.

    A link can be shown only when it is created (only its hash is stored), so speakers who already
    have one are listed without it. --new issues fresh links for everyone; --revoke SPEAKER cuts one
    speaker's link (with --new, that speaker gets a fresh one). Output: speaker id, name and link,
    tab-separated, one speaker per line.
    """
    from scheduler import notifications
    from scheduler.speaker_links import issue_links, renew_token, revoke_tokens, speaker_link

    with database() as engine, stored_event(engine, event_ref) as (db, event):
        if revoke_key is not None:
            speaker = _speaker(list(event.speakers), revoke_key)
            if renew:
                echo(_line(speaker, speaker_link(base_url, renew_token(db, speaker))))
            else:
                count = revoke_tokens(db, speaker)
                echo(f"Revoked {count} link(s) of {speaker.key} ({speaker.name}).")
            return
        done = None
        if by_email:
            found = mailing(base_url)
            if found is None:
                raise InputError("cannot write messages: see above")
            done = notifications.speaker_links(db, event, found, actor=acting(db))
        for issued in issue_links(db, event, renew=renew, actor=acting(db), without_email=by_email):
            already = "(already issued; --new replaces it)"
            link = speaker_link(base_url, issued.token) if issued.token else already
            echo(_line(issued.speaker, link))
    written(done)


# --- demo ------------------------------------------------------------------------------------


def demo_database_url() -> str:
    """The embedded SQLite database in the instance folder, whatever DATABASE_URL says."""
    from scheduler.config import instance_path

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


def _solve(problem: Problem, time_limit: float, baseline: Schedule | None) -> Schedule:
    from solver import SolveOptions, solve  # loads OR-Tools: only when solving

    echo(
        f"Solving {len(problem.sessions)} sessions in {len(problem.rooms)} rooms (up to {time_limit:g}s)..."
    )
    options = SolveOptions(time_limit=time_limit)
    schedule = solve(problem, options, baseline=baseline, on_progress=_progress_printer())
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


@dataclass(frozen=True, slots=True)
class Stored:
    """What the database holds of an event: its problem, and its latest published schedule."""

    problem: Problem | None
    published: int | None
    schedule: Schedule | None


def _stored(engine: Engine, slug: str) -> Stored:
    from sqlalchemy import select

    from scheduler.agenda import latest_published
    from scheduler.db import transaction
    from scheduler.models import Event
    from scheduler.store import export_problem
    from scheduler.versions import version_schedule

    with transaction(engine) as db:
        event = db.scalars(select(Event).where(Event.slug == slug)).first()
        if event is None:
            return Stored(None, None, None)
        version = latest_published(db, event)
        schedule = version_schedule(db, version) if version is not None else None
        return Stored(export_problem(db, event), version.number if version else None, schedule)


def import_solve_publish(engine: Engine, problem_path: Path, time_limit: float) -> str:
    """Serve what is published when the stored event and its file agree; otherwise import the file
    and publish a new agenda, moving as few sessions as possible from the published one. Returns
    the event's slug."""
    from scheduler.agenda import find_event
    from scheduler.db import transaction
    from scheduler.problem_file import ProblemFileError, load_problem
    from scheduler.store import StoreError, import_problem, slugify
    from scheduler.versions import VersionError, publish_schedule

    try:
        problem = load_problem(problem_path)
    except ProblemFileError as error:
        raise click.ClickException(f"{problem_path}: {error}") from None
    slug = slugify(problem.event.name)
    stored = _stored(engine, slug)
    if stored.published is not None and stored.problem == problem:
        echo(f"{problem_path.name} is unchanged: serving published version {stored.published}.")
        return slug
    try:
        with transaction(engine) as db:
            import_problem(db, problem, slug, actor=acting(db))
    except StoreError as error:
        raise click.ClickException(f"{problem_path}: {error}") from None
    echo(f"Imported {problem.event.name} as event {slug!r}.")
    if stored.published is not None:
        echo(
            f"{problem_path.name} changed since published version {stored.published}: "
            "re-planning, moving as few sessions as possible."
        )
    schedule = _solve(problem, time_limit, stored.schedule)
    try:
        with transaction(engine) as db:
            event = find_event(db, slug)
            note = "scheduler demo: solver result"
            version = publish_schedule(db, event, schedule, note=note, actor=acting(db))
            moved = sum(c.kind == "moved" for c in version.changes)
            echo(f"Published version {version.number} ({plural(moved, 'session')} moved).")
    except VersionError as error:
        raise click.ClickException(str(error)) from None
    return slug


def _demo_settings(slug: str, url: str) -> bool:
    """Point the server at the demo database and event, and give it a real join provider unless the
    configuration names one. Returns whether the demo's join provider is used."""
    from scheduler.joinlinks import provider_from_config

    os.environ["DATABASE_URL"] = url
    os.environ["AGENDA_EVENT"] = slug
    demo_rooms = provider_from_config(config.load()) is None
    if demo_rooms:
        os.environ["JOIN_URL_TEMPLATE"] = DEMO_JOIN_URL_TEMPLATE
    return demo_rooms


def demo_console_account(engine: Engine) -> str:
    """How to sign in to the console: a demo admin the first time, with its one-time password."""
    from scheduler import accounts
    from scheduler.db import transaction

    with transaction(engine) as db:
        if accounts.users(db):
            return f"sign in with your account (lost it? scheduler users reset-password {DEMO_ADMIN})"
        _, password = accounts.add_user(db, DEMO_ADMIN, "admin", name="Demo admin", actor=acting(db))
    return f"sign in as {DEMO_ADMIN} with the one-time password {password}, then choose your own"


@click.command("demo")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-serve", is_flag=True, help="Prepare the database, then exit without serving.")
@click.option(
    "--time-limit",
    # The first agenda comes within a second; 10 s keeps a fresh machine's first start (install,
    # solve, serve) near a minute. --time-limit 60 gives a slightly better agenda.
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=1),
    help="Seconds the solver may search.",
)
@clock_option(DEMO_CLOCK)
def demo_command(port: int, no_serve: bool, time_limit: float) -> None:
    """Publish the WSIS+20 sample event in the embedded database and serve it.

    Uses instance/agenda.db (not DATABASE_URL) and brings its schema up to date. When the stored
    event and data/wsis20-2025.problem.json agree and an agenda is published, that agenda is
    served as it is; otherwise the file is imported and solved, moving as few sessions as possible
    from the published agenda, and the result is published.
    """
    from scheduler import live
    from scheduler.db import make_engine
    from scheduler.schema import upgrade

    url = demo_database_url()
    engine = make_engine(url)
    try:
        upgrade(engine)
        slug = import_solve_publish(engine, SAMPLE_PROBLEM, time_limit)
        console = demo_console_account(engine)
    finally:
        engine.dispose()
    root = f"http://127.0.0.1:{port}/"
    demo_rooms = _demo_settings(slug, url)
    clock = live.EventClock.parse(config.load()["AGENDA_CLOCK"]).start
    rooms = f"public Jitsi Meet rooms ({DEMO_JOIN_URL_TEMPLATE})" if demo_rooms else "as configured"
    banner = [
        "",
        f"The agenda:  {root}",
        f"Now & Next:  {root}now",
        f"Demo clock:  {clock:%A} {clock.day} {clock:%B %Y, %H:%M} at the venue, running forward from now"
        if clock
        else "Clock:       the real time at the venue",
        f"Join online: {rooms}",
        f"Console:     {root}console/ ({console})",
        "Press Ctrl+C to stop.",
    ]
    if no_serve:
        echo("\n".join(banner[:-1]))
        return
    run_server("127.0.0.1", port, banner)
