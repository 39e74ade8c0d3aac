"""The timetable editor of a draft: a day grid (rooms x time) to drag sessions on, filters, and a
form that does the same from lists (the keyboard and screen-reader path, WCAG 2.5.7).

Every edit goes through `operations.edit_draft`, as the API's do; the page's script
(`static/editor.js`) sends drags to the API and applies other editors' edits pushed over Socket.IO.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from scheduler.models import ScheduleVersion
from scheduler.versions import DRAFT
from solver.domain import Problem, Schedule
from webapp.console import bp, operations
from webapp.console.review import names
from webapp.db import get_db
from webapp.filters import fold

# The filters the grid reads from the query string; the forms carry them back after an edit.
FILTERS = ("day", "room", "track", "type", "q")


@dataclass(frozen=True, slots=True)
class Card:
    """A session as the grid shows it."""

    key: str
    title: str
    room: str | None
    start: datetime | None
    end: datetime | None
    pinned: bool
    overridden: list[str]
    shown: bool  # matches the filters


@dataclass(frozen=True, slots=True)
class Grid:
    day: date
    rooms: list[str]
    rows: list[tuple[datetime, list[list[Card]]]]


@dataclass(frozen=True, slots=True)
class Filters:
    day: date | None
    rooms: list[str]
    track: str
    type: str
    q: str

    @classmethod
    def from_args(cls, args: Any) -> Filters:
        try:
            day = date.fromisoformat(args.get("day", ""))
        except ValueError:
            day = None
        return cls(day, args.getlist("room"), args.get("track", ""), args.get("type", ""), args.get("q", ""))

    def matches(self, card_session: Any, title: str) -> bool:
        if self.track and self.track not in card_session.tracks:
            return False
        if self.type and card_session.type != self.type:
            return False
        return not self.q or fold(self.q) in fold(f"{card_session.id} {title}")


def _slots(problem: Problem, day: date) -> list[datetime]:
    calendar_day = next(d for d in problem.calendar.days if d.date == day)
    step = timedelta(minutes=problem.calendar.granularity_minutes)
    moment, slots = calendar_day.opens_at, []
    while moment < calendar_day.closes_at:
        slots.append(moment)
        moment += step
    return slots


def _cards(version: ScheduleVersion, problem: Problem, schedule: Schedule, filters: Filters) -> list[Card]:
    titles = names().titles
    placed = {a.session: a for a in schedule.assignments}
    cards = []
    for s in problem.sessions:
        a = placed.get(s.id)
        title = titles.get(s.id, s.id)
        cards.append(
            Card(
                s.id,
                title,
                a.room if a else None,
                a.start if a else None,
                a.end if a else None,
                s.id in version.pins,
                list(version.overrides.get(s.id, [])),
                filters.matches(s, title),
            )
        )
    return cards


def _grid(problem: Problem, cards: list[Card], filters: Filters, day: date) -> Grid:
    rooms = [r.id for r in problem.rooms if not filters.rooms or r.id in filters.rooms]
    at: dict[tuple[datetime, str], list[Card]] = {}
    for card in cards:
        if card.start is not None and card.room is not None and card.start.date() == day:
            at.setdefault((card.start, card.room), []).append(card)
    rows = [(slot, [at.get((slot, room), []) for room in rooms]) for slot in _slots(problem, day)]
    return Grid(day, rooms, rows)


def _page(number: int, refused: operations.ActionRefused | None = None) -> ResponseReturnValue:
    db = get_db()
    version = operations.find_version_or_404(number)
    if version.state != DRAFT:
        raise operations.ActionRefused(
            400, _("Only drafts are edited: version %(n)s is published.", n=number)
        )
    problem = operations.event_problem(db, version.event)
    schedule = operations.draft_schedule(db, version)
    filters = Filters.from_args(request.args)
    days = [d.date for d in problem.calendar.days]
    day = filters.day if filters.day in days else days[0]
    cards = _cards(version, problem, schedule, filters)
    page = render_template(
        "console/editor.html",
        version=version,
        problem=problem,
        grid=_grid(problem, cards, filters, day),
        days=days,
        cards=cards,
        # The list path offers what the grid shows: long lists would make the page slow to load and use.
        listed=[c for c in cards if c.shown and (c.start is None or c.start.date() == day)],
        starts=[slot for d in days for slot in _slots(problem, d)],
        filters=filters,
        rooms=names().rooms,
        tracks=sorted({t for s in problem.sessions for t in s.tracks}),
        types=sorted({s.type for s in problem.sessions if s.type}),
        refused=refused,
        kept={name: request.args.getlist(name) for name in FILTERS},
    )
    return page, refused.status if refused else 200


@bp.get("/versions/<int:number>/edit")
def editor(number: int) -> ResponseReturnValue:
    return _page(number)


@bp.post("/versions/<int:number>/edit")
def editor_action(number: int) -> ResponseReturnValue:
    action = request.form.get("action", "")
    try:
        outcome = operations.edit_draft(number, action, request.form)
    except operations.ActionRefused as refused:
        return _page(number, refused)
    data = operations.outcome_data(outcome)
    lines = [c["describe"] for c in data["changes"]] + data["effects"]
    lines += [_("Kept although it breaks: %(rule)s", rule=rule) for rule in data["override"]]
    flash(_("Done (%(action)s).", action=outcome.action) + (" " + "; ".join(lines) if lines else ""))
    return redirect(url_for("console.editor", number=number, **_kept_filters()))


@bp.post("/versions/<int:number>/replan")
def editor_replan(number: int) -> ResponseReturnValue:
    try:
        job = operations.start_solve(request.form, draft=number)
    except operations.ActionRefused as refused:
        return _page(number, refused)
    return redirect(url_for("console.job_page", job_id=job.id))


def _kept_filters() -> dict[str, list[str]]:
    return {
        name: request.form.getlist(f"keep_{name}") for name in FILTERS if request.form.getlist(f"keep_{name}")
    }
