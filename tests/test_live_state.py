"""The event clock, the session state machine, Now & Next, and the team's live changes."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from scheduler import audit, live, participants
from scheduler.audit import Actor
from scheduler.db import transaction
from scheduler.effective import Note, agenda_state
from scheduler.live import EventClock, Facts, LiveError, Slot
from scheduler.models import LiveState
from scheduler.versions import publish_schedule
from tests.test_live_data import DAY1, at, event_of, register, schedule, seed


def slot(
    start: str = "16:00", end: str = "17:00", room: str = "room-a", key: str = "s", **facts: Any
) -> Slot:
    return Slot(
        1, key, key.upper(), room, room.upper(), ord(room[-1]), at(DAY1, start), at(DAY1, end), Facts(**facts)
    )


STARTED = Facts(started_at=at(DAY1, "15:50"))


def moment(hh_mm_ss: str) -> datetime:
    return datetime.combine(DAY1, datetime.strptime(hh_mm_ss, "%H:%M:%S").time())


# --- the clock --------------------------------------------------------------------------------


def test_a_set_clock_runs_forward_from_its_start() -> None:
    ticks = iter([100.0, 190.5])
    clock = EventClock(datetime(2025, 7, 8, 10, 55), timer=lambda: next(ticks))
    assert clock.now("Europe/Zurich") == datetime(2025, 7, 8, 10, 56, 30, 500000)


def test_the_real_clock_reads_the_venue_wall_clock() -> None:
    real = datetime(2025, 7, 8, 8, 0, tzinfo=UTC)
    clock = EventClock(real_now=lambda: real)
    assert clock.now("Europe/Zurich") == datetime(2025, 7, 8, 10, 0)  # CEST is UTC+2
    assert clock.instant(datetime(2025, 7, 8, 10, 0), "Europe/Zurich") == real


def test_a_set_clock_maps_event_times_onto_real_instants() -> None:
    real = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
    clock = EventClock(datetime(2025, 7, 8, 15, 0), timer=lambda: 0.0, real_now=lambda: real)
    assert clock.instant(datetime(2025, 7, 8, 16, 0), "Europe/Zurich") == real + timedelta(hours=1)


@pytest.mark.parametrize("text", ["tomorrow", "2025-13-01T10:00", "2025-07-08T10:55+02:00"])
def test_a_malformed_clock_setting_is_refused(text: str) -> None:
    with pytest.raises(LiveError, match="clock"):
        EventClock.parse(text)


def test_no_clock_setting_means_real_time() -> None:
    assert EventClock.parse(None).start is None
    assert EventClock.parse("2025-07-08T10:55").start == datetime(2025, 7, 8, 10, 55)


# --- phases: both sides of every boundary ------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "phase"),
    [
        ("15:44:59", "scheduled"),
        ("15:45:00", "opening"),
        ("15:59:59", "opening"),
        ("16:00:00", "live"),
        ("16:59:59", "live"),
        ("17:00:00", "ended"),
    ],
)
def test_phase_of_a_16_00_session(now: str, phase: str) -> None:
    assert slot().phase(moment(now)) == phase


@pytest.mark.parametrize(
    ("now", "phase"),
    [
        ("15:45:00", "delayed"),
        ("15:54:59", "delayed"),
        ("15:55:00", "opening"),
        ("16:09:59", "opening"),
        ("16:10:00", "live"),
        ("17:09:59", "live"),
        ("17:10:00", "ended"),
    ],
)
def test_phase_of_a_session_delayed_by_10_minutes(now: str, phase: str) -> None:
    assert slot(delay_minutes=10).phase(moment(now)) == phase


def test_cancelled_session_is_cancelled_whatever_the_time() -> None:
    for now in ("15:00:00", "15:50:00", "16:30:00", "18:00:00"):
        assert slot(cancelled=True).phase(moment(now)) == "cancelled"


def test_manual_start_and_end_override_the_clock() -> None:
    assert slot(started_at=moment("14:59:00")).phase(moment("15:00:00")) == "live"
    assert slot(started_at=moment("14:59:00")).phase(moment("17:00:00")) == "ended"
    assert slot(ended_at=moment("16:20:00")).phase(moment("16:30:00")) == "ended"


def test_the_join_window_length_is_configurable() -> None:
    assert slot().phase(moment("15:54:59"), timedelta(minutes=5)) == "scheduled"
    assert slot().phase(moment("15:55:00"), timedelta(minutes=5)) == "opening"


def test_payload_shows_effective_times_and_no_link() -> None:
    state = live.at([slot(delay_minutes=10)], moment("15:56:00"))["s"]
    payload = state.payload()
    assert payload["phase"] == "opening" and payload["join_open"] is True
    assert (payload["start"], payload["end"], payload["scheduled_start"]) == (
        "2025-07-08T16:10",
        "2025-07-08T17:10",
        "2025-07-08T16:00",
    )
    assert payload["opens_at"] == "2025-07-08T15:55"
    assert payload["day"] == "Tue 8 Jul"
    assert not any("http" in str(value) for value in payload.values())


def test_the_payload_pages_and_socket_clients_read_key_by_key() -> None:
    """The live page's script reads these keys by name: a renamed key is a blank on every screen."""
    state = live.at([slot(room="room-b", key="s-1", delay_minutes=10)], moment("15:56:00"))["s-1"]
    assert state.payload() == {
        "session": "s-1", "title": "S-1", "room": "room-b", "room_name": "ROOM-B", "phase": "opening",
        "phase_label": "Join open", "delay_minutes": 10, "day": "Tue 8 Jul", "start": "2025-07-08T16:10",
        "end": "2025-07-08T17:10", "scheduled_start": "2025-07-08T16:00", "opens_at": "2025-07-08T15:55",
        "join_open": True,
    }
    [board] = live.board({"s-1": state}, moment("15:56:00"))
    assert board.payload() == {"room": "room-b", "room_name": "ROOM-B", "now": None, "next": state.payload()}


# --- transitions and Now & Next -----------------------------------------------------------------


def test_transitions_report_only_changed_sessions() -> None:
    slots = [slot(key="a"), slot("17:15", "18:00", key="b")]
    before = live.at(slots, moment("15:44:59"))
    after = live.at(slots, moment("15:45:00"))
    assert [s.key for s in live.transitions(before, after)] == ["a"]
    assert [s.key for s in live.newly_open(before, after)] == ["a"]
    later = live.at(slots, moment("16:00:00"))
    assert [s.key for s in live.transitions(after, later)] == ["a"]
    assert live.newly_open(after, later) == []  # opening -> live: the window was already open


def test_a_delay_is_a_transition_even_without_a_phase_change() -> None:
    before = live.at([slot(key="a")], moment("12:00:00"))
    after = live.at([slot(key="a", delay_minutes=5)], moment("12:00:00"))
    assert [s.phase for s in live.transitions(before, after)] == ["delayed"]


def test_board_shows_now_and_next_per_room() -> None:
    slots = [
        slot("16:00", "17:00", key="a1"),
        slot("17:15", "18:00", key="a2"),
        slot("16:00", "17:00", room="room-b", key="b1", cancelled=True),
        slot("17:00", "18:00", room="room-b", key="b2"),
    ]
    before = live.board(live.at(slots, moment("15:50:00")), moment("15:50:00"))
    assert [(b.room_key, b.now, b.next and b.next.key) for b in before] == [
        ("room-a", None, "a1"),
        ("room-b", None, "b1"),  # announced as cancelled until its time has passed
    ]
    during = live.board(live.at(slots, moment("16:30:00")), moment("16:30:00"))
    assert [(b.now and b.now.key, b.next and b.next.key) for b in during] == [("a1", "a2"), (None, "b2")]
    after = live.board(live.at(slots, moment("18:30:00")), moment("18:30:00"))
    assert [(b.now, b.next) for b in after] == [(None, None), (None, None)]


def test_board_shape_changes_when_a_session_ends() -> None:
    slots = [slot("16:00", "17:00", key="a1"), slot("17:15", "18:00", key="a2")]
    shape = lambda t: live.board_shape(live.board(live.at(slots, moment(t)), moment(t)))  # noqa: E731
    assert shape("16:59:59") == (("a1", "a2"),)
    assert shape("17:00:00") == ((None, "a2"),)
    assert shape("17:00:01") == shape("17:00:00")


# --- loading and changing live state -------------------------------------------------------------


@pytest.mark.db
def test_load_slots_reads_the_latest_published_agenda(engine: Engine) -> None:
    event_id = seed(engine)
    with transaction(engine) as db:
        slots = {s.key: s for s in live.load_slots(db, event_of(db, event_id))}
    assert set(slots) == {"s-morning", "s-open", "s-next", "s-par", "s-day2"}
    assert (slots["s-open"].room_key, slots["s-open"].start) == ("room-a", at(DAY1, "16:00"))
    # Boards list rooms in the file's room order.
    assert [(s.room_position, s.room_name) for s in (slots["s-open"], slots["s-par"], slots["s-day2"])] == [
        (0, "Room A"), (1, "Room B"), (2, "Room C")
    ]


@pytest.mark.db
def test_changes_are_stored_and_move_the_agenda_state(engine: Engine) -> None:
    event_id = seed(engine)
    with transaction(engine) as db:
        event = event_of(db, event_id)
        first = agenda_state(db, event.id)
        changed = live.change(db, event, "s-open", "delay", 10)
        assert changed.facts.delay_minutes == 10 and changed.starts_at == at(DAY1, "16:10")
        second = agenda_state(db, event.id)
        live.change(db, event, "s-open", "delay", 15)
        third = agenda_state(db, event.id)
        assert first is not None and second is not None and third is not None
        assert len({first.tag, second.tag, third.tag}) == 3
        # Last-Modified moves with every change, even within one second.
        assert first.last_modified < second.last_modified < third.last_modified
        assert live.change(db, event, "s-open", "cancel").facts.cancelled
        with pytest.raises(LiveError, match="cancelled"):
            live.change(db, event, "s-open", "delay", 5)
        reset = live.change(db, event, "s-open", "reset")
        assert reset.facts == Facts()
        # The row stays, with every change counted: calendar SEQUENCEs must not go down.
        state = db.get(LiveState, reset.session_id)
        assert state is not None and state.revision == 4


@pytest.mark.db
def test_a_change_that_changes_nothing_is_not_recorded(engine: Engine) -> None:
    event_id = seed(engine)
    with transaction(engine) as db:
        event = event_of(db, event_id)
        live.change(db, event, "s-open", "reset")
        assert db.get(LiveState, live.find_slot(db, event, "s-open").session_id) is None
        live.change(db, event, "s-open", "delay", 10)
        before = agenda_state(db, event.id)
        live.change(db, event, "s-open", "delay", 10)
        assert agenda_state(db, event.id) == before


@pytest.mark.db
def test_start_and_end_keep_their_first_time(engine: Engine) -> None:
    event_id = seed(engine)
    with transaction(engine) as db:
        event = event_of(db, event_id)
        # Recorded to the minute: the seconds of the click do not show anywhere.
        started = live.change(db, event, "s-par", "start", now=datetime(2025, 7, 8, 15, 50, 41, 250))
        live.change(db, event, "s-par", "start", now=datetime(2025, 7, 8, 15, 55))
        assert started.facts.started
        state = db.get(LiveState, started.session_id)
        assert state is not None and state.started_at == datetime(2025, 7, 8, 15, 50)
        assert state.revision == 1
        assert started.timing.notes == (Note("started_early", at=datetime(2025, 7, 8, 15, 50)),)
        ended = live.change(db, event, "s-par", "end", now=datetime(2025, 7, 8, 16, 40, 59, 999))
        assert ended.facts.ended_at == datetime(2025, 7, 8, 16, 40)
        with pytest.raises(LiveError, match="ended"):
            live.change(db, event, "s-par", "delay", 5)
        with pytest.raises(LiveError, match="ended"):
            live.change(db, event, "s-par", "start")


@pytest.mark.db
def test_delays_from_none_to_twelve_hours_and_a_second_cancel_are_accepted(engine: Engine) -> None:
    event_id = seed(engine)
    with transaction(engine) as db:
        event = event_of(db, event_id)
        assert live.change(db, event, "s-open", "delay", live.MAX_DELAY_MINUTES).facts.delay_minutes == 720
        assert live.change(db, event, "s-open", "delay", 0).facts.delay_minutes == 0
        live.change(db, event, "s-open", "delay", 10)
        assert live.change(db, event, "s-open", "delay").facts.delay_minutes == 0  # no minutes: on time
        live.change(db, event, "s-open", "cancel")
        assert live.change(db, event, "s-open", "cancel").facts.cancelled  # twice: no error, no change
        assert db.get(LiveState, live.find_slot(db, event, "s-open").session_id).revision == 5


@pytest.mark.db
@pytest.mark.parametrize("minutes", [-1, live.MAX_DELAY_MINUTES + 1])
def test_impossible_delays_are_refused_and_nothing_is_stored(engine: Engine, minutes: int) -> None:
    event_id = seed(engine)
    with pytest.raises(LiveError, match="between 0 and"), transaction(engine) as db:
        live.change(db, event_of(db, event_id), "s-open", "delay", minutes)
    with transaction(engine) as db:
        assert all(s.facts == Facts() for s in live.load_slots(db, event_of(db, event_id)))


@pytest.mark.db
def test_unknown_sessions_are_refused(engine: Engine) -> None:
    event_id = seed(engine)
    with transaction(engine) as db, pytest.raises(LiveError, match="not on the published agenda"):
        live.change(db, event_of(db, event_id), "s-nope", "cancel")


def test_announcements_say_what_changed() -> None:
    assert (
        live.describe(slot(delay_minutes=10), "delay")
        == "S is delayed by 10 minutes: now 16:10-17:10, ROOM-A."
    )
    assert live.describe(slot(), "delay") == "S is back on time: 16:00, ROOM-A."
    assert live.describe(slot(), "cancel") == "S is cancelled."


# --- notifying through the message queue ---------------------------------------------------------


def placed(room: str, room_name: str, start: str, end: str) -> dict[str, str]:
    """A change's placement on DAY1, as clients receive it."""
    day = f"{DAY1:%Y-%m-%d}"
    return {"room": room, "room_name": room_name, "start": f"{day}T{start}", "end": f"{day}T{end}"}


class Recorder:
    """Stands in for flask_socketio.SocketIO: records what would go through the queue."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any], list[str], str]] = []

    def emit(self, name: str, payload: dict[str, Any], namespace: str, to: list[str]) -> None:
        self.sent.append((name, payload, to, namespace))


def test_notify_session_reaches_session_watchers_and_bookmarkers() -> None:
    recorder = Recorder()
    event = type("E", (), {"id": 7})()
    changed = slot(key="s-open", delay_minutes=10)
    assert live.notify_session(recorder, event, changed, "delay", [3, 4])  # type: ignore[arg-type]
    ((name, payload, rooms, namespace),) = recorder.sent
    assert (name, namespace) == ("notice", "/live")
    assert rooms == ["session:7:s-open", "participant:3", "participant:4"]
    assert payload == {
        "kind": "delay", "session": "s-open", "room": "room-a", "delay_minutes": 10,
        "message": "S-OPEN is delayed by 10 minutes: now 16:10-17:10, ROOM-A.", "sent_at": payload["sent_at"],
        # What each client shows in its own language (live.js).
        "announcement": {"kind": "delay", "values": {
            "title": "S-OPEN", "room": "ROOM-A", "start": "16:10", "end": "17:10", "minutes": 10,
        }},
    }
    assert payload["sent_at"] == pytest.approx(time.time(), abs=300)


@pytest.mark.parametrize(
    ("before", "after", "action"),
    [
        (Facts(), Facts(), None),
        (Facts(), Facts(delay_minutes=10), "delay"),
        (Facts(delay_minutes=10), Facts(delay_minutes=5), "delay"),
        (Facts(delay_minutes=10), Facts(delay_minutes=10, cancelled=True), "cancel"),
        (Facts(), STARTED, "start"),
        (STARTED, Facts(started_at=STARTED.started_at, ended_at=at(DAY1, "17:00")), "end"),
        (Facts(delay_minutes=10, cancelled=True), Facts(), "reset"),
        # Reset and delayed again between two looks at the database: the cancellation is undone.
        (Facts(delay_minutes=10, cancelled=True), Facts(delay_minutes=10), "reset"),
    ],
)
def test_servers_infer_the_teams_change_from_the_facts(
    before: Facts, after: Facts, action: str | None
) -> None:
    assert live.inferred_action(before, after) == action


def test_a_clock_transition_carries_no_announcement() -> None:
    before = live.at([slot(key="a")], moment("15:44:59"))["a"]
    assert live.announcement(before, live.at([slot(key="a")], moment("15:45:00"))["a"]) is None
    delayed = live.at([slot(key="a", delay_minutes=10)], moment("15:45:00"))["a"]
    assert live.announcement(before, delayed) == "A is delayed by 10 minutes: now 16:10-17:10, ROOM-A."
    assert live.announcement(None, delayed) is None


def test_without_a_queue_nothing_is_sent(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.delenv("SOCKETIO_MESSAGE_QUEUE", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    assert live.queue_emitter() is None
    assert not live.notify_session(None, object(), slot(), "cancel")  # type: ignore[arg-type]


def test_queue_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SOCKETIO_MESSAGE_QUEUE", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("SOCKETIO_CHANNEL", "test-channel")
    assert live.queue_settings() == ("redis://127.0.0.1:6379/0", "test-channel")
    (tmp_path / "config.py").write_text("SOCKETIO_CHANNEL = 'from-file'\n")
    assert live.queue_settings()[1] == "from-file"


@pytest.mark.db
def test_notify_published_sends_the_diff_and_per_participant_notices(engine: Engine) -> None:
    event_id = seed(engine)
    with transaction(engine) as db:
        event = event_of(db, event_id)
        fan, other = register(db, event, name="Fan")[0], register(db, event, name="Other")[0]
        for key in ("s-open", "s-par"):
            participants.add_bookmark(
                db, participants.find(db, event, fan), participants.session_by_key(db, event, key)
            )
        participants.add_bookmark(
            db, participants.find(db, event, other), participants.session_by_key(db, event, "s-next")
        )
    with transaction(engine) as db:
        event = event_of(db, event_id)
        moved = schedule(moves={"s-open": ("room-b", at(DAY1, "11:00"))}, drop=("s-par",))
        version = publish_schedule(db, event, moved, force=True)
    recorder = Recorder()
    assert live.notify_published(event, version, emitter=recorder)  # type: ignore[arg-type]
    by_name = {(name, tuple(rooms)): payload for name, payload, rooms, _ in recorder.sent}
    everyone = by_name[("agenda_changed", (f"event:{event_id}",))]
    assert everyone["version"] == version.number
    assert [(c["session"], c["kind"]) for c in everyone["changes"]] == [
        ("s-open", "moved"),
        ("s-par", "cancelled"),
    ]
    assert everyone["changes"][0] == {
        "session": "s-open", "title": "Opening the floor", "kind": "moved",
        "before": placed("room-a", "Room A", "16:00", "17:00"),
        "after": placed("room-b", "Room B", "11:00", "12:00"),
    }
    personal = by_name[("bookmarks_changed", (f"participant:{fan}",))]
    assert [c["session"] for c in personal["changes"]] == ["s-open", "s-par"]
    assert ("bookmarks_changed", (f"participant:{other}",)) not in by_name


def test_a_cancelled_session_stops_being_next_when_its_time_comes() -> None:
    slots = [slot("16:00", "17:00", key="b1", cancelled=True), slot("17:00", "18:00", key="b2")]
    board = live.board(live.at(slots, moment("16:00:00")), moment("16:00:00"))
    assert [(b.now, b.next and b.next.key) for b in board] == [(None, "b2")]


def test_without_a_queue_a_publication_is_not_announced(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.delenv("SOCKETIO_MESSAGE_QUEUE", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    assert live.notify_published(object(), object()) is False  # type: ignore[arg-type]


@pytest.mark.db
def test_a_publication_is_announced_through_the_session_it_was_made_in(engine: Engine) -> None:
    event_id = seed(engine)
    recorder = Recorder()
    with transaction(engine) as db:
        event = event_of(db, event_id)
        version = publish_schedule(db, event, schedule(drop=("s-par",)), force=True)
        assert live.notify_published(event, version, emitter=recorder)  # type: ignore[arg-type]
    [(name, payload, rooms, _)] = recorder.sent
    assert (name, rooms) == ("agenda_changed", [f"event:{event_id}"])
    assert [(c["session"], c["kind"]) for c in payload["changes"]] == [("s-par", "cancelled")]
    assert payload["sent_at"] == pytest.approx(time.time(), abs=300)


@pytest.mark.db
def test_a_plain_delay_moves_one_session_and_logs_who(engine: Engine) -> None:
    event_id = seed(engine)
    team = Actor("os:team", "cli")
    with transaction(engine) as db:
        changed = live.delay(db, event_of(db, event_id), "s-open", 80, actor=team)
        assert [s.key for s in changed] == ["s-open"]
        live_changes = audit.entries(db, audit.Filters(action="live"))
        logged = [(e.actor, e.event_id, e.subject, e.before, e.after) for e in live_changes]
        assert logged == [("os:team", event_id, "session s-open", "2025-07-08T16:00 as published",
                           "2025-07-08T17:20 delay 80")]
        live.change(db, event_of(db, event_id), "s-open", "cancel")
        [cancelled, _] = audit.entries(db, audit.Filters(action="live"))
        assert cancelled.after == "2025-07-08T17:20 delay 80, cancelled"


@pytest.mark.db
def test_a_delay_ending_as_the_next_session_starts_moves_nothing_else(engine: Engine) -> None:
    event_id = seed(engine)
    with transaction(engine) as db:
        # s-open 16:00-17:00, s-next at 17:15 in the same room: 15 minutes late, it ends at 17:15.
        changed = live.delay(db, event_of(db, event_id), "s-open", 15, cascade=True)
        assert [s.key for s in changed] == ["s-open"]


@pytest.mark.db
def test_a_cascade_follows_the_room_in_time_order_and_logs_each_change(engine: Engine) -> None:
    """Room A's sessions published out of file order: the cascade goes by start time."""
    event_id = seed(engine)
    team = Actor("os:team", "cli")
    with transaction(engine) as db:
        event = event_of(db, event_id)
        moves = {"s-par": ("room-a", at(DAY1, "10:00")), "s-next": ("room-a", at(DAY1, "11:00")),
                 "s-morning": ("room-a", at(DAY1, "12:00"))}
        publish_schedule(db, event, schedule(moves=moves), force=True)
    with transaction(engine) as db:
        changed = live.delay(db, event_of(db, event_id), "s-par", 90, cascade=True, actor=team)
        # s-par now 11:30-12:30; s-next (11:00) then ends at 13:15, after s-morning's 12:00.
        assert [(s.key, s.facts.delay_minutes) for s in changed] == [
            ("s-par", 90), ("s-next", 90), ("s-morning", 75)
        ]
        assert {e.actor for e in audit.entries(db, audit.Filters(action="live"))} == {"os:team"}


@pytest.mark.db
def test_a_cascade_moves_a_session_forced_into_the_same_room_at_the_same_time(engine: Engine) -> None:
    """A forced publication can hold a room clash; a cascade from one of the pair sorts it out."""
    event_id = seed(engine)
    with transaction(engine) as db:
        clash = schedule(moves={"s-next": ("room-a", at(DAY1, "16:00"))})
        publish_schedule(db, event_of(db, event_id), clash, force=True)
    with transaction(engine) as db:
        # Ties go by id: s-next (45 min) first, s-open follows; it once pushed them after each other
        # until the delay passed 12 hours and the whole change was refused.
        changed = live.delay(db, event_of(db, event_id), "s-next", 10, cascade=True)
        assert [(s.key, s.facts.delay_minutes) for s in changed] == [("s-next", 10), ("s-open", 55)]


def test_an_unreachable_queue_is_named_even_when_its_url_gives_no_host(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SOCKETIO_MESSAGE_QUEUE", "redis://:1/0")
    emitter = live.queue_emitter()
    assert emitter is not None
    with pytest.raises(live.QueueError, match="cannot reach the message queue at localhost:1"):
        live.emit(emitter, "notice", {}, ["event:1"])


@pytest.mark.db
def test_a_change_is_stamped_after_a_publication_in_the_same_second(engine: Engine) -> None:
    """Feeds' LAST-MODIFIED must move with every change: a change is stamped a whole second after
    the agenda's last change, even when the clock has not passed it (here, a publication ahead)."""
    event_id = seed(engine)
    ahead = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=1, microseconds=500)
    with transaction(engine) as db:
        publish_schedule(db, event_of(db, event_id), schedule(drop=("s-par",)), now=ahead, force=True)
    with transaction(engine) as db:
        live.change(db, event_of(db, event_id), "s-open", "delay", 10)
        [state] = db.query(LiveState).all()
        assert state.updated_at == ahead.replace(microsecond=0) + timedelta(seconds=1)
