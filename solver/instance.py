"""A problem prepared for search: every session's possible rooms and starts, and who relates to whom.

Impossible (room, start) pairs are dropped here, before anything becomes a CP-SAT variable. In
`strict` mode every per-session rule filters (window, fixed room and start, speaker availability,
room unavailability); the explainer builds a `strict=False` instance instead, which keeps only the
facts no one can relax (the calendar and what a room physically offers) so that each rule can be
switched on and off by an assumption literal.
"""

from __future__ import annotations

import copy
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from solver.domain import NoOverlapRule, Problem, Room, Session
from solver.regions import awake_spans
from solver.timeline import SPEAKER_MOVE_MINUTES, Span, Timeline, coarsest_step, inside_any, union


def room_fits(room: Room, session: Session) -> bool:
    """What a room physically offers: seats, features and interpretation booths."""
    return (room.capacity >= session.expected_attendance
            and set(session.requires) <= set(room.features)
            and room.interpretation_booths >= session.booths_needed)


@dataclass(frozen=True, slots=True)
class SessionInfo:
    session: Session
    starts: tuple[int, ...]
    # Smallest room first: the order every heuristic tries them in.
    rooms: tuple[str, ...]
    # Rooms whose unavailability leaves only some of `starts`; rooms absent here allow them all.
    room_starts: Mapping[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.session.id

    @property
    def duration(self) -> int:
        return self.session.duration_minutes

    @property
    def optional(self) -> bool:
        return self.session.optional

    @property
    def pinned(self) -> bool:
        """One room and one start: nothing to move."""
        return len(self.starts) == 1 and len(self.rooms) == 1

    def starts_in(self, room: str) -> tuple[int, ...]:
        return self.room_starts.get(room, self.starts)


@dataclass(frozen=True, slots=True)
class Relation:
    """How session `other` limits a session: no overlap (speaker or group), or an order between them."""

    no_overlap: bool = False
    other_first: bool = False
    other_after: bool = False

    def allows(self, start: int, duration: int, other_start: int, other_duration: int) -> bool:
        if self.no_overlap and start < other_start + other_duration and other_start < start + duration:
            return False
        if self.other_first and other_start + other_duration > start:
            return False
        return not (self.other_after and start + duration > other_start)


class Instance:
    def __init__(self, problem: Problem, *, strict: bool = True, anchors: Iterable[datetime] = ()) -> None:
        """`anchors`: more moments a start may need to keep (a baseline's starts, when re-planning)."""
        self.problem = problem
        self.strict = strict
        self.changeover = max(0, problem.calendar.changeover_minutes)
        try:
            self.zone = ZoneInfo(problem.event.timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"event.timezone {problem.event.timezone!r} is not an IANA timezone") from error
        calendar_grid = Timeline(problem.calendar)
        moments = [*self._moments(calendar_grid), *map(calendar_grid.minute, anchors)]
        lengths = [self.changeover, SPEAKER_MOVE_MINUTES, *(s.duration_minutes for s in problem.sessions)]
        self.timeline = Timeline(problem.calendar, coarsest_step(calendar_grid.step, moments, lengths))
        self.sessions: dict[str, Session] = {s.id: s for s in problem.sessions}
        self.rooms: dict[str, Room] = {r.id: r for r in problem.rooms}
        self._rooms_by_size = sorted(problem.rooms, key=lambda r: (r.capacity, r.id))
        self.available: dict[str, list[Span] | None] = {
            sp.id: None if sp.available is None else [self.timeline.span(p) for p in sp.available]
            for sp in problem.speakers
        }
        self.unavailable: dict[str, list[Span]] = {
            r.id: [self.timeline.span(p) for p in r.unavailable] for r in problem.rooms
        }
        self._closed = {room: union(spans) for room, spans in self.unavailable.items()}
        self.info: dict[str, SessionInfo] = {}
        for session in problem.sessions:
            info = self._candidates(session)
            if info.starts and info.rooms:
                self.info[session.id] = info

    def _moments(self, timeline: Timeline) -> Iterator[int]:
        """Every moment a rule or a cost turns on, in minutes (see `coarsest_step`)."""
        problem = self.problem
        moments: list[datetime | None] = []
        for day in problem.calendar.days:
            moments += [day.opens_at, day.closes_at]
            moments += [day.at(t) for pause in day.breaks for t in (pause.start, pause.end)]
        periods = [p for r in problem.rooms for p in r.unavailable]
        periods += [p for sp in problem.speakers for p in sp.available or ()]
        for session in problem.sessions:
            periods += session.preferred
            if session.window is not None:
                moments += [session.window.earliest, session.window.latest]
            moments.append(session.fixed.start if session.fixed else None)
        moments += [t for period in periods for t in (period.start, period.end)]
        yield from (timeline.minute(m) for m in moments if m is not None)
        for region in {region for session in problem.sessions for region in session.remote_audience}:
            for day in problem.calendar.days:
                for span in awake_spans(region, day.date, self.zone, timeline.minute):
                    yield from span

    # --- candidates ------------------------------------------------------------------------------

    def base_starts(self, session: Session) -> list[int]:
        """Grid starts where the session fits the day's hours without crossing a break."""
        return [st for day in self.timeline.days for st in day.starts(session.duration_minutes)]

    def start_rules(self, session: Session) -> dict[str, Callable[[int], bool]]:
        """The relaxable per-session rules on a start, by name: each says whether a start obeys it."""
        duration = session.duration_minutes
        rules: dict[str, Callable[[int], bool]] = {}
        if session.window is not None:
            low = self._minute_or(session.window.earliest, -(10**9))
            high = self._minute_or(session.window.latest, 10**9)
            rules["window"] = lambda st: low <= st and st + duration <= high
        if session.fixed is not None and session.fixed.start is not None:
            fixed = self.timeline.minute(session.fixed.start)
            rules["fixed"] = lambda st: st == fixed
        for speaker in dict.fromkeys(session.speakers):
            spans = self.available.get(speaker)
            if spans is not None:
                rules[f"available:{speaker}"] = lambda st, spans=spans: inside_any(spans, st, st + duration)
        return rules

    def _minute_or(self, moment: datetime | None, default: int) -> int:
        return default if moment is None else self.timeline.minute(moment)

    def fitting_rooms(self, session: Session) -> list[str]:
        return [r.id for r in self._rooms_by_size if room_fits(r, session)]

    def free_starts(self, room: str, starts: Sequence[int], duration: int) -> tuple[int, ...]:
        """The (ascending) starts at which the room is not unavailable for the session's whole length."""
        spans = self._closed.get(room)
        if not spans:
            return tuple(starts)
        free = [True] * len(starts)
        for low, high in spans:
            # Overlapping [low, high) means starting after low - duration and before high.
            for at in range(bisect_right(starts, low - duration), bisect_left(starts, high)):
                free[at] = False
        return tuple(st for st, ok in zip(starts, free, strict=True) if ok)

    def _candidates(self, session: Session) -> SessionInfo:
        starts = self.base_starts(session)
        rooms = self.fitting_rooms(session)
        if self.strict:
            for rule in self.start_rules(session).values():
                starts = [st for st in starts if rule(st)]
            fixed_room = session.fixed.room if session.fixed else None
            if fixed_room is not None:
                rooms = [r for r in rooms if r == fixed_room]
        room_starts: dict[str, tuple[int, ...]] = {}
        usable: list[str] = []
        for room in rooms:
            if not self._closed.get(room):  # never closed: every start (most rooms, quickly)
                usable.append(room)
                continue
            free = self.free_starts(room, starts, session.duration_minutes)
            if free or not self.strict:
                usable.append(room)
                if len(free) < len(starts):
                    room_starts[room] = free
        if self.strict and all(room in room_starts for room in usable):
            starts = sorted({st for room in usable for st in room_starts[room]})
        return SessionInfo(session, tuple(starts), tuple(usable), room_starts)

    def without_starts(self, dropped: Mapping[str, Collection[int]]) -> Instance:
        """The same instance with the given starts of some sessions ruled out (in every room)."""
        narrower = copy.copy(self)
        narrower.info = dict(self.info)
        for sid, starts in dropped.items():
            info = self.info[sid]
            kept = tuple(st for st in info.starts if st not in starts)
            room_starts = {r: tuple(st for st in s if st not in starts) for r, s in info.room_starts.items()}
            rooms = tuple(r for r in info.rooms if room_starts.get(r, kept))
            if not rooms:
                continue
            narrower.info[sid] = SessionInfo(info.session, kept, rooms,
                                             {r: s for r, s in room_starts.items() if r in rooms})
        return narrower

    # --- who relates to whom ---------------------------------------------------------------------

    @cached_property
    def by_speaker(self) -> dict[str, list[str]]:
        talks: dict[str, list[str]] = defaultdict(list)
        for session in self.problem.sessions:
            for speaker in dict.fromkeys(session.speakers):
                talks[speaker].append(session.id)
        return dict(talks)

    @cached_property
    def by_track(self) -> dict[str, list[str]]:
        members: dict[str, list[str]] = defaultdict(list)
        for session in self.problem.sessions:
            for track in dict.fromkeys(session.tracks):
                members[track].append(session.id)
        return dict(members)

    @cached_property
    def groups(self) -> list[tuple[int, NoOverlapRule, list[str]]]:
        """The `no_overlap` rules with their known sessions, numbered as in the file."""
        return [(k, rule, [s for s in dict.fromkeys(rule.sessions) if s in self.sessions])
                for k, rule in enumerate(self.problem.no_overlap)]

    @cached_property
    def edges(self) -> list[tuple[str, str]]:
        """(predecessor, successor) for every `after` entry naming a known session."""
        return [(pred, s.id) for s in self.problem.sessions for pred in dict.fromkeys(s.after)
                if pred in self.sessions and pred != s.id]

    @cached_property
    def successors(self) -> dict[str, list[str]]:
        return _grouped(self.edges)

    @cached_property
    def predecessors(self) -> dict[str, list[str]]:
        return _grouped((succ, pred) for pred, succ in self.edges)

    @cached_property
    def chains(self) -> dict[str, tuple[str, ...]]:
        """For each session linked by `after` to others, its whole linked group in an order that
        puts every predecessor first (ties in the file's order)."""
        order = {s.id: n for n, s in enumerate(self.problem.sessions)}
        group: dict[str, str] = {}

        def root(sid: str) -> str:
            while group.get(sid, sid) != sid:
                sid = group[sid]
            return sid

        for pred, succ in self.edges:
            group.setdefault(pred, pred)
            group.setdefault(succ, succ)
            group[root(pred)] = root(succ)
        members: dict[str, list[str]] = defaultdict(list)
        for sid in sorted(group, key=order.__getitem__):
            members[root(sid)].append(sid)
        chains: dict[str, tuple[str, ...]] = {}
        for linked in members.values():
            waiting = {sid: len(set(self.predecessors.get(sid, ())) & set(linked)) for sid in linked}
            ready = [sid for sid in linked if not waiting[sid]]
            ordered: list[str] = []
            while ready:
                sid = min(ready, key=order.__getitem__)
                ready.remove(sid)
                ordered.append(sid)
                for succ in dict.fromkeys(self.successors.get(sid, ())):
                    waiting[succ] -= 1
                    if not waiting[succ]:
                        ready.append(succ)
            # A circle of `after` edges (the file reader refuses one) leaves its members unordered.
            ordered += [sid for sid in linked if sid not in ordered]
            chains.update(dict.fromkeys(linked, tuple(ordered)))
        return chains

    @cached_property
    def relations(self) -> dict[str, dict[str, Relation]]:
        """For each session, the sessions whose placement limits its starts, and how."""
        flags: dict[str, dict[str, dict[str, bool]]] = defaultdict(lambda: defaultdict(dict))
        for members in [*self.by_speaker.values(), *(m for _, _, m in self.groups)]:
            for a in members:
                for b in members:
                    if a != b:
                        flags[a][b]["no_overlap"] = True
        for pred, succ in self.edges:
            flags[succ][pred]["other_first"] = True
            flags[pred][succ]["other_after"] = True
        return {a: {b: Relation(**f) for b, f in others.items()} for a, others in flags.items()}

    def mandatory(self) -> list[str]:
        return [s.id for s in self.problem.sessions if not s.optional]


def _grouped(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """{a: [every b paired with a, in order]}."""
    found: dict[str, list[str]] = defaultdict(list)
    for a, b in pairs:
        found[a].append(b)
    return dict(found)
