"""Seeded synthetic events shaped like the WSIS+20 High-Level Event, each with a planted schedule.

The schedule is built first -- sessions packed into rooms' free time on the 5-minute grid -- and
every hard constraint is then derived from it: attendance and needs from the room a session sits
in, speakers only where they are free, availability around their talks, windows around the planted
times, `after` edges and `no_overlap` groups that the planted times already respect, room
unavailability in the planted gaps. So the problem is always feasible and the planted schedule is a
witness (`scheduler.check` passes it), while the solver, which never sees it, has real work to do.

`generate(300, 18, 5, seed)` is WSIS-sized; the benchmark also uses 1000/45/5 and 3000/120/5. Small
sizes work too (Hypothesis uses them): anything up to four sessions per room and day fits.

`generate(..., shape=Messy(...))` adds what real conference data brought that the plain events lack:
long `after` chains inside one track, a one-minute (or coarser) grid, preferences weighted as
"never" (a heavy weight on the acceptable periods), and few tracks, each holding more hours than
one room does. The planted schedule keeps every one of them, so the event stays feasible; the
plain event's draws are untouched (the messy ones use their own random stream).
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from solver.domain import (
    Assignment,
    Break,
    Calendar,
    Day,
    Event,
    Fixed,
    NoOverlapRule,
    Period,
    Preference,
    Problem,
    Room,
    Rules,
    Schedule,
    Session,
    Speaker,
    Window,
)

FIRST_DAY = date(2025, 7, 7)
GRID_MINUTES = 5
CHANGEOVER_MINUTES = 10
SHORTEST_SESSION = 15
# Idle minutes left before a session in the planted schedule, so it is not packed wall to wall.
SLACKS = (0, 0, 0, 5, 10, 15, 30)
LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")
ACTION_LINES = tuple(f"C{n}" for n in range(1, 12))
THEMES = ("WSIS+20 review", "AI governance", "Gender equality", "Youth", "Capacity building",
          "Measuring the information society", "Digital inclusion")
REGIONS = ("africa", "americas", "arab-states", "asia-pacific", "europe")
ORGANIZERS = ("ITU", "UNESCO", "UNDP", "UNCTAD", "UN DESA", "ILO", "WHO", "FAO", "UNEP", "ISOC",
              "ICANN", "Government of Switzerland", "Government of Kenya", "Government of Brazil",
              "European Commission", "APC", "Diplo Foundation")
TOPICS = ("bridging the digital divide", "AI for sustainable development", "cybersecurity capacity",
          "digital public infrastructure", "e-government", "e-health", "e-learning", "media freedom",
          "multilingualism online", "broadband for all", "data governance", "climate and ICTs",
          "youth entrepreneurship", "women in tech", "the Global Digital Compact", "open source")
# A "never" preference: the acceptable periods weigh this much, so a session outside them costs
# 2,000 points or more, as a converter of real data writes "never" in positive weights.
NEVER_WEIGHT = 1000.0
ROLES = ("minister", "ambassador", "head of agency", "CEO", "academic", "civil society", "youth delegate",
         "technical expert")


@dataclass(frozen=True, slots=True)
class Messy:
    """The shapes of real, messy events (see the module's docstring); the defaults add none."""

    # The calendar's granularity in minutes (a divisor of 30); planted starts lie on it and on
    # 5-minute marks.
    grid: int = GRID_MINUTES
    # How many `after` chains, and how long each is at most (a follow-up series in one track).
    chains: int = 0
    chain_length: int = 12
    # Share of sessions whose preferences say "never" outside a few half-days.
    never: float = 0.0
    # Only this many tracks (None: the WSIS action lines and themes), so each holds many hours.
    tracks: int | None = None

    def describe(self) -> str:
        """'1-minute grid, 4 chains of 12, 30% never, 4 tracks' (what differs from a plain event)."""
        parts = [] if self.grid == GRID_MINUTES else [f"{self.grid}-minute grid"]
        if self.chains:
            parts.append(f"{self.chains} chains of {self.chain_length}")
        if self.never:
            parts.append(f"{self.never:.0%} never")
        if self.tracks is not None:
            parts.append(f"{self.tracks} tracks")
        return ", ".join(parts) or "plain"


PLAIN = Messy()


@dataclass(frozen=True, slots=True)
class _Kind:
    """A WSIS session type: the room tiers it is held in and the lengths it comes in."""

    name: str
    tiers: tuple[str, ...]
    minutes: tuple[int, ...]
    high_level: bool = False


KINDS = (
    _Kind("high-level policy session", ("plenary", "large"), (45, 60, 90), high_level=True),
    _Kind("ministerial roundtable", ("plenary", "large"), (60, 90), high_level=True),
    _Kind("high-level dialogue", ("plenary", "large"), (45, 60), high_level=True),
    _Kind("thematic workshop", ("large", "medium", "small"), (45, 60, 75, 90)),
    _Kind("interactive session", ("medium", "small"), (30, 45, 60)),
    _Kind("country workshop", ("medium", "small"), (45, 60)),
    _Kind("action line facilitation meeting", ("large", "medium"), (60, 90, 120)),
    _Kind("launch", ("medium", "small"), (15, 30)),
    _Kind("info session", ("small",), (30, 45)),
)


@dataclass(slots=True)
class _Bin:
    """One room's stretch of time between breaks, filled from its start."""

    room: Room
    tier: str
    cursor: datetime
    end: datetime


@dataclass(slots=True)
class _Planted:
    """A session as it is being made up: its place first, everything else derived from it."""

    id: str
    kind: str
    room: Room
    start: datetime
    end: datetime
    attrs: dict[str, object] = field(default_factory=dict)
    speakers: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


def generate(sessions: int, rooms: int, days: int, seed: int,
             shape: Messy = PLAIN) -> tuple[Problem, Schedule]:
    """A feasible synthetic event and the planted schedule that proves it feasible."""
    if sessions < 1 or rooms < 1 or days < 1:
        raise ValueError("an event needs at least one session, one room and one day")
    if 30 % shape.grid or shape.chain_length < 2 or not 0 <= shape.never <= 1:
        raise ValueError(f"not a shape of event: {shape}")
    rng = random.Random(seed)
    calendar = _calendar(days, shape.grid)
    tiers = _tiers(rooms)
    room_list = [_room(rng, i, tier) for i, tier in enumerate(tiers)]
    planted = _plant(rng, calendar, room_list, tiers, sessions, shape.grid)
    speakers = _cast_speakers(rng, calendar, planted)
    _add_after_edges(rng, planted)
    groups = _no_overlap_groups(rng, planted)
    room_list = _room_unavailability(rng, calendar, room_list, planted)
    made = [_session(rng, calendar, p) for p in planted]
    if shape != PLAIN:
        made = _make_messy(random.Random(f"messy-{seed}"), calendar, planted, made, shape)
    problem = Problem(
        event=Event(f"Synthetic WSIS-like event ({sessions} sessions, seed {seed})", "Europe/Zurich",
                    venue="Palexpo, Geneva"),
        calendar=calendar,
        rooms=tuple(room_list),
        speakers=tuple(speakers),
        sessions=tuple(made),
        rules=Rules(no_overlap=tuple(groups)),
    )
    assignments = sorted((Assignment(p.id, p.room.id, p.start, p.end) for p in planted),
                         key=lambda a: (a.start, a.room, a.session))
    return problem, Schedule(status="feasible", assignments=tuple(assignments))


# --- venue and calendar --------------------------------------------------------------------------


def _calendar(days: int, grid: int) -> Calendar:
    lunch = (Break(time(12, 30), time(13, 30), label="Lunch"),)
    # The last day of a week-long event closes early, as WSIS does on its Friday.
    return Calendar(
        granularity_minutes=grid,
        changeover_minutes=CHANGEOVER_MINUTES,
        days=tuple(Day(FIRST_DAY + timedelta(days=n), time(9, 0),
                       time(17, 30) if days >= 5 and n == days - 1 else time(18, 30), lunch)
                   for n in range(days)),
    )


def _tiers(rooms: int) -> list[str]:
    plenary = max(1, round(rooms * 0.06))
    large = round(rooms * 0.2)
    medium = round(rooms * 0.34)
    tiers = ["plenary"] * plenary + ["large"] * large + ["medium"] * medium
    return (tiers + ["small"] * rooms)[:rooms]


def _room(rng: random.Random, index: int, tier: str) -> Room:
    features = ["hybrid"]  # remote participation in every session needs every room hybrid
    if tier == "plenary":
        capacity, booths = rng.randrange(1000, 2501, 50), 6
        features += ["captioning", "streaming", "plenary", "sign-language"]
    elif tier == "large":
        capacity, booths = rng.randrange(300, 801, 25), rng.choice((6, 6, 2))
        features += ["captioning", "streaming"] + (["sign-language"] if rng.random() < 0.3 else [])
    elif tier == "medium":
        capacity, booths = rng.randrange(100, 301, 10), rng.choice((0, 0, 2))
        features += ["captioning"] if rng.random() < 0.5 else []
    else:
        capacity, booths = rng.randrange(30, 101, 5), 0
    name = f"{tier.capitalize()} room {index + 1}"
    return Room(f"room-{index + 1:03d}", name, capacity, tuple(features), booths)


# --- the planted schedule ------------------------------------------------------------------------


def _plant(rng: random.Random, calendar: Calendar, rooms: Sequence[Room], tiers: Sequence[str],
           count: int, grid: int) -> list[_Planted]:
    """Pack `count` sessions into the rooms' time, ceremonies first, the rest at random; every start
    lies on the grid (counted from the day's open, which is on the hour) and on a 5-minute mark."""
    step = math.lcm(grid, GRID_MINUTES)
    bins = [_Bin(room, tier, start, end) for room, tier in zip(rooms, tiers, strict=True)
            for day in calendar.days for start, end in day.blocks()]
    width = len(str(count))
    planted: list[_Planted] = []

    def place(b: _Bin, kind: str, start: datetime, minutes: int) -> _Planted:
        end = start + timedelta(minutes=minutes)
        p = _Planted(f"s-{len(planted) + 1:0{width}d}", kind, b.room, start, end)
        planted.append(p)
        return p

    _plant_ceremonies(bins, place, count)
    gap = timedelta(minutes=CHANGEOVER_MINUTES + SHORTEST_SESSION)
    open_bins = [b for b in bins if b.end - b.cursor >= gap]
    while len(planted) < count:
        if not open_bins:
            raise ValueError(f"{count} sessions do not fit in {len(rooms)} rooms over "
                             f"{len(calendar.days)} days")
        index = rng.randrange(len(open_bins))
        b = open_bins[index]
        b.cursor = _on_grid(b.cursor, step)
        room_left = int((b.end - b.cursor).total_seconds() // 60)
        # An open stretch always fits the shortest session without slack.
        for slack in (rng.choice(SLACKS) // step * step, 0):
            picked = _pick_kind(rng, b.tier, room_left - slack)
            if picked:
                break
        kind, minutes = picked
        p = place(b, kind.name, b.cursor + timedelta(minutes=slack), minutes)
        p.attrs["high_level"] = kind.high_level
        b.cursor = p.end + timedelta(minutes=CHANGEOVER_MINUTES)
        if b.end - _on_grid(b.cursor, step) < gap:
            open_bins[index] = open_bins[-1]
            open_bins.pop()
    return planted


def _on_grid(moment: datetime, step: int) -> datetime:
    """The first moment at or after `moment` on a grid of `step` minutes from the hour."""
    past = moment.minute % step
    return moment + timedelta(minutes=(step - past) % step)


_Place = Callable[[_Bin, str, datetime, int], _Planted]


def _plant_ceremonies(bins: list[_Bin], place: _Place, count: int) -> None:
    """The opening in the main plenary's first stretch, the closing at the end of its last one."""
    plenary = [b for b in bins if b.room.id == bins[0].room.id]
    if count < 2:
        return
    first, last = plenary[0], plenary[-1]
    opening = place(first, "ceremony", first.cursor, 90)
    opening.attrs.update(title="Opening ceremony", high_level=True, fixed=True)
    first.cursor = opening.end + timedelta(minutes=CHANGEOVER_MINUTES)
    closing = place(last, "ceremony", last.end - timedelta(minutes=60), 60)
    closing.attrs.update(title="Closing ceremony", high_level=True, fixed=True)
    closing.after.append(opening.id)
    last.end = closing.start - timedelta(minutes=CHANGEOVER_MINUTES)


def _pick_kind(rng: random.Random, tier: str, room_left: int) -> tuple[_Kind, int] | None:
    """A session type held in rooms of `tier` and a length of it that fits; at the end of a
    stretch, any type that fits (a short launch in a plenary hall)."""
    for pool in ([k for k in KINDS if tier in k.tiers], KINDS):
        fitting = [(k, m) for k in pool for m in k.minutes if m <= room_left]
        if fitting:
            kind = rng.choice(list(dict.fromkeys(k for k, _ in fitting)))
            return kind, rng.choice([m for k, m in fitting if k is kind])
    return None


# --- speakers ------------------------------------------------------------------------------------


def _cast_speakers(rng: random.Random, calendar: Calendar, planted: list[_Planted]) -> list[Speaker]:
    """Give every session 1-4 speakers, reusing a busy speaker only where they are free."""
    busy: dict[str, list[_Planted]] = defaultdict(list)
    width = len(str(len(planted) * 4))
    for p in rng.sample(planted, len(planted)):
        for _ in range(rng.choice((1, 2, 2, 3, 3, 4))):
            speaker_id = _reuse(rng, busy, p) or f"sp-{len(busy) + 1:0{width}d}"
            busy[speaker_id].append(p)
            p.speakers.append(speaker_id)
    return [_speaker(rng, calendar, speaker_id, talks) for speaker_id, talks in sorted(busy.items())]


def _reuse(rng: random.Random, busy: dict[str, list[_Planted]], p: _Planted) -> str | None:
    if not busy or rng.random() > 0.35:
        return None
    ids = list(busy)
    for _ in range(5):
        candidate = rng.choice(ids)
        if candidate not in p.speakers and all(t.end <= p.start or p.end <= t.start for t in busy[candidate]):
            return candidate
    return None


def _speaker(rng: random.Random, calendar: Calendar, speaker_id: str, talks: list[_Planted]) -> Speaker:
    role = rng.choice(ROLES)
    return Speaker(speaker_id, f"Speaker {speaker_id[3:]}", role=role,
                   gender=rng.choice(("female", "male", "female", "male", "non-binary")),
                   youth=role == "youth delegate", available=_availability(rng, calendar, talks))


def _availability(rng: random.Random, calendar: Calendar, talks: list[_Planted]) -> tuple[Period, ...] | None:
    """Most speakers are free all week; some are in Geneva only on their days, some only for hours."""
    roll = rng.random()
    if roll > 0.25:
        return None
    by_day: dict[date, list[_Planted]] = defaultdict(list)
    for t in talks:
        by_day[t.start.date()].append(t)
    days = {d.date: d for d in calendar.days}
    periods = []
    for day, on_day in sorted(by_day.items()):
        if roll < 0.12:
            pad = timedelta(minutes=rng.choice((0, 15, 30, 60)))
            periods.append(Period(min(t.start for t in on_day) - pad, max(t.end for t in on_day) + pad))
        else:
            periods.append(Period(days[day].opens_at, days[day].closes_at))
    return tuple(periods)


# --- rules derived from the planted times --------------------------------------------------------


def _add_after_edges(rng: random.Random, planted: list[_Planted]) -> None:
    """About one session in thirty must follow another that already ends before it (a follow-up)."""
    by_end = sorted(planted, key=lambda p: p.end)
    for p in rng.sample(planted, len(planted) // 30):
        earlier = [q for q in by_end if q.end <= p.start and q.id not in p.after]
        if earlier:
            p.after.append(rng.choice(earlier[-20:]).id)


def _no_overlap_groups(rng: random.Random, planted: list[_Planted]) -> list[NoOverlapRule]:
    """Groups of 3-6 sessions that never overlap in the planted schedule (one per 100 sessions)."""
    reasons = ("ministerial roundtables", "same organiser", "shared interpretation team",
               "high-level track")
    groups = []
    for _ in range(len(planted) // 100 + (len(planted) >= 6)):
        members: list[_Planted] = []
        target = rng.randint(3, 6)
        for candidate in rng.sample(planted, min(len(planted), 60)):
            if all(m.end <= candidate.start or candidate.end <= m.start for m in members):
                members.append(candidate)
            if len(members) == target:
                break
        if len(members) >= 2:
            groups.append(NoOverlapRule(tuple(sorted(m.id for m in members)), reason=rng.choice(reasons)))
    return groups


def _room_unavailability(rng: random.Random, calendar: Calendar, rooms: list[Room],
                         planted: list[_Planted]) -> list[Room]:
    """About one room in ten is taken for an hour or more where the planted schedule leaves it empty."""
    by_room: dict[str, list[_Planted]] = defaultdict(list)
    for p in planted:
        by_room[p.room.id].append(p)
    out = []
    for room in rooms:
        gaps = _gaps(calendar, by_room[room.id]) if rng.random() < 0.1 else []
        if gaps:
            start, end = rng.choice(gaps)
            reason = rng.choice(("AI for Good keynote", "set-up", "press conference", "VIP bilateral"))
            room = Room(room.id, room.name, room.capacity, room.features, room.interpretation_booths,
                        (Period(start, end, reason),))
        out.append(room)
    return out


def _gaps(calendar: Calendar, talks: list[_Planted]) -> list[tuple[datetime, datetime]]:
    """Stretches of an hour or more between a room's planted sessions, inside the day's hours."""
    gaps = []
    for day in calendar.days:
        times = sorted((t.start, t.end) for t in talks if t.start.date() == day.date)
        cursor = day.opens_at
        for start, end in [*times, (day.closes_at, day.closes_at)]:
            if start - cursor >= timedelta(hours=1):
                gaps.append((cursor, start))
            cursor = max(cursor, end)
    return gaps


# --- sessions ------------------------------------------------------------------------------------


def _session(rng: random.Random, calendar: Calendar, p: _Planted) -> Session:
    room, high_level = p.room, bool(p.attrs.get("high_level"))
    interpretation = (LANGUAGES if high_level and room.interpretation_booths >= 6
                      else ("en", "fr") if room.interpretation_booths >= 2 and rng.random() < 0.5 else ())
    extras = [f for f in room.features if f not in ("hybrid", "plenary") and rng.random() < 0.3]
    fixed = bool(p.attrs.get("fixed"))
    return Session(
        id=p.id,
        title=str(p.attrs.get("title") or f"{p.kind.capitalize()} on {rng.choice(TOPICS)}"),
        duration_minutes=p.minutes,
        type=p.kind,
        expected_attendance=int(room.capacity * rng.uniform(0.3, 1.0)) // 10 * 10,
        requires=("hybrid", *extras, *(("plenary",) if fixed else ())),
        interpretation=interpretation,
        speakers=tuple(p.speakers),
        organizers=tuple(rng.sample(ORGANIZERS, rng.choice((1, 1, 2)))),
        tracks=_tracks(rng),
        fixed=Fixed(room.id, p.start) if fixed else _maybe_fixed(rng, p),
        window=None if fixed else _maybe_window(rng, calendar, p),
        preferred=_preferences(rng, calendar, p),
        remote_audience=tuple(sorted(rng.sample(REGIONS, rng.choice((1, 2))))) if rng.random() < 0.4 else (),
        after=tuple(p.after),
        optional=not fixed and rng.random() < 0.03,
    )


def _tracks(rng: random.Random) -> tuple[str, ...]:
    tracks = [rng.choice(ACTION_LINES)] if rng.random() < 0.9 else []
    if not tracks or rng.random() < 0.3:
        tracks.append(rng.choice(THEMES))
    return tuple(tracks)


def _maybe_fixed(rng: random.Random, p: _Planted) -> Fixed | None:
    roll = rng.random()
    if roll < 0.01:
        return Fixed(p.room.id, p.start)
    if roll < 0.02:
        return Fixed(start=p.start)
    if roll < 0.03:
        return Fixed(room=p.room.id)
    return None


def _maybe_window(rng: random.Random, calendar: Calendar, p: _Planted) -> Window | None:
    """One session in ten has a window: the planted day, or a few hours around the planted time."""
    roll = rng.random()
    if roll >= 0.1:
        return None
    if roll < 0.05:
        day = next(d for d in calendar.days if d.date == p.start.date())
        return Window(day.opens_at, day.closes_at)
    return Window(p.start - timedelta(minutes=rng.randrange(0, 181, GRID_MINUTES)),
                  p.end + timedelta(minutes=rng.randrange(0, 181, GRID_MINUTES)))


def _preferences(rng: random.Random, calendar: Calendar, p: _Planted) -> tuple[Preference, ...]:
    """One session in five prefers a morning or an afternoon (not always the planted one)."""
    if rng.random() >= 0.2:
        return ()
    day = rng.choice(calendar.days)
    start, end = rng.choice(day.blocks())
    return (Preference(start, end, float(rng.randint(1, 5))),)


# --- the shapes of messy real events -------------------------------------------------------------


def _make_messy(rng: random.Random, calendar: Calendar, planted: list[_Planted], made: list[Session],
                shape: Messy) -> list[Session]:
    """Few tracks, `after` chains inside one track, "never" preferences: all kept by the planted times."""
    by_id = {s.id: s for s in made}
    if shape.tracks is not None:
        pool = [f"T{n + 1}" for n in range(shape.tracks)]
        by_id = {sid: replace(s, tracks=(rng.choice(pool),)) for sid, s in by_id.items()}
    for chain in _chain_sessions(rng, planted, shape.chains, shape.chain_length):
        track = by_id[chain[0].id].tracks[:1] or (rng.choice(ACTION_LINES),)
        for before, p in zip(chain, chain[1:], strict=False):
            session = by_id[p.id]
            after = session.after if before.id in session.after else (*session.after, before.id)
            by_id[p.id] = replace(session, after=after, tracks=track)
        by_id[chain[0].id] = replace(by_id[chain[0].id], tracks=track)
    for p in planted:
        session = by_id[p.id]
        if session.fixed is None and rng.random() < shape.never:
            by_id[p.id] = replace(session, preferred=_never_outside(rng, calendar, p, session))
    return [by_id[p.id] for p in planted]


def _chain_sessions(rng: random.Random, planted: list[_Planted], count: int,
                    length: int) -> list[list[_Planted]]:
    """`count` series of sessions, each starting after the last ends: half of them one room's
    sessions back to back (as tight as a chain gets), the others hopping between rooms."""
    free = sorted((p for p in planted if p.kind != "ceremony"), key=lambda p: (p.start, p.room.id))
    taken: set[str] = set()
    chains = []
    for n in range(count):
        first = [p for p in free if p.id not in taken]
        if not first:
            break
        chain = [rng.choice(first[: max(1, len(first) // 2)])]
        taken.add(chain[0].id)
        while len(chain) < length:
            last = chain[-1]
            later = [p for p in free if p.id not in taken and p.start >= last.end]
            if n % 2 == 0:
                later = [p for p in later if p.room.id == last.room.id][:1]
            else:
                later = [p for p in later if p.start - last.end <= timedelta(hours=2)][:4] or later[:1]
            if not later:
                break
            chain.append(rng.choice(later))
            taken.add(chain[-1].id)
        if len(chain) > 1:
            chains.append(chain)
    return chains


def _never_outside(rng: random.Random, calendar: Calendar, p: _Planted,
                   session: Session) -> tuple[Preference, ...]:
    """The planted half-day and one to three others are acceptable, with a heavy weight; anything
    else is "never". A graded preference the session had stays on top (its weight added)."""
    blocks = [b for d in calendar.days for b in d.blocks()]
    home = next(b for b in blocks if b[0] <= p.start and p.end <= b[1])
    others = [b for b in blocks if b != home]
    acceptable = sorted({home, *rng.sample(others, min(len(others), rng.randint(1, 3)))})
    liked = {(pref.start, pref.end): pref.weight for pref in session.preferred}
    return tuple(Preference(start, end, NEVER_WEIGHT + liked.get((start, end), 0.0))
                 for start, end in acceptable)


def swap_a_tenth(planted: Schedule) -> Schedule:
    """A re-plan of `planted`: a tenth of the sessions swap places with a neighbour of the same length."""
    moved = list(planted.assignments)
    for index in range(0, len(moved), 10):
        if index + 1 < len(moved):
            a, b = moved[index], moved[index + 1]
            if a.end - a.start == b.end - b.start:
                moved[index], moved[index + 1] = replace(a, session=b.session), replace(b, session=a.session)
    return replace(planted, assignments=tuple(moved))
