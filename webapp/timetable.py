"""A day's timetable laid out on a CSS grid: one column per room, one row per 5-minute slot.

Grid row 1 holds the room headings; slot i (counted from the first slot shown) is grid row i + 2.
Column 1 holds the time labels; room j (0-based) is grid column j + 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from webapp.programme import BreakView, DayView, RoomView, SessionView

SLOT_MINUTES = 5
LABEL_EVERY_MINUTES = 30
HEADER_ROWS = 1


@dataclass(frozen=True, slots=True)
class Placed:
    session: SessionView
    column: int
    row: int
    span: int


@dataclass(frozen=True, slots=True)
class TimeMark:
    moment: datetime
    row: int
    span: int


@dataclass(frozen=True, slots=True)
class PlacedBreak:
    """A venue-wide break (`column` None: across every room) or one room's closure."""

    pause: BreakView
    row: int
    span: int
    column: int | None = None


@dataclass(frozen=True, slots=True)
class Timetable:
    rooms: tuple[RoomView, ...]
    slots: int
    sessions: tuple[Placed, ...]
    marks: tuple[TimeMark, ...]
    breaks: tuple[PlacedBreak, ...]
    closures: tuple[PlacedBreak, ...]

    @property
    def columns(self) -> int:
        return len(self.rooms)


def _slot(moment: datetime, origin: datetime) -> int:
    return int((moment - origin).total_seconds() // 60) // SLOT_MINUTES


def _span(start: datetime, end: datetime, origin: datetime) -> tuple[int, int]:
    """Grid row and row count of a period; at least one row, so a 0-minute item stays visible."""
    first = _slot(start, origin)
    last = -(-int((end - origin).total_seconds() // 60) // SLOT_MINUTES)  # ceiling
    return first + HEADER_ROWS + 1, max(last - first, 1)


def _bounds(day: DayView, sessions: Sequence[SessionView]) -> tuple[datetime, datetime]:
    """The day's opening hours, widened to any session an organiser placed outside them."""
    opens = min([day.opens, *(s.start for s in sessions)])
    closes = max([day.closes, *(s.end for s in sessions)])
    # Start on a whole half hour, so the time labels read 09:00, 09:30, ...
    opens = opens.replace(minute=opens.minute - opens.minute % LABEL_EVERY_MINUTES, second=0, microsecond=0)
    return opens, closes


def _marks(opens: datetime, closes: datetime) -> tuple[TimeMark, ...]:
    step = timedelta(minutes=LABEL_EVERY_MINUTES)
    rows = LABEL_EVERY_MINUTES // SLOT_MINUTES
    marks: list[TimeMark] = []
    moment = opens
    while moment < closes:
        marks.append(TimeMark(moment, _slot(moment, opens) + HEADER_ROWS + 1, rows))
        moment += step
    return tuple(marks)


def _closures(rooms: Sequence[RoomView], opens: datetime, closes: datetime) -> tuple[PlacedBreak, ...]:
    """Each room's closures that fall in the shown hours, cut to them."""
    placed: list[PlacedBreak] = []
    for index, room in enumerate(rooms):
        for closure in room.closures:
            start, end = max(closure.start, opens), min(closure.end, closes)
            if start < end:
                shown = BreakView(start, end, closure.label)
                placed.append(PlacedBreak(shown, *_span(start, end, opens), column=index + 2))
    return tuple(placed)


def layout(day: DayView, rooms: Sequence[RoomView], sessions: Sequence[SessionView]) -> Timetable:
    """Place the day's sessions; `rooms` are the columns, in order, and must hold every session's room."""
    opens, closes = _bounds(day, sessions)
    column = {room.key: index + 2 for index, room in enumerate(rooms)}
    placed = tuple(Placed(s, column[s.room.key], *_span(s.start, s.end, opens)) for s in sessions)
    breaks = tuple(PlacedBreak(b, *_span(b.start, b.end, opens)) for b in day.breaks)
    slots = _span(opens, closes, opens)[1]
    return Timetable(
        tuple(rooms), slots, placed, _marks(opens, closes), breaks, _closures(rooms, opens, closes)
    )
