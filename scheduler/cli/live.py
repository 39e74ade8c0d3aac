"""`scheduler live ...`, `scheduler participants ...` and `scheduler figures`: running the day.

`live` commands change a session's state for today and announce it to every connected client
through the Socket.IO message queue (`SOCKETIO_MESSAGE_QUEUE`), whichever server process the
client is connected to. Without a queue the change still reaches clients: each server process
polls the database and pushes the new state within a second, but no announcement is shown.

Exit codes: 0 done; 1 refused (a cancelled or ended session); 2 bad input (an unknown session,
participant or event, a delay out of range, a malformed time); 3 stored but not announced (the
message queue could not be reached: the change stands, and the message says so).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import click

from scheduler.cli.acting import acting
from scheduler.cli.database import database, stored_event
from scheduler.cli.mailing import mailing, written
from scheduler.cli.output import echo, not_announced
from scheduler.limits import MAX_DELAY_MINUTES

if TYPE_CHECKING:
    from sqlalchemy.orm import Session as DbSession

    from scheduler import live
    from scheduler.figures import Figures, Parity
    from scheduler.models import Event

event_option = click.option(
    "--event", "event_ref", metavar="EVENT", help="Event id or slug (default: the only one)."
)


@contextmanager
def _unit_of_work(event_ref: str | None) -> Iterator[tuple[DbSession, Event]]:
    """The event in one transaction: unknown sessions and participants are bad input (exit 2), and
    changes the day's state refuses are clean errors (exit 1). Nothing is stored either way."""
    from scheduler import live, participants

    # Names of things that do not exist: bad input (exit 2), not a refusal.
    unknown = (live.UnknownSession, participants.ParticipantError)
    try:
        with database() as engine, stored_event(engine, event_ref, unknown) as (db, event):
            yield db, event
    except live.LiveError as error:
        raise click.ClickException(str(error)) from None


def _set_clock(_ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        from scheduler import live

        try:
            live.EventClock.parse(value)
        except live.LiveError as error:
            raise click.BadParameter(str(error)) from None
        # The web app reads AGENDA_CLOCK when it starts, and runs the clock forward from then.
        os.environ["AGENDA_CLOCK"] = value


def clock_option(default: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--clock TIME: run the event clock from a venue time, for rehearsals and demos."""
    return click.option(
        "--clock",
        metavar="TIME",
        default=default,
        show_default=default is not None,
        expose_value=False,
        callback=_set_clock,
        help="Run the event clock from this venue time, e.g. 2025-07-08T10:55 (demos, rehearsals).",
    )


# --- live --------------------------------------------------------------------------------------


@click.group("live")
def live_group() -> None:
    """Delay, cancel, start or end a session today; clients see it at once."""


def _change(
    event_ref: str | None, session_key: str, action: live.Action, minutes: int = 0, cascade: bool = False
) -> None:
    from scheduler import live, notifications, participants

    with _unit_of_work(event_ref) as (db, event):
        if action == "delay":
            changed = live.delay(db, event, session_key, minutes, cascade, actor=acting(db))
            overlapped = live.overlap_after(db, event, changed[-1])
        else:
            changed, overlapped = [live.change(db, event, session_key, action, actor=acting(db))], None
        followers = participants.bookmarking(db, [slot.session_id for slot in changed])
        found = mailing()
        done = found and notifications.live_changes(db, event, changed, action, found, acting(db))
    echo(live.describe(changed[0], action))
    written(done)
    for slot in changed[1:]:
        echo(f"Also delayed: {live.describe(slot, action)}")
    if overlapped is not None:
        last = changed[-1]
        echo(
            f"Warning: {last.title} now ends at {last.ends_at:%H:%M}, after {overlapped.title} "
            f"({overlapped.key}) starts at {overlapped.starts_at:%H:%M} in {last.room_name}. "
            "`scheduler live delay --cascade` delays the following sessions too.",
            err=True,
        )
    _announce(event, changed, action, followers)


def _announce(
    event: Event, changed: Sequence[live.Slot], action: live.Action, followers: dict[int, list[int]]
) -> None:
    from scheduler import live

    try:
        emitter = live.queue_emitter()
        sent = [
            live.notify_session(emitter, event, slot, action, followers.get(slot.session_id, []))
            for slot in changed
        ]
    except live.QueueError as error:
        not_announced("The change", error)
        return
    if all(sent):
        echo("Announced to connected clients through the message queue.")
    else:
        echo("No message queue configured: followers of the session get no immediate notice.")


def _session_command(action: live.Action, help_text: str) -> click.Command:
    @click.command(action, help=help_text)
    @click.argument("session_key", metavar="SESSION")
    @event_option
    def command(session_key: str, event_ref: str | None) -> None:
        _change(event_ref, session_key, action)

    return command


# "-5" is a (refused) number of minutes, not an unknown option.
@live_group.command("delay", context_settings={"ignore_unknown_options": True})
@click.argument("session_key", metavar="SESSION")
@click.argument("minutes", type=click.IntRange(0, MAX_DELAY_MINUTES))
@click.option(
    "--cascade", is_flag=True, help="Also delay the following sessions of the room that would overlap."
)
@event_option
def delay(session_key: str, minutes: int, cascade: bool, event_ref: str | None) -> None:
    """Announce that SESSION starts MINUTES late (0 puts it back on time); its end moves too.

    If it then overlaps the next session in its room, a warning names that session; --cascade
    delays each following session that would overlap, just enough, and shows each.
    """
    _change(event_ref, session_key, "delay", minutes, cascade)


_SESSION_ACTIONS: tuple[tuple[live.Action, str], ...] = (
    ("cancel", "Cancel SESSION for today (`live reset` undoes it)."),
    ("start", "Mark SESSION as started now, even before its time: join links open."),
    ("end", "Mark SESSION as ended now: join links close."),
    ("reset", "Withdraw every change made to SESSION today (back to the published agenda)."),
)
for _action, _help in _SESSION_ACTIONS:
    live_group.add_command(_session_command(_action, _help))


def _at_time(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime | None:
    from scheduler import live

    try:
        return live.EventClock.parse(value).start if value else None
    except live.LiveError as error:
        raise click.BadParameter(str(error)) from None


@live_group.command("status")
@click.option(
    "--at",
    "at_time",
    metavar="TIME",
    callback=_at_time,
    help="Event time to show, e.g. 2025-07-08T10:55 (default: now on the event clock).",
)
@event_option
def status(at_time: datetime | None, event_ref: str | None) -> None:
    """Show each room's session now and next, as the Now & Next page does.

    "Now" is on the event clock the servers run: a set clock a server on this machine was
    started with (`scheduler serve --clock`, `scheduler demo`), else AGENDA_CLOCK, else real time.
    """
    from scheduler import config, live

    settings = config.load()
    opens_before = timedelta(minutes=int(settings["JOIN_OPENS_MINUTES_BEFORE"]))
    with _unit_of_work(event_ref) as (db, event):
        now = at_time or live.configured_clock(settings).now(event.timezone)
        states = live.at(live.load_slots(db, event), now, opens_before)
    echo(f"{event.name} at {now:%Y-%m-%d %H:%M}")
    for room in live.board(states, now):
        echo(f"{room.room_name}:")
        echo(f"  now:  {_line(room.now)}")
        echo(f"  next: {_line(room.next)}")


def _line(state: live.SessionLive | None) -> str:
    if state is None:
        return "-"
    slot = state.slot
    delay = f", {slot.facts.delay_minutes} min late" if slot.facts.delay_minutes else ""
    return f"{slot.starts_at:%a %H:%M}-{slot.ends_at:%H:%M} {slot.key} {slot.title} [{state.phase}{delay}]"


# --- participants ----------------------------------------------------------------------------


@click.group("participants")
def participants_group() -> None:
    """List registered remote participants; revoke or re-issue their personal links."""


base_url_option = click.option(
    "--base-url",
    envvar="AGENDA_BASE_URL",
    default="http://127.0.0.1:5000",
    show_default=True,
    help="Public address of the site, for printed links (env AGENDA_BASE_URL).",
)


@participants_group.command("list")
@event_option
def list_participants(event_ref: str | None) -> None:
    """One line per participant: id, name, email, country, group, language, registration, status."""
    from scheduler import participants

    with _unit_of_work(event_ref) as (db, event):
        rows = participants.listing(db, event)
        for p in rows:
            status_text = f"revoked {p.revoked_at:%Y-%m-%d %H:%M}" if p.revoked_at else "active"
            echo(
                f"{p.id}\t{p.name}\t{p.email}\t{p.country}\t{p.stakeholder_group}\t{p.language}\t"
                f"{p.created_at:%Y-%m-%d %H:%M}\t{status_text}"
            )
    echo(f"{len(rows)} participant(s)", err=True)


@participants_group.command("revoke")
@click.argument("participant_id", metavar="ID", type=int)
@event_option
def revoke(participant_id: int, event_ref: str | None) -> None:
    """Stop participant ID's personal link working (their bookmarks are kept)."""
    from scheduler import participants

    with _unit_of_work(event_ref) as (db, event):
        participant = participants.find(db, event, participant_id)
        participants.revoke(participant, actor=acting(db))
        name = participant.name
    echo(f"Revoked the link of participant {participant_id} ({name}).")


@participants_group.command("reissue")
@click.argument("participant_id", metavar="ID", type=int)
@event_option
@base_url_option
def reissue(participant_id: int, event_ref: str | None, base_url: str) -> None:
    """Give participant ID a new personal link (printed once; the old one stops working)."""
    from scheduler import participants

    with _unit_of_work(event_ref) as (db, event):
        participant = participants.find(db, event, participant_id)
        token = participants.reissue(participant, actor=acting(db))
        name, email = participant.name, participant.email
    echo(f"New link for {name} <{email}>:")
    echo(participants.personal_link(base_url, token))


# --- figures ---------------------------------------------------------------------------------


@click.command("figures")
@click.argument("event_ref", metavar="[EVENT]", required=False)
def figures_command(event_ref: str | None) -> None:
    """Participation figures: registrations, joins per session, speakers, parity and youth."""
    from scheduler.figures import figures

    with _unit_of_work(event_ref) as (db, event):
        result = figures(db, event)
    echo(render_figures(result))


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _parity_line(p: Parity) -> str:
    return (
        f"  {p.label}: {p.speakers} speakers, women {p.women} ({_share(p.women_share)}), men {p.men}, "
        f"other {p.other}, not declared {p.gender_not_declared}; youth {p.youth} "
        f"({_share(p.youth_share)}), not declared {p.youth_not_declared}"
    )


def render_figures(f: Figures) -> str:
    version = f"version {f.version}" if f.version else "no published agenda"
    lines = [f"{f.event} ({version})", "", f"Registered participants: {f.registered}"]
    lines += ["By stakeholder group:", *(f"  {t.label}: {t.count}" for t in f.by_group)]
    lines += ["By country:", *(f"  {t.label}: {t.count}" for t in f.by_country)]
    lines += [
        f"Countries registered: {f.countries_registered}; countries reached (joined): {f.countries_reached}"
    ]
    lines += ["", "Sessions (remote joins / participants; expected on site / room capacity):"]
    for s in f.sessions:
        flag = "  [no woman speaker]" if s.parity.no_woman else ""
        lines.append(
            f"  {s.key} {s.title} ({s.room}): {s.joins} / {s.remote_participants}; "
            f"{s.expected_attendance} / {s.capacity}; women {_share(s.parity.women_share)}{flag}"
        )
    lines += ["", "Speakers by role:", *(f"  {t.label}: {t.count}" for t in f.speaker_roles)]
    for title, groups in (
        ("day", f.parity_by_day),
        ("session type", f.parity_by_type),
        ("track", f.parity_by_track),
    ):
        lines += ["", f"Parity and youth by {title}:", *(_parity_line(p) for p in groups)]
    flagged = f.sessions_without_women
    lines += [
        "",
        f"Sessions with no woman speaker: {len(flagged)}",
        *(f"  {s.key} {s.title}" for s in flagged),
    ]
    return "\n".join(lines)
