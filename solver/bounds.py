"""Lower bounds on the objective that do not depend on CP-SAT: a yardstick for any agenda.

The track-clash bound counts, per track, how crowded the track's mandatory sessions must be in the
hours open to them. With n sessions of total length D in C usable minutes, the number of sessions
running at an instant, l(t), integrates to D, so the sum over overlapping pairs of their common
minutes, which is the integral of l(t)(l(t)-1)/2, is smallest when l(t) is as even as possible. Each
overlapping pair shares at most as many minutes as the shorter of the two lasts, so dividing by the
second-longest duration gives a number of pairs that no agenda can beat. A second count: only the k
shortest sessions can fit one after another in C minutes, so at least n - k sessions clash with
someone, i.e. at least ceil((n - k) / 2) pairs. docs/solver.md has the details.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from solver.costs import Costs, units
from solver.timeline import union


@dataclass(frozen=True, slots=True)
class TrackBound:
    pairs: int
    units: int


def track_pairs_bound(durations: Sequence[int], usable: int) -> int:
    """The fewest overlapping pairs among sessions of these lengths in `usable` minutes."""
    n = len(durations)
    if n < 2:
        return 0
    if usable <= 0:
        return n * (n - 1) // 2
    total = sum(durations)
    depth, rest = divmod(total, usable)
    # Minutes-weighted pair count with the load spread as evenly as integers allow.
    pair_minutes = (usable - rest) * depth * (depth - 1) // 2 + rest * (depth + 1) * depth // 2
    second_longest = sorted(durations)[-2]
    by_minutes = -(-pair_minutes // second_longest)
    fit, used = 0, 0
    for minutes in sorted(durations):
        if used + minutes > usable:
            break
        fit, used = fit + 1, used + minutes
    by_count = -(-(n - fit) // 2)
    return max(by_minutes, by_count)


def track_clash_bound(costs: Costs) -> TrackBound:
    """A proven lower bound on the track-clash term, over all tracks.

    The objective counts a pair sharing several tracks once, so per-track bounds only add up over
    tracks with no session in common; the Bonferroni inequality gives a second total that subtracts
    at most every pair two tracks could have in common. The better of the two is returned.
    """
    inst = costs.inst
    per_track: dict[str, tuple[int, int, frozenset[str]]] = {}
    for track, members in inst.by_track.items():
        live = [s for s in members if s in inst.info and not inst.sessions[s].optional]
        if len(live) < 2:
            continue
        usable = sum(b - a for a, b in union((st, st + inst.info[s].duration)
                                             for s in live for st in inst.info[s].starts))
        pairs = track_pairs_bound([inst.info[s].duration for s in live], usable)
        if pairs:
            audience = min(inst.sessions[s].expected_attendance for s in live)
            weight = units(costs.weights.track_clash + costs.weights.track_clash_attendance * audience / 100)
            per_track[track] = (pairs, weight, frozenset(live))
    disjoint = _disjoint_sum(per_track)
    shared = sum(len(a[2] & b[2]) * (len(a[2] & b[2]) - 1) // 2
                 for a, b in combinations(per_track.values(), 2))
    overlap_pairs = max(0, sum(p for p, _, _ in per_track.values()) - shared)
    lightest = min((w for _, w, _ in per_track.values()), default=0)
    bonferroni = TrackBound(overlap_pairs, overlap_pairs * lightest)
    return max(disjoint, bonferroni, key=lambda b: (b.units, b.pairs))


def _disjoint_sum(per_track: dict[str, tuple[int, int, frozenset[str]]]) -> TrackBound:
    taken: set[str] = set()
    pairs = total = 0
    for count, weight, members in sorted(per_track.values(), key=lambda t: -t[0] * t[1]):
        if taken.isdisjoint(members):
            taken |= members
            pairs, total = pairs + count, total + count * weight
    return TrackBound(pairs, total)


def never_bound(costs: Costs, never: Mapping[str, Collection[int]], floor: int) -> int:
    """A lower bound on any agenda that puts a session at one of its `never` starts: `floor` (the
    objective bound) plus the least extra such a start costs one session over its cheapest start."""
    extra = min((min(costs.unary(sid)[st] for st in starts) - min(costs.unary(sid).values())
                 for sid, starts in never.items()), default=0)
    return floor + extra


def objective_bound(costs: Costs, clash: TrackBound) -> int:
    """Each session's cheapest start and room, plus the track-clash bound (the terms are separate)."""
    inst = costs.inst
    total = clash.units
    for sid, session in inst.sessions.items():
        info = inst.info.get(sid)
        if info is None:
            total += costs.unscheduled if session.optional else 0
            continue
        placed = min(costs.unary(sid).values()) + min(costs.room(sid, r) for r in info.rooms)
        total += min(placed, costs.unscheduled) if session.optional else placed
    return total
