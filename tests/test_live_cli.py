"""`scheduler live ...` and `scheduler participants ...` on the command line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine

from scheduler import participants
from scheduler.cli import main
from scheduler.db import transaction
from scheduler.models import LiveState
from tests.test_live_data import event_of, register, seed

pytestmark = pytest.mark.db


@pytest.fixture(autouse=True)
def no_queue(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SOCKETIO_MESSAGE_QUEUE", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_delay_is_stored_and_announced(engine: Engine) -> None:
    event_id = seed(engine)
    result = run("live", "delay", "s-open", "10")
    assert result.exit_code == 0, result.output
    assert "Opening the floor is delayed by 10 minutes: now 16:10-17:10, Room A." in result.output
    assert "No message queue configured" in result.output
    with transaction(engine) as db:
        states = db.query(LiveState).all()
        assert [(s.delay_minutes, s.cancelled) for s in states] == [(10, False)]
        assert event_of(db, event_id).slug == "live-test"


def test_cancel_start_end_reset(engine: Engine) -> None:
    seed(engine)
    assert "is cancelled" in run("live", "cancel", "s-par", "--event", "live-test").output
    refused = run("live", "start", "s-par")
    assert refused.exit_code == 1 and "is cancelled: `live reset` it first" in refused.output
    assert run("live", "reset", "s-par").exit_code == 0
    assert "has started in Room B" in run("live", "start", "s-par").output
    assert "has ended" in run("live", "end", "s-par").output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("live", "delay", "s-nope", "5"), "not on the published agenda"),
        (("live", "delay", "s-open", "--", "-5"), "Invalid value"),
        (("live", "delay", "s-open", "721"), "Invalid value"),
        (("live", "delay", "s-open", "soon"), "Invalid value"),
        (("live", "cancel", "s-open", "--event", "nope"), "no event with id or slug 'nope'"),
        (("participants", "revoke", "999"), "has no participant 999"),
    ],
)
def test_bad_input_is_a_clean_error_and_changes_nothing(
    engine: Engine, args: tuple[str, ...], message: str
) -> None:
    seed(engine)
    result = run(*args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    with transaction(engine) as db:
        assert db.query(LiveState).count() == 0


def test_status_shows_now_and_next_at_a_given_time(engine: Engine) -> None:
    seed(engine)
    run("live", "delay", "s-next", "5")
    result = run("live", "status", "--at", "2025-07-08T16:30")
    assert result.exit_code == 0, result.output
    assert "Live Test Event at 2025-07-08 16:30" in result.output
    assert "now:  Tue 16:00-17:00 s-open Opening the floor [live]" in result.output
    assert "next: Tue 17:20-18:05 s-next After the floor [delayed, 5 min late]" in result.output


def test_status_refuses_a_malformed_time(engine: Engine) -> None:
    seed(engine)
    result = run("live", "status", "--at", "half past four")
    assert result.exit_code == 1 and "is not a time such as" in result.output


def test_participants_list_revoke_reissue(engine: Engine) -> None:
    event_id = seed(engine)
    with transaction(engine) as db:
        participant_id, old = register(db, event_of(db, event_id), name="Ada")
    listed = run("participants", "list")
    assert listed.exit_code == 0
    assert f"{participant_id}\tAda\tada@example.org\tCH\tacademia-technical\tfr" in listed.output
    assert "active" in listed.output
    assert run("participants", "revoke", str(participant_id)).exit_code == 0
    assert "revoked" in run("participants", "list").output
    reissued = run(
        "participants", "reissue", str(participant_id), "--base-url", "https://agenda.example.org/"
    )
    assert reissued.exit_code == 0
    link = reissued.output.strip().splitlines()[-1]
    assert link.startswith("https://agenda.example.org/my/")
    new = link.rsplit("/", 1)[1]
    with transaction(engine) as db:
        event = event_of(db, event_id)
        assert participants.by_token(db, event, old) is None
        found = participants.by_token(db, event, new)
        assert found is not None and found.id == participant_id


@pytest.mark.parametrize(
    "command", [("live", "delay", "s-open", "5"), ("speaker-links",), ("participants", "list"), ("reports",)]
)
def test_a_new_database_is_migrated_and_says_it_has_no_event(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    result = run(*command)
    assert result.exit_code == 2
    assert "the database holds no event yet" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("command", "args", "clock"),
    [
        ("demo", [], "2025-07-08T10:55"),  # July 2025 has passed: the demo still shows live sessions
        ("demo", ["--clock", "2025-07-10T15:00"], "2025-07-10T15:00"),
        ("serve", ["--clock", "2025-07-09T09:00"], "2025-07-09T09:00"),
        ("serve", [], None),
    ],
)
def test_the_clock_option_sets_the_servers_event_clock(
    monkeypatch: pytest.MonkeyPatch, command: str, args: list[str], clock: str | None
) -> None:
    # setenv first, so that the clock the command sets is undone after the test too.
    monkeypatch.setenv("AGENDA_CLOCK", "")
    monkeypatch.delenv("AGENDA_CLOCK")
    main.commands[command].make_context(command, args)  # parses options without serving
    assert os.environ.get("AGENDA_CLOCK") == clock
