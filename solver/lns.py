"""Large-neighbourhood search for events too big for one model.

Start from the greedy agenda; repeatedly free a few dozen sessions that belong together (around a
clash or a session still without a place, one track on one day, a stretch of time, a few similar
rooms on one day, or at random) and let CP-SAT re-place them while every other session stays where
it is. Fixed sessions only limit the free ones: they occupy their rooms, their speakers' and groups'
times narrow the free sessions' starts before the model is built, and their track clashes and tight
speaker changes become costs on the free sessions' starts. A better agenda is kept. The
neighbourhood grows while CP-SAT proves its sub-problems optimal quickly and shrinks when it cannot.

Sessions the greedy start could not place may be left out of a sub-problem at a very high cost, so
the search repairs them first (`repair` does only that, for the first complete agenda); with a
baseline, each moved session costs more than any quality gain.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping

from solver.anneal import anneal
from solver.costs import SPEAKER_MOVE_MINUTES, Costs, Placement
from solver.descent import descend
from solver.instance import SessionInfo
from solver.model import PlacementModel
from solver.options import SolveOptions
from solver.search import Clock, Reporter, Result, run
from solver.timeline import DAY_MINUTES

_SIZE = (15, 25, 150)  # smallest, first and largest neighbourhood (sessions)
_SUB_SECONDS = 0.75
# No new round starts with less time left than this (building one takes a few tenths at 3,000 sessions).
_LAST_ROUND = 0.5
# Besides its own room and the other free sessions' rooms, a free session may use its smallest fitting.
_SMALL_ROOMS = 6
_AROUND_MINUTES = 60
# A session of a costly pair is tried at one of this many of its cheapest starts.
_RELOCATE_STARTS = 5
# Shares of the rounds spent around mandatory sessions still without a place, and around optional
# sessions left out (smaller: there may be no room for them at all).
_REPAIR_SHARE = 0.7
_RETRY_SHARE = 0.2
# Share of the time the descent (solver.descent) may take before the first round; it usually
# stops well before, when no single move helps any more.
_DESCENT_SHARE = 0.3
# Share of the time left after it that annealing (solver.anneal) takes, for large events.
ANNEAL_SHARE = 0.7


class Neighbourhoods:
    def __init__(self, costs: Costs, rng: random.Random) -> None:
        self.costs = costs
        self.inst = costs.inst
        self.rng = rng
        self.tracks = [t for t, members in self.inst.by_track.items() if len(members) > 1]
        self.by_size = sorted(self.inst.rooms, key=lambda r: (self.inst.rooms[r].capacity, r))

    def pick(self, placements: Mapping[str, Placement], missing: list[str], left_out: list[str],
             size: int) -> list[str]:
        """Sessions to free: mostly around a mandatory session without a place while there is one;
        sometimes around an optional session left out, which costs as much as many clashes."""
        if missing and self.rng.random() < _REPAIR_SHARE:
            return self.around_missing(placements, self.rng.choice(missing), size)
        if left_out and self.rng.random() < _RETRY_SHARE:
            return self.around_missing(placements, self.rng.choice(left_out), size)
        kind = self.rng.choice(("clash", "relocate", "misplaced", "track", "window", "rooms", "random"))
        chosen = getattr(self, f"_{kind}")(placements, size)
        return chosen or self._random(placements, size)

    def _fill(self, placements: Mapping[str, Placement], seeds: list[str], day: int, low: int, high: int,
              size: int) -> list[str]:
        """The seeds, then the sessions placed on `day` nearest to [low, high), up to `size`."""
        chosen = list(dict.fromkeys(seeds))
        middle = (low + high) // 2
        timeline = self.inst.timeline
        near = sorted((abs(start + self.inst.sessions[s].duration_minutes // 2 - middle), s)
                      for s, (_, start) in placements.items()
                      if timeline.day_of(start).index == day and s not in chosen)
        chosen.extend(s for _, s in near[:max(0, size - len(chosen))])
        return chosen[:max(size, len(seeds))]

    def around_missing(self, placements: Mapping[str, Placement], sid: str, size: int,
                       reach: int = _AROUND_MINUTES) -> list[str]:
        """A session without a place, tried at one of its possible starts; `reach`: how far from it
        the sessions in its rooms are freed."""
        return self._around(placements, sid, self.rng.choice(self.inst.info[sid].starts), size, reach)

    def _misplaced(self, placements: Mapping[str, Placement], size: int) -> list[str]:
        """A session away from its cheapest start (a preferred period, its remote audience's hours),
        tried there."""
        unhappy = [s for s, (_, start) in placements.items()
                   if self.costs.unary(s)[start] > min(self.costs.unary(s).values())]
        if not unhappy:
            return []
        sid = self.rng.choice(unhappy)
        table = self.costs.unary(sid)
        lowest = min(table.values())
        cheapest = [st for st, cost in table.items() if cost == lowest]
        return self._around(placements, sid, self.rng.choice(cheapest), size)

    def _relocate(self, placements: Mapping[str, Placement], size: int) -> list[str]:
        """One session of a costly pair, tried at one of its cheapest starts as if its rooms were
        free there, with what occupies them: where moving one session alone cannot go."""
        pairs = sorted(self.costs.close_pairs(placements, self.inst.by_track))
        costly = [s for pair in pairs for s in pair if len(self.inst.info[s].starts) > 1]
        if not costly:
            return []
        sid = self.rng.choice(costly)
        starts = list(self.inst.info[sid].starts)
        mates = {o for t in self.inst.sessions[sid].tracks for o in self.inst.by_track[t]
                 if o in placements and o != sid}
        clashes = self.costs.clashes_at(sid, starts, placements, sorted(mates))
        unary = self.costs.unary(sid)
        ranked = sorted((unary[st] + clash, st) for st, clash in zip(starts, clashes, strict=True))
        return self._around(placements, sid, self.rng.choice(ranked[:_RELOCATE_STARTS])[1], size)

    def _around(self, placements: Mapping[str, Placement], sid: str, start: int, size: int,
                reach: int = _AROUND_MINUTES) -> list[str]:
        """The session, the sessions it relates to (its whole `after` chain, if not too long), and
        what occupies its rooms within `reach` minutes of `start` (half the sessions at most, unless
        reaching further than the default)."""
        info = self.inst.info[sid]
        day = self.inst.timeline.day_of(start).index
        low, high = start - reach, start + info.duration + reach
        chain = self.inst.chains.get(sid, ())
        linked = [*self.inst.relations.get(sid, {}), *(chain if len(chain) <= size // 2 else ())]
        related = [o for o in dict.fromkeys(linked) if o in placements]
        rooms = set(info.rooms)
        blockers = [s for s, (room, at) in placements.items()
                    if room in rooms and at < high and low < at + self.inst.sessions[s].duration_minutes]
        self.rng.shuffle(blockers)
        most = size // 2 if reach <= _AROUND_MINUTES else size
        return self._fill(placements, [sid, *related, *blockers[:most]], day, low, high, size)

    def _clash(self, placements: Mapping[str, Placement], size: int) -> list[str]:
        pairs = sorted(self.costs.close_pairs(placements, self.inst.by_track)
                       | self.costs.close_pairs(placements, self.inst.by_speaker, SPEAKER_MOVE_MINUTES))
        costly = [(a, b) for a, b in pairs if self.costs.pair(a, placements[a], b, placements[b])]
        if not costly:
            return []
        a, b = self.rng.choice(costly)
        start = min(placements[a][1], placements[b][1])
        end = max(placements[s][1] + self.inst.sessions[s].duration_minutes for s in (a, b))
        # Tracks in a fixed order: a set's order changes from one process to the next.
        mates = [s for t in dict.fromkeys((*self.inst.sessions[a].tracks, *self.inst.sessions[b].tracks))
                 for s in self.inst.by_track[t] if s in placements
                 and self.inst.timeline.day_of(placements[s][1]) == self.inst.timeline.day_of(start)]
        self.rng.shuffle(mates)
        seeds = [a, b, *mates[: size // 3]]
        return self._fill(placements, seeds, self.inst.timeline.day_of(start).index,
                          start - _AROUND_MINUTES, end + _AROUND_MINUTES, size)

    def _track(self, placements: Mapping[str, Placement], size: int) -> list[str]:
        if not self.tracks:
            return []
        members = [s for s in self.inst.by_track[self.rng.choice(self.tracks)] if s in placements]
        if not members:
            return []
        day = self.inst.timeline.day_of(placements[self.rng.choice(members)][1])
        seeds = [s for s in members if self.inst.timeline.day_of(placements[s][1]) == day]
        self.rng.shuffle(seeds)
        return self._fill(placements, seeds[: size // 2], day.index, day.open, day.close, size)

    def _window(self, placements: Mapping[str, Placement], size: int) -> list[str]:
        day = self.rng.choice(self.inst.timeline.days)
        low = self.rng.randrange(day.open, max(day.open + 1, day.close - 3 * 60))
        return self._fill(placements, [], day.index, low, low + 3 * 60, size)

    def _rooms(self, placements: Mapping[str, Placement], size: int) -> list[str]:
        at = self.rng.randrange(len(self.by_size))
        rooms = set(self.by_size[max(0, at - 1): at + 2])
        day = self.rng.choice(self.inst.timeline.days).index
        chosen = [s for s, (room, start) in placements.items()
                  if room in rooms and self.inst.timeline.day_of(start).index == day]
        self.rng.shuffle(chosen)
        return chosen[:size]

    def _random(self, placements: Mapping[str, Placement], size: int) -> list[str]:
        return self.rng.sample(sorted(placements), min(size, len(placements)))


def narrowed(costs: Costs, sid: str, context: Mapping[str, Placement],
             rooms_in_play: set[str]) -> SessionInfo | None:
    """The session's candidates that the fixed context leaves, over a short list of rooms."""
    inst = costs.inst
    info = inst.info[sid]
    limits = [(relation, context[other][1], inst.sessions[other].duration_minutes)
              for other, relation in inst.relations.get(sid, {}).items() if other in context]
    starts = [st for st in info.starts
              if all(rel.allows(st, info.duration, at, length) for rel, at, length in limits)]
    keep = set(info.rooms[:_SMALL_ROOMS]) | rooms_in_play
    allowed = set(starts)
    # Most rooms take every start the session has: only the others get a list of their own.
    room_starts = {r: tuple(st for st in info.room_starts[r] if st in allowed)
                   for r in info.rooms if r in keep and r in info.room_starts}
    rooms = tuple(r for r in info.rooms if r in keep and room_starts.get(r, starts))
    if any(r not in room_starts for r in rooms):
        every = starts
    else:
        every = sorted({st for r in rooms for st in room_starts[r]})
    if not every:
        return None
    narrowed_starts = {r: s for r, s in room_starts.items() if r in rooms and len(s) < len(every)}
    starts = every
    return SessionInfo(info.session, tuple(starts), rooms, narrowed_starts)


def repair(costs: Costs, start: dict[str, Placement], *, clock: Clock, options: SolveOptions,
           stop: threading.Event | None) -> dict[str, Placement]:
    """The greedy start with its mandatory sessions still without a place placed, if rounds around
    them manage it before `clock` runs out; the neighbourhood grows each round that does not help.

    A round asks only for more sessions placed, not for a better agenda: that is CP-SAT's quickest
    question (the search that follows looks after quality)."""
    rng = random.Random(options.seed)
    hoods = Neighbourhoods(costs, rng)
    current = dict(start)
    size = _SIZE[1]
    while clock.left > 0 and not (stop and stop.is_set()):
        missing = [s for s in costs.inst.mandatory() if s in costs.inst.info and s not in current]
        if not missing:
            break
        free = hoods.around_missing(current, rng.choice(missing), size, reach=DAY_MINUTES)
        candidate, _ = _reoptimise(costs, current, free, None, 0, clock, options, rng, stop,
                                   placing_only=True)
        placed = None if candidate is None else sum(s in candidate for s in missing)
        if candidate is not None and placed:
            current = candidate
        else:
            size = min(size + 10, _SIZE[2])
    return current


def improve(costs: Costs, start: dict[str, Placement], *, baseline: Mapping[str, Placement] | None,
            clock: Clock, options: SolveOptions, report: Reporter, stop: threading.Event | None,
            floor: int, anneal_share: float = ANNEAL_SHARE) -> Result:
    """The best agenda found from `start`: moves of one session (descent, then `anneal_share` of the
    time annealing, then descent again), then rounds of neighbourhoods for the rest of the time."""
    rng = random.Random(options.seed)
    hoods = Neighbourhoods(costs, rng)
    mandatory = costs.inst.mandatory()
    move_cost = costs.missing // 10

    def moves(placements: Mapping[str, Placement]) -> int:
        return move_cost * sum(placements.get(s) != p for s, p in (baseline or {}).items()
                               if s in costs.inst.sessions)

    current = dict(start)
    if not baseline:
        # Moves of one session at a time first (placing what is left out where it fits): they reach
        # every session within seconds, and annealing gets further than small neighbourhoods once
        # no single move helps. With sessions still missing, the rounds below repair them first.
        current = _descended(costs, current, clock, stop, report, floor)
        if all(s in current for s in mandatory):
            current = anneal(costs, current, clock=clock.part(clock.left * anneal_share),
                             seed=rng.randrange(1 << 30), stop=stop)
            current = _descended(costs, current, clock, stop, report, floor)
    best = costs.evaluate(current).total + moves(current)
    size = _SIZE[1]
    while clock.left > _LAST_ROUND and not (stop and stop.is_set()) and best > floor:
        unplaced = [s for s in costs.inst.info if s not in current]
        missing = [s for s in unplaced if not costs.inst.info[s].optional]
        left_out = [s for s in unplaced if costs.inst.info[s].optional]
        free = hoods.pick(current, missing, left_out, size)
        candidate, proven = _reoptimise(costs, current, free, baseline, move_cost, clock, options, rng, stop)
        value = best
        if candidate is not None:
            # Only the free sessions moved: their part of the objective tells the difference.
            value += (costs.local(candidate, free) - costs.local(current, free)
                      + moves(candidate) - moves(current))
        improved = value < best
        if candidate is not None and improved:
            current, best = candidate, value
            if all(s in current for s in mandatory):
                report.agenda(costs.evaluate(current), floor)
        # Grow while sub-problems are proven optimal in time; shrink when they are neither proven nor
        # improved, as CP-SAT then spends its time on a neighbourhood too big to search.
        if proven:
            size = min(size + 5, _SIZE[2])
        elif not improved:
            size = max(size - 5, _SIZE[0])
    complete = all(s in current for s in mandatory)
    status = ("optimal" if best <= floor else "feasible") if complete else "unknown"
    return Result(status, current if complete else None, floor)


def _descended(costs: Costs, current: dict[str, Placement], clock: Clock, stop: threading.Event | None,
               report: Reporter, floor: int) -> dict[str, Placement]:
    better = descend(costs, current, clock=clock.part(clock.left * _DESCENT_SHARE), stop=stop)
    if all(s in better for s in costs.inst.mandatory()):
        report.agenda(costs.evaluate(better), floor)
    return better


def _reoptimise(costs: Costs, current: dict[str, Placement], free: list[str],
                baseline: Mapping[str, Placement] | None, move_cost: int, clock: Clock,
                options: SolveOptions, rng: random.Random, stop: threading.Event | None,
                placing_only: bool = False) -> tuple[dict[str, Placement] | None, bool]:
    """Re-place the `free` sessions around the others; returns the whole agenda and whether proven.
    `placing_only`: place as many as possible, whatever else it costs."""
    around = {s: p for s, p in current.items() if s not in free}
    rooms_in_play = {current[s][0] for s in free if s in current}
    infos = {s: info for s in free if (info := narrowed(costs, s, around, rooms_in_play)) is not None}
    if not infos:
        return None, False
    context = {s: p for s, p in current.items() if s not in infos}
    pm = PlacementModel(costs.inst, infos, context=context,
                        may_skip=[s for s in infos if s not in current])
    if placing_only:
        pm.add_placing_objective(costs)
    else:
        pm.add_objective(costs, costs.day_loads(context))
    if baseline:
        pm.terms.append((move_cost, pm.add_moves({s: p for s, p in baseline.items() if s in infos})))
        pm.model.minimize(pm.objective())
    pm.hint(current)
    out = run(pm, time_limit=min(_SUB_SECONDS, clock.left), clock=clock, workers=options.workers,
              seed=rng.randrange(1 << 30), stop=stop, light=True)
    if out.placements is None:
        return None, False
    return {**context, **out.placements}, out.proven

