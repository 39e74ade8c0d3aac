"""`scheduler live ...` and `scheduler participants ...` on the command line."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine

from scheduler import live, participants
from scheduler.cli import main
from scheduler.db import database_url as database_url_of
from scheduler.db import transaction
from scheduler.live import EventClock
from scheduler.models import LiveState, ScheduleVersion, SpeakerToken
from scheduler.schedule_file import dump_schedule
from tests.test_live_data import DAY1, at, event_of, register, schedule, seed

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
        (("live", "delay", "s-nope", "5"), "session 's-nope' is not on the published agenda"),
        (("live", "cancel", "s-nope"), "session 's-nope' is not on the published agenda"),
        (("live", "reset", "s-nope"), "session 's-nope' is not on the published agenda"),
        (("live", "delay", "s-open", "-5"), "-5 is not in the range 0<=x<=720"),
        (("live", "delay", "s-open", "--", "-5"), "-5 is not in the range 0<=x<=720"),
        (("live", "delay", "s-open", "721"), "721 is not in the range 0<=x<=720"),
        (("live", "delay", "s-open", "99999999"), "is not in the range 0<=x<=720"),
        (("live", "delay", "s-open", "soon"), "'soon' is not a valid integer"),
        (("live", "cancel", "s-open", "--event", "nope"), "no event with id or slug 'nope'"),
        (("live", "status", "--at", "half past four"), "is not a time such as 2025-07-08T10:55"),
        (("participants", "revoke", "999"), "has no participant 999"),
        (("participants", "reissue", "999"), "has no participant 999"),
        (("speaker-links", "--revoke", "sp-nope"), "no speaker with id 'sp-nope'"),
    ],
)
def test_bad_input_is_a_clean_error_exit_2_and_changes_nothing(
    engine: Engine, args: tuple[str, ...], message: str
) -> None:
    seed(engine)
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    with transaction(engine) as db:
        assert db.query(LiveState).count() == 0
        assert db.query(SpeakerToken).count() == 0


def test_status_shows_now_and_next_at_a_given_time(engine: Engine) -> None:
    seed(engine)
    run("live", "delay", "s-next", "5")
    result = run("live", "status", "--at", "2025-07-08T16:30")
    assert result.exit_code == 0, result.output
    assert "Live Test Event at 2025-07-08 16:30" in result.output
    assert "now:  Tue 16:00-17:00 s-open Opening the floor [live]" in result.output
    assert "next: Tue 17:20-18:05 s-next After the floor [delayed, 5 min late]" in result.output


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


def test_a_delay_that_overlaps_the_next_session_warns_and_cascade_moves_it(engine: Engine) -> None:
    seed(engine)
    # s-open 16:00-17:00 and s-next 17:15-18:00 share Room A: 80 minutes late, s-open ends at 18:20.
    warned = run("live", "delay", "s-open", "80")
    assert warned.exit_code == 0, warned.output
    assert "Warning: Opening the floor now ends at 18:20, after After the floor (s-next) starts at 17:15" in (
        warned.output
    )
    assert "--cascade" in warned.output
    with transaction(engine) as db:
        assert {s.session.key: s.delay_minutes for s in db.query(LiveState)} == {"s-open": 80}

    cascaded = run("live", "delay", "s-open", "80", "--cascade")
    assert cascaded.exit_code == 0, cascaded.output
    also = "Also delayed: After the floor is delayed by 65 minutes: now 18:20-19:05, Room A."
    assert also in cascaded.output
    assert "Warning" not in cascaded.output
    with transaction(engine) as db:
        assert {s.session.key: s.delay_minutes for s in db.query(LiveState)} == {"s-open": 80, "s-next": 65}
    # A delay that overlaps nothing says nothing more.
    assert "Warning" not in run("live", "delay", "s-par", "10").output


@pytest.mark.parametrize("command", [("live", "delay", "s-open", "10"), ("live", "cancel", "s-open")])
def test_an_unreachable_message_queue_is_reported_and_the_change_stays(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    seed(engine)
    monkeypatch.setenv("SOCKETIO_MESSAGE_QUEUE", "redis://127.0.0.1:1/0")  # nothing listens on port 1
    result = run(*command)
    assert result.exit_code == 3, result.output
    assert "is saved, but it could not be announced" in result.output
    assert "cannot reach the message queue at 127.0.0.1:1" in result.output
    assert "Announced" not in result.output and "giving up" not in result.output
    with transaction(engine) as db:
        assert db.query(LiveState).count() == 1


def test_a_publication_that_cannot_be_announced_says_so(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seed(engine)
    monkeypatch.setenv("SOCKETIO_MESSAGE_QUEUE", "redis://127.0.0.1:1/0")
    moved = tmp_path / "moved.schedule.json"
    dump_schedule(schedule(moves={"s-par": ("room-b", at(DAY1, "14:00"))}), moved)
    result = run("publish", "--schedule", str(moved))
    assert result.exit_code == 3, result.output
    assert "published version 2" in result.output
    assert "Published version 2 is saved, but it could not be announced" in result.output
    assert "Announced" not in result.output
    with transaction(engine) as db:
        assert db.query(ScheduleVersion).filter_by(state="published").count() == 2


def test_status_runs_the_clock_of_the_server_on_this_machine(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(engine)
    # A server started with --clock 15:59:58 three seconds ago shows 16:00:01 now; a command that
    # started its own clock from the setting would still say 15:59.
    three_seconds_ago = datetime.now(UTC) - timedelta(seconds=3)
    shared = EventClock(datetime(2025, 7, 8, 15, 59, 58), anchor=three_seconds_ago).shared()
    assert shared is not None
    live.record_clock(shared, database_url_of(database_url))  # recorded by this (running) process
    monkeypatch.setenv("AGENDA_CLOCK", "2025-07-08T15:59:58")
    result = run("live", "status")
    assert result.exit_code == 0, result.output
    assert "Live Test Event at 2025-07-08 16:00" in result.output
    assert "now:  Tue 16:00-17:00 s-open Opening the floor [live]" in result.output
    # Once that server is gone, the setting is the clock again.
    live.forget_clock()
    assert "Live Test Event at 2025-07-08 15:59" in run("live", "status").output
