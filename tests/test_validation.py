"""Every validation rule of problem files, each with a file that breaks it, and `scheduler validate`."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.cli import main
from scheduler.problem_file import Issue, ProblemFileError, loads_problem, parse_problem
from tests.strategies import problems

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parent.parent
VALID = json.loads((DATA / "valid.problem.json").read_text(encoding="utf-8"))
DELETE = object()
CLEAR_SCREEN = "\x1b[2J"


def _steps(path: str) -> list[str | int]:
    return [int(index) if index else key for key, index in re.findall(r"([A-Za-z_]+)|\[(\d+)\]", path)]


def change(data: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    """`data` with the value at `path` (as issues write it) replaced, or deleted with DELETE."""
    *parents, last = _steps(path)
    target: Any = data
    for step in parents:
        target = target[step]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return data


def issues(data: object) -> list[Issue]:
    with pytest.raises(ProblemFileError) as caught:
        parse_problem(data)
    return caught.value.issues


@pytest.fixture
def valid() -> dict[str, Any]:
    return copy.deepcopy(VALID)


def test_the_fixture_is_valid(valid: dict[str, Any]) -> None:
    parse_problem(valid)


# One broken value, one issue: (where to break it, the bad value, the issue's path, its message).
# fmt: off
ONE_VALUE = [
    # The format tag
    ("format", "agenda-problem/2", "format", "expected 'agenda-problem/1', got 'agenda-problem/2'"),
    ("format", DELETE, "format", 'missing: a problem file starts with "format": "agenda-problem/1"'),
    ("format", ["x"], "format", "expected 'agenda-problem/1', got a list"),
    # Required keys
    ("event", DELETE, "event", "missing: a problem file must have 'event'"),
    ("event.timezone", DELETE, "event.timezone", "missing: the event must have 'timezone'"),
    ("calendar.days[0].close", DELETE, "calendar.days[0].close", "missing: a day must have 'close'"),
    ("rooms[1].capacity", DELETE, "rooms[1].capacity", "missing: a room must have 'capacity'"),
    ("speakers[1].name", DELETE, "speakers[1].name", "missing: a speaker must have 'name'"),
    ("sessions[1].title", DELETE, "sessions[1].title", "missing: a session must have 'title'"),
    ("rules.no_overlap[0].sessions", DELETE, "rules.no_overlap[0].sessions",
     "missing: a no_overlap group must have 'sessions'"),
    # Wrong types
    ("rooms[1].capacity", "120", "rooms[1].capacity", "expected a whole number, got '120'"),
    ("rooms[1].capacity", True, "rooms[1].capacity", "expected a whole number, got true"),
    ("sessions[1].duration_minutes", 60.0, "sessions[1].duration_minutes",
     "expected a whole number, got 60.0"),
    ("sessions[2].optional", "yes", "sessions[2].optional", "expected true or false, got 'yes'"),
    ("sessions[1].speakers", "sp-002", "sessions[1].speakers", "expected a list, got 'sp-002'"),
    ("sessions[1].tracks[0]", 4, "sessions[1].tracks[0]", "expected text, got 4"),
    ("rooms[1]", ["room-k"], "rooms[1]", "expected a room (a JSON object), got a list"),
    ("calendar", None, "calendar", "expected the calendar (a JSON object), got null"),
    ("sessions[0].fixed", "room-c", "sessions[0].fixed", "expected 'fixed' (a JSON object), got 'room-c'"),
    # Ids
    ("rooms[1].id", "", "rooms[1].id", "an id must not be empty"),
    ("rooms[1].id", 7, "rooms[1].id", "expected an id (text), got 7"),
    ("rooms[1].id", "room-k ", "rooms[1].id", "an id must not start or end with spaces: 'room-k '"),
    ("sessions[1].title", "  ", "sessions[1].title", "must not be empty"),
    ("rooms[1].id", "room-c", "rooms[1].id", "duplicate room id 'room-c' (also at rooms[0].id)"),
    # References
    ("sessions[1].speakers[0]", "sp-0999", "sessions[1].speakers[0]", "unknown speaker id 'sp-0999'"),
    ("sessions[0].fixed.room", "room-z", "sessions[0].fixed.room", "unknown room id 'room-z'"),
    ("sessions[2].after[0]", "s-404", "sessions[2].after[0]", "unknown session id 's-404'"),
    ("rules.no_overlap[0].sessions[1]", "s-9", "rules.no_overlap[0].sessions[1]", "unknown session id 's-9'"),
    ("sessions[2].speakers[1]", "sp-001", "sessions[2].speakers[1]",
     "'sp-001' is listed twice (also at sessions[2].speakers[0])"),
    # Time formats and event days
    ("sessions[0].window.latest", "2025-07-07 18:30", "sessions[0].window.latest",
     "expected a date and time written YYYY-MM-DDTHH:MM, got '2025-07-07 18:30'"),
    ("sessions[0].window.latest", "2025-07-07T18:30:00", "sessions[0].window.latest",
     "expected a date and time written YYYY-MM-DDTHH:MM, got '2025-07-07T18:30:00'"),
    ("calendar.days[0].open", "9:00", "calendar.days[0].open",
     "expected a time of day (00:00 to 23:59) written HH:MM, got '9:00'"),
    ("calendar.days[0].close", "24:00", "calendar.days[0].close",
     "'24:00' is not a real time of day (00:00 to 23:59)"),
    ("calendar.days[1].breaks", [{"start": "12:30", "end": "13:60"}], "calendar.days[1].breaks[0].end",
     "'13:60' is not a real time of day (00:00 to 23:59)"),
    ("speakers[0].available[0].end", "2025-02-30T10:00", "speakers[0].available[0].end",
     "'2025-02-30T10:00' is not a real date and time"),
    ("speakers[0].available[0].end", "2025-07-09T12:00", "speakers[0].available[0].end",
     "'2025-07-09T12:00' is not on a day of the event (the event's days are 2025-07-07, 2025-07-08)"),
    ("sessions[0].preferred[0].start", "2025-07-06T09:00", "sessions[0].preferred[0].start",
     "'2025-07-06T09:00' is not on a day of the event (the event's days are 2025-07-07, 2025-07-08)"),
    # Ends after starts
    ("rooms[0].unavailable[0].end", "2025-07-08T09:00", "rooms[0].unavailable[0].end",
     "end 2025-07-08T09:00 must be after start 2025-07-08T09:00"),
    ("speakers[0].available[0].end", "2025-07-07T08:00", "speakers[0].available[0].end",
     "end 2025-07-07T08:00 must be after start 2025-07-07T09:00"),
    ("sessions[0].preferred[0].end", "2025-07-07T08:00", "sessions[0].preferred[0].end",
     "end 2025-07-07T08:00 must be after start 2025-07-07T09:00"),
    ("calendar.days[0].breaks[0].end", "12:00", "calendar.days[0].breaks[0].end",
     "end 12:00 must be after start 12:30"),
    ("calendar.days[1].close", "08:00", "calendar.days[1].close", "close 08:00 must be after open 09:00"),
    # Breaks inside the day, apart from each other
    ("calendar.days[0].breaks[0].end", "19:00", "calendar.days[0].breaks[0]",
     "the break 12:30-19:00 is outside the day's hours 09:00-18:30"),
    ("calendar.days[0].breaks", [{"start": "12:30", "end": "13:30"}, {"start": "13:00", "end": "14:00"}],
     "calendar.days[0].breaks[1]",
     "overlaps the break 12:30-13:30 at calendar.days[0].breaks[0]"),
    # Numbers in range
    ("sessions[1].duration_minutes", 0, "sessions[1].duration_minutes", "must be at least 1, got 0"),
    ("rooms[1].capacity", 0, "rooms[1].capacity", "must be at least 1, got 0"),
    ("calendar.granularity_minutes", 0, "calendar.granularity_minutes", "must be at least 1, got 0"),
    ("calendar.granularity_minutes", 1441, "calendar.granularity_minutes", "must be at most 1440, got 1441"),
    ("rooms[0].interpretation_booths", -1, "rooms[0].interpretation_booths", "must be at least 0, got -1"),
    ("sessions[0].expected_attendance", -5, "sessions[0].expected_attendance", "must be at least 0, got -5"),
    ("calendar.changeover_minutes", -15, "calendar.changeover_minutes", "must be at least 0, got -15"),
    ("rooms[1].capacity", 10**30, "rooms[1].capacity", "must be at most 1000000000, got a very large number"),
    ("sessions[0].preferred[0].weight", 0, "sessions[0].preferred[0].weight", "must be positive, got 0"),
    ("sessions[0].preferred[0].weight", -2.5, "sessions[0].preferred[0].weight",
     "must be positive, got -2.5"),
    ("sessions[0].preferred[0].weight", 1e7, "sessions[0].preferred[0].weight",
     "must be at most 1000000, got 10000000.0"),
    ("sessions[0].preferred[0].weight", float("nan"), "sessions[0].preferred[0].weight",
     "must be a finite number, got nan"),
    # A session that cannot fit anywhere, or is fixed where the solver could never put it
    ("sessions[1].duration_minutes", 481, "sessions[1].duration_minutes",
     "481 minutes is longer than any stretch between breaks: "
     "the longest is 480 minutes, 2025-07-08 09:00-17:00"),
    ("sessions[1].fixed", {"start": "2025-07-07T09:10"}, "sessions[1].fixed.start",
     "2025-07-07T09:10 is off the 15-minute grid, which runs from the day's opening at 09:00"),
    ("sessions[1].fixed", {"start": "2025-07-07T08:45"}, "sessions[1].fixed.start",
     "2025-07-07T08:45 is before the day opens at 09:00"),
    ("sessions[1].fixed", {"start": "2025-07-07T18:00"}, "sessions[1].fixed.start",
     "a 60-minute session starting 2025-07-07T18:00 ends after the day closes at 18:30"),
    ("sessions[1].fixed", {"start": "2025-07-07T12:00"}, "sessions[1].fixed.start",
     "a 60-minute session starting 2025-07-07T12:00 runs into the break 'Lunch' 12:30-13:30"),
    ("sessions[1].fixed", {}, "sessions[1].fixed", "must give at least one of 'room', 'start'"),
    ("sessions[1].window", {"latest": None}, "sessions[1].window",
     "must give at least one of 'earliest', 'latest'"),
    # Windows
    ("sessions[0].window.latest", "2025-07-07T09:00", "sessions[0].window.latest",
     "latest 2025-07-07T09:00 must be after earliest 2025-07-07T09:00"),
    ("sessions[0].window.earliest", "2025-07-07T09:15", "sessions[0].fixed.start",
     "2025-07-07T09:00 is before the window's earliest start 2025-07-07T09:15"),
    # Remote audiences, timezones, rules
    ("sessions[1].remote_audience[1]", "oceania", "sessions[1].remote_audience[1]",
     "unknown region 'oceania'; expected one of africa, americas, arab-states, asia-pacific, europe"),
    ("event.timezone", "Europe/Geneva", "event.timezone",
     "unknown timezone 'Europe/Geneva'; expected an IANA name such as 'Europe/Zurich'"),
    ("event.timezone", "localtime", "event.timezone",
     "unknown timezone 'localtime'; expected an IANA name such as 'Europe/Zurich'"),
    ("rules.no_overlap[0].sessions", ["s-002"], "rules.no_overlap[0].sessions",
     "needs at least 2 entries, got 1"),
    ("calendar.days", [], "calendar.days", "needs at least 1 entry, got 0"),
    ("sessions[1].after", ["s-002"], "sessions[1].after[0]", "a session cannot come after itself"),
    # Text that could not be stored or shown safely
    ("sessions[1].title", "Youth\x00", "sessions[1].title",
     "contains U+0000 (a control character) at character 6: 'Youth\\x00'"),
    ("speakers[1].name", "Amina\ud800", "speakers[1].name",
     "contains U+D800 (a lone surrogate, which is not text) at character 6: 'Amina\\ud800'"),
    ("rooms[1].id", "r" * 201, "rooms[1].id",
     f"an id is at most 200 characters long: {'r' * 60!r}... (201 characters)"),
    ("sessions[1].type", CLEAR_SCREEN * 40, "sessions[1].type",
     f"is 160 characters long, at most 100 allowed: {CLEAR_SCREEN * 15!r}... (160 characters)"),
]
# fmt: on


@pytest.mark.parametrize(("where", "value", "path", "message"), ONE_VALUE)
def test_a_broken_value_is_reported_where_it_is(
    valid: dict[str, Any], where: str, value: object, path: str, message: str
) -> None:
    assert issues(change(valid, where, value)) == [Issue(path, message)]


def test_a_cycle_of_after_names_its_sessions(valid: dict[str, Any]) -> None:
    change(valid, "sessions[0].after", ["s-003"])
    assert issues(valid) == [
        Issue(
            "sessions[0].after",
            "'after' goes round in a circle, so none of these can start: "
            "'s-001' is after 's-003', 's-003' is after 's-001'",
        )
    ]


def test_every_cycle_is_reported_once(valid: dict[str, Any]) -> None:
    change(valid, "sessions[0].after", ["s-002"])
    change(valid, "sessions[2].after", ["s-001", "s-002"])
    change(valid, "sessions[1].after", ["s-003"])
    # s-001, s-002 and s-003 are all caught up in cycles: one of them is named, once, always the same.
    assert issues(valid) == [
        Issue(
            "sessions[0].after",
            "'after' goes round in a circle, so none of these can start: "
            "'s-001' is after 's-002', 's-002' is after 's-003', 's-003' is after 's-001'",
        )
    ]


def test_a_day_that_is_not_a_date_leaves_its_times_off_the_event(valid: dict[str, Any]) -> None:
    change(valid, "calendar.days[1].date", "08/07/2025")
    assert issues(valid) == [
        Issue("calendar.days[1].date", "expected a date written YYYY-MM-DD, got '08/07/2025'"),
        Issue(
            "rooms[0].unavailable[0].start",
            "'2025-07-08T09:00' is not on a day of the event (the event's days are 2025-07-07)",
        ),
        Issue(
            "rooms[0].unavailable[0].end",
            "'2025-07-08T12:30' is not on a day of the event (the event's days are 2025-07-07)",
        ),
        Issue(
            "speakers[0].available[0].end",
            "'2025-07-08T17:00' is not on a day of the event (the event's days are 2025-07-07)",
        ),
    ]


def test_a_break_inside_a_longer_one_is_found_past_those_between(valid: dict[str, Any]) -> None:
    breaks = [("10:00", "15:00"), ("11:00", "12:00"), ("13:00", "14:00")]
    valid["calendar"]["days"][1]["breaks"] = [{"start": start, "end": end} for start, end in breaks]
    assert issues(valid) == [
        Issue("calendar.days[1].breaks[1]", "overlaps the break 10:00-15:00 at calendar.days[1].breaks[0]"),
        Issue("calendar.days[1].breaks[2]", "overlaps the break 10:00-15:00 at calendar.days[1].breaks[0]"),
    ]


def test_a_speaker_id_used_twice(valid: dict[str, Any]) -> None:
    valid["speakers"].append({"id": "sp-001", "name": "Someone else"})
    assert issues(valid) == [
        Issue("speakers[2].id", "duplicate speaker id 'sp-001' (also at speakers[0].id)")
    ]


def test_a_day_listed_twice(valid: dict[str, Any]) -> None:
    valid["calendar"]["days"].append(copy.deepcopy(valid["calendar"]["days"][1]))
    assert issues(valid) == [
        Issue(
            "calendar.days[2].date",
            "2025-07-08 is listed twice as a day of the event (also at calendar.days[1].date)",
        )
    ]


def test_a_session_id_used_twice(valid: dict[str, Any]) -> None:
    valid["sessions"].append({"id": "s-002", "title": "Again", "duration_minutes": 30})
    assert issues(valid) == [Issue("sessions[3].id", "duplicate session id 's-002' (also at sessions[1].id)")]


def test_sessions_need_a_room(valid: dict[str, Any]) -> None:
    del valid["sessions"][0]["fixed"]
    valid["rooms"] = []
    assert issues(valid) == [Issue("rooms", "there are 3 sessions but no rooms to hold them")]


def test_a_whole_day_of_breaks_leaves_no_time(valid: dict[str, Any]) -> None:
    valid["calendar"]["days"] = [
        {
            "date": "2025-07-07",
            "open": "09:00",
            "close": "10:00",
            "breaks": [{"start": "09:00", "end": "10:00"}],
        }
    ]
    valid["rooms"][0].pop("unavailable")
    for speaker in valid["speakers"]:
        speaker.pop("available", None)
    del valid["sessions"][0]["fixed"], valid["sessions"][0]["window"], valid["sessions"][0]["preferred"]
    assert issues(valid) == [Issue("calendar.days", "no day has any time outside its breaks")]


def test_extension_data_must_be_json_that_can_be_stored(valid: dict[str, Any]) -> None:
    deep: list[Any] = []
    for _ in range(60):
        deep = [deep]
    valid["sessions"][1]["x-deep"] = deep
    valid["rooms"][0]["x-note"] = {"text": "a\x00b", 3: "number key", "n": float("inf")}
    valid["rooms"][1][4] = "a number key at a known level"
    found = issues(valid)
    assert Issue("sessions[1].x-deep" + "[0]" * 51, "nested more than 50 levels deep") in found
    assert (
        Issue("rooms[0].x-note.text", "contains U+0000 (a control character) at character 2: 'a\\x00b'")
        in found
    )
    assert Issue("rooms[0].x-note", "keys must be text, got 3") in found
    assert Issue("rooms[1]", "keys must be text, got 4") in found
    assert Issue("rooms[0].x-note.n", "inf is not a number JSON allows") in found


def test_the_top_level_must_be_an_object() -> None:
    assert issues([1, 2]) == [Issue("$", "expected a problem file (a JSON object), got a list")]


def test_a_schedule_file_is_not_taken_for_a_problem() -> None:
    schedule = {"format": "agenda-schedule/1", "status": "optimal"}
    assert issues(schedule) == [
        Issue(
            "format",
            "this is a schedule file ('agenda-schedule/1'), expected a problem file ('agenda-problem/1')",
        )
    ]


def test_every_issue_in_a_file_is_reported_together(valid: dict[str, Any]) -> None:
    change(valid, "event.timezone", "Nowhere/Special")
    change(valid, "rooms[1].capacity", -1)
    change(valid, "sessions[1].speakers[0]", "sp-0999")
    change(valid, "sessions[2].title", DELETE)
    change(valid, "sessions[2].remote_audience", ["mars"])
    change(valid, "sessions[2].duration_minutes", 45.5)
    found = issues(valid)
    assert [issue.path for issue in found] == [
        "event.timezone",
        "rooms[1].capacity",
        "sessions[2].title",
        "sessions[2].duration_minutes",
        "sessions[2].remote_audience[0]",
        "sessions[1].speakers[0]",
    ]
    assert str(ProblemFileError(found)).splitlines() == [str(issue) for issue in found]


def test_a_broken_part_does_not_hide_issues_elsewhere_in_it(valid: dict[str, Any]) -> None:
    session = valid["sessions"][1]
    del session["title"]
    session["speakers"] = ["sp-404"]
    session["after"] = ["s-002"]
    assert issues(valid) == [
        Issue("sessions[1].title", "missing: a session must have 'title'"),
        Issue("sessions[1].after[0]", "a session cannot come after itself"),
        Issue("sessions[1].speakers[0]", "unknown speaker id 'sp-404'"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"format": "agenda-problem/1",\n  "event": }',
            "not valid JSON: Expecting value (line 2, column 12)",
        ),
        ("", "the file is empty"),
        ('{"rooms": [NaN]}', "not valid JSON: NaN is not a number JSON allows"),
        ("[" * 100_000, "not valid JSON here: nested too deeply"),
        (
            '{"n": ' + "9" * 5000 + "}",
            "not valid JSON: Exceeds the limit (4300 digits) for integer string conversion: "
            "value has 5000 digits; use sys.set_int_max_str_digits() to increase the limit",
        ),
    ],
)
def test_text_that_is_not_json(text: str, message: str) -> None:
    with pytest.raises(ProblemFileError) as caught:
        loads_problem(text)
    assert caught.value.issues == [Issue("$", message)]


def test_a_key_given_twice_is_reported() -> None:
    text = (DATA / "valid.problem.json").read_text(encoding="utf-8")
    text = text.replace('"duration_minutes": 60,', '"duration_minutes": 60, "duration_minutes": 90,')
    with pytest.raises(ProblemFileError) as caught:
        loads_problem(text)
    assert caught.value.issues == [
        Issue("sessions[1].duration_minutes", "this key is given twice in the same object")
    ]


# --- scheduler validate --------------------------------------------------------------------------


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_validate_accepts_a_valid_file() -> None:
    result = CliRunner().invoke(main, ["validate", str(DATA / "valid.problem.json")])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{DATA / 'valid.problem.json'}: valid, 3 sessions, 2 rooms, 2 speakers, 2 days\n"


def test_validate_lists_every_issue_and_exits_2(tmp_path: Path, valid: dict[str, Any]) -> None:
    change(valid, "sessions[1].speakers[0]", "sp-0999")
    change(valid, "rooms[1].capacity", 0)
    problem = _write(tmp_path / "broken.json", valid)
    result = CliRunner().invoke(main, ["validate", str(problem)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "rooms[1].capacity: must be at least 1, got 0",
        "sessions[1].speakers[0]: unknown speaker id 'sp-0999'",
        f"{problem}: 2 problems found",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "$: cannot read '{path}': No such file or directory"),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00",
            "$: the file is not UTF-8 text (byte 0x89 at offset 0); save it as UTF-8",
        ),
        (b"\x00\x01garbage", "$: not valid JSON: Expecting value (line 1, column 1)"),
    ],
)
def test_validate_refuses_what_it_cannot_read_without_a_traceback(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "problem.json"
    if content is not None:
        path.write_bytes(content)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.splitlines() == [message.format(path=path), f"{path}: 1 problem found"]


def test_validate_refuses_a_directory(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == f"$: cannot read {str(tmp_path)!r}: Is a directory"


def test_validate_checks_a_schedule_against_its_problem(tmp_path: Path) -> None:
    schedule = json.loads((DATA / "valid.schedule.json").read_text(encoding="utf-8"))
    schedule["assignments"][1]["room"] = "room-z"
    path = _write(tmp_path / "schedule.json", schedule)
    result = CliRunner().invoke(main, ["validate", str(DATA / "valid.problem.json"), "--schedule", str(path)])
    assert result.exit_code == 2
    assert "valid, 3 sessions" in result.stdout
    assert result.stderr.splitlines() == [
        "assignments[1].room: unknown room id 'room-z'",
        f"{path}: 1 problem found",
    ]


def test_validate_summarises_a_valid_schedule() -> None:
    problem, schedule = DATA / "valid.problem.json", DATA / "valid.schedule.json"
    result = CliRunner().invoke(main, ["validate", str(problem), "--schedule", str(schedule)])
    assert result.exit_code == 0
    assert (
        result.stdout.splitlines()[1]
        == f"{schedule}: valid, feasible, 2 assignments, 1 unscheduled, 0 conflicts"
    )


@pytest.mark.slow
def test_validate_as_a_real_command(tmp_path: Path, valid: dict[str, Any]) -> None:
    change(valid, "sessions[2].after[0]", "s-404")
    broken = _write(tmp_path / "broken.json", valid)
    command = [sys.executable, "-m", "scheduler", "validate"]
    ok = subprocess.run(
        [*command, str(DATA / "valid.problem.json")], cwd=REPO, capture_output=True, text=True
    )
    bad = subprocess.run([*command, str(broken)], cwd=REPO, capture_output=True, text=True)
    assert (ok.returncode, bad.returncode) == (0, 2)
    assert bad.stderr.splitlines() == [
        "sessions[2].after[0]: unknown session id 's-404'",
        f"{broken}: 1 problem found",
    ]
    assert "Traceback" not in ok.stderr + bad.stderr


# --- Hostile input never escapes as anything but ProblemFileError -------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


def _parses_or_reports(data: object) -> None:
    try:
        parse_problem(data)
    except ProblemFileError as error:
        assert error.issues and all(isinstance(issue, Issue) for issue in error.issues)


@settings(deadline=None)
@given(_json)
def test_any_json_data_is_read_or_reported(data: object) -> None:
    _parses_or_reports(data)


@settings(deadline=None)
@given(problems(), st.data())
def test_any_value_anywhere_in_a_valid_file_is_read_or_reported(
    problem: dict[str, Any], data: st.DataObject
) -> None:
    target: Any = problem
    key: Any = None
    parent: Any = None
    while isinstance(target, dict | list) and target and data.draw(st.integers(0, 3)):
        parent = target
        key = data.draw(
            st.sampled_from(sorted(target)) if isinstance(target, dict) else st.integers(0, len(target) - 1)
        )
        target = target[key]
    if parent is not None:
        parent[key] = data.draw(_json)
    _parses_or_reports(problem)
