"""Problem files as spreadsheets: the programme team's .xlsx workbook, read and written losslessly.

One sheet per list of the format (`sessions`, `rooms`, `speakers`, `days`, `rules`) and one per nested
list (`breaks`, `room_unavailable`, `speaker_available`, `preferred`, `session_translations`,
`speaker_translations`, whose rows name their parent in the first column), plus a key/value `event`
sheet. The columns come from the file reader's Shapes (`scheduler.problem_file`), so a key is declared
once; docs/spreadsheets.md documents every column.

A workbook is turned into the same JSON-shaped data a problem file holds and then validated by
`parse_problem`, so both formats obey exactly the same rules; each issue's JSON path is mapped back to
the sheet, row and column it came from, and the workbook's own problems (a value under no header, a
formula with no saved value) are reported with them. A blank cell means the key is absent. What a
plain cell cannot say exactly (an empty text or list, a null, a list item containing ';', extension
keys holding lists or objects) is written as JSON in the row's `json` column, so writing a problem and
reading it back gives the same problem.

Reading is bounded (`scheduler.limits`): the file's size and what it unpacks to are checked before
anything is parsed, a sheet's rows are counted as they are read, and every row there is is read,
whatever the sheet's `<dimension>` tag claims. Sheets with other names are never read.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, BinaryIO, Literal

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils.exceptions import InvalidFileException

from scheduler import problem_file as shapes
from scheduler.interchange import (
    ROOT,
    Field,
    Form,
    Issue,
    JsonObject,
    Parse,
    ProblemFileError,
    ReadingStopped,
    Shape,
    add_issue,
    child,
    item,
    quote,
    replace_atomically,
)
from scheduler.limits import (
    MAX_INFLATED_BYTES,
    MAX_SHEET_ROWS,
    MAX_WORKBOOK_PARTS,
    FileTooLarge,
    check_size,
)
from scheduler.problem_file import load_problem, parse_problem, problem_to_data
from scheduler.xmltext import xml_safe
from solver.domain import PROBLEM_FORMAT, Problem

Kind = Form | Literal["extension"]

SEPARATOR = ";"
JSON_COLUMN = "json"
# Excel keeps at most this many characters in a cell and 15 significant digits of a number.
MAX_CELL_TEXT = 32_767
MAX_EXACT_INT = 2**53
_EXTENSION_HEADER = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


@dataclass(frozen=True)
class Table:
    """How one sheet holds a list of objects of the format.

    `columns` are keys of the object; `flattened` nested objects get one column per key, named
    `<key>_<inner>`; `children` are nested lists kept on sheets of their own, whose rows name their
    parent by `key` in a first column called `parent`. A child sheet with `keyed_by` holds a mapping
    rather than a list: each row is the object under the key its `keyed_by` column names (the
    translations, one row per language). `headers` are the sheet's columns in order.
    """

    sheet: str
    headers: tuple[str, ...]
    columns: Mapping[str, Kind]
    key: str = "id"
    parent: str = ""
    keyed_by: str = ""
    flattened: Mapping[str, Mapping[str, Kind]] = field(default_factory=dict)
    children: Mapping[str, Table] = field(default_factory=dict)

    def kind(self, header: str) -> Kind | None:
        for key, inners in self.flattened.items():
            for inner, kind in inners.items():
                if header == f"{key}_{inner}":
                    return kind
        return self.columns.get(header)


def _form(name: str, parse: Parse) -> Form:
    if not isinstance(parse, Field) or parse.form is None:
        raise TypeError(f"{name!r} has no plain form: give it a sheet of its own or flatten it")
    return parse.form


def _table(
    sheet: str,
    fields: Mapping[str, Parse],
    *,
    key: str = "id",
    parent: str = "",
    keyed_by: str = "",
    flattened: Mapping[str, Shape] | None = None,
    children: Mapping[str, Table] | None = None,
) -> Table:
    """The sheet for objects read with `fields` (a Shape's): a column per key, in the Shape's order.

    So a key added to a Shape is a column of its sheet too; a key that is an object or a list of
    objects must be `flattened` or have a child sheet, or this refuses to build the table.
    """
    flattened, children = flattened or {}, children or {}
    headers = [name for name in (parent, keyed_by) if name]
    columns: dict[str, Kind] = {keyed_by: "text"} if keyed_by else {}
    flat: dict[str, dict[str, Kind]] = {}
    for name, parse in fields.items():
        if name in flattened:
            flat[name] = {inner: _form(inner, p) for inner, p in flattened[name].fields.items()}
            headers += [f"{name}_{inner}" for inner in flat[name]]
        elif name not in children:
            columns[name] = _form(name, parse)
            headers.append(name)
    return Table(sheet, tuple(headers), columns, key, parent, keyed_by, flat, children)


BREAKS = _table("breaks", shapes.BREAK.fields, parent="date")
DAYS = _table("days", shapes.DAY.fields, key="date", children={"breaks": BREAKS})
UNAVAILABLE = _table("room_unavailable", shapes.UNAVAILABLE.fields, parent="room")
ROOMS = _table("rooms", shapes.ROOM.fields, children={"unavailable": UNAVAILABLE})
AVAILABLE = _table("speaker_available", shapes.AVAILABLE.fields, parent="speaker")
SPEAKER_TRANSLATIONS = _table(
    "speaker_translations", shapes.SPEAKER_TEXTS, parent="speaker", keyed_by="language"
)
SPEAKERS = _table(
    "speakers",
    shapes.SPEAKER.fields,
    children={"available": AVAILABLE, "translations": SPEAKER_TRANSLATIONS},
)
PREFERRED = _table("preferred", shapes.PREFERENCE.fields, parent="session")
SESSION_TRANSLATIONS = _table(
    "session_translations", shapes.SESSION_TEXTS, parent="session", keyed_by="language"
)
SESSIONS = _table(
    "sessions",
    shapes.SESSION.fields,
    flattened={"fixed": shapes.FIXED, "window": shapes.WINDOW},
    children={"preferred": PREFERRED, "translations": SESSION_TRANSLATIONS},
)
RULES = _table("rules", shapes.NO_OVERLAP.fields, key="")
# Where each top-level table's list lives in the problem data.
TABLES: tuple[tuple[Table, tuple[str, ...]], ...] = (
    (SESSIONS, ("sessions",)),
    (ROOMS, ("rooms",)),
    (SPEAKERS, ("speakers",)),
    (DAYS, ("calendar", "days")),
    (RULES, ("rules", "no_overlap")),
)
EVENT_SHEET = "event"
# The `event` sheet's plain keys: which object of the file each belongs to, and its kind.
EVENT_KEYS: Mapping[str, tuple[str, Kind]] = {
    "name": ("event", "text"),
    "venue": ("event", "text"),
    "timezone": ("event", "text"),
    "granularity_minutes": ("calendar", "whole"),
    "changeover_minutes": ("calendar", "whole"),
}
# Rows of the `event` sheet holding the rest of an object as JSON, by the object's key in the file.
EVENT_JSON: Mapping[str, str] = {
    "event.json": "event",
    "calendar.json": "calendar",
    "rules.json": "rules",
    "problem.json": "",
}
KNOWN_HEADERS = frozenset(
    {header for table, _ in TABLES for header in table.headers}
    | {header for table, _ in TABLES for sub in table.children.values() for header in sub.headers}
    | {JSON_COLUMN, "key", "value"}
)
KNOWN_SHEETS = frozenset(
    {EVENT_SHEET}
    | {table.sheet for table, _ in TABLES}
    | {sub.sheet for table, _ in TABLES for sub in table.children.values()}
)


class WorkbookError(ValueError):
    """A problem a spreadsheet cannot hold (use the JSON file instead)."""


def read_problem_file(path: str | os.PathLike[str]) -> Problem:
    """A problem from a .json file or an .xlsx workbook, by the file's suffix."""
    if Path(path).suffix.lower() == ".xlsx":
        return read_workbook(path)
    return load_problem(path)


# --- writing -------------------------------------------------------------------------------------


def write_workbook(problem: Problem, path: str | os.PathLike[str]) -> None:
    """Write `problem` as an .xlsx workbook, atomically (a failure leaves any earlier file as it was)."""
    data = problem_to_data(problem)
    book = Workbook()
    _write_sheet(book.active, EVENT_SHEET, ["key", "value"], _event_rows(data))
    for table, where in TABLES:
        entries = _dig(data, where) or []
        rows: list[dict[str, Any]] = []
        children: dict[str, list[dict[str, Any]]] = {name: [] for name in table.children}
        for entry in entries:
            row, nested = _object_row(table, entry)
            rows.append(row)
            for name, child_entries in nested.items():
                sub, parent = table.children[name], _parent_value(table, entry)
                children[name] += [
                    {sub.parent: parent, **_object_row(sub, child_entry)[0]}
                    for child_entry in _child_entries(sub, child_entries)
                ]
        _write_table(book, table, rows)
        for name, child_table in table.children.items():
            _write_table(book, child_table, children[name])
    replace_atomically(Path(path), book.save)


def _dig(data: Mapping[str, Any], where: Iterable[str]) -> Any:
    value: Any = data
    for key in where:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _event_rows(data: dict[str, Any]) -> list[list[Any]]:
    """The `event` sheet: plain keys first, then whatever else the top-level objects hold, as JSON."""
    rest = {
        "event": dict(data["event"]),
        "calendar": dict(data["calendar"]),
        "": {key: value for key, value in data.items() if key not in ("format", "event", "calendar")},
    }
    rows: list[list[Any]] = []
    for name, (owner, kind) in EVENT_KEYS.items():
        if name in rest[owner] and _fits(rest[owner][name], kind):
            rows.append([name, rest[owner].pop(name)])
    # Lists with entries live on their own sheets; an explicitly empty one stays in the JSON.
    for owner, key in (("calendar", "days"), ("", "sessions"), ("", "rooms"), ("", "speakers")):
        if rest[owner].get(key):
            del rest[owner][key]
    rules = rest[""].get("rules")
    if isinstance(rules, dict):
        del rest[""]["rules"]
        rest["rules"] = {key: value for key, value in rules.items() if not (key == "no_overlap" and value)}
        # An empty `rules.json` row still says that the file has a `rules` object.
        if not rest["rules"] and rules.get("no_overlap"):
            del rest["rules"]
    return rows + [
        [name, _json_text(rest[owner])]
        for name, owner in EVENT_JSON.items()
        if owner in rest and (rest[owner] or owner == "rules")
    ]


def _parent_value(table: Table, entry: Mapping[str, Any]) -> Any:
    value = entry.get(table.key)
    if not _fits(value, "text"):
        raise WorkbookError(
            f"{table.sheet}: {quote(str(value))} cannot be written in a cell, so the rows that "
            "belong to it cannot name it; keep this problem as a JSON file"
        )
    return value


def _child_entries(table: Table, value: Any) -> list[Any]:
    """A nested list as its rows; a mapping (translations) as one row per key, the key in a column."""
    if table.keyed_by:
        return [{table.keyed_by: key, **inner} for key, inner in value.items()]
    return list(value)


def _fits_child(table: Table, value: Any) -> bool:
    """Whether a child sheet can hold `value` (a non-empty list, or a mapping of objects)."""
    if not table.keyed_by:
        return isinstance(value, list) and bool(value)
    return (
        isinstance(value, dict)
        and bool(value)
        and all(_cell_text(key) and isinstance(inner, dict) for key, inner in value.items())
    )


def _object_row(table: Table, entry: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """One object's cells, and its nested lists (or mappings) that go to child sheets."""
    row: dict[str, Any] = {}
    nested: dict[str, Any] = {}
    rest: dict[str, Any] = {}
    for key, value in entry.items():
        if key in table.children and _fits_child(table.children[key], value):
            nested[key] = value
        elif key in table.flattened and _fits_flat(value, table.flattened[key]):
            row.update({f"{key}_{inner}": inner_value for inner, inner_value in value.items()})
        elif key in table.columns and _fits(value, table.columns[key]):
            row[key] = f"{SEPARATOR} ".join(value) if table.columns[key] == "list" else value
        elif _extension_column(table, key, value):
            row[key] = value
        else:
            rest[key] = value
    if rest:
        row[JSON_COLUMN] = _json_text(rest)
    return row, nested


def _fits_flat(value: Any, inners: Mapping[str, Kind]) -> bool:
    if not isinstance(value, dict) or not value or not set(value) <= set(inners):
        return False
    return all(_fits(inner_value, inners[inner]) for inner, inner_value in value.items())


def _extension_column(table: Table, key: str, value: Any) -> bool:
    """A scalar extension key gets a column of its own, if its name cannot be mistaken for another's."""
    taken = {header.lower() for header in table.headers} | {JSON_COLUMN}
    if not _EXTENSION_HEADER.fullmatch(key) or key.lower() in taken:
        return False
    return _fits(value, "number") or _fits(value, "bool") or _fits(value, "text")


def _fits(value: Any, kind: Kind) -> bool:
    """Whether a cell of this kind gives back exactly `value` (blank cells mean absent)."""
    if kind == "bool":
        return isinstance(value, bool)
    if kind in ("whole", "number"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if isinstance(value, int):
            return abs(value) <= MAX_EXACT_INT
        return kind == "number" and _exact_float(value)
    if kind == "list":
        return (
            isinstance(value, list)
            and bool(value)
            and all(_cell_text(v) and SEPARATOR not in v and v == v.strip() for v in value)
        )
    return _cell_text(value)


def _exact_float(value: float) -> bool:
    return value == value and abs(value) < 1e300 and float(f"{value:.15g}") == value and str(value) != "-0.0"


def _cell_text(value: Any) -> bool:
    # XML 1.0 cannot carry some characters at all, and a carriage return comes back as a line feed.
    return (
        isinstance(value, str)
        and value.strip() != ""
        and len(value) <= MAX_CELL_TEXT
        and xml_safe(value) == value
        and "\r" not in value
    )


def _json_text(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    # json escapes control characters itself; these two are legal JSON but not legal in a cell.
    text = text.replace("\ufffe", "\\ufffe").replace("\uffff", "\\uffff")
    if len(text) > MAX_CELL_TEXT:
        raise WorkbookError(
            f"{quote(text)} is too long for a spreadsheet cell; keep this problem as a JSON file"
        )
    return text


def _write_table(book: Workbook, table: Table, rows: list[dict[str, Any]]) -> None:
    headers = list(table.headers)
    for row in rows:
        headers += [key for key in row if key not in headers and key != JSON_COLUMN]
    headers.append(JSON_COLUMN)
    _write_sheet(
        book.create_sheet(table.sheet), table.sheet, headers, [[row.get(h) for h in headers] for row in rows]
    )


def _write_sheet(sheet: Any, title: str, headers: list[str], rows: list[list[Any]]) -> None:
    sheet.title = title
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in rows:
        sheet.append(values)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text starting with '=' stays text, never a formula
                if "\n" in cell.value:
                    cell.alignment = _PARAGRAPHS
    sheet.freeze_panes = "A2"


# Abstracts and biographies show as paragraphs in their cells.
_PARAGRAPHS = Alignment(wrap_text=True, vertical="top")


# --- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    """Where a value came from, for messages."""

    sheet: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = f"sheet {self.sheet!r}"
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        return where


@dataclass
class _Row:
    number: int
    cells: dict[str, Any]


@dataclass
class _Reading:
    issues: list[Issue] = field(default_factory=list)
    locations: dict[str, Cell] = field(default_factory=dict)

    def error(self, where: Cell, message: str) -> None:
        add_issue(self.issues, Issue(str(where), message))


def read_workbook(path: str | os.PathLike[str]) -> Problem:
    """The problem a workbook describes; ProblemFileError lists every issue by sheet, row and column.

    The workbook's own problems and those of the problem it holds are reported together, so one
    misplaced value does not hide the rest (up to `MAX_ISSUES` of each).
    """
    r = _Reading()
    try:
        data = _workbook_data(r, path)
    except ReadingStopped:
        raise ProblemFileError(r.issues) from None
    try:
        problem = parse_problem(data)
    except ProblemFileError as error:
        r.issues += [_locate(issue, r.locations) for issue in error.issues]
    if r.issues:
        raise ProblemFileError(r.issues)
    return problem


def _workbook_data(r: _Reading, path: str | os.PathLike[str]) -> dict[str, Any]:
    """A workbook as problem-file data; where in the workbook each JSON path came from goes to `r`."""
    sheets = _open(r, path)
    data: dict[str, Any] = {"format": PROBLEM_FORMAT}
    r.locations[ROOT] = Cell(EVENT_SHEET)
    _read_event(r, sheets.get(EVENT_SHEET), data)
    for table, where in TABLES:
        rows = sheets.get(table.sheet)
        if rows is None:
            continue
        children = {name: _by_parent(r, sheets.get(sub.sheet), sub) for name, sub in table.children.items()}
        path_ = ROOT
        for key in where:
            path_ = child(path_, key)
        r.locations[path_] = Cell(table.sheet)
        entries = [
            _read_object(r, table, row, item(path_, index), children) for index, row in enumerate(rows)
        ]
        if entries:
            _place(r, data, where, entries, Cell(table.sheet))
        for name, groups in children.items():
            for parent, (first, _) in groups.items():
                sub = table.children[name]
                r.error(
                    Cell(sub.sheet, first, sub.parent),
                    f"no {table.key} {quote(str(parent))} in sheet {table.sheet!r}",
                )
    return data


# What a cell holding a formula reads as until its saved value is found.
_FORMULA = object()


@dataclass
class _Sheet:
    title: str
    rows: list[_Row]
    # Row number -> column index -> header, for the cells that hold formulas.
    formulas: dict[int, dict[int, str]]


def _open(r: _Reading, path: str | os.PathLike[str]) -> dict[str, list[_Row]]:
    """The known sheets' rows as header -> value, blank rows and cells left out; sizes checked first."""
    name = quote(os.fsdecode(path))
    try:
        with open(path, "rb") as stream:
            _check_archive(stream)
            sheets = _read_sheets(r, stream)
            if any(sheet.formulas for sheet in sheets.values()):
                stream.seek(0)
                _saved_values(r, stream, sheets)
    except FileTooLarge as error:
        raise ProblemFileError([Issue(ROOT, f"cannot read {name}: {error}")]) from None
    except (OSError, InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, SyntaxError) as error:
        reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
        raise ProblemFileError([Issue(ROOT, f"cannot read {name} as an .xlsx workbook: {reason}")]) from None
    return {key: sheet.rows for key, sheet in sheets.items()}


def _check_archive(stream: BinaryIO) -> None:
    """Refuse a workbook too large, or that would unpack to too much, before any of it is parsed.

    An .xlsx file is a zip archive. Its directory states every part's unpacked size, and Python's
    zipfile never unpacks a part beyond the size stated (a part that does not end there fails its
    checksum), so the stated sizes bound what reading can cost.
    """
    check_size(os.fstat(stream.fileno()).st_size)
    with zipfile.ZipFile(stream) as archive:
        parts = archive.infolist()
    if len(parts) > MAX_WORKBOOK_PARTS:
        raise FileTooLarge(f"the workbook has {len(parts)} parts, more than the {MAX_WORKBOOK_PARTS} allowed")
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_INFLATED_BYTES:
        raise FileTooLarge(
            f"the workbook unpacks to {unpacked / 2**20:.1f} MB, "
            f"more than the {MAX_INFLATED_BYTES / 2**20:.1f} MB allowed"
        )
    stream.seek(0)


def _read_sheets(r: _Reading, stream: BinaryIO) -> dict[str, _Sheet]:
    # Formulas as formulas: a formula's saved value is read in a second pass, only if there are any.
    book = load_workbook(stream, read_only=True, data_only=False)
    try:
        sheets: dict[str, _Sheet] = {}
        for sheet in book.worksheets:
            key = sheet.title.strip().lower()
            if key not in KNOWN_SHEETS:
                continue  # notes, pivot tables: not the team's data for us
            if key in sheets:
                r.error(Cell(sheet.title), f"two sheets are named {key!r}; keep one")
                continue
            sheets[key] = _read_sheet(r, sheet)
        return sheets
    finally:
        book.close()


def _read_sheet(r: _Reading, sheet: Any) -> _Sheet:
    # Read-only mode trusts the <dimension> tag, which some programs write wrong: read every row there is.
    sheet.reset_dimensions()
    rows = sheet.iter_rows()
    headers = [_header(cell.value) for cell in next(rows, ())]
    seen: dict[str, int] = {}
    for index, name in enumerate(headers):
        if name is not None and seen.setdefault(name, index) != index:
            r.error(Cell(sheet.title, 1, name), "this column header appears twice")
    found = _Sheet(sheet.title, [], {})
    for number, cells in enumerate(rows, start=2):
        if number > MAX_SHEET_ROWS + 1:
            r.error(
                Cell(sheet.title, number),
                f"a sheet may have at most {MAX_SHEET_ROWS} rows below its header, blank ones included; "
                "delete the rows below your data",
            )
            raise ReadingStopped  # the rest of such a file is not worth reading
        values = {}
        for index, cell in enumerate(cells):
            value = _FORMULA if cell.data_type == "f" else cell.value
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if index >= len(headers) or headers[index] is None:
                r.error(
                    Cell(sheet.title, number),
                    f"a value in column {index + 1}, which has no header: "
                    "name the column in row 1 or clear it",
                )
                continue
            values[headers[index]] = value
            if value is _FORMULA:
                found.formulas.setdefault(number, {})[index] = headers[index]
        if values:
            found.rows.append(_Row(number, values))
    return found


def _saved_values(r: _Reading, stream: BinaryIO, sheets: dict[str, _Sheet]) -> None:
    """Put in each formula's value as last saved; a formula with none is reported, never read as blank.

    A formula has a saved value when the program that wrote the file calculated it (Excel and
    LibreOffice do; generated files often do not).
    """
    book = load_workbook(stream, read_only=True, data_only=True)
    try:
        for sheet in sheets.values():
            if not sheet.formulas:
                continue
            rows = {row.number: row for row in sheet.rows}
            values = book[sheet.title]
            values.reset_dimensions()
            saved_rows = values.iter_rows(max_row=max(sheet.formulas), values_only=True)
            for number, saved in enumerate(saved_rows, start=1):
                for index, header in sheet.formulas.get(number, {}).items():
                    value = saved[index] if index < len(saved) else None
                    if value is None or (isinstance(value, str) and not value.strip()):
                        del rows[number].cells[header]
                        r.error(
                            Cell(sheet.title, number, header),
                            "a formula with no saved value: type the value, or open the file in Excel "
                            "or LibreOffice and save it again so that the value is saved with it",
                        )
                    else:
                        rows[number].cells[header] = value
    finally:
        book.close()


def _header(value: Any) -> str | None:
    """A column's name: known ones in any case, others (extension keys) as written."""
    if value is None or not str(value).strip():
        return None
    name = str(value).strip()
    return name.lower() if name.lower() in KNOWN_HEADERS else name


def _read_event(r: _Reading, rows: list[_Row] | None, data: dict[str, Any]) -> None:
    data["event"], data["calendar"] = {}, {}
    r.locations["event"] = r.locations["calendar"] = Cell(EVENT_SHEET)
    for row in rows or ():
        name = str(row.cells.get("key", "")).strip().lower()
        where = Cell(EVENT_SHEET, row.number, "value")
        if name in EVENT_KEYS:
            owner, kind = EVENT_KEYS[name]
            _put(r, data[owner], name, _cell_value(row.cells.get("value"), kind), where, child(owner, name))
        elif name in EVENT_JSON:
            owner = EVENT_JSON[name]
            target = data.setdefault(owner, {}) if owner else data
            for key, value in _json_cell(r, row.cells.get("value"), where).items():
                _put(r, target, key, value, where, child(owner or ROOT, key))
            r.locations.setdefault(owner or ROOT, where)
        else:
            known = ", ".join([*EVENT_KEYS, *EVENT_JSON])
            r.error(
                Cell(EVENT_SHEET, row.number, "key"), f"unknown key {quote(name)}; expected one of {known}"
            )


def _put(r: _Reading, target: Any, key: str, value: Any, where: Cell, path: str) -> None:
    if not isinstance(target, dict):
        r.error(where, f"{key!r} belongs to an object that is given as something else")
    elif key in target:
        r.error(where, f"{key!r} is given twice (also in {r.locations.get(path, where)})")
    else:
        target[key] = value
        r.locations.setdefault(path, where)


def _place(r: _Reading, data: dict[str, Any], where: tuple[str, ...], entries: list[Any], cell: Cell) -> None:
    """A sheet's objects as the list at `where` (e.g. calendar.days) in the data."""
    target: Any = data
    path = ROOT
    for key in where[:-1]:
        path = child(path, key)
        target = target.setdefault(key, {}) if isinstance(target, dict) else None
    _put(r, target, where[-1], entries, cell, child(path, where[-1]))


def _by_parent(r: _Reading, rows: list[_Row] | None, table: Table) -> dict[Any, tuple[int, list[_Row]]]:
    """A child sheet's rows grouped by the parent they name (each with its first row number)."""
    groups: dict[Any, tuple[int, list[_Row]]] = {}
    for row in rows or ():
        parent = row.cells.pop(table.parent, None)
        if parent is None:
            r.error(
                Cell(table.sheet, row.number, table.parent), f"name the {table.parent} this row belongs to"
            )
            continue
        parent = _cell_value(parent, "date" if table.parent == "date" else "text")
        groups.setdefault(parent, (row.number, []))[1].append(row)
    return groups


def _read_object(
    r: _Reading, table: Table, row: _Row, path: str, children: dict[str, dict[Any, tuple[int, list[_Row]]]]
) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    r.locations[path] = Cell(table.sheet, row.number)
    for header in table.headers:
        r.locations[child(path, header)] = Cell(table.sheet, row.number, header)
    for key, inners in table.flattened.items():
        r.locations[child(path, key)] = Cell(table.sheet, row.number, f"{key}_{next(iter(inners))}")
        for inner in inners:
            r.locations[child(child(path, key), inner)] = Cell(table.sheet, row.number, f"{key}_{inner}")
    for header, value in row.cells.items():
        where = Cell(table.sheet, row.number, header)
        flat = next(
            ((k, i) for k, inners in table.flattened.items() for i in inners if header == f"{k}_{i}"), None
        )
        kind = table.kind(header)
        if header == JSON_COLUMN:
            continue
        if flat is not None:
            _put(
                r,
                entry.setdefault(flat[0], {}),
                flat[1],
                _cell_value(value, kind or "text"),
                where,
                child(child(path, flat[0]), flat[1]),
            )
        else:
            _put(r, entry, header, _cell_value(value, kind or "extension"), where, child(path, header))
    json_cell = Cell(table.sheet, row.number, JSON_COLUMN)
    for key, value in _json_cell(r, row.cells.get(JSON_COLUMN), json_cell).items():
        _put(r, entry, key, value, json_cell, child(path, key))
    parent = entry.get(table.key) if table.key else None
    for name, groups in children.items():
        found = groups.pop(parent, None) if isinstance(parent, str | int) else None
        if found is None:
            continue
        sub = table.children[name]
        nested_path = child(path, name)
        nested: Any
        if sub.keyed_by:
            nested = _read_keyed(r, sub, found[1], nested_path)
        else:
            nested = [_read_object(r, sub, one, item(nested_path, i), {}) for i, one in enumerate(found[1])]
        _put(r, entry, name, nested, Cell(sub.sheet, found[0]), nested_path)
    return entry


def _read_keyed(r: _Reading, table: Table, rows: list[_Row], path: str) -> dict[str, Any]:
    """A child sheet's rows as one mapping: each row the object under the key its `keyed_by` cell names."""
    found: dict[str, Any] = {}
    first: dict[str, int] = {}
    for row in rows:
        where = Cell(table.sheet, row.number, table.keyed_by)
        key = _cell_value(row.cells.pop(table.keyed_by, None), "text")
        if key is None:
            r.error(where, f"name the {table.keyed_by} of this row")
        elif not isinstance(key, str):
            r.error(where, f"expected a {table.keyed_by} code, got {quote(str(key))}")
        elif key in found:
            r.error(where, f"{quote(key)} is given twice for this {table.parent} (also in row {first[key]})")
        else:
            first[key] = row.number
            found[key] = _read_object(r, table, row, child(path, key), {})
            r.locations[child(path, key)] = where
    return found


def _json_cell(r: _Reading, value: Any, where: Cell) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, str):
        r.error(where, f'expected a JSON object such as {{"key": "value"}}, got {quote(str(value))}')
        return {}
    try:
        parsed = json.loads(value, object_pairs_hook=JsonObject)
    except (json.JSONDecodeError, RecursionError) as error:
        r.error(where, f"not valid JSON: {getattr(error, 'msg', 'nested too deeply')}")
        return {}
    if not isinstance(parsed, dict):
        r.error(where, f'expected a JSON object such as {{"key": "value"}}, got {quote(value)}')
        return {}
    return parsed


def _cell_value(value: Any, kind: Kind) -> Any:
    """A cell as the problem file would write it; what cannot be converted is left for the checks."""
    if isinstance(value, float) and value.is_integer() and kind in ("whole", "text", "list"):
        value = int(value)  # spreadsheets store every number as a float
    if kind == "list":
        text = str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
        if isinstance(text, str):
            return [part.strip() for part in text.split(SEPARATOR) if part.strip()]
        return value
    if kind == "text" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # ids such as 101 that the spreadsheet took for numbers
    if kind == "bool":
        return _boolean(value)
    if kind in ("date", "clock", "moment", "extension"):
        return _stamp(value, kind)
    return value


def _boolean(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in ("true", "yes"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "no"):
        return False
    if isinstance(value, int) and not isinstance(value, bool) and value in (0, 1):
        return bool(value)
    return value


def _stamp(value: Any, kind: Kind) -> Any:
    """Dates and times a spreadsheet stored as such, written as the file writes them."""
    if isinstance(value, datetime):
        if kind == "date":
            return value.date().isoformat() if value.time() == time() else value.isoformat()
        if kind == "clock":
            value = value.time()
        else:
            return (
                value.isoformat(timespec="minutes")
                if not value.second and not value.microsecond
                else value.isoformat()
            )
    if isinstance(value, time):
        return (
            value.isoformat(timespec="minutes")
            if not value.second and not value.microsecond
            else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    return value


def _locate(issue: Issue, locations: Mapping[str, Cell]) -> Issue:
    """The issue with its JSON path replaced by the cell it came from (the nearest one known)."""
    best = None
    for path in (issue.path, *_ancestors(issue.path)):
        if path in locations:
            best = locations[path]
            break
    return Issue(str(best), issue.message) if best is not None else issue


def _ancestors(path: str) -> Iterator[str]:
    """`a.b[2].c` -> `a.b[2]`, `a.b`, `a`; quoted keys may hold dots and brackets, so scan outside quotes."""
    cuts = []
    quote_char = None
    for index, char in enumerate(path):
        if quote_char:
            if char == "\\":
                continue
            if char == quote_char:
                quote_char = None
        elif char in "'\"":
            quote_char = char
        elif char in ".[" and index:
            cuts.append(index)
    for index in reversed(cuts):
        yield path[:index]
    if path != ROOT:
        yield ROOT
