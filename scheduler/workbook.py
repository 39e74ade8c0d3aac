"""Problem files as spreadsheets: the programme team's .xlsx workbook, read and written losslessly.

One sheet per list of the format (`sessions`, `rooms`, `speakers`, `days`, `rules`) and one per nested
list (`breaks`, `room_unavailable`, `speaker_available`, `preferred`, whose rows name their parent in
the first column), plus a key/value `event` sheet. docs/spreadsheets.md documents every column.

A workbook is turned into the same JSON-shaped data a problem file holds and then validated by
`parse_problem`, so both formats obey exactly the same rules; each issue's JSON path is mapped back to
the sheet, row and column it came from. A blank cell means the key is absent. What a plain cell cannot
say exactly (an empty text or list, a null, a list item containing ';', text with control
characters, extension keys holding lists or objects) is written as JSON in the row's `json` column,
so writing a problem and reading it back gives the same problem.
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
from typing import Any, Literal

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from scheduler.interchange import (
    ROOT,
    Issue,
    JsonObject,
    ProblemFileError,
    child,
    item,
    quote,
    replace_atomically,
)
from scheduler.problem_file import load_problem, parse_problem, problem_to_data
from solver.domain import PROBLEM_FORMAT, Problem

Kind = Literal["text", "whole", "number", "bool", "list", "date", "clock", "moment", "extension"]

SEPARATOR = ";"
JSON_COLUMN = "json"
# Excel keeps at most this many characters in a cell and 15 significant digits of a number.
MAX_CELL_TEXT = 32_767
MAX_EXACT_INT = 2**53
_EXTENSION_HEADER = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
# XML 1.0 cannot carry these at all; a carriage return comes back as a line feed.
_NOT_IN_CELLS = re.compile(r"[\r\ufffe\uffff]")


@dataclass(frozen=True)
class Table:
    """How one sheet holds a list of objects of the format.

    `columns` are keys of the object; `flattened` nested objects get one column per key, named
    `<key>_<inner>`; `children` are nested lists kept on sheets of their own, whose rows name their
    parent by `key` in a first column called `parent`.
    """

    sheet: str
    columns: Mapping[str, Kind]
    key: str = "id"
    parent: str = ""
    flattened: Mapping[str, Mapping[str, Kind]] = field(default_factory=dict)
    children: Mapping[str, Table] = field(default_factory=dict)

    @property
    def headers(self) -> list[str]:
        nested = [f"{key}_{inner}" for key, inners in self.flattened.items() for inner in inners]
        return ([self.parent] if self.parent else []) + list(self.columns) + nested

    def kind(self, header: str) -> Kind | None:
        for key, inners in self.flattened.items():
            for inner, kind in inners.items():
                if header == f"{key}_{inner}":
                    return kind
        return self.columns.get(header)


BREAKS = Table("breaks", {"start": "clock", "end": "clock", "label": "text"}, parent="date")
DAYS = Table(
    "days", {"date": "date", "open": "clock", "close": "clock"}, key="date", children={"breaks": BREAKS}
)
UNAVAILABLE = Table("room_unavailable", {"start": "moment", "end": "moment", "reason": "text"}, parent="room")
ROOMS = Table(
    "rooms",
    {"id": "text", "name": "text", "capacity": "whole", "features": "list", "interpretation_booths": "whole"},
    children={"unavailable": UNAVAILABLE},
)
AVAILABLE = Table("speaker_available", {"start": "moment", "end": "moment"}, parent="speaker")
SPEAKERS = Table(
    "speakers",
    {"id": "text", "name": "text", "role": "text", "gender": "text", "youth": "bool"},
    children={"available": AVAILABLE},
)
PREFERRED = Table("preferred", {"start": "moment", "end": "moment", "weight": "number"}, parent="session")
SESSIONS = Table(
    "sessions",
    {
        "id": "text",
        "title": "text",
        "type": "text",
        "duration_minutes": "whole",
        "expected_attendance": "whole",
        "requires": "list",
        "interpretation": "list",
        "speakers": "list",
        "organizers": "list",
        "tracks": "list",
        "remote_audience": "list",
        "after": "list",
        "optional": "bool",
    },
    flattened={
        "fixed": {"room": "text", "start": "moment"},
        "window": {"earliest": "moment", "latest": "moment"},
    },
    children={"preferred": PREFERRED},
)
RULES = Table("rules", {"sessions": "list", "reason": "text"}, key="")
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
                parent = _parent_value(table, entry)
                children[name] += [
                    {table.children[name].parent: parent, **_object_row(table.children[name], child_entry)[0]}
                    for child_entry in child_entries
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


def _object_row(table: Table, entry: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """One object's cells, and its nested lists that go to child sheets."""
    row: dict[str, Any] = {}
    nested: dict[str, list[Any]] = {}
    rest: dict[str, Any] = {}
    for key, value in entry.items():
        if key in table.children and isinstance(value, list) and value:
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
    return (
        isinstance(value, str)
        and value.strip() != ""
        and len(value) <= MAX_CELL_TEXT
        and not ILLEGAL_CHARACTERS_RE.search(value)
        and not _NOT_IN_CELLS.search(value)
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
    headers = table.headers
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
    sheet.freeze_panes = "A2"


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
        self.issues.append(Issue(str(where), message))


def read_workbook(path: str | os.PathLike[str]) -> Problem:
    """The problem a workbook describes; ProblemFileError lists every issue by sheet, row and column."""
    data, locations = workbook_data(path)
    try:
        return parse_problem(data)
    except ProblemFileError as error:
        raise ProblemFileError([_locate(issue, locations) for issue in error.issues]) from None


def workbook_data(path: str | os.PathLike[str]) -> tuple[dict[str, Any], dict[str, Cell]]:
    """A workbook as problem-file data, and where in the workbook each JSON path came from."""
    sheets = _open(path)
    r = _Reading()
    data: dict[str, Any] = {"format": PROBLEM_FORMAT}
    r.locations[ROOT] = Cell(EVENT_SHEET)
    _read_event(r, sheets.get(EVENT_SHEET), data)
    for table, where in TABLES:
        rows = sheets.get(table.sheet)
        if rows is None:
            continue
        children = {name: _by_parent(r, sheets.get(sub.sheet), sub) for name, sub in table.children.items()}
        path = ROOT
        for key in where:
            path = child(path, key)
        r.locations[path] = Cell(table.sheet)
        entries = [_read_object(r, table, row, item(path, index), children) for index, row in enumerate(rows)]
        if entries:
            _place(r, data, where, entries, Cell(table.sheet))
        for name, groups in children.items():
            for parent, (first, _) in groups.items():
                sub = table.children[name]
                r.error(
                    Cell(sub.sheet, first, sub.parent),
                    f"no {table.key} {quote(str(parent))} in sheet {table.sheet!r}",
                )
    if r.issues:
        raise ProblemFileError(r.issues)
    return data, r.locations


def _open(path: str | os.PathLike[str]) -> dict[str, list[_Row]]:
    """Every sheet's rows as header -> value, blank rows and cells left out."""
    issues: list[Issue] = []
    sheets = {}
    try:
        # A stream, not a name: openpyxl refuses names that do not end in .xlsx.
        with open(path, "rb") as stream:
            book = load_workbook(stream, read_only=True, data_only=True)
            for sheet in book.worksheets:
                sheets[sheet.title.strip().lower()] = list(_sheet_rows(sheet, issues))
            book.close()
    except (OSError, InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, SyntaxError) as error:
        reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
        name = quote(os.fsdecode(path))
        raise ProblemFileError([Issue(ROOT, f"cannot read {name} as an .xlsx workbook: {reason}")]) from None
    if issues:
        raise ProblemFileError(issues)
    return sheets


def _sheet_rows(sheet: Any, issues: list[Issue]) -> Iterator[_Row]:
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    headers = [_header(value) for value in header]
    seen: dict[str, int] = {}
    for index, name in enumerate(headers):
        if name is not None and seen.setdefault(name, index) != index:
            issues.append(Issue(str(Cell(sheet.title, 1, name)), "this column header appears twice"))
    for number, values in enumerate(rows, start=2):
        cells = {}
        for index, value in enumerate(values):
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if index >= len(headers) or headers[index] is None:
                issues.append(
                    Issue(
                        str(Cell(sheet.title, number)),
                        f"a value in column {index + 1}, "
                        "which has no header: name the column in row 1 or clear it",
                    )
                )
                continue
            cells[headers[index]] = value
        if cells:
            yield _Row(number, cells)


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
        entries = [_read_object(r, sub, one, item(nested_path, i), {}) for i, one in enumerate(found[1])]
        _put(r, entry, name, entries, Cell(sub.sheet, found[0]), nested_path)
    return entry


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
