"""One session at a time to the room and start where it costs least, all others staying put.

A pass over every session is cheap in Python (a few milliseconds a session), so it reaches every
session of a large event within seconds, where a round of the neighbourhood search frees a few
dozen; the neighbourhood search then finds what moving one session alone cannot.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from solver.costs import Costs, Placement
from solver.greedy import Greedy
from solver.search import Clock


def descend(costs: Costs, placements: Mapping[str, Placement], *, clock: Clock,
            stop: threading.Event | None = None) -> dict[str, Placement]:
    """`placements` improved by moves of one session each, pass after pass while any helps."""
    board = Greedy(costs)
    for sid, placement in placements.items():
        board.place(sid, placement)
    movable = [sid for sid in placements if not _pinned(costs, sid)]
    moved = True
    while moved and clock.left > 0 and not (stop and stop.is_set()):
        moved = False
        for sid in movable:
            if clock.left <= 0 or (stop and stop.is_set()):
                break
            here = board.placed[sid]
            board.remove(sid)
            staying = board.cost(sid, here)
            best = board.cheapest(sid)
            there = best[1] if best is not None and best[0] < staying else here
            board.place(sid, there)
            moved = moved or there != here
    return {sid: board.placed[sid] for sid in placements}


def _pinned(costs: Costs, sid: str) -> bool:
    info = costs.inst.info[sid]
    return len(info.starts) == 1 and len(info.rooms) == 1
