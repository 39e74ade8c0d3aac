"""The event's time as whole minutes, and the grid of starts each day offers.

CP-SAT wants integers, so every moment becomes minutes since midnight of the first event day.
Spans are half-open `(start, end)` pairs of such minutes.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from solver.domain import Calendar, Period

Span = tuple[int, int]
DAY_MINUTES = 24 * 60
# A speaker moving between rooms needs this many minutes (a soft goal, and a length the grid keeps).
SPEAKER_MOVE_MINUTES = 15


@dataclass(frozen=True, slots=True)
class GridDay:
    index: int
    date: date
    open: int
    close: int
    step: int
    blocks: tuple[Span, ...]

    def starts(self, duration: int) -> list[int]:
        """Grid points (counted from the day's open) where `duration` minutes fit inside one block."""
        found: list[int] = []
        for low, high in self.blocks:
            first = self.open + -(-(low - self.open) // self.step) * self.step
            found.extend(range(first, high - duration + 1, self.step))
        return found

    @property
    def usable_minutes(self) -> int:
        return sum(high - low for low, high in self.blocks)


class Timeline:
    def __init__(self, calendar: Calendar, step: int | None = None) -> None:
        """`step`: the grid the starts are counted on, the calendar's own unless a coarser one is
        known to lose nothing (`coarsest_step`)."""
        first = min((d.date for d in calendar.days), default=date(2000, 1, 1))
        self.origin = datetime.combine(first, time())
        step = max(1, step or calendar.granularity_minutes)
        days = sorted(calendar.days, key=lambda d: d.date)
        self.days: tuple[GridDay, ...] = tuple(
            GridDay(i, d.date, self.minute(d.opens_at), self.minute(d.closes_at), step,
                    tuple((self.minute(a), self.minute(b)) for a, b in d.blocks()))
            for i, d in enumerate(days)
        )
        self._opens = [d.open for d in self.days]
        self._day_cache: dict[int, GridDay] = {}
        self.step = step
        # Slot numbers of consecutive days lie this far apart, so no interval reaches the next day's.
        self.day_slots = 2 * (DAY_MINUTES // step + 1)

    def minute(self, moment: datetime) -> int:
        return int((moment - self.origin).total_seconds() // 60)

    def moment(self, minute: int) -> datetime:
        return self.origin + timedelta(minutes=minute)

    def span(self, period: Period) -> Span:
        return self.minute(period.start), self.minute(period.end)

    def day_of(self, minute: int) -> GridDay:
        """The event day a start minute belongs to (the last day opening at or before it)."""
        day = self._day_cache.get(minute)
        if day is None:
            day = self.days[max(0, bisect_right(self._opens, minute) - 1)]
            self._day_cache[minute] = day
        return day

    @property
    def usable_minutes(self) -> int:
        return sum(d.usable_minutes for d in self.days)

    # Grid slots: the model counts time in steps of the grid. Starts are grid points, so two sessions
    # of one day overlap exactly when their slot ranges [slot, slot + slots(duration)) do.

    def slot(self, minute: int) -> int:
        """The slot of a start on its day's grid."""
        day = self.day_of(minute)
        return day.index * self.day_slots + (minute - day.open) // self.step

    def minute_of(self, slot: int) -> int:
        day = self.days[slot // self.day_slots]
        return day.open + (slot % self.day_slots) * self.step

    def slots(self, minutes: int) -> int:
        """How many slots a stretch of `minutes` after a grid start keeps from the next start."""
        return -(-min(minutes, DAY_MINUTES) // self.step)


def coarsest_step(granularity: int, moments: Iterable[int], lengths: Iterable[int]) -> int:
    """The coarsest grid, a multiple of `granularity`, whose points are the only starts worth trying.

    When every moment that matters (the days' opens, closes and breaks, every window, fixed start,
    availability, unavailability, preferred period and remote region's waking hours, in minutes
    from the first midnight) and every length (durations, changeover, a speaker's move) is a
    multiple of G, moving every start of an agenda back to the previous multiple of G keeps every
    order between two sessions (s + d <= t stays true, as d is a multiple of G), every session
    inside the periods it was inside, and its day: a rule it met still holds, a cost it avoided
    stays avoided, and an overlap can only end. So some best agenda has every start on G, and a
    one-minute grid costs no more than the coarsest grid its data allow.
    """
    common = math.gcd(*moments, *lengths)
    return common if granularity > 0 and common % granularity == 0 else max(1, granularity)


def inside_any(spans: Sequence[Span], start: int, end: int) -> bool:
    return any(low <= start and end <= high for low, high in spans)


def union(spans: Iterable[Span]) -> list[Span]:
    merged: list[Span] = []
    for low, high in sorted(spans):
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        elif low < high:
            merged.append((low, high))
    return merged


def hours(minutes: int) -> str:
    """120 -> '2h00', as a programme team writes durations."""
    return f"{minutes // 60}h{minutes % 60:02d}"
