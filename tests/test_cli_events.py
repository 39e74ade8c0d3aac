"""`scheduler import/export/convert/plan/publish/versions` end to end, against DATABASE_URL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select

from scheduler import models
from scheduler.cli import main
from scheduler.db import transaction
from scheduler.problem_file import load_problem, problem_to_data
from scheduler.store import export_problem
from scheduler.workbook import read_workbook
from tests.test_store import problem_data

pytestmark = pytest.mark.db


def run(*args: Any) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def problem_file(tmp_path: Path) -> Path:
    return write(tmp_path / "forum.json", problem_data())


def count(engine: Engine, table: type[models.Base]) -> int:
    with transaction(engine) as db:
        return db.scalar(select(func.count()).select_from(table))


def test_import_export_and_convert_round_trip(engine: Engine, problem_file: Path, tmp_path: Path) -> None:
    result = run("import", problem_file)
    assert result.exit_code == 0, result.output
    assert (
        "stored event 'store-test-forum-2025' (id 1): 3 sessions, 2 rooms, 3 speakers, 2 days"
        in result.output
    )
    assert run("export", "-o", tmp_path / "out.json").exit_code == 0
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8")) == problem_data()
    assert run("export", "store-test-forum-2025", "-o", tmp_path / "out.bin", "--xlsx").exit_code == 0
    assert problem_to_data(read_workbook(tmp_path / "out.bin")) == problem_data()
    assert run("convert", problem_file, "-o", tmp_path / "forum.xlsx").exit_code == 0
    again = run("import", tmp_path / "forum.xlsx")
    assert again.exit_code == 0 and "(id 1)" in again.output
    assert count(engine, models.Event) == 1


def test_an_invalid_file_is_refused_with_every_issue_and_nothing_stored(
    engine: Engine, tmp_path: Path
) -> None:
    data = problem_data()
    data["sessions"][0]["speakers"] = ["sp-0999"]
    data["rooms"][0]["capacity"] = -1
    result = run("import", write(tmp_path / "bad.json", data))
    assert result.exit_code == 2
    assert "sessions[0].speakers[0]: unknown speaker id 'sp-0999'" in result.output
    assert "rooms[0].capacity: must be at least 1" in result.output
    assert count(engine, models.Event) == 0


def test_an_invalid_workbook_names_the_cell(engine: Engine, problem_file: Path, tmp_path: Path) -> None:
    workbook = tmp_path / "bad.xlsx"
    assert run("convert", problem_file, "-o", workbook).exit_code == 0
    # A programme team's edit: a speaker id that does not exist.
    book = load_workbook(workbook)
    sheet = book["sessions"]
    column = [cell.value for cell in sheet[1]].index("speakers") + 1
    sheet.cell(3, column).value = "sp-0999"
    book.save(workbook)
    for command in ("import", "validate"):
        result = run(command, workbook)
        assert result.exit_code == 2
        assert "sheet 'sessions', row 3, column 'speakers': unknown speaker id 'sp-0999'" in result.output
    assert count(engine, models.Event) == 0


def test_a_bad_slug_is_refused_cleanly(engine: Engine, problem_file: Path) -> None:
    result = run("import", problem_file, "--slug", "Not A Slug")
    assert result.exit_code == 2
    assert "nothing stored" in result.output and "Traceback" not in result.output


def test_unknown_or_ambiguous_events_are_clean_errors(
    engine: Engine, problem_file: Path, tmp_path: Path
) -> None:
    assert run("versions").exit_code == 2
    run("import", problem_file)
    run("import", problem_file, "--slug", "second")
    result = run("export", "-o", tmp_path / "x.json")
    assert result.exit_code == 2 and "several events" in result.output
    result = run("versions", "nope")
    assert result.exit_code == 2 and "no event with id or slug 'nope'" in result.output


def test_plan_publish_and_list_versions(engine: Engine, problem_file: Path) -> None:
    run("import", problem_file)
    assert run("publish").exit_code == 2  # no draft yet
    assert run("plan", "--replan").exit_code == 2  # nothing published to re-plan from
    planned = run("plan", "--time-limit", 5, "--note", "first")
    assert planned.exit_code == 0, planned.output
    assert "draft version 1: " in planned.output and "3 of 3 sessions placed" in planned.output
    published = run("publish")
    assert published.exit_code == 0, published.output
    assert "published version 2: 3 sessions; 3 new, 0 moved, 0 cancelled" in published.output
    replanned = run("plan", "--replan", "--time-limit", 5)
    assert replanned.exit_code == 0 and "against the published agenda" in replanned.output
    assert run("publish", "--draft", 3).exit_code == 0
    listing = run("versions").output.splitlines()
    assert listing[0].split() == [
        "version",
        "state",
        "created",
        "(UTC)",
        "status",
        "objective",
        "placed",
        "changes",
    ]
    assert [line.split()[:2] for line in listing[1:]] == [
        ["4", "published"],
        ["3", "draft"],
        ["2", "published"],
        ["1", "draft"],
    ]
    assert listing[-2].split()[-2:] == ["3", "3"]  # version 2: 3 placed, 3 changes
    assert listing[-1].split()[-2:] == ["3", "-"]  # drafts have no changes


def test_publishing_a_schedule_file_checks_it_first(
    engine: Engine, problem_file: Path, tmp_path: Path
) -> None:
    run("import", problem_file)
    clash = {
        "format": "agenda-schedule/1",
        "status": "feasible",
        "assignments": [
            {"session": "s-1", "room": "room-a", "start": "2025-07-07T09:00", "end": "2025-07-07T10:00"},
            {"session": "s-3", "room": "room-a", "start": "2025-07-07T09:00", "end": "2025-07-07T09:45"},
        ],
    }
    path = write(tmp_path / "clash.json", clash)
    refused = run("publish", "--schedule", path)
    assert refused.exit_code == 1
    assert "not published: " in refused.output and "s-3" in refused.output
    assert count(engine, models.ScheduleVersion) == 0
    assert run("publish", "--schedule", path, "--force").exit_code == 0
    assert run("publish", "--schedule", path, "--draft", 1).exit_code == 2
    unknown = write(
        tmp_path / "unknown.json", {**clash, "assignments": [{**clash["assignments"][0], "room": "r-x"}]}
    )
    result = run("publish", "--schedule", unknown)
    assert result.exit_code == 2 and "unknown room id 'r-x'" in result.output


def test_an_infeasible_plan_is_kept_as_a_draft_and_exits_1(engine: Engine, tmp_path: Path) -> None:
    data = problem_data()
    data["sessions"][2]["expected_attendance"] = 100_000  # no room seats that many
    run("import", write(tmp_path / "big.json", data))
    result = run("plan", "--time-limit", 5)
    assert result.exit_code == 1
    assert "draft version 1: infeasible" in result.output and "conflict:" in result.output
    with transaction(engine) as db:
        assert db.scalars(select(models.ScheduleVersion.status)).all() == ["infeasible"]


def test_the_sample_workbook_imports_like_the_sample_file(engine: Engine) -> None:
    data = Path(__file__).resolve().parent.parent / "data"
    assert run("import", data / "wsis20-2025.problem.xlsx").exit_code == 0
    with transaction(engine) as db:
        event = db.scalars(select(models.Event)).one()
        assert export_problem(db, event) == load_problem(data / "wsis20-2025.problem.json")
