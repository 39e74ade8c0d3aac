"""A fast constructive agenda: the hint CP-SAT starts from, and the large search's first solution.

Most constrained first: the session with the fewest starts left (times rooms it fits) goes next, so
the plenary that only one room can hold is placed before the small rooms fill up around it. A start
is priced by the objective (preferences, remote audiences, track clashes, tight speaker changes, day
balance, seats left empty) plus a look-ahead: starts that would take the last possible starts of a
session sharing a speaker, a `no_overlap` group or an `after` edge are avoided, and starts that take
many of them are dearer.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from itertools import accumulate

from solver.costs import Costs, Placement, units
from solver.instance import Instance, Relation

# How many of the cheapest starts are tried for a free room before taking the first that has one.
_STARTS_TRIED = 12
# Price of taking every remaining start of a related session, and of taking the very last one.
_LOOK_AHEAD = units(5.0)
_LAST_START = 10**12
# Price of an hour in a room that sessions are expected to fill completely that day.
_PRESSURE = units(5.0) / 60


class Greedy:
    def __init__(self, costs: Costs, first: Collection[str] = (),
                 pressure: Mapping[tuple[str, int], float] | None = None) -> None:
        self.costs = costs
        self.inst: Instance = costs.inst
        # Sessions to place before all but the fixed ones (they failed on an earlier attempt).
        self.first = set(first)
        self.pressure = pressure or {}
        self._ranked: dict[tuple[str, int], list[tuple[int, str]]] = {}
        self.placed: dict[str, Placement] = {}
        self.remaining: dict[str, list[int]] = {sid: list(i.starts) for sid, i in self.inst.info.items()}
        self._room_starts: dict[str, list[int]] = defaultdict(list)
        self._room_ends: dict[str, list[int]] = defaultdict(list)
        self.tracks = {sid: tuple(dict.fromkeys(s.tracks)) for sid, s in self.inst.sessions.items()}
        # The placed sessions of each track.
        self._members: dict[str, list[str]] = defaultdict(list)
        self._talks: dict[str, list[str]] = defaultdict(list)
        self._loads = [0] * len(self.inst.timeline.days)

    # --- public ----------------------------------------------------------------------------------

    def fits(self, sid: str, placement: Placement) -> bool:
        """Whether the session can go there given everything placed so far."""
        room, start = placement
        info = self.inst.info.get(sid)
        if info is None or room not in info.rooms or start not in info.starts_in(room):
            return False
        remaining = self.remaining[sid]
        at = bisect_left(remaining, start)
        return at < len(remaining) and remaining[at] == start and self._room_free(room, start, info.duration)

    def place(self, sid: str, placement: Placement) -> None:
        room, start = placement
        duration = self.inst.sessions[sid].duration_minutes
        self.placed[sid] = placement
        at = bisect_left(self._room_starts[room], start)
        self._room_starts[room].insert(at, start)
        self._room_ends[room].insert(at, start + duration + self.inst.changeover)
        for track in self.tracks[sid]:
            self._members[track].append(sid)
        for speaker in dict.fromkeys(self.inst.sessions[sid].speakers):
            self._talks[speaker].append(sid)
        self._loads[self.inst.timeline.day_of(start).index] += duration
        for other, relation in self._limited_by(sid):
            self.remaining[other] = [x for x in self.remaining[other]
                                     if relation.allows(x, self.inst.sessions[other].duration_minutes,
                                                        start, duration)]

    def fill(self, sessions: Iterable[str]) -> None:
        """Place the given sessions, hardest first; those that find no room and start stay out."""
        todo = {sid for sid in sessions if sid in self.inst.info and sid not in self.placed}
        queue = [(self._priority(sid), sid) for sid in todo]
        heapq.heapify(queue)
        while queue:
            priority, sid = heapq.heappop(queue)
            if sid not in todo:
                continue
            if priority != self._priority(sid):
                heapq.heappush(queue, (self._priority(sid), sid))
                continue
            todo.discard(sid)
            choice = self._best(sid)
            if choice is None:
                continue
            self.place(sid, choice)
            for other, _ in self._limited_by(sid):
                if other in todo:
                    heapq.heappush(queue, (self._priority(other), other))

    # --- choosing --------------------------------------------------------------------------------

    def _priority(self, sid: str) -> tuple[int, int, str]:
        info = self.inst.info[sid]
        fixed = info.session.fixed is not None and info.session.fixed.start is not None
        rank = 0 if fixed or sid in self.first else 2 if info.optional else 1
        return rank, len(self.remaining[sid]) * len(info.rooms) - info.duration, sid

    def _best(self, sid: str) -> Placement | None:
        info = self.inst.info[sid]
        priced = self._start_prices(sid)
        best: tuple[int, Placement] | None = None
        for tried, (price, start) in enumerate(priced):
            if price >= _LAST_START and best is not None:
                break
            if best is not None and (tried >= _STARTS_TRIED or price >= best[0]):
                break
            found = next(((price_, r) for price_, r in self._rooms_by_price(sid, start)
                          if start in info.starts_in(r) and self._room_free(r, start, info.duration)), None)
            if found is None:
                continue
            room_price, room = found
            total = price + room_price + self._tight_changes(sid, room, start)
            if best is None or total < best[0]:
                best = (total, (room, start))
        return None if best is None else best[1]

    def _rooms_by_price(self, sid: str, start: int) -> list[tuple[int, str]]:
        """The session's rooms, cheapest first on the start's day: seats left empty plus how much
        other sessions are expected to need the room that day."""
        day = self.inst.timeline.day_of(start).index
        key = (sid, day)
        ranked = self._ranked.get(key)
        if ranked is None:
            minutes = self.inst.sessions[sid].duration_minutes
            ranked = sorted((self.costs.room(sid, r)
                             + round(_PRESSURE * self.pressure.get((r, day), 0.0) * minutes), r)
                            for r in self.inst.info[sid].rooms)
            self._ranked[key] = ranked
        return ranked

    def _start_prices(self, sid: str) -> list[tuple[int, int]]:
        """(price, start) for every start still open to the session, cheapest first."""
        duration = self.inst.sessions[sid].duration_minutes
        starts = self.remaining[sid]
        unary = self.costs.unary(sid)
        clashes = self._clashes(sid, starts)
        related = list(self._limited_by(sid))
        day_costs = [self.costs.day_minute * (max(0, load + duration - target) - max(0, load - target))
                     for load, target in zip(self._loads, self.costs.day_targets, strict=True)]
        day_of = self.inst.timeline.day_of
        priced = []
        for at, start in enumerate(starts):
            price = unary[start] + clashes[at] + day_costs[day_of(start).index]
            if related:
                price += self._look_ahead(duration, start, related)
            priced.append((price, start))
        return sorted(priced)

    def _clashes(self, sid: str, starts: list[int]) -> list[int]:
        """Track-clash cost of each start against the placed sessions, through a difference array:
        a placed session [s, e) clashes with every start in (s - duration, e)."""
        duration = self.inst.sessions[sid].duration_minutes
        delta = [0] * (len(starts) + 1)
        for other in {o for track in self.tracks[sid] for o in self._members[track]}:
            weight = self.costs.shared_track_weight(sid, other)
            other_start = self.placed[other][1]
            low = bisect_right(starts, other_start - duration)
            high = bisect_left(starts, other_start + self.inst.sessions[other].duration_minutes)
            if low < high:
                delta[low] += weight
                delta[high] -= weight
        return list(accumulate(delta[:-1]))

    def _tight_changes(self, sid: str, room: str, start: int) -> int:
        mine = (room, start)
        return sum(self.costs.tight_change(sid, mine, other, self.placed[other])
                   for speaker in dict.fromkeys(self.inst.sessions[sid].speakers)
                   for other in self._talks[speaker])

    def _look_ahead(self, duration: int, start: int, related: list[tuple[str, Relation]]) -> int:
        price = 0
        for other, relation in related:
            left = self.remaining[other]
            if not left:
                continue
            length = self.inst.sessions[other].duration_minutes
            taken = 0
            if relation.no_overlap:
                taken += bisect_left(left, start + duration) - bisect_right(left, start - length)
            if relation.other_first:
                taken += bisect_left(left, start + duration)
            if relation.other_after:
                taken += len(left) - bisect_right(left, start - length)
            if taken >= len(left):
                return _LAST_START
            price += _LOOK_AHEAD * taken // len(left)
        return price

    def _limited_by(self, sid: str) -> Iterable[tuple[str, Relation]]:
        """Unplaced sessions whose starts `sid`'s placement restricts, with how they relate to it."""
        for other in self.inst.relations.get(sid, {}):
            if other not in self.placed and other in self.remaining:
                yield other, self.inst.relations[other][sid]

    def _room_free(self, room: str, start: int, duration: int) -> bool:
        starts, ends = self._room_starts[room], self._room_ends[room]
        at = bisect_left(starts, start)
        if at > 0 and ends[at - 1] > start:
            return False
        return at >= len(starts) or starts[at] >= start + duration + self.inst.changeover


def room_pressure(inst: Instance) -> dict[tuple[str, int], float]:
    """Expected share of each room's hours on each day that sessions will want.

    A session spreads its minutes evenly over the rooms and days it could use, so a room only a few
    sessions can use (six booths, a plenary) on the only day they can come shows high pressure.
    """
    timeline = inst.timeline
    wanted: dict[tuple[str, int], float] = defaultdict(float)
    for info in inst.info.values():
        days = {timeline.day_of(st).index for st in info.starts}
        share = info.duration / (len(info.rooms) * len(days))
        for room in info.rooms:
            for day in days:
                wanted[(room, day)] += share
    return {(room, day): minutes / max(1, timeline.days[day].usable_minutes)
            for (room, day), minutes in wanted.items()}


def greedy(costs: Costs, keep: Mapping[str, Placement] | None = None,
           attempts: int = 4) -> tuple[dict[str, Placement], list[str]]:
    """An agenda built from scratch, or around `keep` (placements to hold where they still fit).

    Sessions that find no place, optional ones too, go first on the next attempt. Returns the
    placements and the sessions (mandatory or optional) left out by the best attempt.
    """
    pressure = room_pressure(costs.inst)
    mandatory = set(costs.inst.mandatory())
    best: tuple[int, int, dict[str, Placement]] | None = None
    first: set[str] = set()
    for _ in range(attempts):
        builder = Greedy(costs, first, pressure)
        for sid, placement in sorted((keep or {}).items(), key=lambda item: (item[1][1], item[0])):
            if builder.fits(sid, placement):
                builder.place(sid, placement)
        builder.fill(sid for sid in costs.inst.sessions if sid not in builder.placed)
        failed = [sid for sid in costs.inst.info if sid not in builder.placed]
        score = (len(mandatory.intersection(failed)), costs.evaluate(builder.placed).total, builder.placed)
        if best is None or score[:2] < best[:2]:
            best = score
        if not failed or first.issuperset(failed):
            break
        first.update(failed)
    assert best is not None
    placed = best[2]
    return placed, [sid for sid in costs.inst.sessions if sid not in placed]
