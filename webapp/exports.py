"""`/export/agenda.csv` and `/export/agenda.xlsx`: the published agenda as a spreadsheet.

For the programme team's mail merges, room sheets and interpreters' rotas; public data only (what
the pages show, as it stands after the team's live changes), so no login is needed. Cancelled
sessions stay in, marked. Both files are built once per state of the agenda (`webapp.pages.published`).

A cell that starts with `=`, `+`, `-`, `@` (or a tab or carriage return) would run as a formula in
Excel or LibreOffice when opened: in the CSV it gets a leading apostrophe (OWASP's advice); the
XLSX stores every text as a string cell, so it is never read as a formula and keeps its text.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from datetime import date, datetime, time

from flask import Blueprint, Response, abort, url_for
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from scheduler.xmltext import xml_safe
from webapp.pages import current_programme, published
from webapp.programme import Programme, SessionView

bp = Blueprint("exports", __name__, url_prefix="/export")

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIST_SEPARATOR = "; "

Cell = str | int | date | time


def _header(programme: Programme) -> list[str]:
    local = f"({programme.timezone})"
    return [
        "Session ID", "Title", "Type", "Status", "Date", f"Start {local}", f"End {local}", "Minutes",
        "Delay (minutes)", f"Published start {local}", "Room ID", "Room", "Hybrid", "Tracks", "Speakers",
        "Organizers", "Interpretation", "Page",
    ]  # fmt: skip


def _row(session: SessionView) -> list[Cell]:
    return [
        session.key,
        session.title,
        session.type,
        session.status,
        session.day,
        session.start.time(),
        session.end.time(),
        session.minutes,
        session.delay_minutes,
        session.scheduled_start.time(),
        session.room.key,
        session.room.name,
        "yes" if session.hybrid else "no",
        LIST_SEPARATOR.join(session.tracks),
        LIST_SEPARATOR.join(p.name for p in session.speakers),
        LIST_SEPARATOR.join(session.organizers),
        " ".join(session.interpretation),
        url_for("agenda.session", key=session.key, _external=True),
    ]


def _programme() -> Programme:
    programme = current_programme()
    if programme is None:
        abort(404, description="No agenda has been published yet.")
    return programme


def _filename(programme: Programme, extension: str) -> str:
    return f"{programme.slug}-agenda-v{programme.version_number}.{extension}"


def _attachment(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- CSV -------------------------------------------------------------------------------------------


def defuse(text: str) -> str:
    """Text a spreadsheet shows as written, never evaluates: a leading apostrophe before formula starts."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_cell(value: Cell) -> str:
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return defuse(value) if isinstance(value, str) else str(value)


def agenda_csv(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    """UTF-8 with a byte-order mark (Excel then reads it as UTF-8), CRLF rows, every field quoted."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_csv_cell(v) for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@bp.get("/agenda.csv")
@published()
def csv_export() -> Response:
    programme = _programme()
    body = agenda_csv(_header(programme), [_row(s) for s in programme.sessions])
    return _attachment(Response(body, mimetype="text/csv"), _filename(programme, "csv"))


# --- XLSX ------------------------------------------------------------------------------------------

_NUMBER_FORMATS = {date: "yyyy-mm-dd", time: "hh:mm"}
# The date every part of a workbook carries (the earliest a zip archive can hold): the same agenda
# is then the same bytes, and the same ETag, on every server process.
_STAMP = (1980, 1, 1, 0, 0, 0)
_WIDEST_COLUMN = 60


def agenda_xlsx(title: str, header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    workbook = Workbook()
    workbook.properties.created = workbook.properties.modified = datetime(*_STAMP)
    sheet = workbook.active
    sheet.title = "Agenda"
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        # XML 1.0 cannot hold some characters at all (U+FFFE, most controls): one would spoil the file.
        sheet.append([xml_safe(v) if isinstance(v, str) else v for v in row])
        for cell, value in zip(sheet[sheet.max_row], row, strict=True):
            if isinstance(value, str):
                cell.data_type = "s"  # text, even when it starts like a formula
            elif type(value) in _NUMBER_FORMATS:
                cell.number_format = _NUMBER_FORMATS[type(value)]
    for index, column in enumerate(sheet.iter_cols(values_only=True), start=1):
        widest = max(len(str(v)) for v in column if v is not None)
        sheet.column_dimensions[get_column_letter(index)].width = min(widest + 2, _WIDEST_COLUMN)
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = sheet.dimensions
    workbook.properties.title = title
    out = io.BytesIO()
    workbook.save(out)
    return _undated(out.getvalue())


def _undated(archive: bytes) -> bytes:
    """The workbook's zip archive again, every part dated `_STAMP` instead of the time of writing."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as source, zipfile.ZipFile(out, "w") as target:
        for part in source.infolist():
            info = zipfile.ZipInfo(part.filename, date_time=_STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(part))
    return out.getvalue()


@bp.get("/agenda.xlsx")
@published()
def xlsx_export() -> Response:
    programme = _programme()
    title = f"{programme.name}, version {programme.version_number}"
    body = agenda_xlsx(title, _header(programme), [_row(s) for s in programme.sessions])
    return _attachment(Response(body, mimetype=XLSX_MIMETYPE), _filename(programme, "xlsx"))
