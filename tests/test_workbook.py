"""Problem workbooks (.xlsx): lossless round trips, spreadsheet habits, and issues that name the cell."""

from __future__ import annotations

import json
from datetime import datetime, time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from openpyxl import Workbook, load_workbook

from scheduler.problem_file import ProblemFileError, load_problem, parse_problem, problem_to_data
from scheduler.workbook import read_problem_file, read_workbook, write_workbook
from tests.strategies import problems
from tests.test_store import problem_data

DATA = Path(__file__).resolve().parent.parent / "data"


def round_trip(data: dict[str, Any], path: Path) -> dict[str, Any]:
    write_workbook(parse_problem(data), path)
    return problem_to_data(read_workbook(path))


def test_the_sample_workbook_is_the_sample_problem() -> None:
    twin = read_problem_file(DATA / "wsis20-2025.problem.xlsx")
    sample = json.loads((DATA / "wsis20-2025.problem.json").read_text(encoding="utf-8"))
    assert problem_to_data(twin) == sample, (
        "the workbook is stale: run "
        "scheduler convert data/wsis20-2025.problem.json -o data/wsis20-2025.problem.xlsx"
    )


def test_every_field_extension_and_given_default_round_trips(tmp_path: Path) -> None:
    assert round_trip(problem_data(), tmp_path / "p.xlsx") == problem_data()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=problems())
def test_any_valid_file_round_trips_through_a_workbook(tmp_path: Path, data: dict[str, Any]) -> None:
    assert round_trip(data, tmp_path / "p.xlsx") == data


def test_values_a_cell_cannot_hold_go_to_the_json_column(tmp_path: Path) -> None:
    data = problem_data()
    session = data["sessions"][2]
    session["organizers"] = ["A; B Ltd", "C"]  # ';' separates list items in a cell
    session["title"] = '=HYPERLINK("http://x")'  # text, never a formula
    session["type"] = ""  # blank cells mean absent
    session["x-note"] = "plain"
    path = tmp_path / "p.xlsx"
    assert round_trip(data, path) == data
    sheet = load_workbook(path)["sessions"]
    headers = [cell.value for cell in sheet[1]]
    row = {h: c.value for h, c in zip(headers, sheet[4], strict=True)}
    assert json.loads(row["json"]) == {
        "organizers": ["A; B Ltd", "C"],
        "type": "",
        "preferred": [],
        "x-tags": {"a": 1},
    }
    assert (
        row["title"] == '=HYPERLINK("http://x")'
        and sheet.cell(4, headers.index("title") + 1).data_type == "s"
    )
    assert row["x-note"] == "plain"


def sheet_book(sheets: dict[str, list[list[Any]]]) -> Workbook:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    return book


def minimal_sheets() -> dict[str, list[list[Any]]]:
    return {
        "event": [
            ["key", "value"],
            ["name", "Forum"],
            ["timezone", "Europe/Zurich"],
            ["granularity_minutes", 15],
        ],
        "days": [["date", "open", "close"], ["2025-07-07", "09:00", "18:00"]],
        "rooms": [["id", "name", "capacity", "features"], ["r1", "Room 1", 100, "hybrid; captioning"]],
        "speakers": [["id", "name"], ["sp-1", "Ana"]],
        "sessions": [
            ["id", "title", "duration_minutes", "speakers", "optional"],
            ["s-1", "Opening", 60, "sp-1", None],
            ["s-2", "Panel", 30, "sp-1; sp-0999", None],
        ],
    }


def read(sheets: dict[str, list[list[Any]]], tmp_path: Path) -> Any:
    path = tmp_path / "team.xlsx"
    sheet_book(sheets).save(path)
    return read_workbook(path)


def issues(sheets: dict[str, list[list[Any]]], tmp_path: Path) -> list[str]:
    with pytest.raises(ProblemFileError) as error:
        read(sheets, tmp_path)
    return [str(issue) for issue in error.value.issues]


def test_issues_name_the_sheet_row_and_column(tmp_path: Path) -> None:
    assert issues(minimal_sheets(), tmp_path) == [
        "sheet 'sessions', row 3, column 'speakers': unknown speaker id 'sp-0999'"
    ]
    sheets = minimal_sheets()
    sheets["sessions"][2][3] = "sp-1"
    sheets["breaks"] = [["date", "start", "end"], ["2025-07-07", "13:00", "12:00"]]
    sheets["rooms"][1].append('{"capacity": 3')
    sheets["rooms"][0].append("json")
    sheets["room_unavailable"] = [["room", "start", "end"], ["r9", "2025-07-07T09:00", "2025-07-07T10:00"]]
    # The workbook's own problems and the problem's are reported together.
    assert issues(sheets, tmp_path) == [
        "sheet 'rooms', row 2, column 'json': not valid JSON: Expecting ',' delimiter",
        "sheet 'room_unavailable', row 2, column 'room': no id 'r9' in sheet 'rooms'",
        "sheet 'breaks', row 2, column 'end': end 12:00 must be after start 13:00",
    ]
    del sheets["room_unavailable"]
    sheets["rooms"][1][-1] = '{"x-floor": 2}'
    assert issues(sheets, tmp_path) == [
        "sheet 'breaks', row 2, column 'end': end 12:00 must be after start 13:00"
    ]


def test_a_missing_event_name_points_at_the_event_sheet(tmp_path: Path) -> None:
    sheets = minimal_sheets()
    sheets["sessions"][2][3] = "sp-1"
    del sheets["event"][1]
    assert issues(sheets, tmp_path) == ["sheet 'event': missing: the event must have 'name'"]


def test_spreadsheet_habits_are_understood(tmp_path: Path) -> None:
    sheets = minimal_sheets()
    sheets["event"][3][1] = 15.0  # every number is a float to a spreadsheet
    sheets["days"][1] = [datetime(2025, 7, 7), time(9, 0), time(18, 0)]
    sheets["rooms"][1][0] = 101  # an id the spreadsheet took for a number
    sheets["sessions"][0] += ["fixed_room", "fixed_start"]
    sheets["sessions"][1][4:] = ["yes", 101, datetime(2025, 7, 7, 9, 0)]
    sheets["sessions"][2][3:5] = ["sp-1;", "FALSE"]
    sheets["Notes"] = [["anything", "goes"], ["here", 1]]
    problem = read(sheets, tmp_path)
    assert problem.calendar.days[0].open == time(9, 0)
    assert problem.rooms[0].id == "101"
    opening, panel = problem.sessions
    assert (opening.optional, opening.fixed.room, opening.fixed.start) == (
        True,
        "101",
        datetime(2025, 7, 7, 9),
    )
    assert (panel.speakers, panel.optional) == (("sp-1",), False)


def test_structural_mistakes_are_all_reported(tmp_path: Path) -> None:
    sheets = minimal_sheets()
    sheets["sessions"][0].append("title")
    sheets["sessions"][1].append("again")
    sheets["speakers"][1] += [None, "orphan value"]
    assert issues(sheets, tmp_path) == [
        "sheet 'speakers', row 2: a value in column 4, which has no header: "
        "name the column in row 1 or clear it",
        "sheet 'sessions', row 1, column 'title': this column header appears twice",
        "sheet 'sessions', row 3, column 'speakers': unknown speaker id 'sp-0999'",
    ]


def test_unknown_event_keys_are_reported(tmp_path: Path) -> None:
    sheets = minimal_sheets()
    sheets["sessions"][2][3] = "sp-1"
    sheets["event"].append(["colour", "blue"])
    assert issues(sheets, tmp_path)[0].startswith("sheet 'event', row 5, column 'key': unknown key 'colour'")


def test_a_file_that_is_not_a_workbook_is_one_clear_issue(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_text("not a spreadsheet")
    with pytest.raises(ProblemFileError) as error:
        read_workbook(path)
    assert [issue.message[:30] for issue in error.value.issues] == ["cannot read '" + str(path)[:17]]


def test_read_problem_file_goes_by_suffix(tmp_path: Path) -> None:
    json_path = tmp_path / "p.json"
    json_path.write_text(json.dumps(problem_data()), encoding="utf-8")
    xlsx_path = tmp_path / "p.XLSX"
    write_workbook(load_problem(json_path), xlsx_path)
    assert read_problem_file(json_path) == read_problem_file(xlsx_path)
