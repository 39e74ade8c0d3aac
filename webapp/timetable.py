"""A day's timetable laid out on a CSS grid: one column per room, one row per 5-minute slot.

Grid row 1 holds the room headings; slot i (counted from the first slot shown) is grid row i + 2.
Column 1 holds the time labels; room j (0-based) is grid column j + 2.

Pages carry no `style` attributes (the site's Content-Security-Policy forbids inline styles), so
each item names its place with classes (`tt-row-12 tt-span-6 tt-col-3`, see `Placement.classes`)
and `/timetable.css` (`stylesheet`) defines exactly the classes the published agenda can need.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from webapp.programme import BreakView, DayView, Programme, RoomView, SessionView

SLOT_MINUTES = 5
LABEL_EVERY_MINUTES = 30
HEADER_ROWS = 1
# Cards this many rows high or fewer (20 minutes) show their start and title on one line (the
# viewer's time is on the axis, and on the card when it opens on hover or focus).
SHORT_SPAN = 4


@dataclass(frozen=True, slots=True)
class Placement:
    """Where an item sits: its first grid row, how many rows it spans, and its column (None:
    across every room)."""

    row: int
    span: int
    column: int | None = None

    @property
    def classes(self) -> str:
        names = [f"tt-row-{self.row}", f"tt-span-{self.span}"]
        if self.column is not None:
            names.append(f"tt-col-{self.column}")
        return " ".join(names)


@dataclass(frozen=True, slots=True)
class Placed:
    session: SessionView
    place: Placement

    @property
    def short(self) -> bool:
        return self.place.span <= SHORT_SPAN


@dataclass(frozen=True, slots=True)
class TimeMark:
    moment: datetime
    place: Placement


@dataclass(frozen=True, slots=True)
class PlacedBreak:
    """A venue-wide break (placed across every room) or one room's closure (in its column)."""

    pause: BreakView
    place: Placement


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

    @property
    def classes(self) -> str:
        """The grid's own shape: how many room columns and slot rows it has."""
        return f"tt-cols-{self.columns} tt-rows-{self.slots}"

    @property
    def in_time_order(self) -> list[Placed | PlacedBreak]:
        """Sessions and venue-wide breaks by start, then room: the order of the page, so that a
        phone (one card under another) and a screen reader read the day as it happens."""
        items: list[Placed | PlacedBreak] = [*self.breaks, *self.sessions]
        return sorted(items, key=lambda item: (item.place.row, item.place.column or 0))


def _slot(moment: datetime, origin: datetime) -> int:
    return int((moment - origin).total_seconds() // 60) // SLOT_MINUTES


def _place(start: datetime, end: datetime, origin: datetime, column: int | None = None) -> Placement:
    """A period's grid rows; at least one row, so a 0-minute item stays visible."""
    first = _slot(start, origin)
    last = -(-int((end - origin).total_seconds() // 60) // SLOT_MINUTES)  # ceiling
    return Placement(first + HEADER_ROWS + 1, max(last - first, 1), column)


def _bounds(day: DayView, sessions: Sequence[SessionView], fit: bool) -> tuple[datetime, datetime]:
    """The day's opening hours, widened to any session an organiser placed outside them; with
    `fit`, only the hours the sessions take (a filtered day shows its matches, not empty hours)."""
    if fit and sessions:
        opens, closes = min(s.start for s in sessions), max(s.end for s in sessions)
    else:
        opens = min([day.opens, *(s.start for s in sessions)])
        closes = max([day.closes, *(s.end for s in sessions)])
    # Start on a whole half hour, so the time labels read 09:00, 09:30, ...
    opens = opens.replace(minute=opens.minute - opens.minute % LABEL_EVERY_MINUTES, second=0, microsecond=0)
    return opens, closes


def _marks(opens: datetime, closes: datetime) -> tuple[TimeMark, ...]:
    step = timedelta(minutes=LABEL_EVERY_MINUTES)
    marks: list[TimeMark] = []
    moment = opens
    while moment < closes:
        marks.append(TimeMark(moment, _place(moment, moment + step, opens)))
        moment += step
    return tuple(marks)


def _cut(pauses: Iterable[BreakView], opens: datetime, closes: datetime) -> list[BreakView]:
    """The pauses that fall in the shown hours, cut to them."""
    shown = []
    for pause in pauses:
        start, end = max(pause.start, opens), min(pause.end, closes)
        if start < end:
            shown.append(BreakView(start, end, pause.label))
    return shown


def layout(
    day: DayView, rooms: Sequence[RoomView], sessions: Sequence[SessionView], fit: bool = False
) -> Timetable:
    """Place the day's sessions; `rooms` are the columns, in order, and must hold every session's
    room. With `fit`, the grid covers only the hours the sessions take."""
    opens, closes = _bounds(day, sessions, fit)
    column = {room.key: index + 2 for index, room in enumerate(rooms)}
    placed = tuple(Placed(s, _place(s.start, s.end, opens, column[s.room.key])) for s in sessions)
    breaks = tuple(PlacedBreak(b, _place(b.start, b.end, opens)) for b in _cut(day.breaks, opens, closes))
    closures = tuple(
        PlacedBreak(c, _place(c.start, c.end, opens, index + 2))
        for index, room in enumerate(rooms)
        for c in _cut(room.closures, opens, closes)
    )
    slots = _place(opens, closes, opens).span
    return Timetable(tuple(rooms), slots, placed, _marks(opens, closes), breaks, closures)


def day_layout(programme: Programme, day: DayView) -> Timetable:
    """The unfiltered day: every room, the sessions taking place (a cancelled one leaves the grid)."""
    live = [s for s in programme.sessions_on(day.date) if not s.cancelled]
    return layout(day, programme.rooms, live)


def extent(programme: Programme) -> tuple[int, int]:
    """The most slot rows and room columns any day's grid can have: a filtered grid shows fewer
    rooms and the same hours or fewer."""
    slots = max((day_layout(programme, day).slots for day in programme.days), default=1)
    return slots, max(len(programme.rooms), 1)
