"""An independent check of a schedule against every hard rule of `agenda-problem/1`.

This is written apart from the solver's model on purpose (it imports nothing from `solver` but the
domain objects): a schedule the solver calls optimal is only trusted once this says it is valid, so a
bug in the model shows up here instead of in a published agenda. It also measures the soft goals
(track clashes, preferences, remote audiences' waking hours, empty seats, tight speaker changes) so
two agendas can be compared in the same terms.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from solver.domain import Day, Preference, Problem, Room, Schedule, Session, Speaker

# Where each remote audience is taken to live, and the local hours it is awake and able to follow.
# The solver's objective uses the same choice (solver/regions.py); it is restated here, not imported,
# because this module must share nothing with the solver but the domain objects.
REGION_ZONES: Mapping[str, str] = {
    "africa": "Africa/Lagos",
    "americas": "America/New_York",
    "arab-states": "Asia/Riyadh",
    "asia-pacific": "Asia/Shanghai",
    "europe": "Europe/Brussels",
}
WAKING_HOURS = (time(8, 0), time(22, 0))
# A speaker moving between rooms needs this long to get from one to the other.
SPEAKER_MOVE_MINUTES = 15


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken hard rule, with the sessions, rooms and speakers it concerns."""

    rule: str
    message: str
    sessions: tuple[str, ...] = ()
    rooms: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TightChange:
    """A speaker with less than SPEAKER_MOVE_MINUTES between sessions in two different rooms."""

    speaker: str
    before: str
    after: str
    minutes: int


@dataclass(frozen=True, slots=True)
class Quality:
    """How good a schedule is on the soft goals; only the placed sessions count."""

    # Pairs of sessions that share a track and overlap in time; the weighted figure adds, per pair,
    # the smaller expected attendance (the people who must choose one of the two).
    track_clashes: int = 0
    track_clash_attendance: int = 0
    # One count per preferred period a session lies wholly inside, out of all preferred periods.
    preferences_met: int = 0
    preferences_total: int = 0
    preference_weight_met: float = 0.0
    preference_weight_total: float = 0.0
    # One count per (session, remote region) the session falls wholly inside the waking hours of.
    remote_met: int = 0
    remote_total: int = 0
    # Seats left empty: room capacity minus expected attendance, summed.
    seat_slack: int = 0
    tight_changes: tuple[TightChange, ...] = ()
    sessions_per_day: Mapping[date, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CheckReport:
    violations: list[Violation]
    quality: Quality

    @property
    def valid(self) -> bool:
        return not self.violations


@dataclass(frozen=True, slots=True)
class _Placed:
    """A known session in a known room: what the per-rule checks look at."""

    session: Session
    room: Room
    start: datetime
    end: datetime
    # The session's speakers the problem knows, looked up once (not once per rule and session).
    speakers: tuple[Speaker, ...] = ()

    @property
    def id(self) -> str:
        return self.session.id


def check(problem: Problem, schedule: Schedule) -> CheckReport:
    """Every hard rule broken by `schedule`, and the quality figures of what it places."""
    violations: list[Violation] = []
    placed = _resolve(problem, schedule, violations)
    violations.extend(_rules(problem, placed, None))
    return CheckReport(violations, _quality(problem, placed))


def check_sessions(problem: Problem, schedule: Schedule, sessions: Iterable[str]) -> list[Violation]:
    """The hard rules broken by `schedule` that involve any of `sessions` (the editor's check of a move).

    The same rules as `check`, run only on those sessions and the sessions they could clash with
    (their rooms, speakers, `after` order and no_overlap groups), so a move at 1,000 sessions is
    checked without checking every other session again.
    """
    focus = frozenset(sessions)
    resolved: list[Violation] = []
    placed = _resolve(problem, schedule, resolved)
    return [v for v in resolved if focus.intersection(v.sessions)] + list(_rules(problem, placed, focus))


@dataclass(frozen=True, slots=True)
class SoftView:
    """The soft goals as they concern some sessions: their track clashes and preferences met."""

    # (earlier-starting session, other session) of each clashing pair.
    track_clashes: frozenset[tuple[str, str]]
    # Each session's preferred periods it lies wholly inside, by session id.
    preferences_met: Mapping[str, int]


def soft_view(problem: Problem, schedule: Schedule, sessions: Iterable[str]) -> SoftView:
    """What `sessions` add to the soft goals in `schedule`: compare two of these for a move's effects."""
    focus = frozenset(sessions)
    placed = _resolve(problem, schedule, [])
    pairs = frozenset((a.id, b.id) for a, b in _track_clashes(placed, focus))
    met = {sid: len(_preferences_met(placed[sid])) for sid in focus if sid in placed}
    return SoftView(pairs, met)


def _rules(problem: Problem, placed: Mapping[str, _Placed],
           focus: frozenset[str] | None) -> Iterator[Violation]:
    """Every rule broken among `placed`; with a `focus`, only those involving its sessions."""
    mine = list(placed.values()) if focus is None else [placed[s] for s in sorted(focus) if s in placed]
    for rule_check in _PER_SESSION_CHECKS:
        for one in mine:
            yield from rule_check(problem, one)
    yield from _room_clashes(problem, placed, focus)
    yield from _speaker_overlaps(problem, placed, focus)
    yield from _after_order(placed, focus)
    yield from _no_overlap_groups(problem, placed, focus)


def _involves(focus: frozenset[str] | None, *sessions: _Placed) -> bool:
    return focus is None or any(p.id in focus for p in sessions)


# --- which sessions are placed, once, in known rooms ---------------------------------------------


def _resolve(problem: Problem, schedule: Schedule, violations: list[Violation]) -> dict[str, _Placed]:
    sessions = {s.id: s for s in problem.sessions}
    rooms = {r.id: r for r in problem.rooms}
    speakers = {sp.id: sp for sp in problem.speakers}
    placed: dict[str, _Placed] = {}
    for a in schedule.assignments:
        session, room = sessions.get(a.session), rooms.get(a.room)
        if session is None:
            violations.append(Violation("unknown session", f"{a.session} is not a session of the problem",
                                        sessions=(a.session,)))
        elif room is None:
            violations.append(Violation("unknown room", f"{a.session} is placed in {a.room}, which is not a "
                                        "room of the problem", sessions=(a.session,), rooms=(a.room,)))
        elif a.session in placed:
            violations.append(Violation("assigned once", f"{a.session} is assigned more than once",
                                        sessions=(a.session,)))
        else:
            known = tuple(speakers[key] for key in session.speakers if key in speakers)
            placed[a.session] = _Placed(session, room, a.start, a.end, known)
    for u in schedule.unscheduled:
        if u.session not in sessions:
            violations.append(Violation("unknown session", f"{u.session} (unscheduled) is not a session of "
                                        "the problem", sessions=(u.session,)))
        elif u.session in placed:
            violations.append(Violation("assigned once", f"{u.session} is both assigned and listed as "
                                        "unscheduled", sessions=(u.session,)))
    listed = {a.session for a in schedule.assignments}
    for s in problem.sessions:
        if s.id not in listed and not s.optional:
            violations.append(Violation("assigned once", f"{s.id} is not scheduled but is not optional",
                                        sessions=(s.id,)))
    return placed


# --- rules about one session on its own ----------------------------------------------------------


def _duration(problem: Problem, p: _Placed) -> Iterator[Violation]:
    expected = p.start + timedelta(minutes=p.session.duration_minutes)
    if p.end != expected:
        yield _about(p, "duration", f"{p.id} ends at {_clock(p.end)} but lasts {p.session.duration_minutes} "
                     f"min from {_moment(p.start)}, so must end at {_clock(expected)}")


def _day_hours(problem: Problem, p: _Placed) -> Iterator[Violation]:
    day = _day_of(problem, p.start)
    if day is None or not (day.opens_at <= p.start and p.end <= day.closes_at):
        hours = f" ({day.open:%H:%M}-{day.close:%H:%M})" if day else " (not an event day)"
        yield _about(p, "day hours", f"{p.id} runs {_span(p.start, p.end)}, outside the day's hours{hours}")
        return
    offset = int((p.start - day.opens_at).total_seconds() // 60)
    granularity = problem.calendar.granularity_minutes
    if offset % granularity or p.start.second or p.start.microsecond:
        yield _about(p, "grid", f"{p.id} starts at {_clock(p.start)}, not on the {granularity}-minute grid "
                     f"from {day.open:%H:%M}")


def _breaks(problem: Problem, p: _Placed) -> Iterator[Violation]:
    day = _day_of(problem, p.start)
    for pause in day.breaks if day else ():
        if p.start < day.at(pause.end) and day.at(pause.start) < p.end:
            label = pause.label or "break"
            yield _about(p, "break", f"{p.id} runs {_span(p.start, p.end)} across the {label} "
                         f"{pause.start:%H:%M}-{pause.end:%H:%M}")


def _room_fit(problem: Problem, p: _Placed) -> Iterator[Violation]:
    s, r = p.session, p.room
    if r.capacity < s.expected_attendance:
        yield _about(p, "capacity", f"{s.id} expects {s.expected_attendance} attendees but {r.id} seats "
                     f"{r.capacity}")
    missing = [f for f in s.requires if f not in r.features]
    if missing:
        yield _about(p, "features", f"{s.id} requires {', '.join(missing)}, which {r.id} lacks")
    if r.interpretation_booths < s.booths_needed:
        yield _about(p, "booths", f"{s.id} needs {s.booths_needed} interpretation booths but {r.id} has "
                     f"{r.interpretation_booths}")


def _room_unavailable(problem: Problem, p: _Placed) -> Iterator[Violation]:
    for period in p.room.unavailable:
        if period.overlaps(p.start, p.end):
            why = f" ({period.reason})" if period.reason else ""
            yield _about(p, "room unavailable", f"{p.id} runs {_span(p.start, p.end)} in {p.room.id}, "
                         f"which is unavailable {_span(period.start, period.end)}{why}")


def _speaker_availability(problem: Problem, p: _Placed) -> Iterator[Violation]:
    for speaker in p.speakers:
        if speaker.available is None:
            continue
        if not any(period.contains(p.start, p.end) for period in speaker.available):
            yield Violation("speaker availability", f"{p.id} runs {_span(p.start, p.end)} but speaker "
                            f"{speaker.id} is not available all that time", sessions=(p.id,),
                            rooms=(p.room.id,), speakers=(speaker.id,))


def _fixed(problem: Problem, p: _Placed) -> Iterator[Violation]:
    fixed = p.session.fixed
    if fixed is None:
        return
    if fixed.room is not None and fixed.room != p.room.id:
        yield _about(p, "fixed room", f"{p.id} is fixed in {fixed.room} but placed in {p.room.id}")
    if fixed.start is not None and fixed.start != p.start:
        yield _about(p, "fixed start", f"{p.id} is fixed to start {_moment(fixed.start)} but starts "
                     f"{_moment(p.start)}")


def _window(problem: Problem, p: _Placed) -> Iterator[Violation]:
    window = p.session.window
    if window is None:
        return
    if window.earliest is not None and p.start < window.earliest:
        yield _about(p, "window", f"{p.id} starts {_moment(p.start)}, before its earliest start "
                     f"{_moment(window.earliest)}")
    if window.latest is not None and p.end > window.latest:
        yield _about(p, "window", f"{p.id} ends {_moment(p.end)}, after its latest end "
                     f"{_moment(window.latest)}")


_PER_SESSION_CHECKS = (_duration, _day_hours, _breaks, _room_fit, _room_unavailable, _speaker_availability,
                       _fixed, _window)


# --- rules between sessions ----------------------------------------------------------------------


def _room_clashes(problem: Problem, placed: Mapping[str, _Placed],
                  focus: frozenset[str] | None = None) -> Iterator[Violation]:
    changeover = problem.calendar.changeover_minutes
    rooms = None if focus is None else {placed[s].room.id for s in focus if s in placed}
    by_room: dict[str, list[_Placed]] = defaultdict(list)
    for p in placed.values():
        if rooms is None or p.room.id in rooms:
            by_room[p.room.id].append(p)
    for room_id, in_room in by_room.items():
        for a, b in _close_pairs(in_room, timedelta(minutes=changeover)):
            if not _involves(focus, a, b):
                continue
            pair, rooms = (a.id, b.id), (room_id,)
            if b.start < a.end:
                yield Violation("room overlap", f"{a.id} and {b.id} overlap in {room_id} on "
                                f"{_overlap(a, b)}", sessions=pair, rooms=rooms)
            else:
                gap = int((b.start - a.end).total_seconds() // 60)
                yield Violation("changeover", f"{a.id} and {b.id} are {gap} min apart in {room_id} on "
                                f"{_day_name(b.start)}; the changeover is {changeover} min",
                                sessions=pair, rooms=rooms)


def _speaker_overlaps(problem: Problem, placed: Mapping[str, _Placed],
                      focus: frozenset[str] | None = None) -> Iterator[Violation]:
    for speaker_id, talks in _by_speaker(placed, focus).items():
        for a, b in _close_pairs(talks):
            if not _involves(focus, a, b):
                continue
            yield Violation("speaker overlap", f"speaker {speaker_id} is in {a.id} ({a.room.id}) and {b.id} "
                            f"({b.room.id}) at once on {_overlap(a, b)}", sessions=(a.id, b.id),
                            rooms=tuple(dict.fromkeys((a.room.id, b.room.id))), speakers=(speaker_id,))


def _after_order(placed: Mapping[str, _Placed], focus: frozenset[str] | None = None) -> Iterator[Violation]:
    for p in placed.values():
        for before_id in p.session.after:
            before = placed.get(before_id)
            # An unplaced predecessor is either optional and dropped, or already reported as missing.
            if before is not None and before.end > p.start and _involves(focus, before, p):
                yield Violation("after", f"{p.id} must start after {before_id} ends ({_moment(before.end)}) "
                                f"but starts {_moment(p.start)}", sessions=(before_id, p.id),
                                rooms=tuple(dict.fromkeys((before.room.id, p.room.id))))


def _no_overlap_groups(problem: Problem, placed: Mapping[str, _Placed],
                       focus: frozenset[str] | None = None) -> Iterator[Violation]:
    for index, rule in enumerate(problem.no_overlap):
        if focus is not None and focus.isdisjoint(rule.sessions):
            continue
        members = [placed[s] for s in dict.fromkeys(rule.sessions) if s in placed]
        why = f" ({rule.reason})" if rule.reason else ""
        for a, b in _close_pairs(members):
            if not _involves(focus, a, b):
                continue
            yield Violation("no_overlap", f"{a.id} and {b.id} overlap on {_overlap(a, b)} but "
                            f"rules.no_overlap[{index}]{why} keeps them apart", sessions=(a.id, b.id),
                            rooms=tuple(dict.fromkeys((a.room.id, b.room.id))))


def _close_pairs(
    spans: Iterable[_Placed], gap: timedelta = timedelta(0)
) -> Iterator[tuple[_Placed, _Placed]]:
    """Pairs (earlier-starting first) whose times overlap or come within `gap` of each other.

    A sweep over start times keeps this near-linear for thousands of sessions, where comparing
    every pair would take seconds.
    """
    active: list[_Placed] = []
    for span in sorted(spans, key=lambda p: (p.start, p.end, p.id)):
        active = [a for a in active if a.end + gap > span.start]
        for earlier in active:
            yield earlier, span
        active.append(span)


# --- quality figures -----------------------------------------------------------------------------


def _quality(problem: Problem, placed: Mapping[str, _Placed]) -> Quality:
    clashes = _track_clashes(placed)
    preferences = [pref for p in placed.values() for pref in p.session.preferred]
    met = [pref for p in placed.values() for pref in _preferences_met(p)]
    zone = ZoneInfo(problem.event.timezone)
    remote = [_awake(region, p, zone) for p in placed.values() for region in p.session.remote_audience]
    return Quality(
        track_clashes=len(clashes),
        track_clash_attendance=sum(min(a.session.expected_attendance, b.session.expected_attendance)
                                   for a, b in clashes),
        preferences_met=len(met),
        preferences_total=len(preferences),
        preference_weight_met=sum(pref.weight for pref in met),
        preference_weight_total=sum(pref.weight for pref in preferences),
        remote_met=sum(remote),
        remote_total=len(remote),
        seat_slack=sum(max(0, p.room.capacity - p.session.expected_attendance) for p in placed.values()),
        tight_changes=tuple(_tight_changes(placed)),
        sessions_per_day=dict(sorted(Counter(p.start.date() for p in placed.values()).items())),
    )


def _track_clashes(placed: Mapping[str, _Placed],
                   focus: frozenset[str] | None = None) -> list[tuple[_Placed, _Placed]]:
    tracks = None if focus is None else {t for s in focus if s in placed for t in placed[s].session.tracks}
    by_track: dict[str, list[_Placed]] = defaultdict(list)
    for p in placed.values():
        for track in dict.fromkeys(p.session.tracks):
            if tracks is None or track in tracks:
                by_track[track].append(p)
    # A pair sharing two tracks is still one clash for the people in the room.
    pairs = {(a.id, b.id): (a, b) for members in by_track.values() for a, b in _close_pairs(members)
             if _involves(focus, a, b)}
    return [pairs[key] for key in sorted(pairs)]


def _preferences_met(p: _Placed) -> list[Preference]:
    return [pref for pref in p.session.preferred if pref.start <= p.start and p.end <= pref.end]


def _awake(region: str, p: _Placed, zone: ZoneInfo) -> bool:
    region_zone = REGION_ZONES.get(region)
    if region_zone is None:
        return False
    local = ZoneInfo(region_zone)
    start = p.start.replace(tzinfo=zone).astimezone(local)
    end = p.end.replace(tzinfo=zone).astimezone(local)
    wake, sleep = WAKING_HOURS
    return start.date() == end.date() and wake <= start.time() and end.time() <= sleep


def _tight_changes(placed: Mapping[str, _Placed]) -> Iterator[TightChange]:
    move = timedelta(minutes=SPEAKER_MOVE_MINUTES)
    for speaker_id, talks in sorted(_by_speaker(placed).items()):
        for a, b in _close_pairs(talks, move):
            first, second = sorted((a, b), key=lambda p: p.end)
            gap = second.start - first.end
            if first.room.id != second.room.id and timedelta(0) <= gap < move:
                yield TightChange(speaker_id, first.id, second.id, int(gap.total_seconds() // 60))


# --- helpers -------------------------------------------------------------------------------------


def _by_speaker(placed: Mapping[str, _Placed],
                focus: frozenset[str] | None = None) -> dict[str, list[_Placed]]:
    speakers = None if focus is None else {
        sp for s in focus if s in placed for sp in placed[s].session.speakers
    }
    talks: dict[str, list[_Placed]] = defaultdict(list)
    for p in placed.values():
        for speaker_id in dict.fromkeys(p.session.speakers):
            if speakers is None or speaker_id in speakers:
                talks[speaker_id].append(p)
    return talks


def _day_of(problem: Problem, moment: datetime) -> Day | None:
    return next((d for d in problem.calendar.days if d.date == moment.date()), None)


def _about(p: _Placed, rule: str, message: str) -> Violation:
    return Violation(rule, message, sessions=(p.id,), rooms=(p.room.id,))


def _overlap(a: _Placed, b: _Placed) -> str:
    return _span(max(a.start, b.start), min(a.end, b.end))


def _day_name(moment: datetime) -> str:
    return f"{moment.day} {moment:%B}"


def _clock(moment: datetime) -> str:
    return f"{moment:%H:%M}"


def _moment(moment: datetime) -> str:
    return f"{_day_name(moment)} {_clock(moment)}"


def _span(start: datetime, end: datetime) -> str:
    if start.date() == end.date():
        return f"{_moment(start)}-{_clock(end)}"
    return f"{_moment(start)} to {_moment(end)}"
