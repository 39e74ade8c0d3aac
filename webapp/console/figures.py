"""Participation, parity and youth figures: a sortable page, and the same tables as CSV or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from flask import Response, abort, render_template
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from openpyxl import Workbook
from sqlalchemy import func, select

from scheduler.effective import agenda_state
from scheduler.figures import Figures, Parity, agenda_figures, figures
from scheduler.models import Join, Participant
from webapp.console import bp, operations
from webapp.db import get_db

Table = tuple[str, list[str], list[list[object]]]


def current_figures() -> Figures:
    return _figures_and_key()[0]


def _figures_and_key() -> tuple[Figures, tuple[object, ...]]:
    """The figures, and what they depend on. The agenda's part (sessions, parity) is kept until the
    next publication or import; the joins and registrations are counted again when they changed
    (one cheap query tells), which during the event is all the time."""
    db = get_db()
    event = operations.require_event()
    # The agenda as it stands: its import, published version and the team's changes of the day.
    state = agenda_state(db, event.id)
    agenda_key = (event.id, state.tag if state else None)
    agenda = operations.cached("agenda_figures", agenda_key, lambda: agenda_figures(db, event))
    joins = (
        select(func.count(Join.id), func.max(Join.id))
        .join(Participant)
        .where(Participant.event_id == event.id)
    )
    people = select(
        func.count(Participant.id), func.max(Participant.id), func.max(Participant.revoked_at)
    ).where(Participant.event_id == event.id)
    key = (*agenda_key, *db.execute(joins).one(), *db.execute(people).one())
    return operations.cached("figures", key, lambda: figures(db, event, agenda)), key


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _parity_rows(groups: list[Parity]) -> list[list[object]]:
    return [
        [
            p.label,
            p.speakers,
            p.women,
            p.men,
            p.other,
            p.gender_not_declared,
            _share(p.women_share),
            p.youth,
            p.youth_not_declared,
            _share(p.youth_share),
        ]
        for p in groups
    ]


def tables(f: Figures) -> Iterator[Table]:
    """Every table of the figures, as (name, header, rows): what the exports write."""
    yield (
        _("Sessions"),
        [
            _("Session"),
            _("Title"),
            _("Room"),
            _("Remote joins"),
            _("Remote participants"),
            _("Expected on site"),
            _("Room capacity"),
            _("Women speakers"),
            _("Speakers"),
        ],
        [
            [
                s.key,
                s.title,
                s.room,
                s.joins,
                s.remote_participants,
                s.expected_attendance,
                s.capacity,
                s.parity.women,
                s.parity.speakers,
            ]
            for s in f.sessions
        ],
    )
    parity_header = [
        _("Group"),
        _("Speakers"),
        _("Women"),
        _("Men"),
        _("Other"),
        _("Gender not declared"),
        _("Women share"),
        _("Youth"),
        _("Youth not declared"),
        _("Youth share"),
    ]
    yield _("Parity by day"), parity_header, _parity_rows(f.parity_by_day)
    yield _("Parity by type"), parity_header, _parity_rows(f.parity_by_type)
    yield _("Parity by track"), parity_header, _parity_rows(f.parity_by_track)
    yield _("By stakeholder group"), [_("Group"), _("Registered")], [[t.label, t.count] for t in f.by_group]
    yield _("By country"), [_("Country"), _("Registered")], [[t.label, t.count] for t in f.by_country]


@bp.get("/figures")
def figures_page() -> ResponseReturnValue:
    f, key = _figures_and_key()
    # Thousands of rows: the tables are rendered once per state of the figures (and language).
    tables = operations.cached(
        "figures_html",
        (key, get_locale()),
        lambda: Markup(render_template("console/_figures_tables.html", f=f)),
    )
    return render_template("console/figures.html", f=f, tables=tables)


@bp.get("/figures.<fmt>")
def figures_export(fmt: str) -> ResponseReturnValue:
    if fmt not in ("csv", "xlsx"):
        abort(404)
    f = current_figures()
    name = f"figures-v{f.version or 0}"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        for title, header, rows in tables(f):
            writer.writerow([title])
            writer.writerows([header, *rows, []])
        return _download(out.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8", f"{name}.csv")
    book = Workbook()
    book.remove(book.active)
    for title, header, rows in tables(f):
        sheet = book.create_sheet(title[:31])
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(data.getvalue(), xlsx, f"{name}.xlsx")


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
