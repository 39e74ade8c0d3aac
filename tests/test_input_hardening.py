"""Issue 14, input hardening: each defect the issue reports, reproduced, and what happens now.

Every test here failed before the fix (run against the code before issue 14: workbooks lost rows
behind a stale <dimension>, formulas without a saved value read as blank, nothing bounded what a
workbook unpacks to, a 30 MB title was accepted, control characters went into calendars, TSV and
XLSX files, ids with '/' were imported, an unknown sheet hid every real problem, and "Analytics "
was a second track beside "Analytics"). The limits are in scheduler/limits.py and docs/security.md.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import icalendar
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import Engine

from scheduler.cli import main
from scheduler.db import transaction
from scheduler.interchange import quote
from scheduler.problem_file import Issue, ProblemFileError, parse_problem
from scheduler.store import import_problem
from scheduler.versions import publish_schedule
from scheduler.workbook import read_workbook
from tests.agenda_data import PUBLISHED, PUBLISHED_AT, SMALL_PROBLEM
from tests.test_validation import VALID, change, issues
from tests.test_workbook import minimal_sheets, sheet_book
from webapp import create_app

Sheets = dict[str, list[list[Any]]]


@pytest.fixture
def valid() -> dict[str, Any]:
    return json.loads(json.dumps(VALID))


def save(sheets: Sheets, path: Path) -> Path:
    sheet_book(sheets).save(path)
    return path


def rewrite_sheet(path: Path, sheets: Sheets, name: str, change_xml: Callable[[str], str]) -> None:
    """Edit one sheet's XML inside the saved workbook, as another program might have written it."""
    part = f"xl/worksheets/sheet{list(sheets).index(name) + 1}.xml"
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts[part] = change_xml(parts[part].decode()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for filename, data in parts.items():
            target.writestr(filename, data)


def workbook_issues(path: Path) -> list[str]:
    with pytest.raises(ProblemFileError) as caught:
        read_workbook(path)
    return [str(issue) for issue in caught.value.issues]


def valid_sheets() -> Sheets:
    sheets = minimal_sheets()
    sheets["sessions"][2][3] = "sp-1"
    return sheets


# --- workbooks ------------------------------------------------------------------------------------


def test_a_stale_dimension_tag_loses_no_rows(tmp_path: Path) -> None:
    sheets = valid_sheets()
    sheets["sessions"] += [[f"s-{n}", f"Session {n}", 30, None, None] for n in range(3, 21)]
    path = save(sheets, tmp_path / "stale.xlsx")
    # 20 sessions in rows 2-21, but the tag says the sheet ends at row 16 ("some applications set
    # this incorrectly"): read-only openpyxl used to stop there, and 5 sessions vanished.
    rewrite_sheet(
        path,
        sheets,
        "sessions",
        lambda xml: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:E16"', xml),
    )
    assert len(read_workbook(path).sessions) == 20
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0 and "valid, 20 sessions" in result.output


def test_a_formula_without_a_saved_value_is_reported_not_read_as_blank(tmp_path: Path) -> None:
    sheets = valid_sheets()
    sheets["sessions"][0].append("expected_attendance")
    sheets["sessions"][1].append("=10*12")  # openpyxl, like many generators, saves no computed value
    path = save(sheets, tmp_path / "formula.xlsx")
    assert workbook_issues(path) == [
        "sheet 'sessions', row 2, column 'expected_attendance': a formula with no saved value: type the "
        "value, or open the file in Excel or LibreOffice and save it again so that the value is saved with it"
    ]
    # Saved by a program that calculates (Excel, LibreOffice), the formula's value is what is read.
    rewrite_sheet(
        path, sheets, "sessions", lambda xml: xml.replace("<f>10*12</f><v />", "<f>10*12</f><v>120</v>")
    )
    assert read_workbook(path).sessions[0].expected_attendance == 120


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_read(tmp_path: Path) -> None:
    from scheduler.limits import MAX_INFLATED_BYTES

    path = save(valid_sheets(), tmp_path / "bomb.xlsx")
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/media/x.bin", "w") as part,
    ):
        for _ in range(MAX_INFLATED_BYTES // 2**20 + 1):
            part.write(bytes(2**20))
    assert path.stat().st_size < 2**20
    assert workbook_issues(path) == [
        f"$: cannot read {quote(str(path))}: the workbook unpacks to 151.0 MB, more than the 150.0 MB allowed"
    ]


def test_a_workbook_of_too_many_parts_is_refused(tmp_path: Path) -> None:
    path = save(valid_sheets(), tmp_path / "parts.xlsx")
    with zipfile.ZipFile(path, "a") as archive:
        for n in range(1_000):
            archive.writestr(f"xl/media/{n}.bin", b"")
    parts = len(zipfile.ZipFile(path).infolist())
    assert workbook_issues(path) == [
        f"$: cannot read {quote(str(path))}: the workbook has {parts} parts, more than the 1000 allowed"
    ]


def test_unknown_sheets_are_ignored_and_every_real_problem_is_reported(tmp_path: Path) -> None:
    sheets = valid_sheets()
    sheets["notes"] = [["remarks", None], ["see below", "a value under an empty header"]]
    sheets["sessions"][0][2] = "duration"  # the required duration_minutes is missing
    path = save(sheets, tmp_path / "notes.xlsx")
    assert workbook_issues(path) == [
        "sheet 'sessions', row 2, column 'duration_minutes': missing: a session must have 'duration_minutes'",
        "sheet 'sessions', row 3, column 'duration_minutes': missing: a session must have 'duration_minutes'",
    ]


def test_a_sheet_with_too_many_rows_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("scheduler.workbook.MAX_SHEET_ROWS", 3)
    sheets = valid_sheets()
    sheets["sessions"] += [[None] * 5, [None] * 5, ["s-5", "Session 5", 30, None, None]]  # rows 4 to 6
    path = save(sheets, tmp_path / "rows.xlsx")
    assert workbook_issues(path) == [
        "sheet 'sessions', row 5: a sheet may have at most 3 rows below its header, blank ones included; "
        "delete the rows below your data"
    ]


def test_names_in_cells_with_spaces_around_are_refused_and_list_items_trimmed(tmp_path: Path) -> None:
    sheets = valid_sheets()
    sheets["sessions"][0].append("tracks")
    sheets["sessions"][1].append("Analytics ")
    sheets["sessions"][2].append("Analytics")
    path = save(sheets, tmp_path / "tracks.xlsx")
    assert [s.tracks for s in read_workbook(path).sessions] == [("Analytics",), ("Analytics",)]
    sheets["rooms"][1][1] = "Room 1 "
    assert workbook_issues(save(sheets, path)) == [
        "sheet 'rooms', row 2, column 'name': must not start or end with spaces: 'Room 1 '"
    ]


# --- sizes ----------------------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    for name in ("huge.json", "huge.xlsx"):
        path = tmp_path / name
        with path.open("wb") as sparse:  # 33 MB that take no room on disk, and are never read
            sparse.truncate(33 * 2**20)
        result = CliRunner().invoke(main, ["validate", str(path)])
        assert result.exit_code == 2
        assert "the file is 33.0 MB, more than the 32.0 MB allowed" in result.output


def test_request_bodies_over_the_upload_limit_are_refused_unread(
    hostile_event: None, database_url: str
) -> None:
    from scheduler.limits import MAX_FILE_BYTES

    assert create_app({"DATABASE_URL": database_url}).config["MAX_CONTENT_LENGTH"] == MAX_FILE_BYTES
    client = create_app({"DATABASE_URL": database_url, "MAX_CONTENT_LENGTH": 1_000}).test_client()
    assert client.post("/register", data={"name": "x" * 2_000}).status_code == 413


LONG = 100_001
# fmt: off
CAPPED_TEXT = [
    ("event.name", 300), ("event.venue", 300), ("calendar.days[0].breaks[0].label", 200),
    ("rooms[0].name", 300), ("rooms[0].features[0]", 200), ("rooms[0].unavailable[0].reason", 1_000),
    ("speakers[0].name", 300), ("speakers[0].role", 100), ("speakers[0].gender", 50),
    ("sessions[0].title", 500), ("sessions[0].type", 100), ("sessions[0].organizers[0]", 300),
    ("sessions[0].tracks[0]", 200), ("sessions[0].requires[0]", 200), ("sessions[0].interpretation[0]", 200),
    ("rules.no_overlap[0].reason", 1_000),
]
# fmt: on


@pytest.mark.parametrize(("where", "limit"), CAPPED_TEXT)
def test_every_text_field_has_a_limit(valid: dict[str, Any], where: str, limit: int) -> None:
    [issue] = issues(change(valid, where, "x" * LONG))
    assert issue.path == where
    assert issue.message.startswith(f"is {LONG} characters long, at most {limit} allowed: 'xxx")


def test_extension_text_has_a_limit_too(valid: dict[str, Any]) -> None:
    valid["sessions"][0]["x-notes"] = {"long": "x" * LONG}
    [issue] = issues(valid)
    assert issue.path == "sessions[0].x-notes.long"
    assert issue.message.startswith("is 100001 characters long, at most 10000 allowed")


def test_lists_have_a_limit(valid: dict[str, Any]) -> None:
    valid["sessions"] = [
        {"id": f"s-{n}", "title": "Side event", "duration_minutes": 30} for n in range(10_001)
    ]
    assert Issue("sessions", "has 10001 entries, at most 10000 allowed") in issues(valid)
    valid["sessions"] = json.loads(json.dumps(VALID["sessions"]))
    valid["sessions"][0]["tracks"] = [f"T{n}" for n in range(1_001)]
    assert issues(valid) == [Issue("sessions[0].tracks", "has 1001 entries, at most 1000 allowed")]


def test_reading_stops_after_a_thousand_issues(valid: dict[str, Any]) -> None:
    valid["sessions"] = [{"id": f"s-{n}", "title": "", "duration_minutes": 30} for n in range(5_000)]
    found = issues(valid)
    assert len(found) == 1_001
    assert found[-1] == Issue("$", "reading stopped after 1000 problems: fix these, then check again")


# --- characters -----------------------------------------------------------------------------------

# fmt: off
ONE_LINE = "this field is one line of text"
REFUSED_CHARACTERS = [
    ("sessions[0].title", "Opening\x1b[2J",
     "contains U+001B (a control character) at character 8: 'Opening\\x1b[2J'"),
    ("speakers[0].name", "Eve\r\nsp-9",
     "contains U+000D (a carriage return) at character 4: 'Eve\\r\\nsp-9'"),
    ("sessions[0].title", "Opening\ufffe",
     "contains U+FFFE (a Unicode noncharacter) at character 8: 'Opening\\ufffe'"),
    ("rooms[0].name", "Room\tC", f"contains U+0009 (a tab) at character 5; {ONE_LINE}: 'Room\\tC'"),
    ("sessions[0].title", "Opening\nceremony",
     f"contains U+000A (a line break) at character 8; {ONE_LINE}: 'Opening\\nceremony'"),
    ("sessions[0].tracks[0]", "C1\u2028",
     f"contains U+2028 (a line break) at character 3; {ONE_LINE}: 'C1\\u2028'"),
    ("sessions[0].organizers[0]", "ITU\x85",
     "contains U+0085 (a control character) at character 4: 'ITU\\x85'"),
]
# fmt: on


@pytest.mark.parametrize(("where", "value", "message"), REFUSED_CHARACTERS)
def test_control_characters_are_refused_with_their_path(
    valid: dict[str, Any], where: str, value: str, message: str
) -> None:
    assert issues(change(valid, where, value)) == [Issue(where, message)]


def test_tabs_and_line_feeds_only_where_a_field_is_multi_line(valid: dict[str, Any]) -> None:
    valid["sessions"][0]["abstract"] = "First\tparagraph.\n\nSecond."
    valid["speakers"][0]["bio"] = "One line.\nAnother."
    assert parse_problem(valid).sessions[0].abstract == "First\tparagraph.\n\nSecond."
    valid["speakers"][0]["bio"] = "Windows line\r\nending"
    assert issues(valid)[0].message.startswith("contains U+000D (a carriage return) at character 13")


# Stored before these rules, or by other means: every writer must still produce a valid file.
HOSTILE_TITLE = "Bell\x07 clear\x1b[2J screen\ufffe and a lone\rCR"
HOSTILE_NAME = "Eve\r\nsp-9\tFake speaker\thttps://attacker.example/\x1b[2J"


@pytest.fixture
def hostile_event(engine: Engine) -> None:
    opening, *rest = SMALL_PROBLEM.sessions
    speaker, *others = SMALL_PROBLEM.speakers
    problem = replace(
        SMALL_PROBLEM,
        sessions=(replace(opening, title=HOSTILE_TITLE), *rest),
        speakers=(replace(speaker, name=HOSTILE_NAME), *others),
    )
    with transaction(engine) as db:
        event = import_problem(db, problem)  # the store takes domain objects as given
        publish_schedule(db, event, PUBLISHED, now=PUBLISHED_AT)


def test_calendar_text_holds_no_control_characters(hostile_event: None, database_url: str) -> None:
    body = create_app({"DATABASE_URL": database_url}).test_client().get("/calendar/agenda.ics").data
    assert re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", body) is None
    assert re.search(rb"\r(?!\n)|(?<!\r)\n", body) is None  # every line ends in CRLF, no stray breaks
    summaries = [str(e["summary"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")]
    assert "Bell clear[2J screen and a lone\nCR" in summaries


def test_the_agenda_xlsx_export_stays_readable(hostile_event: None, database_url: str) -> None:
    body = create_app({"DATABASE_URL": database_url}).test_client().get("/export/agenda.xlsx").data
    rows = list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
    assert "Bell clear[2J screen and a lone\nCR" in [row[1] for row in rows]  # XML reads CR as LF


def test_speaker_links_keep_one_line_and_three_fields_per_speaker(
    hostile_event: None, database_url: str
) -> None:
    output = CliRunner().invoke(main, ["speaker-links", "--base-url", "https://agenda.example.org"]).output
    lines = output.splitlines()
    assert len(lines) == len(SMALL_PROBLEM.speakers)
    assert all(len(line.split("\t")) == 3 for line in lines)
    assert lines[0].startswith(
        "sp-1\tEve sp-9 Fake speaker https://attacker.example/ [2J\thttps://agenda.example.org/speaker/"
    )


def test_terminal_output_shows_controls_instead_of_running_them(
    hostile_event: None, database_url: str
) -> None:
    output = CliRunner().invoke(main, ["speaker-links", "--revoke", "sp-1"]).output
    assert "\x1b" not in output and "\r" not in output
    assert output.startswith("Revoked 0 link(s) of sp-1 (Eve\ufffd\nsp-9\tFake speaker")


# --- ids and names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("sessions[1].id", "s/002"),
        ("rooms[1].id", "room/k"),
        ("speakers[1].id", "sp/2"),
        ("sessions[1].id", ".."),
    ],
)
def test_ids_that_cannot_be_part_of_an_address_are_refused(
    valid: dict[str, Any], where: str, value: str
) -> None:
    found = issues(change(valid, where, value))
    assert found[0] == Issue(
        where, f"an id cannot contain '/' or be '.' or '..', as it is part of web addresses: {value!r}"
    )


@pytest.mark.parametrize(
    "where",
    [
        "sessions[0].tracks[0]",
        "rooms[0].name",
        "speakers[0].name",
        "sessions[0].organizers[0]",
        "event.name",
        "rooms[0].features[0]",
        "sessions[0].title",
        "speakers[0].role",
    ],
)
def test_names_that_differ_only_by_spaces_around_them_are_refused(valid: dict[str, Any], where: str) -> None:
    *_, last = re.split(r"[.\[]", where)
    value = "Analytics " if last.startswith("0") else " Analytics"
    assert issues(change(valid, where, value)) == [
        Issue(where, f"must not start or end with spaces: {value!r}")
    ]
