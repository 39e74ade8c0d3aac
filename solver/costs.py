"""The objective in integer units, and the evaluation of any agenda against it.

CP-SAT needs integer coefficients, so a point is UNITS units. The model (`solver.model`), the greedy
start (`solver.greedy`) and the neighbourhood search (`solver.lns`) all price an agenda with these
functions, so their numbers agree with each other and with what is reported.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate

from solver.instance import Instance
from solver.options import Weights
from solver.regions import awake_spans
from solver.timeline import SPEAKER_MOVE_MINUTES, GridDay, Span, inside_any

__all__ = ["SPEAKER_MOVE_MINUTES", "UNITS", "Breakdown", "Costs", "Placement", "units"]

UNITS = 600
# Placement: (room id, start minute).
Placement = tuple[str, int]


def units(points: float) -> int:
    return round(points * UNITS)


@dataclass(frozen=True, slots=True)
class Breakdown:
    """An agenda's objective split by goal, in units."""

    terms: Mapping[str, int]
    # Pairs of sessions sharing a track that overlap in time: what a person reads as "clashes".
    track_clashes: int = 0

    @property
    def total(self) -> int:
        return sum(self.terms.values())

    def points(self) -> dict[str, float]:
        return {name: value / UNITS for name, value in self.terms.items()}


class Costs:
    def __init__(self, instance: Instance, weights: Weights,
                 never: Mapping[str, set[int]] | None = None) -> None:
        """`never`: the "never" starts `instance` leaves out, by session (see `solver.start`)."""
        self.inst = instance
        self.weights = weights
        self.never = never
        self.never_threshold = units(weights.never)
        self.unscheduled = units(weights.unscheduled_optional)
        # Only the neighbourhood search ever holds an agenda that lacks a mandatory session.
        self.missing = 100 * max(self.unscheduled, units(1))
        self.buffer = units(weights.speaker_buffer)
        # Per minute above a day's share: points per hour / 60.
        self.day_minute = units(weights.day_balance) // 60
        self._unary: dict[str, dict[int, int]] = {}
        self._preferred_spans: dict[str, list[tuple[Span, float]]] = {}
        self._tracks = {sid: frozenset(s.tracks) for sid, s in instance.sessions.items()}
        self._speakers = {sid: frozenset(s.speakers) for sid, s in instance.sessions.items()}
        self._awake_spans: dict[tuple[str, int], list[Span]] = {}
        # The costs this one narrows (`narrowed`), whose start costs it shares.
        self._base: Costs | None = None

    # --- one session -----------------------------------------------------------------------------

    def unary(self, sid: str) -> dict[int, int]:
        """Cost of each candidate start for preferences and remote audiences (cached); the same as
        `preference` plus `remote` start by start, computed a period at a time."""
        table = self._unary.get(sid)
        if table is None:
            starts = self.inst.info[sid].starts
            if self._base is not None:
                wider = self._base.unary(sid)
                table = {st: wider[st] for st in starts}
            else:
                table = {st: a + b for st, a, b in zip(starts, self._preference_costs(sid, starts),
                                                      self._remote_costs(sid, starts), strict=True)}
            self._unary[sid] = table
        return table

    def preference_table(self, sid: str) -> dict[int, int]:
        """The preference part of each candidate start's cost."""
        starts = self.inst.info[sid].starts
        return dict(zip(starts, self._preference_costs(sid, starts), strict=True))

    def narrowed(self, instance: Instance, never: Mapping[str, set[int]]) -> Costs:
        """The same costs over `instance`, a narrower copy of this one's (its starts' costs are shared)."""
        narrower = Costs(instance, self.weights, never)
        narrower._base = self
        return narrower

    def _preference_costs(self, sid: str, starts: Sequence[int]) -> list[int]:
        session = self.inst.sessions[sid]
        if not session.preferred:
            return [0] * len(starts)
        duration = session.duration_minutes
        met = [0.0] * len(starts)
        for (low, high), weight in self._preferred(sid):
            for i in range(bisect_left(starts, low), bisect_right(starts, high - duration)):
                met[i] = max(met[i], weight)
        top = max(p.weight for p in session.preferred)
        return [units(self.weights.preferred * (top - best)) for best in met]

    def _remote_costs(self, sid: str, starts: Sequence[int]) -> list[int]:
        session = self.inst.sessions[sid]
        regions = list(dict.fromkeys(session.remote_audience))
        missed = [0] * len(starts)
        if not regions:
            return missed
        duration = session.duration_minutes
        first = 0
        while first < len(starts):
            day = self.inst.timeline.day_of(starts[first])
            last = first
            while last < len(starts) and self.inst.timeline.day_of(starts[last]) is day:
                last += 1
            for region in regions:
                reached = set()
                for low, high in self._awake(region, day):
                    reached.update(range(bisect_left(starts, low, first, last),
                                         bisect_right(starts, high - duration, first, last)))
                for i in range(first, last):
                    missed[i] += i not in reached
            first = last
        per_region = units(self.weights.remote_audience)
        return [count * per_region for count in missed]

    def preference(self, sid: str, start: int) -> int:
        """Charged when the session misses its heaviest preferred period (less what it does meet)."""
        session = self.inst.sessions[sid]
        if not session.preferred:
            return 0
        end = start + session.duration_minutes
        met = [weight for (low, high), weight in self._preferred(sid) if low <= start and end <= high]
        top = max(p.weight for p in session.preferred)
        return units(self.weights.preferred * (top - max(met, default=0.0)))

    def _preferred(self, sid: str) -> list[tuple[Span, float]]:
        spans = self._preferred_spans.get(sid)
        if spans is None:
            timeline = self.inst.timeline
            spans = [((timeline.minute(p.start), timeline.minute(p.end)), p.weight)
                     for p in self.inst.sessions[sid].preferred]
            self._preferred_spans[sid] = spans
        return spans

    def remote(self, sid: str, start: int) -> int:
        session = self.inst.sessions[sid]
        if not session.remote_audience:
            return 0
        end = start + session.duration_minutes
        day = self.inst.timeline.day_of(start)
        missed = sum(not inside_any(self._awake(region, day), start, end)
                     for region in dict.fromkeys(session.remote_audience))
        return missed * units(self.weights.remote_audience)

    def _awake(self, region: str, day: GridDay) -> list[Span]:
        """The region's waking hours around an event day, in event minutes (each local day apart)."""
        key = (region, day.index)
        spans = self._awake_spans.get(key)
        if spans is None:
            spans = awake_spans(region, day.date, self.inst.zone, self.inst.timeline.minute)
            self._awake_spans[key] = spans
        return spans

    def room(self, sid: str, room: str) -> int:
        empty = max(0, self.inst.rooms[room].capacity - self.inst.sessions[sid].expected_attendance)
        return units(self.weights.room_waste * empty / 100)

    # --- pairs -----------------------------------------------------------------------------------

    def clash_weight(self, a: str, b: str) -> int:
        """Cost of a and b overlapping in time, when they share a track (0 otherwise)."""
        if self._tracks[a].isdisjoint(self._tracks[b]):
            return 0
        return self.shared_track_weight(a, b)

    def shared_track_weight(self, a: str, b: str) -> int:
        """Cost of two sessions known to share a track overlapping in time."""
        audience = min(self.inst.sessions[a].expected_attendance, self.inst.sessions[b].expected_attendance)
        return units(self.weights.track_clash + self.weights.track_clash_attendance * audience / 100)

    def clashes_at(self, sid: str, starts: Sequence[int], placements: Mapping[str, Placement],
                   others: Iterable[str]) -> list[int]:
        """Track-clash cost of each of `starts` against the `others` (placed, sharing a track), through
        a difference array: a session placed at [s, e) clashes with every start in (s - duration, e)."""
        duration = self.inst.sessions[sid].duration_minutes
        delta = [0] * (len(starts) + 1)
        for other in others:
            weight = self.shared_track_weight(sid, other)
            other_start = placements[other][1]
            low = bisect_right(starts, other_start - duration)
            high = bisect_left(starts, other_start + self.inst.sessions[other].duration_minutes)
            if low < high:
                delta[low] += weight
                delta[high] -= weight
        return list(accumulate(delta[:-1]))

    def shares_speaker(self, a: str, b: str) -> bool:
        return not self._speakers[a].isdisjoint(self._speakers[b])

    def pair(self, a: str, pa: Placement, b: str, pb: Placement) -> int:
        """Track clash and tight speaker change between two placed sessions."""
        return self.overlap(a, pa, b, pb) + self.tight_change(a, pa, b, pb)

    def overlap(self, a: str, pa: Placement, b: str, pb: Placement) -> int:
        da, db = self.inst.sessions[a].duration_minutes, self.inst.sessions[b].duration_minutes
        return self.clash_weight(a, b) if pa[1] < pb[1] + db and pb[1] < pa[1] + da else 0

    def tight_change(self, a: str, pa: Placement, b: str, pb: Placement) -> int:
        if not self.buffer or pa[0] == pb[0] or not self.shares_speaker(a, b):
            return 0
        (_, sa), (_, sb) = pa, pb
        da, db = self.inst.sessions[a].duration_minutes, self.inst.sessions[b].duration_minutes
        gap = sb - (sa + da) if sa <= sb else sa - (sb + db)
        return self.buffer if 0 <= gap < SPEAKER_MOVE_MINUTES else 0

    # --- days ------------------------------------------------------------------------------------

    @cached_property
    def day_targets(self) -> list[int]:
        """A day's fair share of all session minutes, in proportion to its usable hours."""
        total = sum(s.duration_minutes for s in self.inst.problem.sessions)
        usable = max(1, self.inst.timeline.usable_minutes)
        return [total * d.usable_minutes // usable for d in self.inst.timeline.days]

    def day_excess(self, loads: Iterable[int]) -> int:
        return self.day_minute * sum(max(0, load - target) for load, target in zip(loads, self.day_targets,
                                                                                    strict=True))

    def day_loads(self, placements: Mapping[str, Placement]) -> list[int]:
        loads = [0] * len(self.inst.timeline.days)
        for sid, (_, start) in placements.items():
            loads[self.inst.timeline.day_of(start).index] += self.inst.sessions[sid].duration_minutes
        return loads

    # --- whole agendas ---------------------------------------------------------------------------

    def evaluate(self, placements: Mapping[str, Placement]) -> Breakdown:
        terms = {"track_clash": 0, "preferred": 0, "remote_audience": 0, "room_waste": 0,
                 "speaker_buffer": 0, "day_balance": 0, "unscheduled": 0}
        for sid, (room, start) in placements.items():
            terms["preferred"] += self.preference(sid, start)
            terms["remote_audience"] += self.remote(sid, start)
            terms["room_waste"] += self.room(sid, room)
        for sid, session in self.inst.sessions.items():
            if sid not in placements:
                terms["unscheduled"] += self.unscheduled if session.optional else self.missing
        clashes = self.close_pairs(placements, self.inst.by_track)
        for a, b in clashes:
            terms["track_clash"] += self.overlap(a, placements[a], b, placements[b])
        for a, b in self.close_pairs(placements, self.inst.by_speaker, SPEAKER_MOVE_MINUTES):
            terms["speaker_buffer"] += self.tight_change(a, placements[a], b, placements[b])
        terms["day_balance"] = self.day_excess(self.day_loads(placements))
        return Breakdown(terms, len(clashes))

    def local(self, placements: Mapping[str, Placement], sessions: Iterable[str]) -> int:
        """The part of `evaluate(placements).total` that depends on where `sessions` are: theirs and
        their pairs' (with any session), plus the days' balance. Between two agendas that differ only
        in `sessions`, the difference of `local` is the difference of the objective."""
        chosen = set(sessions)
        total = self.day_excess(self.day_loads(placements))
        for sid in chosen:
            if sid not in placements:
                total += self.unscheduled if self.inst.sessions[sid].optional else self.missing
                continue
            room, start = placements[sid]
            total += self.preference(sid, start) + self.remote(sid, start) + self.room(sid, room)
            mates = {o for t in self._tracks[sid] for o in self.inst.by_track[t]}
            mates |= {o for sp in self._speakers[sid] for o in self.inst.by_speaker[sp]}
            for other in mates:
                if other != sid and other in placements and (other not in chosen or sid < other):
                    total += self.pair(sid, placements[sid], other, placements[other])
        return total

    def close_pairs(self, placements: Mapping[str, Placement], groups: Mapping[str, list[str]],
                    slack: int = 0) -> set[tuple[str, str]]:
        """Pairs of placed sessions in a common group that start less than `slack` minutes after the
        other ends (overlapping when slack is 0); a sweep per group, so big tracks stay cheap."""
        found: set[tuple[str, str]] = set()
        for members in groups.values():
            placed = sorted((placements[s][1], s) for s in members if s in placements)
            active: list[tuple[int, str]] = []
            for start, sid in placed:
                active = [(end, other) for end, other in active if end + slack > start]
                found.update((min(other, sid), max(other, sid)) for _, other in active)
                active.append((start + self.inst.sessions[sid].duration_minutes, sid))
        return found
