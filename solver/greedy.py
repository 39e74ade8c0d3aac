"""A fast constructive agenda: the hint CP-SAT starts from, and the large search's first solution.

Most constrained first: the session with the fewest starts left (times rooms it fits) goes next, so
the plenary that only one room can hold is placed before the small rooms fill up around it. A start
is priced by the objective (preferences, remote audiences, track clashes, tight speaker changes, day
balance, seats left empty) plus a look-ahead: starts that would take the last possible starts of a
session sharing a speaker, a `no_overlap` group or an `after` edge are avoided, and starts that take
many of them are dearer.

`after` chains are placed as units: the session's starts are kept within what its whole chain
allows (no earlier than its predecessors can end, no later than its successors can start), and
when one member of a chain comes up, the whole chain is placed, first to last, each at a start
after which the rest of the chain still finds a free room one after the other.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping

from solver.costs import Costs, Placement, units
from solver.instance import Instance, Relation

# How many of the cheapest starts are tried for a free room before taking the first that has one.
_STARTS_TRIED = 12
# Price of taking every remaining start of a related session, and of taking the very last one.
_LOOK_AHEAD = units(5.0)
_LAST_START = 10**12
# Price of an hour in a room that sessions are expected to fill completely that day.
_PRESSURE = units(5.0) / 60
# How many starts a chain member tries before giving up on keeping room for the rest of its chain.
_CHAIN_STARTS_TRIED = 400


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
        self._tighten(sid for sid in self.inst.chains if sid in self.remaining)

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
        changed = [sid]
        for other, relation in self._limited_by(sid):
            left = self.remaining[other]
            self.remaining[other] = [x for x in left if relation.allows(
                x, self.inst.sessions[other].duration_minutes, start, duration)]
            if len(self.remaining[other]) < len(left):
                changed.append(other)
        self._tighten(s for s in changed if s in self.inst.chains)

    def remove(self, sid: str) -> None:
        """Take a placed session out again; it and the unplaced sessions it limited get back the
        starts that the sessions still placed allow."""
        room, start = self.placed.pop(sid)
        duration = self.inst.sessions[sid].duration_minutes
        at = bisect_left(self._room_starts[room], start)
        del self._room_starts[room][at]
        del self._room_ends[room][at]
        for track in self.tracks[sid]:
            self._members[track].remove(sid)
        for speaker in dict.fromkeys(self.inst.sessions[sid].speakers):
            self._talks[speaker].remove(sid)
        self._loads[self.inst.timeline.day_of(start).index] -= duration
        for other in [sid, *(o for o, _ in self._limited_by(sid))]:
            self.remaining[other] = self._allowed(other)

    def _allowed(self, sid: str) -> list[int]:
        """The session's starts that its placed speakers' sessions, groups and `after` partners allow."""
        info = self.inst.info[sid]
        limits = [(relation, self.placed[other][1], self.inst.sessions[other].duration_minutes)
                  for other, relation in self.inst.relations.get(sid, {}).items() if other in self.placed]
        return [st for st in info.starts
                if all(relation.allows(st, info.duration, at, length) for relation, at, length in limits)]

    def cost(self, sid: str, placement: Placement) -> int:
        """What the (unplaced) session would add to the objective at `placement`, the others as placed."""
        room, start = placement
        days = self._day_costs(self.inst.sessions[sid].duration_minutes)
        day = days[self.inst.timeline.day_of(start).index]
        return (self.costs.unary(sid)[start] + self._clashes(sid, [start])[0] + day
                + self.costs.room(sid, room) + self._tight_changes(sid, room, start))

    def cheapest(self, sid: str) -> tuple[int, Placement] | None:
        """The free room and start where the (unplaced) session adds least to the objective."""
        info = self.inst.info[sid]
        priced = self._start_prices(sid, look_ahead=False)
        rooms = sorted((self.costs.room(sid, r), r) for r in info.rooms)
        best: tuple[int, Placement] | None = None
        for price, start in priced:
            if best is not None and price >= best[0]:
                break
            for room_price, room in rooms:
                if best is not None and price + room_price >= best[0]:
                    break
                if start in info.starts_in(room) and self._room_free(room, start, info.duration):
                    total = price + room_price + self._tight_changes(sid, room, start)
                    if best is None or total < best[0]:
                        best = (total, (room, start))
        return best

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
            # A chain goes in whole, first to last, when one of its members comes up.
            for member in self.inst.chains.get(sid, (sid,)):
                if member not in todo:
                    continue
                todo.discard(member)
                choice = self._best(member)
                if choice is None:
                    continue
                self.place(member, choice)
                for other, _ in self._limited_by(member):
                    if other in todo:
                        heapq.heappush(queue, (self._priority(other), other))

    def obstacles(self, sid: str) -> dict[str, tuple[list[str], int]]:
        """What rules out each of the session's possible starts, given the sessions placed: by cause
        ('speaker:ID', 'group:K', 'after', 'rooms' when every room it may use is taken then, or 'open'
        when nothing is), the sessions responsible and how many starts each cause rules out (each
        start under its first cause)."""
        info = self.inst.info[sid]
        related = [(other, relation) for other, relation in self.inst.relations.get(sid, {}).items()
                   if other in self.placed]
        found: dict[str, tuple[list[str], int]] = {}

        def blame(cause: str, others: list[str]) -> None:
            blamed, count = found.get(cause, ([], 0))
            found[cause] = (list(dict.fromkeys([*blamed, *others])), count + 1)

        for st in info.starts:
            broken = next(((other, relation) for other, relation in related
                           if not relation.allows(st, info.duration, self.placed[other][1],
                                                  self.inst.sessions[other].duration_minutes)), None)
            if broken is not None:
                blame(self._cause(sid, *broken), [broken[0]])
                continue
            rooms = [r for r in info.rooms if st in info.starts_in(r)]
            if any(self._room_free(r, st, info.duration) for r in rooms):
                blame("open", [])
                continue
            end = st + info.duration + self.inst.changeover
            blame("rooms", [s for s, (room, at) in self.placed.items() if room in rooms and at < end
                            and st < at + self.inst.sessions[s].duration_minutes + self.inst.changeover])
        return found

    def _cause(self, sid: str, other: str, relation: Relation) -> str:
        shared = [sp for sp in self.inst.sessions[sid].speakers if sp in self.inst.sessions[other].speakers]
        if relation.no_overlap and shared:
            return f"speaker:{shared[0]}"
        if relation.no_overlap:
            return next(f"group:{k}" for k, _, members in self.inst.groups
                        if sid in members and other in members)
        return "after"

    # --- choosing --------------------------------------------------------------------------------

    def _priority(self, sid: str) -> tuple[int, int, str]:
        info = self.inst.info[sid]
        fixed = info.session.fixed is not None and info.session.fixed.start is not None
        rank = 0 if fixed or sid in self.first else 2 if info.optional else 1
        return rank, len(self.remaining[sid]) * len(info.rooms) - info.duration, sid

    def _best(self, sid: str) -> Placement | None:
        """The cheapest free room and start; for a chain member, one that leaves room for the rest of
        its chain if any does (among the first `_CHAIN_STARTS_TRIED` starts)."""
        info = self.inst.info[sid]
        priced = self._start_prices(sid)
        later = self._later_in_chain(sid)
        best: tuple[int, Placement] | None = None
        fallback: Placement | None = None
        for tried, (price, start) in enumerate(priced):
            if price >= _LAST_START and best is not None:
                break
            if best is not None and (tried >= _STARTS_TRIED or price >= best[0]):
                break
            if best is None and tried >= _CHAIN_STARTS_TRIED:
                break
            found = self._free_room(sid, start)
            if found is None:
                continue
            room_price, room = found
            if later and not self._chain_fits(later, sid, start + info.duration):
                fallback = fallback or (room, start)
                continue
            total = price + room_price + self._tight_changes(sid, room, start)
            if best is None or total < best[0]:
                best = (total, (room, start))
        return fallback if best is None else best[1]

    def _free_room(self, sid: str, start: int) -> tuple[int, str] | None:
        """The cheapest of the session's rooms free at `start`, with its price."""
        info = self.inst.info[sid]
        return next(((price, r) for price, r in self._rooms_by_price(sid, start)
                     if start in info.starts_in(r) and self._room_free(r, start, info.duration)), None)

    def _later_in_chain(self, sid: str) -> list[str]:
        """The unplaced sessions that must come after `sid`, directly or through others, in order."""
        chain = self.inst.chains.get(sid)
        if chain is None:
            return []
        after = {sid}
        for member in chain:
            if any(pred in after for pred in self.inst.predecessors.get(member, ())):
                after.add(member)
        return [m for m in chain if m in after and m != sid and m not in self.placed and m in self.remaining]

    def _chain_fits(self, later: list[str], sid: str, end: int) -> bool:
        """Whether the sessions in `later` can each still find a free room after their predecessors,
        with `sid` ending at `end` (each at its first such start; the probe places nothing)."""
        ends = {sid: end}
        for member in later:
            duration = self.inst.sessions[member].duration_minutes
            earliest = max((ends.get(p, self._end(p)) for p in self.inst.predecessors.get(member, ())),
                           default=0)
            left = self.remaining[member]
            start = next((st for st in left[bisect_left(left, earliest):]
                          if self._free_room(member, st) is not None), None)
            if start is None:
                return False
            ends[member] = start + duration
        return True

    def _end(self, sid: str) -> int:
        """When a placed predecessor ends (0 for an unplaced one: the probe does not wait for it)."""
        if sid not in self.placed:
            return 0
        return self.placed[sid][1] + self.inst.sessions[sid].duration_minutes

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

    def _start_prices(self, sid: str, look_ahead: bool = True) -> list[tuple[int, int]]:
        """(price, start) for every start still open to the session, cheapest first: what the start
        costs by the objective (rooms aside), and with `look_ahead` what it takes from others."""
        duration = self.inst.sessions[sid].duration_minutes
        starts = self.remaining[sid]
        unary = self.costs.unary(sid)
        clashes = self._clashes(sid, starts)
        related = list(self._limited_by(sid)) if look_ahead else []
        day_costs = self._day_costs(duration)
        day_of = self.inst.timeline.day_of
        priced = []
        for at, start in enumerate(starts):
            price = unary[start] + clashes[at] + day_costs[day_of(start).index]
            if related:
                price += self._look_ahead(duration, start, related)
            priced.append((price, start))
        return sorted(priced)

    def _day_costs(self, duration: int) -> list[int]:
        """What `duration` more minutes cost each day's balance."""
        return [self.costs.day_minute * (max(0, load + duration - target) - max(0, load - target))
                for load, target in zip(self._loads, self.costs.day_targets, strict=True)]

    def _clashes(self, sid: str, starts: list[int]) -> list[int]:
        others = {o for track in self.tracks[sid] for o in self._members[track]}
        return self.costs.clashes_at(sid, starts, self.placed, others)

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

    def _tighten(self, changed: Iterable[str]) -> None:
        """Keep each unplaced session's starts within its chain's bounds: no earlier than its
        predecessors can end, no later than its successors can start; repeated along the chains."""
        todo = list(changed)
        while todo:
            sid = todo.pop()
            if sid in self.placed:
                earliest = latest = self.placed[sid][1]
            elif self.remaining.get(sid):
                earliest, latest = self.remaining[sid][0], self.remaining[sid][-1]
            else:
                continue
            duration = self.inst.sessions[sid].duration_minutes
            for succ in self.inst.successors.get(sid, ()):
                left = self.remaining.get(succ)
                if succ not in self.placed and left:
                    at = bisect_left(left, earliest + duration)
                    if at:
                        self.remaining[succ] = left[at:]
                        todo.append(succ)
            for pred in self.inst.predecessors.get(sid, ()):
                left = self.remaining.get(pred)
                if pred not in self.placed and left:
                    at = bisect_right(left, latest - self.inst.sessions[pred].duration_minutes)
                    if at < len(left):
                        self.remaining[pred] = left[:at]
                        todo.append(pred)

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
