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
    start: dict[str, Placement] | None = None
    if hard is not None:
        share, most = _REPAIR_AVOIDING
        placed = _greedy_repaired(hard, keep, None, clock.part(min(clock.left * share, most)), options, stop)
        if placed.missing == []:
            return placed
        start = placed.placements
    return _greedy_repaired(costs, keep, start, clock.part(clock.left * _REPAIR_SHARE), options, stop)


def _greedy_repaired(costs: Costs, keep: Mapping[str, Placement] | None,
                     start: dict[str, Placement] | None, clock: Clock, options: SolveOptions,
                     stop: threading.Event | None) -> Start:
    """From `start` (or the greedy agenda), repaired until complete or `clock` runs out."""
    placements = start if start is not None else greedy(costs, keep, attempts=_GREEDY_ATTEMPTS)[0]
    avoiding = costs.never is not None
    found = Start(costs, placements, avoiding)
    if found.missing and clock.left > 0:
        found = Start(costs, lns.repair(costs, placements, clock=clock, options=options, stop=stop), avoiding)
    return found


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
