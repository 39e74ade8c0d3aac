"""One session at a time to the room and start where it costs least, all others staying put.

A pass over every session is cheap in Python (a few milliseconds a session), so it reaches every
session of a large event within seconds, where a round of the neighbourhood search frees a few
dozen; the neighbourhood search then finds what moving one session alone cannot. A session left
out is placed where that costs less than leaving it out.
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
    inst = costs.inst
    # Sessions left out first: placing one saves far more than any move, and the others' moves
    # could take the room it needs.
    order = [*(sid for sid in inst.info if sid not in placements), *placements]
    moved = True
    while moved and clock.left > 0 and not (stop and stop.is_set()):
        moved = False
        for sid in order:
            if clock.left <= 0 or (stop and stop.is_set()):
                break
            if inst.info[sid].pinned and sid in board.placed:
                continue
            here = board.placed.get(sid)
            if here is not None:
                board.remove(sid)
            staying = board.cost(sid, here) if here is not None else _left_out(costs, sid)
            best = board.cheapest(sid)
            there = best[1] if best is not None and best[0] < staying else here
            if there is not None:
                board.place(sid, there)
            moved = moved or there != here
    return {sid: board.placed[sid] for sid in [*placements, *order] if sid in board.placed}


def _left_out(costs: Costs, sid: str) -> int:
    return costs.unscheduled if costs.inst.info[sid].optional else costs.missing
