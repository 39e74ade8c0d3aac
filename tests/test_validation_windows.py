"""A session's window against its fixed start, as the problem-file reader checks them: a fixed start
the window cannot hold is reported at the fixed start, on both sides and exactly at the edges."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from scheduler.problem_file import Issue, parse_problem
from tests.test_validation import VALID, issues

# sessions[0] of the fixture is the 90-minute opening ceremony, fixed in room-c.
OPENING = 0


def opening(start: str, earliest: str | None, latest: str | None) -> dict[str, Any]:
    data = copy.deepcopy(VALID)
    session = data["sessions"][OPENING]
    session["fixed"]["start"] = start
    session["window"] = {k: v for k, v in (("earliest", earliest), ("latest", latest)) if v is not None}
    return data


def test_a_fixed_start_whose_session_ends_after_the_windows_latest_end() -> None:
    # Guards the `latest` half of problem_file._check_window. Checked with that `if` removed (and with
    # its `<` written `<=`): the file below was accepted, and the solver would later call an
    # event with this one pinned session infeasible instead of the reader saying where.
    data = opening("2025-07-07T09:15", "2025-07-07T09:00", "2025-07-07T10:30")
    assert issues(data) == [
        Issue(
            "sessions[0].fixed.start",
            "a 90-minute session starting 2025-07-07T09:15 ends after the window's latest end "
            "2025-07-07T10:30",
        )
    ]


def test_a_window_open_on_one_side_still_bounds_the_fixed_start() -> None:
    data = opening("2025-07-07T14:00", None, "2025-07-07T15:00")
    [issue] = issues(data)
    assert issue.path == "sessions[0].fixed.start" and "ends after the window's latest end" in issue.message
    data = opening("2025-07-07T09:00", "2025-07-07T09:15", None)
    [issue] = issues(data)
    assert issue.path == "sessions[0].fixed.start" and "before the window's earliest start" in issue.message


@pytest.mark.parametrize(
    ("start", "earliest", "latest"),
    [
        ("2025-07-07T09:00", "2025-07-07T09:00", "2025-07-07T10:30"),  # the window exactly
        ("2025-07-07T14:00", None, "2025-07-07T15:30"),  # ends as the window closes
        ("2025-07-07T14:00", "2025-07-07T14:00", None),  # starts as the window opens
    ],
)
def test_a_fixed_start_may_fill_its_window_to_the_edges(start: str, earliest: str | None,
                                                         latest: str | None) -> None:
    parse_problem(opening(start, earliest, latest))


def test_a_window_shorter_than_its_session_is_reported_at_the_window() -> None:
    data = opening("2025-07-07T09:00", "2025-07-07T09:00", "2025-07-07T10:15")
    assert [i.path for i in issues(data)] == ["sessions[0].window", "sessions[0].fixed.start"]
    assert "is shorter than the session's 90 minutes" in issues(data)[0].message


@pytest.mark.parametrize("start", ["2025-07-07T17:00", "2025-07-07T11:00"])
def test_a_fixed_start_may_end_as_the_day_closes_or_as_a_break_begins(start: str) -> None:
    """17:00 + 90 minutes is the day's close (18:30); 11:00 + 90 minutes is lunch (12:30)."""
    parse_problem(opening(start, "2025-07-07T09:00", "2025-07-07T18:30"))
