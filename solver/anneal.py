"""Simulated annealing over moves of one session: where the descent and small neighbourhoods stop.

At 1,000 sessions and more the track clashes dominate the objective: every track holds more hours
than the event has, and each session sits in one or two tracks, so moving one session out of a
crowded hour crowds another. Once no single move helps (`solver.descent`), CP-SAT's neighbourhoods
of a few dozen sessions found almost nothing either (3 points in 50 rounds at 1,000 sessions);
annealing does, by accepting some moves that cost a little on the way to ones that save more.

A move picks a session (most often one in a track clash), draws a start with probability falling
exponentially with what the start costs it (preferences, remote audiences, track clashes, at the
current temperature: a "heat bath", so most draws are good ones), takes the cheapest free room
there, and is kept if it costs less, or more with probability exp(-extra / temperature). The
temperature falls geometrically over the time given. The best agenda seen is returned.

Pure Python and seeded; in deterministic mode the time given is counted in moves, so a run repeats.
"""

from __future__ import annotations

import math
import random
import threading
from bisect import bisect_left, bisect_right, insort
from collections import defaultdict
from collections.abc import Mapping, Sequence
from itertools import accumulate

from solver.costs import UNITS, Costs, Placement
from solver.search import DETERMINISTIC_RATE, Clock

# Temperatures at the start and the end, in points (a track clash costs 10 or more).
_HOT, _COLD = 2.0, 0.02
# Share of moves spent on sessions in a track clash (the others go to any movable session).
_HOT_SHARE = 0.7
# Moves between two looks at the clock and at which sessions are in a clash (finding them takes
# 35 ms at 3,000 sessions): at least this many, and a third as many as there are sessions.
_BATCH = 200
# Moves counted as a second in deterministic mode (about what 2 cores manage while loaded).
MOVES_PER_SECOND = 300


class _Agenda:
    """Placements with each room's sessions in order and each day's minutes, changed one move at a time."""

    def __init__(self, costs: Costs, placements: Mapping[str, Placement]) -> None:
        self.costs = costs
        self.inst = costs.inst
        self.placed = dict(placements)
        self.rooms: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for sid, (room, start) in self.placed.items():
            self.rooms[room].append((start, sid))
        for sessions in self.rooms.values():
            sessions.sort()
        self.loads = costs.day_loads(self.placed)
        inst, placed = self.inst, self.placed
        # Per session, what its moves are priced with (moves keep every session placed): each placed
        # session sharing a track with the clash it costs, those sharing a speaker, and its rooms,
        # cheapest first.
        self.track_mates = {s: [(o, costs.shared_track_weight(s, o), inst.sessions[o].duration_minutes)
                                for o in sorted({o for t in inst.sessions[s].tracks for o in inst.by_track[t]
                                                 if o in placed} - {s})] for s in placed}
        self.speaker_mates = {s: sorted({o for sp in inst.sessions[s].speakers for o in inst.by_speaker[sp]
                                         if o in placed} - {s}) for s in placed}
        self.rooms_by_cost = {s: sorted((costs.room(s, r), r) for r in inst.info[s].rooms) for s in placed}

    def free(self, sid: str, room: str, start: int) -> bool:
        """Whether `room` is free for the session at `start`, the session itself aside."""
        inst, gap = self.inst, self.inst.changeover
        end = start + inst.sessions[sid].duration_minutes + gap
        taken = self.rooms[room]
        at = bisect_left(taken, (start, ""))
        for other_start, other in taken[max(0, at - 2): at + 3]:
            other_end = other_start + inst.sessions[other].duration_minutes + gap
            if other != sid and other_start < end and start < other_end:
                return False
        return True

    def allowed(self, sid: str, start: int) -> bool:
        """Whether the start keeps the session's speakers, groups and `after` order."""
        inst = self.inst
        duration = inst.sessions[sid].duration_minutes
        limits = [(relation, self.placed[other][1], inst.sessions[other].duration_minutes)
                  for other, relation in inst.relations.get(sid, {}).items() if other in self.placed]
        return all(relation.allows(start, duration, at, length) for relation, at, length in limits)

    def clashes(self, sid: str, starts: Sequence[int]) -> list[int]:
        """Track-clash cost of each start, by a difference array (as `Costs.clashes_at`)."""
        duration = self.inst.sessions[sid].duration_minutes
        delta = [0] * (len(starts) + 1)
        for other, weight, length in self.track_mates[sid]:
            other_start = self.placed[other][1]
            low = bisect_right(starts, other_start - duration)
            high = bisect_left(starts, other_start + length)
            if low < high:
                delta[low] += weight
                delta[high] -= weight
        return list(accumulate(delta[:-1]))

    def tight_changes(self, sid: str, placement: Placement) -> int:
        return sum(self.costs.tight_change(sid, placement, other, self.placed[other])
                   for other in self.speaker_mates[sid])

    def day_change(self, sid: str, before: int, after: int) -> int:
        timeline = self.inst.timeline
        old, new = timeline.day_of(before).index, timeline.day_of(after).index
        if old == new:
            return 0
        minutes = self.inst.sessions[sid].duration_minutes
        loads = list(self.loads)
        before = self.costs.day_excess(loads)
        loads[old] -= minutes
        loads[new] += minutes
        return self.costs.day_excess(loads) - before

    def move(self, sid: str, placement: Placement) -> None:
        room, start = self.placed[sid]
        self.rooms[room].remove((start, sid))
        minutes = self.inst.sessions[sid].duration_minutes
        self.loads[self.inst.timeline.day_of(start).index] -= minutes
        self.placed[sid] = placement
        insort(self.rooms[placement[0]], (placement[1], sid))
        self.loads[self.inst.timeline.day_of(placement[1]).index] += minutes


def anneal(costs: Costs, placements: Mapping[str, Placement], *, clock: Clock, seed: int,
           stop: threading.Event | None = None) -> dict[str, Placement]:
    """The best agenda seen while annealing from `placements` for the time `clock` gives."""
    agenda = _Agenda(costs, placements)
    inst = costs.inst
    movable = [s for s in agenda.placed if not inst.info[s].pinned]
    if not movable:
        return dict(placements)
    rng = random.Random(seed)
    budget = max(1, round(clock.left * MOVES_PER_SECOND))
    seconds = clock.left
    current = best = costs.evaluate(agenda.placed).total
    kept = dict(agenda.placed)
    done, batch = 0, max(_BATCH, len(movable) // 3)
    while not (stop and stop.is_set()):
        progress = done / budget if clock.deterministic else 1 - clock.left / max(seconds, 1e-9)
        if progress >= 1:
            break
        temperature = _HOT * (_COLD / _HOT) ** progress * UNITS
        movable_set = set(movable)
        hot = sorted(s for pair in costs.close_pairs(agenda.placed, inst.by_track) for s in pair
                     if s in movable_set)
        for _ in range(batch):
            sid = rng.choice(hot) if hot and rng.random() < _HOT_SHARE else rng.choice(movable)
            change = _try(agenda, sid, temperature, rng)
            if change is not None:
                current += change
                if current < best:
                    best, kept = current, dict(agenda.placed)
        done += batch
        if clock.deterministic:
            clock.spend(batch / MOVES_PER_SECOND * DETERMINISTIC_RATE)
    return {sid: kept[sid] for sid in placements}


def _try(agenda: _Agenda, sid: str, temperature: float, rng: random.Random) -> int | None:
    """One move of `sid`, kept or not; returns what it changed in the objective if kept."""
    costs, info = agenda.costs, agenda.inst.info[sid]
    here = agenda.placed[sid]
    starts = info.starts
    unary = costs.unary(sid)
    prices = [unary[st] + clash for st, clash in zip(starts, agenda.clashes(sid, starts), strict=True)]
    cheapest = min(prices)
    weights = [math.exp((cheapest - price) / temperature) for price in prices]
    at = rng.choices(range(len(starts)), weights=weights)[0]
    start = starts[at]
    if not agenda.allowed(sid, start):
        return None
    room_cost, room = next(((cost, r) for cost, r in agenda.rooms_by_cost[sid]
                            if start in info.starts_in(r) and agenda.free(sid, r, start)), (0, ""))
    there = (room, start)
    if not room or there == here:
        return None
    change = (prices[at] - prices[bisect_left(starts, here[1])] + room_cost - costs.room(sid, here[0])
              + agenda.tight_changes(sid, there) - agenda.tight_changes(sid, here)
              + agenda.day_change(sid, here[1], start))
    if change > 0 and rng.random() >= math.exp(-change / temperature):
        return None
    agenda.move(sid, there)
    return change
