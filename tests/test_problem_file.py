"""Problem files: what reading builds, lossless writing back, and loading from disk."""

from __future__ import annotations

import copy
import json
import os
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from scheduler.problem_file import (
    Issue,
    ProblemFileError,
    dump_problem,
    load_problem,
    loads_problem,
    parse_problem,
    problem_to_data,
)
from solver.domain import Fixed, Period, Window
from tests.strategies import problems

DATA = Path(__file__).parent / "data"
VALID_PATH = DATA / "valid.problem.json"


@pytest.fixture
def valid() -> dict[str, Any]:
    return json.loads(VALID_PATH.read_text(encoding="utf-8"))


def test_reading_builds_typed_domain_objects(valid: dict[str, Any]) -> None:
    problem = parse_problem(valid)
    assert problem.event.timezone == "Europe/Zurich"
    day = problem.calendar.days[0]
    assert (day.date, day.open, day.close) == (date(2025, 7, 7), time(9), time(18, 30))
    assert day.breaks[0].label == "Lunch"
    assert problem.rooms[0].unavailable == (
        Period(datetime(2025, 7, 8, 9), datetime(2025, 7, 8, 12, 30), "AI for Good keynote"),
    )
    opening = problem.session("s-001")
    assert opening.fixed == Fixed(room="room-c", start=datetime(2025, 7, 7, 9))
    assert opening.window == Window(earliest=datetime(2025, 7, 7, 9), latest=datetime(2025, 7, 7, 18, 30))
    assert opening.booths_needed == 6
    assert opening.preferred[0].weight == 5
    assert problem.session("s-003").optional is True
    assert problem.speaker("sp-002").available is None
    assert problem.no_overlap[0].sessions == ("s-002", "s-003")


def test_optional_keys_take_their_defaults(valid: dict[str, Any]) -> None:
    session = parse_problem(valid).session("s-002")
    assert (session.type, session.expected_attendance, session.fixed, session.window) == ("", 0, None, None)
    assert session.optional is False
    assert parse_problem(valid).room("room-k").interpretation_booths == 0


def test_defaults_spelt_out_are_remembered(valid: dict[str, Any]) -> None:
    opening = parse_problem(valid).session("s-001")
    assert opening.given_defaults == frozenset({"after", "optional"})
    assert "after" in problem_to_data(parse_problem(valid))["sessions"][0]


def test_null_where_absence_means_something_is_kept(valid: dict[str, Any]) -> None:
    valid["speakers"][1]["available"] = None
    valid["sessions"][1]["window"] = None
    problem = parse_problem(valid)
    assert problem.speaker("sp-002").available is None
    assert problem.speaker("sp-002").given_defaults == {"available"}
    assert problem_to_data(problem) == valid


def test_an_empty_availability_is_not_the_same_as_none(valid: dict[str, Any]) -> None:
    valid["speakers"][1]["available"] = []
    assert parse_problem(valid).speaker("sp-002").available == ()


def test_extension_keys_are_kept_at_every_level(valid: dict[str, Any]) -> None:
    valid["x-source"] = {"tool": "planner", "rev": [1, 2.5, None]}
    valid["calendar"]["days"][0]["breaks"][0]["x-catering"] = "hot"
    valid["sessions"][0]["fixed"]["x-why"] = "protocol"
    valid["speakers"][0]["available"][0]["reason"] = "arrives on the 7th"
    problem = parse_problem(valid)
    assert problem.extra == {"x-source": {"tool": "planner", "rev": [1, 2.5, None]}}
    assert problem.speakers[0].available[0].extra == {"reason": "arrives on the 7th"}
    assert problem.speakers[0].available[0].reason == ""
    assert problem_to_data(problem) == valid


def test_writing_back_shares_nothing_with_the_input(valid: dict[str, Any]) -> None:
    valid["x-source"] = {"rev": [1]}
    problem = parse_problem(valid)
    valid["x-source"]["rev"].append(2)
    written = problem_to_data(problem)
    written["x-source"]["rev"].append(3)
    assert problem.extra == {"x-source": {"rev": [1]}}


@settings(deadline=None)
@given(problems())
def test_every_valid_file_survives_reading_and_writing_unchanged(data: dict[str, Any]) -> None:
    original = copy.deepcopy(data)
    problem = parse_problem(data)
    assert problem_to_data(problem) == original
    # As JSON text too: no value changes its JSON form (an int weight stays an int).
    text = json.dumps(problem_to_data(problem), ensure_ascii=False)
    assert text == json.dumps(problem_to_data(loads_problem(text)), ensure_ascii=False)


@settings(deadline=None, max_examples=25)
@given(problems())
def test_dumped_files_load_back_equal(tmp_path_factory: pytest.TempPathFactory, data: dict[str, Any]) -> None:
    path = tmp_path_factory.mktemp("dump") / "problem.json"
    problem = parse_problem(data)
    dump_problem(problem, path)
    assert load_problem(path) == problem


def test_dump_writes_readable_utf8_with_a_final_newline(tmp_path: Path, valid: dict[str, Any]) -> None:
    valid["event"]["name"] = "Sommet de Genève — 日内瓦"
    path = tmp_path / "problem.json"
    dump_problem(parse_problem(valid), path)
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert "Sommet de Genève — 日内瓦" in text
    assert text.startswith('{\n  "format": "agenda-problem/1",\n  "event": {\n    "name"')
    assert json.loads(text) == valid


def test_dump_replaces_a_file_whole_and_leaves_nothing_behind(tmp_path: Path, valid: dict[str, Any]) -> None:
    path = tmp_path / "problem.json"
    path.write_text("old", encoding="utf-8")
    dump_problem(parse_problem(valid), path)
    assert os.listdir(tmp_path) == ["problem.json"]
    assert json.loads(path.read_text(encoding="utf-8")) == valid


def test_a_failed_dump_keeps_the_old_file(tmp_path: Path, valid: dict[str, Any]) -> None:
    path = tmp_path / "problem.json"
    path.write_text("old", encoding="utf-8")
    problem = parse_problem(valid)
    broken = type(problem)(
        event=problem.event, calendar=problem.calendar, extra={"x-bad": float("nan")}
    )  # NaN cannot be written as JSON
    with pytest.raises(ValueError):
        dump_problem(broken, path)
    assert path.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["problem.json"]


def test_load_accepts_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "problem.json"
    path.write_bytes(b"\xef\xbb\xbf" + VALID_PATH.read_bytes())
    assert load_problem(path) == load_problem(VALID_PATH)


def test_load_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProblemFileError) as caught:
        load_problem(tmp_path / "nope.json")
    assert caught.value.issues == [
        Issue("$", f"cannot read {str(tmp_path / 'nope.json')!r}: No such file or directory")
    ]


def test_load_reports_invalid_content_with_paths(tmp_path: Path, valid: dict[str, Any]) -> None:
    valid["sessions"][1]["speakers"] = ["sp-404"]
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(valid), encoding="utf-8")
    with pytest.raises(ProblemFileError) as caught:
        load_problem(path)
    assert str(caught.value) == "sessions[1].speakers[0]: unknown speaker id 'sp-404'"


def test_issues_read_as_path_and_message() -> None:
    assert str(Issue("sessions[41].speakers[2]", "unknown speaker id 'sp-0999'")) == (
        "sessions[41].speakers[2]: unknown speaker id 'sp-0999'"
    )
