"""The timetable editor: the team's own changes to a draft, each checked at once and logged.

Every edit (move or place, swap, unschedule, pin, unpin, undo, redo) is one function here, used by the
console's pages and its API alike. Each:

- carries the draft's `revision` the editor was looking at; an edit based on an older revision is
  refused (`StaleRevision`) instead of overwriting another editor's change;
- is checked by `scheduler.check.check_sessions` on the sessions it touches only (the independent
  checker's rules, run incrementally), and refused while it breaks a hard rule unless the team
  keeps it with `override`, which is stored on the draft (`ScheduleVersion.overrides`) and shown;
- reports its soft effects in words (track clashes added or removed, preferred periods lost);
- lands in the audit log and on the draft's undo stack, in the caller's transaction.

Pins are stored with the draft; `pinned_problem` turns them into the solver's `fixed` rules for a
re-plan (`scheduler.jobs`), and `replan_moves` says what that re-plan moved and why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session as DbSession

from scheduler import models
from scheduler.audit import Actor, record
from scheduler.check import SoftView, Violation, check, check_sessions, soft_view
from scheduler.diff import Change, diff_assignments
from scheduler.store import export_problem
from scheduler.versions import DRAFT, version_schedule
from solver import domain

# An edit's sessions and where each goes: (room, start), or None for "unscheduled".
Place = tuple[str, datetime] | None
PinKind = Literal["room", "start", "both"]
UNDO_DEPTH = 100
UNSCHEDULED = "unscheduled in the editor"


class EditError(ValueError):
    """An edit that cannot be made as asked (unknown session, not a draft, pinned, ...)."""


class StaleRevision(EditError):
    """The draft changed since the editor loaded it."""


class EditRefused(EditError):
    """The edit breaks hard rules and was not kept with an override; `violations` says which."""

    def __init__(self, message: str, violations: Iterable[Violation]) -> None:
        super().__init__(message)
        self.violations = list(violations)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an accepted edit did: the draft's new revision, its changes and its effects in words."""

    action: str
    revision: int
    changes: tuple[Change, ...]
    # Broken hard rules kept with an override (empty for a clean edit).
    violations: tuple[Violation, ...] = ()
    effects: tuple[str, ...] = ()
    pins: Mapping[str, Any] | None = None


# --- the edits ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Editing:
    """Who edits which draft, from which revision of it (the one their view shows)."""

    db: DbSession
    version: models.ScheduleVersion
    revision: int
    actor: Actor | None
    # The event's problem, when the caller keeps it between edits (else read from the database).
    problem: domain.Problem | None = None


def move(edit: Editing, session: str, room: str, start: datetime, *, override: bool = False) -> Outcome:
    """Move a session to `room` at `start` (same length): a placed one moves, an unscheduled one is
    placed (logged as `draft.move` or `draft.place`)."""
    editor = _Editor(edit)
    action = "move" if editor.place_of(session) is not None else "place"
    return editor.apply(action, {session: (room, start)}, override)


def swap(edit: Editing, first: str, second: str, *, override: bool = False) -> Outcome:
    """Exchange two placed sessions' rooms and starts in one edit."""
    editor = _Editor(edit)
    a, b = editor.place_of(first), editor.place_of(second)
    if a is None or b is None or first == second:
        raise EditError(f"a swap needs two different placed sessions, not {first} and {second}")
    return editor.apply("swap", {first: b, second: a}, override)


def unschedule(edit: Editing, session: str, *, override: bool = False) -> Outcome:
    """Take a session out of the agenda (a session that is not optional needs an override)."""
    editor = _Editor(edit)
    if editor.place_of(session) is None:
        raise EditError(f"{session} is not placed in this draft")
    return editor.apply("unschedule", {session: None}, override)


def pin(edit: Editing, sessions: Iterable[str], what: PinKind = "both") -> Outcome:
    """Pin placed sessions where they are (their room, their start, or both): a re-plan keeps them."""
    editor = _Editor(edit)
    pins = dict(edit.version.pins)
    for session in _listed(sessions):
        where = editor.place_of(session)
        if where is None:
            raise EditError(f"{session} is not placed in this draft, so it cannot be pinned")
        room, start = where
        pins[session] = {
            "room": room if what in ("room", "both") else None,
            "start": start.isoformat() if what in ("start", "both") else None,
        }
    return editor.set_pins("pin", pins)


def unpin(edit: Editing, sessions: Iterable[str]) -> Outcome:
    editor = _Editor(edit)
    listed, pins = _listed(sessions), edit.version.pins
    not_pinned = [s for s in listed if s not in pins]
    if not_pinned:
        raise EditError(f"not pinned: {', '.join(not_pinned)}")
    return editor.set_pins("unpin", {k: v for k, v in pins.items() if k not in listed})


def undo(edit: Editing) -> Outcome:
    """Take back the draft's latest edit (any editor's: the stack is the draft's, shared)."""
    return _Editor(edit).step_back("undo")


def redo(edit: Editing) -> Outcome:
    """Make again the edit the latest undo took back."""
    return _Editor(edit).step_back("redo")


# --- re-planning around pins ------------------------------------------------------------------------


def pinned_problem(problem: domain.Problem, pins: Mapping[str, Mapping[str, Any]]) -> domain.Problem:
    """`problem` with each pin made a `fixed` rule (a pin adds to a session's own fixed room or start)."""
    sessions = []
    for s in problem.sessions:
        p = pins.get(s.id)
        if p is None:
            sessions.append(s)
            continue
        fixed = s.fixed or domain.Fixed()
        start = datetime.fromisoformat(p["start"]) if p.get("start") else fixed.start
        sessions.append(replace(s, fixed=replace(fixed, room=p.get("room") or fixed.room, start=start)))
    return replace(problem, sessions=tuple(sessions))


@dataclass(frozen=True, slots=True)
class Moved:
    change: Change
    why: str


def replan_moves(problem: domain.Problem, draft: domain.Schedule, result: domain.Schedule) -> list[Moved]:
    """What a re-plan changed from the draft, each with why: the hard rule it broke there (with the
    pins held), or the soft goals it serves."""
    reasons: dict[str, str] = {}
    for v in check(problem, draft).violations:
        for session in v.sessions:
            reasons.setdefault(session, f"{v.rule}: {v.message}")
    soft = "moved for the soft goals (fewer track clashes, more preferences met)"
    return [
        Moved(c, reasons.get(c.session, soft))
        for c in diff_assignments(draft.assignments, result.assignments)
    ]


def pins_in_conflict(pins: Mapping[str, Any], result: domain.Schedule) -> list[str]:
    """The pinned sessions an infeasible re-plan's explanation names: the pins that cannot all hold."""
    named = {s for c in result.conflicts for s in c.sessions}
    return sorted(s for s in pins if s in named)


# --- how an edit is made ------------------------------------------------------------------------------


def _listed(sessions: Iterable[str]) -> list[str]:
    listed = list(dict.fromkeys(sessions))
    if not listed:
        raise EditError("choose at least one session")
    return listed


def _where(place: Place) -> str:
    return "unscheduled" if place is None else f"{place[0]} {place[1]:%Y-%m-%d %H:%M}"


def _places_data(places: Mapping[str, Place]) -> dict[str, list[str] | None]:
    return {s: None if p is None else [p[0], p[1].isoformat()] for s, p in places.items()}


def _place_from(data: list[str] | None) -> Place:
    return None if data is None else (data[0], datetime.fromisoformat(data[1]))


class _Editor:
    """One edit of one draft: the draft as a domain schedule, and what writing a change needs."""

    def __init__(self, edit: Editing) -> None:
        db, version = edit.db, edit.version
        if version.state != DRAFT:
            raise EditError(f"version {version.number} is published; only drafts are edited")
        self.db = db
        self.version = version
        self.actor = edit.actor
        self.seen = edit.revision
        db.refresh(version, ["revision"])
        if version.revision != edit.revision:
            raise self._stale()
        self.problem = edit.problem or export_problem(db, version.event)
        self.sessions = {s.id: s for s in self.problem.sessions}
        self.schedule = version_schedule(db, version)

    def _stale(self) -> StaleRevision:
        return StaleRevision(
            f"draft {self.version.number} has changed since you loaded it (it is at revision "
            f"{self.version.revision}, you saw {self.seen}): reload it to see the other changes, "
            "then make your change again"
        )

    def _claim(self) -> None:
        """Take the next revision before writing, atomically: of two edits made on the same revision
        at once, the second finds it taken (the check above only spares it the work)."""
        table = models.ScheduleVersion.__table__
        taken = self.db.execute(
            update(table)
            .where(table.c.id == self.version.id, table.c.revision == self.seen)
            .values(revision=self.seen + 1)
        ).rowcount
        self.db.refresh(self.version, ["revision"])
        if taken != 1:
            raise self._stale()

    def place_of(self, session: str) -> Place:
        if session not in self.sessions:
            raise EditError(f"there is no session {session!r} in this event")
        a = self.schedule.assignment(session)
        return None if a is None else (a.room, a.start)

    def apply(
        self,
        action: str,
        places: Mapping[str, Place],
        override: bool,
        *,
        history: str = "new",
    ) -> Outcome:
        pinned = [s for s in places if s in self.version.pins] if history == "new" else []
        if pinned:
            raise EditError(f"{', '.join(pinned)} pinned: unpin before moving")
        rooms = {r.id for r in self.problem.rooms}
        for where in places.values():
            if where is not None and where[0] not in rooms:
                raise EditError(f"there is no room {where[0]!r} in this event")
        before = {s: self.place_of(s) for s in places}
        after_schedule = self._changed(places)
        violations = check_sessions(self.problem, after_schedule, places)
        if violations and not override:
            raise EditRefused(
                f"the {action} breaks {len(violations)} hard rule(s); it was not made", violations
            )
        effects = _effects(
            soft_view(self.problem, self.schedule, places), soft_view(self.problem, after_schedule, places)
        )
        self._claim()
        self._write(places)
        self._note_overrides(places, violations)
        changes = diff_assignments(self.schedule.assignments, after_schedule.assignments)
        if history == "new":
            self._push(
                "undo", {"action": action, "before": _places_data(before), "after": _places_data(places)}
            )
            self.version.redo = []
        self._log(action, changes, violations, effects)
        return Outcome(action, self.version.revision, tuple(changes), tuple(violations), tuple(effects))

    def set_pins(self, action: str, pins: dict[str, Any], *, history: str = "new") -> Outcome:
        self._claim()
        if history == "new":
            self._push("undo", {"action": action, "pins_before": self.version.pins, "pins_after": pins})
            self.version.redo = []
        self.version.pins = pins
        record(
            self.db,
            self.actor,
            f"draft.{action}",
            event=self.version.event_id,
            subject=f"draft {self.version.number}",
            after=", ".join(sorted(pins)) or "no pins",
            detail={"version": self.version.number, "revision": self.version.revision, "pins": pins},
        )
        return Outcome(action, self.version.revision, (), pins=pins)

    def step_back(self, direction: str) -> Outcome:
        """Undo (or redo) the top step of the stack, moving it onto the other stack."""
        stack = list(self.version.undo if direction == "undo" else self.version.redo)
        if not stack:
            raise EditError(f"there is nothing to {direction} in draft {self.version.number}")
        step = stack.pop()
        other = "redo" if direction == "undo" else "undo"
        setattr(self.version, direction, stack)
        self._push(other, step)
        back = direction == "undo"
        if "pins_before" in step:
            return self.set_pins(direction, step["pins_before" if back else "pins_after"], history=direction)
        places = {s: _place_from(p) for s, p in step["before" if back else "after"].items()}
        # The draft was in exactly that state before: keep it as it was, broken rules included.
        return self.apply(direction, places, override=True, history=direction)

    def _push(self, stack: str, step: Mapping[str, Any]) -> None:
        setattr(self.version, stack, [*getattr(self.version, stack), dict(step)][-UNDO_DEPTH:])

    def _changed(self, places: Mapping[str, Place]) -> domain.Schedule:
        kept = [a for a in self.schedule.assignments if a.session not in places]
        added = []
        for session, where in places.items():
            if where is not None:
                room, start = where
                minutes = timedelta(minutes=self.sessions[session].duration_minutes)
                added.append(domain.Assignment(session, room, start, start + minutes))
        left = [u for u in self.schedule.unscheduled if u.session not in places]
        left += [domain.Unscheduled(s, UNSCHEDULED) for s, w in places.items() if w is None]
        return replace(self.schedule, assignments=(*kept, *added), unscheduled=tuple(left))

    def _write(self, places: Mapping[str, Place]) -> None:
        """The draft's assignment rows (and its report's unscheduled list) as `places` says."""
        ids = _row_ids(self.db, models.Session, self.version.event_id, places)
        rooms = _row_ids(self.db, models.Room, self.version.event_id, [w[0] for w in places.values() if w])
        rows = {
            row.session_id: row
            for row in self.db.scalars(
                select(models.Assignment).where(
                    models.Assignment.version_id == self.version.id,
                    models.Assignment.session_id.in_(ids.values()),
                )
            )
        }
        for session, where in places.items():
            row = rows.get(ids[session])
            if where is None:
                if row is not None:
                    self.db.delete(row)
                continue
            room, start = where
            end = start + timedelta(minutes=self.sessions[session].duration_minutes)
            if row is None:
                row = models.Assignment(version_id=self.version.id, session_id=ids[session])
                self.db.add(row)
            row.room_id, row.start, row.end = rooms[room], start, end
        report = dict(self.version.report)
        unscheduled = [u for u in report.get("unscheduled", []) if u.get("session") not in places]
        unscheduled += [
            {"session": s, "reason": "unscheduled in the editor"} for s, w in places.items() if w is None
        ]
        report["unscheduled"] = unscheduled
        self.version.report = report
        self.db.flush()
        # The rows' `room` relationships still hold the old rooms until reloaded.
        for row in rows.values():
            if row in self.db:
                self.db.expire(row)

    def _note_overrides(self, places: Mapping[str, Place], violations: list[Violation]) -> None:
        overrides = {k: v for k, v in self.version.overrides.items() if k not in places}
        for v in violations:
            for session in v.sessions:
                if session in places:
                    overrides.setdefault(session, []).append(f"{v.rule}: {v.message}")
        self.version.overrides = overrides

    def _log(
        self,
        action: str,
        changes: list[Change],
        violations: list[Violation],
        effects: list[str],
    ) -> None:
        detail: dict[str, Any] = {
            "version": self.version.number,
            "revision": self.version.revision,
            "changes": [c.describe() for c in changes],
            "effects": effects,
        }
        if violations:
            detail["override"] = [f"{v.rule}: {v.message}" for v in violations]
        record(
            self.db,
            self.actor,
            f"draft.{action}",
            event=self.version.event_id,
            subject=f"draft {self.version.number}: {', '.join(c.session for c in changes)}",
            before="; ".join(_where(_place_of(c.before)) for c in changes),
            after="; ".join(_where(_place_of(c.after)) for c in changes),
            detail=detail,
        )


def _place_of(a: domain.Assignment | None) -> Place:
    return None if a is None else (a.room, a.start)


def _row_ids(
    db: DbSession, table: type[models.Session] | type[models.Room], event_id: int, keys: Iterable[str]
) -> dict[str, int]:
    keys = list(keys)
    rows = db.execute(select(table.key, table.id).where(table.event_id == event_id, table.key.in_(keys)))
    return {key: row_id for key, row_id in rows}


def _effects(before: SoftView, after: SoftView) -> list[str]:
    """The soft goals an edit changes, in words."""
    words = [
        f"adds a track clash: {a} and {b} overlap"
        for a, b in sorted(after.track_clashes - before.track_clashes)
    ]
    words += [
        f"removes a track clash: {a} and {b} no longer overlap"
        for a, b in sorted(before.track_clashes - after.track_clashes)
    ]
    for session in sorted(before.preferences_met.keys() | after.preferences_met.keys()):
        lost = before.preferences_met.get(session, 0) - after.preferences_met.get(session, 0)
        if lost > 0:
            words.append(f"{session} leaves {lost} of its preferred period(s)")
        elif lost < 0:
            words.append(f"{session} now lies in {-lost} more of its preferred period(s)")
    return words
