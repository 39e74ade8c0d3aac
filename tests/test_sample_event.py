"""The WSIS+20 sample event: what data/build_sample.py writes is committed, valid, realistic and solvable."""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from data import build_sample
from scheduler.check import check
from scheduler.problem_file import load_problem, parse_problem
from scheduler.schedule_file import load_schedule, parse_schedule
from solver.domain import Problem

DATA = Path(build_sample.__file__).resolve().parent
PROBLEM_PATH = DATA / build_sample.PROBLEM_NAME
SCHEDULE_PATH = DATA / build_sample.SCHEDULE_NAME
EVENT_DAYS = [date(2025, 7, d) for d in range(7, 12)]
ROOM_IDS = {"room-c", "room-a", "room-b", "room-e", "room-f", "room-h", "room-k", "room-l", "room-alpha",
            "room-beta", "room-kappa"}
HIGH_LEVEL_TYPES = {"ceremony", "high-level-plenary", "high-level-dialogue", "high-level-policy-session",
                    "ministerial-roundtable", "high-level-roundtable"}
ARABIC = re.compile("[\u0600-\u06ff]")
CJK = re.compile("[\u4e00-\u9fff]")
CYRILLIC = re.compile("[\u0400-\u04ff]")
# What marks a name as invented, in each script the sample uses.
INVENTED_MARKERS = ("(illustrative)", "(توضيحي)", "（示例）", "(условно)")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return json.loads(PROBLEM_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def problem() -> Problem:
    return load_problem(PROBLEM_PATH)


@pytest.fixture(scope="module")
def sessions(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in document["sessions"]}


def by_type(document: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [s for s in document["sessions"] if s["type"] == kind]


@pytest.mark.slow
def test_committed_files_are_exactly_what_the_script_writes(tmp_path: Path) -> None:
    assert build_sample.main(["--out-dir", str(tmp_path)]) == 0
    for name in (build_sample.PROBLEM_NAME, build_sample.SCHEDULE_NAME):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), (
            f"data/{name} is stale: run `python data/build_sample.py` and commit the result")


def test_script_refuses_an_output_folder_that_does_not_exist(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert build_sample.main(["--out-dir", str(tmp_path / "missing")]) == 2
    assert "is not a directory" in capsys.readouterr().err


@pytest.mark.slow
def test_another_seed_gives_another_valid_event() -> None:
    problem, schedule = build_sample.build(seed=7)
    assert problem != json.loads(PROBLEM_PATH.read_text(encoding="utf-8"))
    assert check(parse_problem(problem), parse_schedule(schedule)).valid


def test_file_is_pretty_utf8_json() -> None:
    text = PROBLEM_PATH.read_text(encoding="utf-8")
    assert text.startswith('{\n  "format": "agenda-problem/1"')
    assert "\\u" not in text  # non-Latin names are written as themselves


def test_event_calendar_and_rooms(problem: Problem) -> None:
    assert (problem.event.name, problem.event.venue, problem.event.timezone) == (
        "WSIS+20 High-Level Event 2025", "Palexpo, Geneva", "Europe/Zurich")
    assert [d.date for d in problem.calendar.days] == EVENT_DAYS
    assert problem.calendar.granularity_minutes == 5
    assert 10 <= problem.calendar.changeover_minutes <= 15
    assert {r.id for r in problem.rooms} == ROOM_IDS
    plenary = problem.room("room-c")
    assert (plenary.name, plenary.capacity, plenary.interpretation_booths) == ("Plenary Room C", 2200, 6)
    assert {"hybrid", "captioning", "plenary"} <= set(plenary.features)
    assert all("hybrid" in r.features and r.capacity >= 80 for r in problem.rooms)


def test_rooms_are_lent_to_ai_for_good_only_while_it_runs(problem: Problem) -> None:
    loans = [p for r in problem.rooms for p in r.unavailable if "AI for Good" in p.reason]
    assert len({r.id for r in problem.rooms if any("AI for Good" in p.reason for p in r.unavailable)}) >= 3
    assert all(date(2025, 7, 8) <= p.start.date() <= date(2025, 7, 11) for p in loans)


def test_size_and_session_kinds(document: dict[str, Any]) -> None:
    types = Counter(s["type"] for s in document["sessions"])
    assert 250 <= sum(types.values()) <= 300
    for kind in ("ceremony", "high-level-plenary", "high-level-dialogue", "high-level-policy-session",
                 "leaders-talkx", "ministerial-roundtable", "action-line-facilitation", "thematic-workshop",
                 "country-workshop", "knowledge-cafe", "youth", "gender", "wsis-stocktaking"):
        assert types[kind] >= 1, kind
    durations = [s["duration_minutes"] for s in document["sessions"]]
    assert min(durations) == 10 and max(durations) == 120
    assert all(d % 5 == 0 for d in durations)
    assert {s["duration_minutes"] for s in by_type(document, "leaders-talkx")} == {30}
    assert [s["duration_minutes"] for s in by_type(document, "ministerial-roundtable")] == [120]
    prizes = [s for s in document["sessions"] if s["title"] == "WSIS Prizes 2025 Ceremony"]
    assert [s["duration_minutes"] for s in prizes] == [75]
    assert any(s.get("optional") for s in document["sessions"])


def test_every_action_line_has_its_facilitation_meeting(document: dict[str, Any]) -> None:
    meetings = by_type(document, "action-line-facilitation")
    assert {t for s in meetings for t in s["tracks"]} == {f"C{n}" for n in range(1, 12)}
    assert sum("C7" in s["tracks"] for s in meetings) == 8  # one per C7 sub-line
    wrap_up = by_type(document, "action-line-facilitators-meeting")[0]
    assert set(wrap_up["after"]) == {s["id"] for s in meetings}


def test_opening_and_closing_are_fixed_in_the_plenary(document: dict[str, Any]) -> None:
    ceremonies = by_type(document, "ceremony")
    opening = next(s for s in ceremonies if s["title"].startswith("Inaugural"))
    closing = next(s for s in ceremonies if "Chair's summary" in s["title"])
    assert opening["fixed"] == {"room": "room-c", "start": "2025-07-07T09:00"}
    assert closing["fixed"]["room"] == "room-c"
    assert closing["fixed"]["start"].startswith("2025-07-11T")


def test_high_level_sessions_have_six_language_interpretation(document: dict[str, Any]) -> None:
    high_level = [s for s in document["sessions"] if s["type"] in HIGH_LEVEL_TYPES]
    assert len(high_level) >= 25
    for session in high_level:
        assert sorted(session["interpretation"]) == sorted(build_sample.UN_LANGUAGES), session["id"]
    languages = {lang for s in document["sessions"] for lang in s.get("interpretation", [])}
    assert languages == set(build_sample.UN_LANGUAGES)


def test_speakers_are_invented_and_ministers_narrowly_available(problem: Problem,
                                                                 document: dict[str, Any]) -> None:
    roles = Counter(s["role"] for s in document["speakers"])
    assert 380 <= len(document["speakers"]) <= 420
    assert (roles["minister"], roles["regulator"]) == (59, 56)
    assert all(s["illustrative"] is True for s in document["speakers"])
    for minister in (s for s in problem.speakers if s.role == "minister"):
        assert minister.extra["illustrative"] is True
        assert any(marker in minister.name for marker in INVENTED_MARKERS), minister.name
        assert minister.available, minister.id
        days = {p.start.date() for p in minister.available}
        assert len(days) <= 2 or minister.extra.get("chair"), minister.id
    assert sum(1 for s in problem.speakers if s.youth) >= 30
    genders = Counter(s.gender for s in problem.speakers)
    assert genders["female"] >= 100 and 0 < genders[None] < 0.15 * len(problem.speakers)


def test_every_speaker_speaks(document: dict[str, Any]) -> None:
    cast = {sp for s in document["sessions"] for sp in s["speakers"]}
    assert cast == {s["id"] for s in document["speakers"]}


def test_real_organisations_only_as_organisers(document: dict[str, Any]) -> None:
    organisers = {o for s in document["sessions"] for o in s["organizers"]}
    assert {"ITU", "UNESCO", "UNDP", "UNCTAD", "FAO", "WHO", "ILO", "UN DESA", "UN Women"} <= organisers
    invented = {o for o in organisers if "(illustrative)" in o}
    assert invented and all(s["illustrative"] for s in document["sessions"]
                            if invented & set(s["organizers"]))


def test_names_and_titles_in_arabic_chinese_and_russian(document: dict[str, Any]) -> None:
    for script in (ARABIC, CJK, CYRILLIC):
        assert any(script.search(s["name"]) for s in document["speakers"]), script.pattern
        assert any(script.search(s["title"]) for s in document["sessions"]), script.pattern


def test_content_is_there_and_what_is_invented_is_marked(document: dict[str, Any]) -> None:
    markers = (*INVENTED_MARKERS, "(illustratif)", "(ilustrativo)")
    for session in document["sessions"]:
        abstract = session["abstract"]
        assert "\n\n" in abstract and abstract.rstrip(".").endswith(markers), session["id"]
    for speaker in document["speakers"]:
        assert speaker["affiliation"].endswith(markers), speaker["id"]
        assert speaker["bio"].rstrip(".").endswith(markers), speaker["id"]
        assert speaker["language"] in build_sample.UN_LANGUAGES
        # Addresses only on the domain reserved for examples, for some speakers only.
        assert speaker.get("email", "@example.org").endswith("@example.org"), speaker["id"]
    emails = [s["email"] for s in document["speakers"] if "email" in s]
    assert 0.2 * len(document["speakers"]) < len(emails) < 0.5 * len(document["speakers"])
    assert len(set(emails)) == len(emails)
    assert Counter(s["language"] for s in document["speakers"]).keys() == set(build_sample.UN_LANGUAGES)
    translated = [s for s in document["sessions"] + document["speakers"] if "translations" in s]
    assert {language for s in translated for language in s["translations"]} >= {"fr", "es"}
    opening = next(s for s in document["sessions"] if s["id"] == "s-001")
    assert set(opening["translations"]) == {"fr", "es"}
    assert "Genève" in opening["translations"]["fr"]["abstract"]


def test_constraints_that_make_it_a_real_puzzle(document: dict[str, Any], sessions: dict[str, Any]) -> None:
    rules = document["rules"]["no_overlap"]
    assert any("ministers" in r["reason"] for r in rules) and any("TalkX" in r["reason"] for r in rules)
    minister_roundtable = by_type(document, "ministerial-roundtable")[0]
    assert any(minister_roundtable["id"] in r["sessions"] for r in rules)
    assert sum("window" in s for s in document["sessions"]) >= 100
    assert sum(len(s.get("after", [])) for s in document["sessions"]) >= 40
    assert all(a in sessions for s in document["sessions"] for a in s.get("after", []))
    cafes = by_type(document, "knowledge-cafe")
    assert all(s["window"]["earliest"].endswith("T12:00") and s["window"]["latest"].endswith("T14:30")
               for s in cafes)
    regions = {r for s in document["sessions"] for r in s.get("remote_audience", [])}
    assert regions == {"africa", "americas", "arab-states", "asia-pacific", "europe"}


def test_planted_schedule_passes_the_checker(problem: Problem) -> None:
    schedule = load_schedule(SCHEDULE_PATH, problem)
    assert schedule.status == "feasible"
    report = check(problem, schedule)
    assert report.valid, report.violations[:5]
    assert {a.session for a in schedule.assignments} == {s.id for s in problem.sessions}
    assert not report.quality.tight_changes


def _moved(schedule: dict[str, Any], session: str, onto: str) -> dict[str, Any]:
    """The schedule with `session` put in the room and at the start of `onto`."""
    broken = copy.deepcopy(schedule)
    target = next(a for a in broken["assignments"] if a["session"] == onto)
    moving = next(a for a in broken["assignments"] if a["session"] == session)
    minutes = (datetime.fromisoformat(moving["end"]) - datetime.fromisoformat(moving["start"]))
    moving["room"], moving["start"] = target["room"], target["start"]
    moving["end"] = (datetime.fromisoformat(target["start"]) + minutes).strftime("%Y-%m-%dT%H:%M")
    return broken


def test_both_checkers_catch_a_broken_agenda(document: dict[str, Any]) -> None:
    schedule = json.loads(SCHEDULE_PATH.read_text(encoding="utf-8"))
    assert build_sample.hard_rule_violations(document, schedule) == []
    workshops = by_type(document, "thematic-workshop")
    broken = _moved(schedule, workshops[0]["id"], workshops[1]["id"])
    assert build_sample.hard_rule_violations(document, broken)
    problem = parse_problem(document)
    assert not check(problem, parse_schedule(broken, problem)).valid


def test_own_checker_sees_each_kind_of_rule(document: dict[str, Any]) -> None:
    schedule = json.loads(SCHEDULE_PATH.read_text(encoding="utf-8"))
    cafe = by_type(document, "knowledge-cafe")[0]["id"]
    late = copy.deepcopy(schedule)
    moving = next(a for a in late["assignments"] if a["session"] == cafe)
    for key in ("start", "end"):
        moving[key] = (datetime.fromisoformat(moving[key]) + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M")
    assert any("window" in e for e in build_sample.hard_rule_violations(document, late))
    dropped = copy.deepcopy(schedule)
    dropped["assignments"] = [a for a in dropped["assignments"] if a["session"] != "s-001"]
    assert build_sample.hard_rule_violations(document, dropped) == ["s-001: mandatory but not placed"]


@pytest.mark.slow
def test_solver_finds_an_agenda_that_passes_the_checker(document: dict[str, Any], problem: Problem) -> None:
    schedule, report = build_sample.solve_and_check(document, seconds=60.0)
    assert schedule.status in ("optimal", "feasible"), schedule.conflicts
    assert report.valid, report.violations[:5]
    placed = {a.session for a in schedule.assignments}
    assert {s.id for s in problem.sessions if not s.optional} <= placed
