"""The first agenda, fast: the greedy start, repaired where it left a session without a place.

Starts the organiser marks "never" (a preference missed at a cost of `Weights.never` points or
more) are ruled out first: the greedy start and the repair run on an instance without them, and
when that gives a complete agenda the whole search stays there, so every such preference is met.
When it does not, the search falls back to the full instance, where they are only expensive,
starting from the agenda found so far (it is valid there too).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

from solver import lns
from solver.costs import Costs, Placement
from solver.greedy import greedy
from solver.options import SolveOptions
from solver.search import Clock

# Time that repairing may use: with "never" starts ruled out, a share of the time left but at most a
# second (there may be no agenda without them, and the first agenda must come fast); then, with them
# allowed, a share of what is left.
_REPAIR_AVOIDING = (0.25, 1.0)
_REPAIR_SHARE = 0.5
# Greedy attempts (each puts first what the last left out): two, as the repair does the rest faster
# than two more attempts (0.3-0.5 s each at 200 sessions).
_GREEDY_ATTEMPTS = 2


@dataclass(frozen=True, slots=True)
class Start:
    """The first agenda, and the costs (over the instance) the search goes on with."""

    costs: Costs
    placements: dict[str, Placement]
    # Whether "never" starts are ruled out in `costs`' instance (every such preference met).
    avoiding_never: bool

    @property
    def missing(self) -> list[str]:
        """Mandatory sessions still without a place."""
        inst = self.costs.inst
        return [s for s in inst.mandatory() if s not in self.placements]


def first_agenda(costs: Costs, keep: Mapping[str, Placement] | None, *, clock: Clock,
                 options: SolveOptions, stop: threading.Event | None) -> Start:
    """Greedy, then repaired; with "never" starts ruled out while that still gives a complete agenda.

    `keep`: placements to hold where they still fit (a baseline); its starts stay allowed even where
    its sessions met a "never" preference.
    """
    hard = avoiding_never(costs, keep or {})
    if hard is None:
        return _repaired(Start(costs, _greedy(costs, keep), False), clock.part(clock.left * _REPAIR_SHARE),
                         options, stop)
    share, most = _REPAIR_AVOIDING
    avoiding = _repaired(Start(hard, _greedy(hard, keep), True), clock.part(min(clock.left * share, most)),
                         options, stop)
    if not avoiding.missing:
        return avoiding
    # Valid without the "never" starts, so valid with them: it, or a fresh greedy agenda if that
    # leaves fewer sessions out.
    partial = Start(costs, avoiding.placements, False)
    fresh = Start(costs, _greedy(costs, keep), False)
    start = min((partial, fresh), key=lambda s: len(s.missing))
    return _repaired(start, clock.part(clock.left * _REPAIR_SHARE), options, stop)


def _greedy(costs: Costs, keep: Mapping[str, Placement] | None) -> dict[str, Placement]:
    return greedy(costs, keep, attempts=_GREEDY_ATTEMPTS)[0]


def _repaired(start: Start, clock: Clock, options: SolveOptions, stop: threading.Event | None) -> Start:
    """`start` with its missing sessions placed, if rounds around them manage it before `clock` runs out."""
    if not start.missing or clock.left <= 0:
        return start
    placements = lns.repair(start.costs, start.placements, clock=clock, options=options, stop=stop)
    return Start(start.costs, placements, start.avoiding_never)


def avoiding_never(costs: Costs, keep: Mapping[str, Placement]) -> Costs | None:
    """The costs over an instance without the sessions' "never" starts (those of `keep` excepted),
    or None when no session has any. A session with nothing but "never" starts keeps them all."""
    threshold = costs.never_threshold
    if not threshold:
        return None
    inst = costs.inst
    dropped: dict[str, set[int]] = {}
    for sid, table in ((s, costs.preference_table(s)) for s in inst.info if inst.sessions[s].preferred):
        never = {st for st, cost in table.items() if cost >= threshold}
        if sid in keep:
            never.discard(keep[sid][1])
        if never and len(never) < len(table):
            dropped[sid] = never
    if not dropped:
        return None
    return costs.narrowed(inst.without_starts(dropped), dropped)
