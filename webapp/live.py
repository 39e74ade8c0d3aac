"""Real-time updates: the Now & Next page and the Socket.IO `/live` namespace.

Each server process runs one `LiveHub`: a background task that re-derives every session's state
from the database and the event clock each tick, and pushes what changed to *its own* clients
(`ignore_queue`): every process computes the same transitions, so sending them through the
message queue would deliver each one once per process. What the programme team does from the
command line comes through the queue instead (see `scheduler.live.notify_session`).

Clients join Socket.IO rooms for what they watch: the whole event, a room, or a session. A client
that connects (or reconnects) gets a `snapshot` of the current state at once.

What a change costs does not grow with the viewers: each change is one payload, built once and
emitted once to a Socket.IO room (python-socketio encodes it once for all the room's clients), and
an anonymous viewer's connection costs no query once the process has ticked: it gets the last
tick's board, built once per tick, and the event the tick found (docs/remote-participation.md). A participant
authenticates with their link's token in the connection's auth payload; they then also get
`join_open` with their personal link when a session they bookmarked opens, and the per-participant
notices that publishing sends. Anonymous viewers see only public state.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, Response, current_app, render_template, request, url_for
from flask_babel import gettext
from flask_socketio import ConnectionRefusedError, Namespace, join_room
from sqlalchemy.orm import Session as DbSession

from scheduler import live, participants
from scheduler.agenda import EventNotFound, find_event
from scheduler.effective import AgendaState, agenda_state
from scheduler.joinlinks import offers_online
from scheduler.live import NAMESPACE, SessionLive
from scheduler.models import Event, Participant
from webapp.conditional import conditional_response
from webapp.db import get_db
from webapp.extensions import socketio
from webapp.pages import site_event
from webapp.participation import (
    current_participant,
    event_clock,
    join_provider,
    opens_before,
    remembered_token,
)

bp = Blueprint("live", __name__)
MAX_WATCHES = 50


@dataclass(frozen=True, slots=True)
class SiteEvent:
    """What a connection needs of the event this site serves: found once, then kept by the tick."""

    id: int
    timezone: str

    @classmethod
    def of(cls, event: Event) -> SiteEvent:
        return cls(event.id, event.timezone)


@dataclass(frozen=True, slots=True)
class Viewer:
    """A participant's connection on this process: who, their token (for their links), the site root."""

    participant_id: int
    token: str
    script_root: str


class LiveHub:
    """One per app and process: the last states pushed, and the participants connected here."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._started = False
        self._state: AgendaState | None = None
        self._slots: list[live.Slot] = []
        self._ticked_at: float | None = None
        self.states: dict[str, SessionLive] = {}
        self.boards: list[live.RoomBoard] = []
        self.viewers: dict[str, Viewer] = {}
        self._site: SiteEvent | None = None
        # The board payload of `boards`, built once for every viewer that connects until the next tick.
        self._board: tuple[list[live.RoomBoard], dict[str, Any]] | None = None

    # --- the background task ---

    def start(self) -> None:
        """Start ticking (once), from the first connection: a process nobody watches does no work."""
        with self._lock:
            if self._started or not self.app.config.get("LIVE_TICKER", True):
                return
            self._started = True
        socketio.start_background_task(self._run)

    def _interval(self) -> float:
        return float(self.app.config.get("LIVE_TICK_SECONDS", 1.0))

    def _run(self) -> None:
        while True:
            try:
                self.tick()
            except Exception:  # a database hiccup must not stop live updates for good
                self.app.logger.exception("live update tick failed")
            socketio.sleep(self._interval())

    def tick(self) -> None:
        """Re-derive the states and push every change since the last tick to this process's clients.

        Only the tick moves the baseline (`states`, `boards`): whatever changed between two ticks
        is pushed by the second one, whoever looked at the state in between.
        """
        with self.app.app_context():
            db = get_db()
            event = self._event(db)
            self._site = SiteEvent.of(event) if event is not None else None
            if event is None:
                return
            after, boards = self._compute(db, event)
            with self._lock:
                before, boards_before = self.states, self.boards
                self.states, self.boards, self._ticked_at = after, boards, time.monotonic()
            if not before:
                return  # the first look: nothing has changed yet
            zone = ZoneInfo(event.timezone)
            for state in live.transitions(before, after):
                payload = {**card(state, zone), "sent_at": time.time()}
                said = live.announced(before.get(state.key), state)
                if said:  # the English sentence, and what pages need to say it in theirs
                    payload["message"] = live.say(said)
                    payload["announcement"] = said
                self.send("session_state", payload, live.slot_rooms(event.id, state.slot))
            if live.board_shape(boards) != live.board_shape(boards_before):
                self.send("board", self.board_payload(boards, zone), [live.event_room(event.id)])
            self._announce_open(db, live.newly_open(before, after), zone)

    def _event(self, db: DbSession) -> Event | None:
        try:
            return find_event(db, self.app.config.get("AGENDA_EVENT") or None)
        except EventNotFound:
            return None

    def _compute(self, db: DbSession, event: Event) -> tuple[dict[str, SessionLive], list[live.RoomBoard]]:
        """The states now: the agenda and facts are reloaded only when they changed (a cheap poll)."""
        state = agenda_state(db, event.id)
        if state != self._state:
            self._slots, self._state = live.load_slots(db, event), state
        now = event_clock().now(event.timezone)
        states = live.at(self._slots, now, opens_before())
        return states, live.board(states, now)

    def site(self, db: DbSession) -> SiteEvent | None:
        """The event this site serves, as the last tick found it (looked up until it is found)."""
        if self._site is None:
            event = site_event(db)
            self._site = SiteEvent.of(event) if event is not None else None
        return self._site

    def current(self, db: DbSession, site: SiteEvent) -> tuple[dict[str, SessionLive], list[live.RoomBoard]]:
        """The states for a new viewer: the last tick's while this process ticks, however late a
        busy process's tick comes (a burst of connections then costs no queries, and the next tick
        sends each viewer what changed since the very states it got); else computed afresh."""
        with self._lock:
            if self._ticked_at is not None and (
                self._started or time.monotonic() - self._ticked_at < 2 * self._interval()
            ):
                return self.states, self.boards
        event = db.get(Event, site.id)
        if event is None:
            return {}, []
        return self._compute(db, event)

    def board_payload(self, boards: list[live.RoomBoard], zone: ZoneInfo) -> dict[str, Any]:
        """`board_payload(boards)`, built once per tick's boards however many viewers it is sent to."""
        with self._lock:
            if self._board is not None and self._board[0] is boards:
                return self._board[1]
        payload = board_payload(boards, zone)
        with self._lock:
            self._board = (boards, payload)
        return payload

    def latest(self, db: DbSession, event: Event) -> tuple[dict[str, SessionLive], list[live.RoomBoard]]:
        """The states now, with no tick's lag: for the console, right after the team changed one."""
        return self._compute(db, event)

    def send(self, name: str, payload: Mapping[str, Any], rooms: list[str]) -> None:
        """To this process's clients only: every process derives the same transitions, and a
        connection's own messages concern no other process (no needless trip through Redis)."""
        socketio.emit(name, dict(payload), namespace=NAMESPACE, to=rooms, ignore_queue=True)

    def _announce_open(self, db: DbSession, opened: list[SessionLive], zone: ZoneInfo) -> None:
        """Tell each participant connected here that a session they bookmarked has opened."""
        opened = [state for state in opened if online(state)]
        if not opened or not self.viewers:
            return
        connected: dict[int, list[tuple[str, Viewer]]] = {}
        for sid, viewer in list(self.viewers.items()):
            connected.setdefault(viewer.participant_id, []).append((sid, viewer))
        by_id = {state.slot.session_id: state for state in opened}
        for session_id, participant_ids in participants.bookmarking(db, list(by_id)).items():
            for participant_id in participant_ids:
                for sid, viewer in connected.get(participant_id, []):
                    self.send("join_open", self.join_payload(by_id[session_id], viewer, zone), [sid])

    # --- what clients are sent ---

    def join_payload(self, state: SessionLive, viewer: Viewer, zone: ZoneInfo) -> dict[str, Any]:
        urls = self.app.url_map.bind("localhost", script_name=viewer.script_root or "/")
        link = urls.build("participation.join", {"session_key": state.key, "t": viewer.token})
        return {**card(state, zone), "url": link}

    def snapshot(self, db: DbSession, site: SiteEvent, viewer: Viewer | None) -> dict[str, Any]:
        states, boards = self.current(db, site)
        zone = ZoneInfo(site.timezone)
        payload = {
            **self.board_payload(boards, zone),
            "clock": event_clock().now(site.timezone).isoformat(timespec="seconds"),
        }
        if viewer is not None:
            participant = db.get(Participant, viewer.participant_id)
            keys = participants.bookmarked_keys(db, participant) if participant else set()
            payload["bookmarks"] = sorted(keys)
            is_open = [
                states[k] for k in sorted(keys) if k in states and states[k].join_open and online(states[k])
            ]
            payload["open"] = [self.join_payload(state, viewer, zone) for state in is_open]
        return payload


def online(state: SessionLive) -> bool:
    """Whether the session can be joined online at all: a join provider covers it. Participants
    get no join link, and no "open" notice, for one that cannot."""
    return offers_online(join_provider(), state.key, state.slot.room_key)


def card(state: SessionLive, zone: ZoneInfo) -> dict[str, Any]:
    """What any viewer may see of a session (never a join link: that is personal): its live
    state, its times with their UTC offset (so that browsers can show them on the viewer's
    clock too) and whether it can be joined online at all (`online`)."""
    slot = state.slot
    return {
        **state.payload(),
        "start_at": slot.starts_at.replace(tzinfo=zone).isoformat(),
        "end_at": slot.ends_at.replace(tzinfo=zone).isoformat(),
        "online": online(state),
    }


def board_payload(boards: list[live.RoomBoard], zone: ZoneInfo) -> dict[str, Any]:
    return {"rooms": [b.payload(partial(card, zone=zone)) for b in boards]}


def hub() -> LiveHub:
    return current_app.extensions["live_hub"]


def _rooms_for(event_id: int, watch: object) -> list[str]:
    """Socket.IO rooms for what a client asks to watch: "event", "room:KEY", "session:KEY"."""
    wanted = watch if isinstance(watch, list) else ["event"]
    rooms = []
    for item in wanted[:MAX_WATCHES]:
        scope, _, key = str(item).partition(":")
        if scope == "event":
            rooms.append(live.event_room(event_id))
        elif scope == "room" and key:
            rooms.append(live.room_room(event_id, key))
        elif scope == "session" and key:
            rooms.append(live.session_room(event_id, key))
    return rooms or [live.event_room(event_id)]


def _participant(db: DbSession, site: SiteEvent, token: str) -> Participant:
    """The holder of a personal link, or the connection is refused."""
    event = db.get(Event, site.id)
    participant = participants.by_token(db, event, token) if event is not None else None
    if participant is None:
        raise ConnectionRefusedError("this personal link is not valid")
    return participant


class LiveNamespace(Namespace):
    def on_connect(self, auth: object = None) -> None:
        auth = auth if isinstance(auth, dict) else {}
        db, current, sid = get_db(), hub(), request.sid  # type: ignore[attr-defined]
        site = current.site(db)
        if site is None:
            raise ConnectionRefusedError("no event is served here")
        viewer = None
        token = auth.get("token")
        if token:
            participant = _participant(db, site, str(token))
            viewer = Viewer(participant.id, str(token), request.script_root)
            join_room(live.participant_room(participant.id))
        for room in _rooms_for(site.id, auth.get("watch")):
            join_room(room)
        if viewer is not None:
            current.viewers[sid] = viewer
        current.send("snapshot", current.snapshot(db, site, viewer), [sid])
        current.start()

    def on_disconnect(self, reason: object = None) -> None:
        hub().viewers.pop(request.sid, None)  # type: ignore[attr-defined]


socketio.on_namespace(LiveNamespace(NAMESPACE))


def init_app(app: Flask) -> None:
    app.extensions["live_hub"] = LiveHub(app)
    app.register_blueprint(bp)


PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def phase_labels() -> dict[str, str]:
    """Each phase of a session as people read it, in this request's language."""
    return {phase: gettext(label) for phase, label in live.PHASE_LABELS.items()}


def client_texts() -> dict[str, Any]:
    """What static/live.js writes, in this request's language ({name}s are filled in there)."""
    return {
        "phases": phase_labels(),
        "delay": gettext("+%(minutes)s min", minutes="{minutes}"),
        "nothing_now": gettext("Nothing on"),
        "nothing_next": gettext("Nothing more scheduled"),
        "join": gettext("Join online"),
        "live": gettext("Live"),
        "reconnecting": gettext("Reconnecting…"),
        "not_connected": gettext("Not connected: %(reason)s", reason="{reason}"),
        "retrying": gettext("retrying"),
        "open": gettext("%(title)s is open.", title="{title}"),
        "agenda_changed": gettext(
            "The agenda was updated (version %(version)s, %(changes)s change(s)).",
            version="{version}",
            changes="{changes}",
        ),
        "cancelled": gettext("Your session %(title)s was cancelled.", title="{title}"),
        "moved": gettext("Your session %(title)s has moved.", title="{title}"),
        "announcements": {kind: _slots(gettext(text)) for kind, text in live.ANNOUNCEMENTS.items()},
    }


def _slots(text: str) -> str:
    """%(name)s placeholders as live.js fills them: {name}."""
    return PLACEHOLDER.sub(r"{\1}", text)


def translated_announcements() -> dict[str, str]:
    return {kind: gettext(text) for kind, text in live.ANNOUNCEMENTS.items()}


@bp.get("/now")
def now_page() -> Response:
    """Now & Next: per room, the session on now and the next one, kept current over Socket.IO.

    An anonymous visitor's page depends only on the agenda, the live changes and the last tick's
    board: it gets an ETag (its body's hash) and a 304 while the board stands. A participant's page
    holds their token and is never stored.
    """
    db = get_db()
    event = site_event(db)
    rooms = []
    if event is not None:
        site = SiteEvent.of(event)
        rooms = hub().board_payload(hub().current(db, site)[1], ZoneInfo(site.timezone))["rooms"]
    token = remembered_token() if event is not None and current_participant(event) else None
    page = render_template(
        "live/now.html",
        rooms=rooms,
        token=token,
        join_base=url_for("participation.join", session_key="SESSION"),
        session_base=url_for("agenda.session", key="SESSION"),
        namespace=NAMESPACE,
        texts=client_texts(),
    )
    if token is None:
        return conditional_response(page.encode(), "text/html")
    response = Response(page, mimetype="text/html")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
