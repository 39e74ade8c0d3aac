"""Counting checks that prove a problem has no valid agenda, in well under a second.

CP-SAT can take minutes to prove infeasibility and then cannot say why. These checks count instead:
which rooms can hold a session, which start times its rules leave, how many minutes a speaker, a
`no_overlap` group or a set of rooms offers against the minutes asked of them. Every conflict
reported here is a proof (each check relaxes the problem, never tightens it), so a feasible problem
never gets a false alarm; a problem these checks pass may still be infeasible for subtler reasons.

Optional sessions may always be left out, so only the others take part. Times are whole minutes
from midnight of the first event day; spans are half-open and sorted.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations

from solver.domain import Conflict, Problem, Room, Session
from solver.instance import room_fits
from solver.timeline import DAY_MINUTES, Span, Timeline, hours, union
from solver.words import and_list, moment, names, sessions_phrase


def precheck(problem: Problem) -> list[Conflict]:
    """Proven reasons why no schedule of `problem` exists; empty when none was found."""
    clock = _Clock(problem)
    venue = _Venue(problem, clock)
    conflicts: list[Conflict] = []
    live: dict[str, _Live] = {}
    for session in problem.sessions:
        if session.optional:
            continue
        found = _alone(clock, venue, session)
        if isinstance(found, Conflict):
            conflicts.append(found)
        else:
            live[session.id] = found
    conflicts.extend(_after_chains(clock, live))
    conflicts.extend(_fixed_room_clashes(clock, live))
    conflicts.extend(_speaker_time(clock, live))
    conflicts.extend(_no_overlap_time(problem, clock, live))
    conflicts.extend(_room_time(clock, venue.free, live))
    return conflicts


@dataclass(slots=True)
class _Live:
    """A session that passed the checks on its own: where it may go and when it may run."""

    session: Session
    rooms: frozenset[str]
    spans: list[Span]
    fixed_start: int | None

    @property
    def id(self) -> str:
        return self.session.id

    @property
    def minutes(self) -> int:
        return self.session.duration_minutes

    def only_day(self) -> int | None:
        """The one day the session can run on, if its spans allow only one."""
        days = {a // _DAY for a, b in self.spans if b - a >= self.minutes}
        return days.pop() if len(days) == 1 else None


class _Clock(Timeline):
    """The event's timeline, with its usable blocks, grid and changeover at hand."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.calendar)
        self.granularity = problem.calendar.granularity_minutes
        self.changeover = problem.calendar.changeover_minutes
        self.blocks = [block for day in self.days for block in day.blocks]

    def first_start(self, spans: Iterable[Span], duration: int, not_before: int | None = None) -> int | None:
        """The earliest start on the grid that fits `duration` wholly inside one of `spans`."""
        for a, b in spans:
            low = a if not_before is None else max(a, not_before)
            day = self.day_of(a)
            start = day.open + math.ceil((low - day.open) / day.step) * day.step
            if start + duration <= b:
                return start
        return None

    def day_name(self, day: int) -> str:
        when = self.moment(day * _DAY)
        return f"{when.day} {when:%B}"


_DAY = DAY_MINUTES
# Further from the event than any time in it, for windows open on one side.
_EVER = 10**9


class _Venue:
    """The rooms' free time, which rooms can hold which needs, and the speakers' available time."""

    def __init__(self, problem: Problem, clock: _Clock) -> None:
        self.rooms = {r.id: r for r in problem.rooms}
        self.free = {r.id: _subtract(clock.blocks, [clock.span(p) for p in r.unavailable])
                     for r in problem.rooms}
        # Merging a speaker's periods lets a session straddle two touching ones: a relaxation.
        self.available = {sp.id: union(clock.span(p) for p in sp.available)
                          for sp in problem.speakers if sp.available is not None}
        self._eligible: dict[tuple[object, ...], frozenset[str]] = {}

    def eligible(self, session: Session, candidates: Sequence[Room]) -> frozenset[str]:
        """The candidate rooms that can hold `session`; sessions with equal needs share the answer."""
        key = (session.expected_attendance, frozenset(session.requires), session.booths_needed,
               tuple(r.id for r in candidates))
        if key not in self._eligible:
            self._eligible[key] = frozenset(r.id for r in candidates if room_fits(r, session))
        return self._eligible[key]


# --- one session on its own ----------------------------------------------------------------------


def _alone(clock: _Clock, venue: _Venue, session: Session) -> _Live | Conflict:
    """Where and when `session` may run, or the proof that it cannot run anywhere at any time."""
    rooms, free = venue.rooms, venue.free
    fixed_room = session.fixed.room if session.fixed else None
    if fixed_room is not None and fixed_room not in rooms:
        return Conflict(f"{session.id} is fixed in {fixed_room}, which is not a room of the event",
                        sessions=(session.id,), rooms=(fixed_room,), rules=("fixed room",))
    candidates = [rooms[fixed_room]] if fixed_room else list(rooms.values())
    if not candidates:
        return Conflict(f"{session.id} cannot be placed: the event has no rooms", sessions=(session.id,))
    eligible = venue.eligible(session, candidates)
    if not eligible:
        return _no_room(session, candidates, fixed_room)
    spans, rules, speakers = _possible_times(clock, venue, session)
    if clock.first_start(spans, session.duration_minutes) is None:
        minutes = session.duration_minutes
        return Conflict(f"{session.id} ({minutes} min) has no possible start: "
                        f"{and_list([_WORDS[r] for r in rules])} leave no {minutes}-minute slot on the "
                        f"{clock.granularity}-minute grid", sessions=(session.id,), speakers=speakers,
                        rules=tuple(rules))
    # Rooms with the same free time offer the same starts, so each is tried once.
    if not any(clock.first_start(_intersect(spans, list(room_free)), session.duration_minutes) is not None
               for room_free in {tuple(free[r]) for r in eligible}):
        return Conflict(f"{session.id} has possible times, but every room that can hold it "
                        f"({names(sorted(eligible))}) is unavailable then", sessions=(session.id,),
                        rooms=tuple(sorted(eligible)), speakers=speakers,
                        rules=(*rules, "room unavailable"))
    fixed_start = session.fixed.start if session.fixed else None
    return _Live(session, eligible, spans, clock.minute(fixed_start) if fixed_start else None)


@dataclass(frozen=True, slots=True)
class _Need:
    """One room requirement, phrased both as a qualifier ("with ...") and as a claim ("has ...")."""

    rule: str
    met_by: frozenset[str]
    qualifier: str
    claim: str


def _no_room(session: Session, candidates: Sequence[Room], fixed_room: str | None) -> Conflict:
    """Name the fewest requirements that no candidate room meets together."""
    needs = list(_needs(session, candidates))
    everyone = frozenset(r.id for r in candidates)
    culprit = next((combo for size in range(1, len(needs) + 1) for combo in combinations(needs, size)
                    if not everyone.intersection(*(n.met_by for n in combo))), tuple(needs))
    rules = tuple(dict.fromkeys(n.rule for n in culprit))
    if fixed_room is not None:
        return Conflict(f"{session.id} is fixed in {fixed_room}, which lacks "
                        f"{and_list([n.qualifier for n in culprit])}", sessions=(session.id,),
                        rooms=(fixed_room,), rules=(*rules, "fixed room"))
    *qualifiers, last = culprit
    with_ = f" with {' and '.join(n.qualifier for n in qualifiers)}" if qualifiers else ""
    return Conflict(f"{session.id}: no room{with_} {last.claim}", sessions=(session.id,), rules=rules)


def _needs(session: Session, rooms: Sequence[Room]) -> Iterator[_Need]:
    def met(test: Callable[[Room], bool]) -> frozenset[str]:
        return frozenset(r.id for r in rooms if test(r))

    # Seats come last so that a pair reads "no room with 6 interpretation booths seats 2500".
    seats, booths = session.expected_attendance, session.booths_needed
    if booths:
        yield _Need("booths", met(lambda r: r.interpretation_booths >= booths),
                    f"{booths} interpretation booths", f"has {booths} interpretation booths")
    for feature in dict.fromkeys(session.requires):
        yield _Need("features", met(lambda r, f=feature: f in r.features), f"'{feature}'",
                    f"offers '{feature}'")
    if seats:
        yield _Need("capacity", met(lambda r: r.capacity >= seats), f"{seats} seats", f"seats {seats}")


# The rules that limit a session's starts (named as scheduler.check names them), in words.
_WORDS = {"day hours": "the day's hours", "break": "breaks", "window": "its window",
          "fixed start": "its fixed start", "speaker availability": "its speakers' availability"}


def _possible_times(clock: _Clock, venue: _Venue, session: Session) -> tuple[list[Span], list[str],
                                                                             tuple[str, ...]]:
    """The spans `session` may occupy, the rules that cut them, and the speakers whose time counts."""
    spans, rules = list(clock.blocks), ["day hours", "break"]
    window = session.window
    if window is not None and (window.earliest or window.latest):
        low = clock.minute(window.earliest) if window.earliest else -_EVER
        high = clock.minute(window.latest) if window.latest else _EVER
        spans, rules = _intersect(spans, [(low, high)]), [*rules, "window"]
    if session.fixed and session.fixed.start is not None:
        start = clock.minute(session.fixed.start)
        spans = _intersect(spans, [(start, start + session.duration_minutes)])
        rules.append("fixed start")
    limiting = [sp for sp in dict.fromkeys(session.speakers) if sp in venue.available]
    for speaker_id in limiting:
        spans = _intersect(spans, venue.available[speaker_id])
    if limiting:
        rules.append("speaker availability")
    return spans, rules, tuple(limiting)


# --- after chains --------------------------------------------------------------------------------


def _after_chains(clock: _Clock, live: dict[str, _Live]) -> Iterator[Conflict]:
    """Push earliest ends along `after` edges; a session left with no start proves the chain too long.

    Surviving sessions have their spans trimmed to start no earlier than their predecessors allow,
    which makes the counting checks below sharper while staying proven.
    """
    order, cycle = _topological(live)
    if cycle:
        yield Conflict(f"{names(cycle)} must each start after another of them ends, which is a cycle",
                       sessions=tuple(cycle), rules=("after",))
    earliest_end: dict[str, int] = {}
    via: dict[str, str] = {}
    for sid in order:
        item = live[sid]
        preds = [p for p in dict.fromkeys(item.session.after) if p in earliest_end]
        latest_pred = max(preds, key=lambda p: earliest_end[p], default=None)
        not_before = earliest_end[latest_pred] if latest_pred else None
        start = clock.first_start(item.spans, item.minutes, not_before)
        if start is None:
            # Only a predecessor can do this: the session had a start when checked on its own.
            chain = _chain(via, latest_pred or sid) + [sid]
            del live[sid]
            earliest = moment(clock.moment(not_before or 0))
            yield Conflict(f"{' -> '.join(chain)} must run one after another, so {sid} could start at "
                           f"{earliest} at the earliest, which leaves it no possible start",
                           sessions=tuple(chain), rules=("after",))
            continue
        if latest_pred:
            via[sid] = latest_pred
            item.spans = _intersect(item.spans, [(start, _EVER)])
        earliest_end[sid] = start + item.minutes


def _topological(live: dict[str, _Live]) -> tuple[list[str], list[str]]:
    """Sessions in an order where predecessors come first, and the sessions caught in cycles."""
    preds = {sid: [p for p in dict.fromkeys(item.session.after) if p in live] for sid, item in live.items()}
    succs: dict[str, list[str]] = defaultdict(list)
    for sid, ps in preds.items():
        for p in ps:
            succs[p].append(sid)
    order = _peel(preds, succs)
    # What is left lies on a cycle or between cycles; peeling from the other end keeps only that.
    left = set(preds) - set(order)
    stuck = set(_peel({s: [n for n in succs[s] if n in left] for s in left},
                      {s: [p for p in preds[s] if p in left] for s in left}))
    return order, sorted(left - stuck)


def _peel(preds: dict[str, list[str]], succs: dict[str, list[str]]) -> list[str]:
    """Kahn's algorithm: the nodes that can be ordered with every predecessor first."""
    waiting = {sid: len(ps) for sid, ps in preds.items()}
    ready = [sid for sid, n in waiting.items() if n == 0]
    order: list[str] = []
    while ready:
        sid = ready.pop()
        order.append(sid)
        for nxt in succs.get(sid, ()):
            if nxt in waiting:
                waiting[nxt] -= 1
                if waiting[nxt] == 0:
                    ready.append(nxt)
    return order


def _chain(via: dict[str, str], last: str) -> list[str]:
    chain = [last]
    while chain[-1] in via:
        chain.append(via[chain[-1]])
    return chain[::-1]


# --- sessions that must not overlap --------------------------------------------------------------


def _fixed_room_clashes(clock: _Clock, live: dict[str, _Live]) -> Iterator[Conflict]:
    """Sessions with a fixed start that only one room can hold, too close together in it."""
    by_room: dict[str, list[_Live]] = defaultdict(list)
    for item in live.values():
        if len(item.rooms) == 1 and item.fixed_start is not None:
            by_room[next(iter(item.rooms))].append(item)
    for room, items in sorted(by_room.items()):
        for a, b in _forced_pairs(clock, items, clock.changeover):
            yield Conflict(f"{a.id} and {b.id} are fixed to {_spans_text(clock, a, b)} and both must be in "
                           f"{room}, with a {clock.changeover}-min changeover", sessions=(a.id, b.id),
                           rooms=(room,), rules=("fixed start", "fixed room", "changeover"))


def _speaker_time(clock: _Clock, live: dict[str, _Live]) -> Iterator[Conflict]:
    talks: dict[str, list[_Live]] = defaultdict(list)
    for item in live.values():
        for speaker_id in dict.fromkeys(item.session.speakers):
            talks[speaker_id].append(item)
    for speaker_id, items in sorted(talks.items()):
        clashes = list(_forced_pairs(clock, items, 0))
        for a, b in clashes:
            yield Conflict(f"speaker {speaker_id} is in {a.id} and {b.id}, fixed to "
                           f"{_spans_text(clock, a, b)}", sessions=(a.id, b.id), speakers=(speaker_id,),
                           rules=("fixed start", "speaker overlap"))
        # Fixed sessions that clash also fail the count; saying so twice would not help.
        for when, members, offered in () if clashes else _overbooked(clock, items):
            yield Conflict(f"speaker {speaker_id} is available {hours(offered)}{when} but has "
                           f"{_sessions_text(members)}", sessions=tuple(m.id for m in members),
                           speakers=(speaker_id,), rules=("speaker availability", "speaker overlap"))


def _no_overlap_time(problem: Problem, clock: _Clock, live: dict[str, _Live]) -> Iterator[Conflict]:
    for index, rule in enumerate(problem.no_overlap):
        items = [live[s] for s in dict.fromkeys(rule.sessions) if s in live]
        name = f"rules.no_overlap[{index}]" + (f" ({rule.reason})" if rule.reason else "")
        clashes = list(_forced_pairs(clock, items, 0))
        for a, b in clashes:
            yield Conflict(f"{name}: {a.id} and {b.id} are fixed to {_spans_text(clock, a, b)}",
                           sessions=(a.id, b.id), rules=(f"rules.no_overlap[{index}]", "fixed start"))
        for when, members, offered in () if clashes else _overbooked(clock, items):
            yield Conflict(f"{name}: {_sessions_text(members)} cannot run one after another in the "
                           f"{hours(offered)} open to them{when}", sessions=tuple(m.id for m in members),
                           rules=(f"rules.no_overlap[{index}]",))


def _overbooked(clock: _Clock, items: Sequence[_Live]) -> Iterator[tuple[str, list[_Live], int]]:
    """Where sessions that may not overlap need more minutes than the times they may use offer.

    Checked over the whole event, then for each day over the sessions that can only run that day.
    Yields (" on <day>" or " in all", the sessions, the minutes offered).
    """
    if len(items) < 2:
        return
    by_day: dict[int | None, list[_Live]] = defaultdict(list)
    for item in items:
        by_day[item.only_day()].append(item)
    offered = _measure(union(span for item in items for span in item.spans))
    if sum(item.minutes for item in items) > offered:
        day = next(iter(by_day)) if len(by_day) == 1 else None
        yield " in all" if day is None else f" on {clock.day_name(day)}", list(items), offered
        return
    for day, members in sorted((d, ms) for d, ms in by_day.items() if d is not None):
        offered = _measure(union(span for item in members for span in item.spans))
        if len(members) > 1 and sum(item.minutes for item in members) > offered:
            yield f" on {clock.day_name(day)}", members, offered


def _forced_pairs(clock: _Clock, items: Sequence[_Live], gap: int) -> Iterator[tuple[_Live, _Live]]:
    """Pairs of fixed-start sessions closer than `gap` minutes (overlapping when `gap` is 0)."""
    fixed = sorted((item for item in items if item.fixed_start is not None),
                   key=lambda item: (item.fixed_start, item.id))
    for i, a in enumerate(fixed):
        for b in fixed[i + 1:]:
            if b.fixed_start >= a.fixed_start + a.minutes + gap:  # type: ignore[operator]
                break
            yield a, b


# --- room time -----------------------------------------------------------------------------------


def _room_time(clock: _Clock, free: dict[str, list[Span]], live: dict[str, _Live]) -> Iterator[Conflict]:
    """Pigeonhole: sessions only some rooms can hold against the time those rooms are open.

    In one stretch of free time of length L, k sessions with changeover c need their minutes plus
    (k - 1) * c, so counting every session as d + c and every stretch as L + c stays a proof.
    """
    c = clock.changeover
    supply_all = {r: sum(b - a + c for a, b in spans) for r, spans in free.items()}
    supply_day: dict[str, dict[int, int]] = {r: defaultdict(int) for r in free}
    for r, spans in free.items():
        for a, b in spans:
            supply_day[r][a // _DAY] += b - a + c
    groups: dict[frozenset[str], list[_Live]] = defaultdict(list)
    only_day: dict[str, int | None] = {}
    for item in live.values():
        groups[item.rooms].append(item)
        only_day[item.id] = item.only_day()
    overbooked: list[frozenset[str]] = []
    for rooms in sorted(groups, key=lambda g: (len(g), sorted(g))):
        # A wider set of rooms that includes an overbooked one would only repeat the same news.
        if any(bad <= rooms for bad in overbooked):
            continue
        members = [m for other, ms in groups.items() if other <= rooms for m in ms]
        demand = sum(m.minutes + c for m in members)
        offered = sum(supply_all[r] for r in rooms)
        if demand > offered:
            overbooked.append(rooms)
            yield _room_conflict(members, rooms, demand, offered, " in all", c)
            continue
        by_day: dict[int, list[_Live]] = defaultdict(list)
        for m in members:
            day = only_day[m.id]
            if day is not None:
                by_day[day].append(m)
        for day, on_day in sorted(by_day.items()):
            demand = sum(m.minutes + c for m in on_day)
            offered = sum(supply_day[r][day] for r in rooms)
            if demand > offered:
                overbooked.append(rooms)
                yield _room_conflict(on_day, rooms, demand, offered, f" on {clock.day_name(day)}", c)


def _room_conflict(members: list[_Live], rooms: frozenset[str], demand: int, offered: int, when: str,
                   changeover: int) -> Conflict:
    counting = f", counting {changeover}-min changeovers," if changeover else ""
    rules = sorted({rule for m in members for rule in _restrictions(m.session)})
    return Conflict(f"{_sessions_text(members)} can only be held in {names(sorted(rooms))}: they need "
                    f"{hours(demand)}{when}{counting} but those rooms are open {hours(offered)}",
                    sessions=tuple(m.id for m in members), rooms=tuple(sorted(rooms)), rules=tuple(rules))


def _restrictions(session: Session) -> Iterator[str]:
    if session.expected_attendance:
        yield "capacity"
    if session.requires:
        yield "features"
    if session.interpretation:
        yield "booths"
    if session.fixed and session.fixed.room:
        yield "fixed room"


# --- spans of minutes ----------------------------------------------------------------------------


def _intersect(xs: Sequence[Span], ys: Sequence[Span]) -> list[Span]:
    out: list[Span] = []
    i = j = 0
    while i < len(xs) and j < len(ys):
        low, high = max(xs[i][0], ys[j][0]), min(xs[i][1], ys[j][1])
        if low < high:
            out.append((low, high))
        if xs[i][1] < ys[j][1]:
            i += 1
        else:
            j += 1
    return out


def _subtract(xs: Sequence[Span], cuts: Iterable[Span]) -> list[Span]:
    out = list(xs)
    for cut_a, cut_b in cuts:
        pieces = [piece for a, b in out for piece in ((a, min(b, cut_a)), (max(a, cut_b), b))]
        out = [(a, b) for a, b in pieces if a < b]
    return out


def _measure(spans: Iterable[Span]) -> int:
    return sum(b - a for a, b in spans)


# --- words ---------------------------------------------------------------------------------------


def _spans_text(clock: _Clock, a: _Live, b: _Live) -> str:
    def one(item: _Live) -> str:
        start = item.fixed_start or 0
        return f"{moment(clock.moment(start))}-{clock.moment(start + item.minutes):%H:%M}"

    return f"{one(a)} and {one(b)}"


def _sessions_text(members: Sequence[_Live]) -> str:
    return sessions_phrase([m.id for m in members], [m.minutes for m in members])
