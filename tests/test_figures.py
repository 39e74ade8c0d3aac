"""Participation figures: registrations, joins, speakers by role, parity and youth."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from scheduler import live, participants
from scheduler.cli import main
from scheduler.db import transaction
from scheduler.figures import figures, gender_of, parity
from scheduler.models import Join, Speaker
from scheduler.store import utc_now
from tests.test_live_data import event_of, register, seed

pytestmark = pytest.mark.db


def speaker(key: str, gender: str | None, youth: bool | None) -> Speaker:
    row = Speaker(key=key, name=key, gender=gender, youth=youth, position=0)
    row.id = hash(key)
    return row


@pytest.mark.parametrize(
    ("declared", "group"),
    [
        ("female", "woman"),
        ("Woman", "woman"),
        ("male", "man"),
        ("non-binary", "other"),
        (None, "not declared"),
        ("  ", "not declared"),
    ],
)
def test_gender_is_read_from_the_declaration_only(declared: str | None, group: str) -> None:
    assert gender_of(speaker("x", declared, None)) == group


def test_shares_are_over_declared_speakers_and_not_declared_is_counted() -> None:
    result = parity(
        "s", [speaker("a", "female", True), speaker("b", "male", None), speaker("c", None, False)]
    )
    assert (result.speakers, result.women, result.men, result.gender_not_declared) == (3, 1, 1, 1)
    assert result.women_share == 0.5
    assert (result.youth, result.youth_not_declared, result.youth_share) == (1, 1, 0.5)
    assert not result.no_woman


def test_nobody_declared_gives_no_share_and_flags_no_woman() -> None:
    result = parity("s", [speaker("a", None, None)])
    assert result.women_share is None and result.youth_share is None
    assert result.no_woman
    assert not parity("empty", []).no_woman


def test_the_same_speaker_counts_once_per_group() -> None:
    same = speaker("a", "female", True)
    assert parity("s", [same, same]).speakers == 1


def _participants_and_joins(engine: Engine, event_id: int) -> None:
    with transaction(engine) as db:
        event = event_of(db, event_id)
        people = [
            register(db, event, name="A", country="CH", group="government"),
            register(db, event, name="B", country="KE", group="civil-society"),
            register(db, event, name="C", country="KE", group="civil-society"),
            register(db, event, name="D", country="BR", group="private-sector"),
        ]
        session = participants.session_by_key(db, event, "s-open")
        for participant_id, _ in people[:2]:
            db.add(Join(participant_id=participant_id, session_id=session.id, joined_at=utc_now()))
        db.add(Join(participant_id=people[0][0], session_id=session.id, joined_at=utc_now()))


def test_figures_of_the_sample_event(engine: Engine) -> None:
    event_id = seed(engine)
    _participants_and_joins(engine, event_id)
    with transaction(engine) as db:
        result = figures(db, event_of(db, event_id))
    assert result.registered == 4
    assert [(t.label, t.count) for t in result.by_country][0] == ("Kenya (KE)", 2)
    assert {t.label: t.count for t in result.by_group} == {
        "Government": 1,
        "Civil society": 2,
        "Private sector": 1,
    }
    assert (result.countries_registered, result.countries_reached) == (3, 2)
    sessions = {s.key: s for s in result.sessions}
    opening = sessions["s-open"]
    assert (opening.joins, opening.remote_participants, opening.expected_attendance, opening.capacity) == (
        3,
        2,
        90,
        100,
    )
    assert sessions["s-par"].joins == 0
    assert {t.label: t.count for t in result.speaker_roles} == {
        "minister": 2,
        "regulator": 1,
        "not declared": 2,
    }
    assert [s.key for s in result.sessions_without_women] == ["s-open", "s-next"]
    day1 = next(p for p in result.parity_by_day if p.label == "2025-07-08")
    assert (day1.speakers, day1.women, day1.gender_not_declared) == (5, 2, 1)
    assert {p.label: p.speakers for p in result.parity_by_track} == {"C1": 5, "C2": 2, "C3": 0}
    assert {p.label for p in result.parity_by_type} == {"plenary", "high-level", "workshop"}


def test_figures_command_prints_every_section(engine: Engine) -> None:
    event_id = seed(engine)
    _participants_and_joins(engine, event_id)
    result = CliRunner().invoke(main, ["figures", "live-test"])
    assert result.exit_code == 0, result.output
    for expected in (
        "Registered participants: 4",
        "Kenya (KE): 2",
        "countries reached (joined): 2",
        "s-open Opening the floor (Room A): 3 / 2; 90 / 100",
        "minister: 2",
        "Parity and youth by track:",
        "[no woman speaker]",
        "Sessions with no woman speaker: 2",
    ):
        assert expected in result.output


def test_figures_of_an_unknown_event_is_a_clean_error(engine: Engine) -> None:
    seed(engine)
    result = CliRunner().invoke(main, ["figures", "nope"])
    assert result.exit_code == 2
    assert "no event with id or slug 'nope'" in result.output
    assert "Traceback" not in result.output


def test_a_session_cancelled_on_the_day_leaves_the_figures_and_a_delay_moves_its_day(engine: Engine) -> None:
    """Figures read the agenda as it stands, like every other output (failed when they read the
    published entries alone: s-open was still counted after the team cancelled it)."""
    event_id = seed(engine)
    with transaction(engine) as db:
        event = event_of(db, event_id)
        before = {s.key for s in figures(db, event).sessions}
        live.change(db, event, "s-open", "cancel")
        # Pushed past midnight, a session counts for the day it now takes place on.
        live.delay(db, event, "s-par", 12 * 60)
    with transaction(engine) as db:
        after = figures(db, event_of(db, event_id))
    assert "s-open" in before and {s.key for s in after.sessions} == before - {"s-open"}
    assert "s-open" not in [s.key for s in after.sessions_without_women]
    assert "2025-07-09" in {p.label for p in after.parity_by_day}
