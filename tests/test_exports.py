"""CSV and XLSX exports of the published agenda: exact text, native types, no formula injection."""

from __future__ import annotations

import csv
import io
import time as time_module
from datetime import date, time

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import Engine

from tests.agenda_data import DRAFT_ONLY_TITLE, HOSTILE_SPEAKER, HOSTILE_TITLE, REPLAN, publish_next
from webapp.exports import agenda_csv, agenda_xlsx, defuse

pytestmark = pytest.mark.db
pytest_plugins = ("tests.agenda_fixtures",)

HEADER = ["Session ID", "Title", "Date", "Start", "Minutes"]
FORMULAS = ["=HYPERLINK(\"http://evil\",\"x\")", "+41 22 730 5111", "-1+2", "@SUM(A1)", "\t=1", "\r=1"]


def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode()), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_csv_is_the_published_agenda_with_exact_text(agenda_client: FlaskClient) -> None:
    response = agenda_client.get("/export/agenda.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="test-summit-2025-agenda-v1.csv"'
    header, *rows = read_csv(response.data)
    assert header[:8] == ["Session ID", "Title", "Type", "Status", "Date", "Start (Europe/Zurich)",
                          "End (Europe/Zurich)", "Minutes"]
    assert [r[0] for r in rows] == ["s-open", "s-c1", "s-hostile", "s-close"]
    assert DRAFT_ONLY_TITLE not in response.get_data(as_text=True)
    hostile = dict(zip(header, rows[2], strict=True))
    assert hostile["Title"] == HOSTILE_TITLE
    assert hostile["Speakers"] == f"{HOSTILE_SPEAKER}; Li Wei 李伟"
    when = (hostile["Date"], hostile["Start (Europe/Zurich)"], hostile["Minutes"])
    assert when == ("2025-07-08", "14:00", "90")
    assert hostile["Page"] == "http://localhost/sessions/s-hostile"


def test_csv_revalidates(agenda_client: FlaskClient) -> None:
    etag = agenda_client.get("/export/agenda.csv").headers["ETag"]
    assert agenda_client.get("/export/agenda.csv", headers={"If-None-Match": etag}).status_code == 304


def test_cancelled_sessions_are_marked(agenda_client: FlaskClient, engine: Engine) -> None:
    publish_next(engine, REPLAN)  # drops s-hostile
    header, *rows = read_csv(agenda_client.get("/export/agenda.csv").data)
    status = {r[0]: r[header.index("Status")] for r in rows}
    assert status["s-hostile"] == "cancelled"
    assert status["s-open"] == "scheduled"


def test_csv_defuses_formulas_but_keeps_the_text_recognisable() -> None:
    rows = [[f"s-{i}", text, date(2025, 7, 8), time(9, 30), 60] for i, text in enumerate(FORMULAS)]
    _, *read = read_csv(agenda_csv(HEADER, rows))
    assert [r[1] for r in read] == ["'" + text for text in FORMULAS]
    assert read[0][2:] == ["2025-07-08", "09:30", "60"]
    assert defuse("Opening = ceremony") == "Opening = ceremony"
    assert defuse("") == ""


def test_xlsx_keeps_text_as_text_and_times_as_times(agenda_client: FlaskClient) -> None:
    response = agenda_client.get("/export/agenda.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"] == 'attachment; filename="test-summit-2025-agenda-v1.xlsx"'
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in sheet[1]]
    hostile = dict(zip(header, [c.value for c in sheet[4]], strict=True))
    assert hostile["Title"] == HOSTILE_TITLE
    assert hostile["Date"].date() == date(2025, 7, 8)
    assert hostile["Start (Europe/Zurich)"] == time(14, 0)
    assert hostile["Minutes"] == 90
    assert sheet.max_row == 5


def test_xlsx_never_stores_a_formula() -> None:
    # XML turns a carriage return into a line feed, so "\r=1" is left to the CSV test.
    texts = FORMULAS[:-1]
    rows = [[f"s-{i}", text, date(2025, 7, 8), time(9, 30), 60] for i, text in enumerate(texts)]
    sheet = load_workbook(io.BytesIO(agenda_xlsx("t", HEADER, rows))).active
    cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert [c.data_type for c in cells] == ["s"] * len(texts)
    assert [c.value for c in cells] == texts


def test_the_same_agenda_is_the_same_workbook_whenever_and_wherever_it_is_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Two server processes build their own copy: with one ETag, a revalidation answers 304 on either.
    rows = [["s-1", date(2025, 7, 8), time(10, 0)]]
    first = agenda_xlsx("Agenda", ["id", "day", "start"], rows)
    later = time_module.time() + 3600
    monkeypatch.setattr(time_module, "time", lambda: later)
    assert agenda_xlsx("Agenda", ["id", "day", "start"], rows) == first
    assert load_workbook(io.BytesIO(first)).active["A2"].value == "s-1"
