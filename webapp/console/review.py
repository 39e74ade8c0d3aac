"""Drafts and published versions: review one against the published agenda, explain an infeasible
result, publish; and the stored problem the explanations link to."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import LazyString, lazy_gettext
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from scheduler.diff import Change
from scheduler.models import Room, ScheduleVersion, Session, SessionSpeaker, Speaker
from solver.domain import Assignment, Conflict
from webapp.console import bp, operations
from webapp.db import get_db

# What to relax, by the rule a conflict names (its first word or two).
RELAX: dict[str, LazyString] = {
    "speaker overlap": lazy_gettext(
        "Give one of the sessions another speaker, or drop the speaker from one."
    ),
    "speaker availability": lazy_gettext(
        "Widen the speaker's available times, or ask someone else to speak."
    ),
    "fixed": lazy_gettext("Unfix the session's room or start, or fix it somewhere else."),
    "window": lazy_gettext("Widen the session's window (earliest start, latest end)."),
    "after": lazy_gettext("Drop or reverse the 'after' order between these sessions."),
    "room unavailab": lazy_gettext(
        "Shorten the room's unavailable period, or let the session use another room."
    ),
    "room fit": lazy_gettext("Lower the expected attendance or the requirements, or add a room that fits."),
    "opening hours": lazy_gettext("Shorten the session, or open the day longer between breaks."),
    "changeover": lazy_gettext("Shorten the changeover between sessions in a room."),
    "rules.no_overlap": lazy_gettext("Take a session out of that no-overlap group."),
}
RELAX_ANY = lazy_gettext("Relax one of the rules named: each of them is needed for the clash.")


def relax_advice(conflict: Conflict) -> list[str]:
    found = [
        str(text) for prefix, text in RELAX.items() if any(rule.startswith(prefix) for rule in conflict.rules)
    ]
    return found or [str(RELAX_ANY)]


@dataclass(frozen=True, slots=True)
class Cell:
    key: str
    title: str
    start: datetime
    end: datetime
    change: str  # "", "new", "moved" or "cancelled"


@dataclass(frozen=True, slots=True)
class DayGrid:
    day: date
    rooms: list[str]
    rows: list[tuple[datetime, list[list[Cell]]]]


def day_grids(
    assignments: tuple[Assignment, ...], changes: list[Change], titles: dict[str, str], room_order: list[str]
) -> list[DayGrid]:
    """Per day: a row per start time, a column per room, changed sessions marked; cancelled ones
    stay where they were, marked, so the team sees what disappears."""
    kinds = {c.session: c.kind for c in changes}
    cells = [
        Cell(a.session, titles.get(a.session, a.session), a.start, a.end, kinds.get(a.session, ""))
        for a in assignments
    ]
    for c in changes:
        if c.kind == "cancelled" and c.before is not None:
            cells.append(
                Cell(c.session, titles.get(c.session, c.session), c.before.start, c.before.end, "cancelled")
            )
    by_day: dict[date, dict[datetime, dict[str, list[Cell]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    room_of = {a.session: a.room for a in assignments} | {
        c.session: c.before.room for c in changes if c.kind == "cancelled" and c.before
    }
    for cell in cells:
        by_day[cell.start.date()][cell.start][room_of[cell.key]].append(cell)
    grids = []
    for day in sorted(by_day):
        used = [r for r in room_order if any(r in row for row in by_day[day].values())]
        rows = [(start, [by_day[day][start].get(room, []) for room in used]) for start in sorted(by_day[day])]
        grids.append(DayGrid(day, used, rows))
    return grids


@bp.get("/versions")
def versions() -> ResponseReturnValue:
    db = get_db()
    event = operations.require_event()
    rows = db.scalars(
        select(ScheduleVersion)
        .where(ScheduleVersion.event_id == event.id)
        .order_by(ScheduleVersion.number.desc())
    ).all()
    return render_template("console/versions.html", versions=rows)


@dataclass(frozen=True, slots=True)
class Names:
    """Session titles and room names by id, rooms in the event's order."""

    titles: dict[str, str]
    rooms: dict[str, str]


def names() -> Names:
    """Read once per import: the review needs names, not the whole problem."""
    db = get_db()
    event = operations.require_event()

    def read() -> Names:
        titles = db.execute(select(Session.key, Session.title).where(Session.event_id == event.id)).all()
        rooms = db.execute(
            select(Room.key, Room.name).where(Room.event_id == event.id).order_by(Room.position)
        ).all()
        return Names(dict(titles), dict(rooms))  # type: ignore[arg-type]

    return operations.cached("names", (event.id, event.imported_at), read)


def _shown_day(grids: list[DayGrid], changes: list[Change], wanted: str | None) -> DayGrid | None:
    """The day asked for, else the first day with a change, else the first day."""
    by_day = {grid.day.isoformat(): grid for grid in grids}
    if wanted in by_day:
        return by_day[wanted]
    changed = {when.start.date() for c in changes for when in (c.before, c.after) if when is not None}
    return next((grid for grid in grids if grid.day in changed), grids[0] if grids else None)


@bp.get("/versions/<int:number>")
def version(number: int) -> ResponseReturnValue:
    review = operations.review(number)
    named = names()
    event = operations.require_event()
    grids = operations.cached(
        "grids",
        # A draft's grid changes with each edit: its revision is part of the key.
        (review.version.id, review.version.revision, review.published.id if review.published else None,
         event.imported_at),
        lambda: day_grids(review.schedule.assignments, review.changes, named.titles, list(named.rooms)),
    )
    explained = [(c, relax_advice(c)) for c in review.schedule.conflicts]
    shown = _shown_day(grids, review.changes, request.args.get("day"))
    return render_template(
        "console/version.html",
        review=review,
        grids=grids,
        shown=shown,
        rooms=named.rooms,
        titles=named.titles,
        explained=explained,
    )


@bp.post("/versions/<int:number>/publish")
def publish(number: int) -> ResponseReturnValue:
    confirmed = request.form.get("confirm_broken_rules") == "yes"
    published = operations.publish_version(number, request.form.get("note", ""), confirmed)
    flash(_("Published version %(number)s.", number=published.number))
    return redirect(url_for("console.version", number=published.number))


PROBLEM_PAGE = 200


def _rows(kind: type[Any], loads: Any, wanted: set[str], page: int, event_id: int) -> list[Any]:
    """The event's rows of one kind: those `wanted` by id, else one page of them in file order."""
    query = select(kind).where(kind.event_id == event_id).options(loads).order_by(kind.position)
    if hasattr(kind, "removed_at"):
        query = query.where(kind.removed_at.is_(None))
    if wanted:
        return list(get_db().scalars(query.where(kind.key.in_(wanted))))
    return list(get_db().scalars(query.offset((page - 1) * PROBLEM_PAGE).limit(PROBLEM_PAGE + 1)))


@bp.get("/problem")
def problem() -> ResponseReturnValue:
    """The stored problem, with an anchor per session, speaker and room for explanations to link to.

    `?session=ID&speaker=ID&room=ID` (each may repeat) shows only those; otherwise sessions and
    speakers come 200 to a page (`?page=N`), rooms all at once.
    """
    event = operations.require_event()
    wanted = {kind: set(request.args.getlist(kind)) for kind in ("session", "speaker", "room")}
    narrowed = any(wanted.values())
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    sessions = (
        _rows(
            Session,
            selectinload(Session.speaker_links).joinedload(SessionSpeaker.speaker),
            wanted["session"],
            page,
            event.id,
        )
        if wanted["session"] or not narrowed
        else []
    )
    speakers = (
        _rows(Speaker, selectinload(Speaker.available), wanted["speaker"], page, event.id)
        if wanted["speaker"] or not narrowed
        else []
    )
    rooms = (
        _rows(Room, selectinload(Room.unavailable), wanted["room"], 1, event.id)
        if wanted["room"] or not narrowed
        else []
    )
    more = not narrowed and (len(sessions) > PROBLEM_PAGE or len(speakers) > PROBLEM_PAGE)
    return render_template(
        "console/problem.html",
        event=event,
        narrowed=narrowed,
        page=page,
        more=more,
        sessions=sessions[:PROBLEM_PAGE],
        speakers=speakers[:PROBLEM_PAGE],
        rooms=rooms,
    )
