#!/usr/bin/env python3
"""Write the WSIS+20 High-Level Event 2025 sample problem and the agenda planted inside it.

Outputs (next to this script unless --out-dir says otherwise):
  wsis20-2025.problem.json           agenda-problem/1
  wsis20-2025.planted.schedule.json  agenda-schedule/1, status "feasible"

The sample is solvable by construction. Every session is first *planted*: placed in a room at a
time that keeps every hard rule (room fit, hours, breaks, room loans, changeovers, no-overlap
groups, `after` order). Speakers are then cast so none is in two places at once, and only then
are the tight constraints -- speaker availability, windows, fixed placements -- derived so that
they contain the planted agenda. Before anything is written, `hard_rule_violations` re-checks the
planted agenda against the problem exactly as serialised, without reusing any of the planting
code, and the script refuses to write a sample that fails it.

What is public fact and what is illustrative is explained in data/README.md. Output is a pure
function of the seed: the same seed gives byte-identical files.

The project's own reader (`scheduler.problem_file`) and checker (`scheduler.check`) must accept the
sample too; with --solve SECONDS the script also runs the solver and checks its agenda.

Usage: python data/build_sample.py [--seed N] [--out-dir DIR] [--solve SECONDS]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scheduler.check import CheckReport
    from solver.domain import Schedule

SEED = 2025
PROBLEM_NAME = "wsis20-2025.problem.json"
SCHEDULE_NAME = "wsis20-2025.planted.schedule.json"

GRID = 5
CHANGEOVER = 10
# Planted agendas leave a speaker this long between two sessions, so nobody has to run.
SPEAKER_GAP = 15
UN_LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")
EN_FR = ("en", "fr")
REGIONS = ("africa", "americas", "arab-states", "asia-pacific", "europe")
ILLUSTRATIVE = "illustrative"

# ================================================================================================
# Calendar and venue
# ================================================================================================


@dataclass(frozen=True)
class DaySpec:
    date: date
    open: time
    close: time
    breaks: tuple[tuple[time, time, str], ...] = ()

    def at(self, moment: time) -> datetime:
        return datetime.combine(self.date, moment)

    @property
    def slots(self) -> int:
        return minutes_between(self.at(self.open), self.at(self.close)) // GRID


COFFEE = (time(15, 45), time(16, 0), "Afternoon coffee break")
# No venue-wide lunch break: knowledge cafes and workshops run over lunch (see README).
DAYS = (
    DaySpec(date(2025, 7, 7), time(9, 0), time(18, 30),
            ((time(11, 45), time(12, 15), "WSIS+20 exhibition inauguration and group photo"), COFFEE)),
    DaySpec(date(2025, 7, 8), time(9, 0), time(18, 30), (COFFEE,)),
    DaySpec(date(2025, 7, 9), time(9, 0), time(18, 30), (COFFEE,)),
    DaySpec(date(2025, 7, 10), time(9, 0), time(18, 30), (COFFEE,)),
    DaySpec(date(2025, 7, 11), time(9, 0), time(18, 0), (COFFEE,)),
)
MON, TUE, WED, THU, FRI = range(5)
ALL_DAYS = (MON, TUE, WED, THU, FRI)


@dataclass(frozen=True)
class RoomSpec:
    id: str
    name: str
    capacity: int
    booths: int
    features: tuple[str, ...]
    # (day, from, to, reason)
    unavailable: tuple[tuple[int, time, time, str], ...] = ()


AI4G = "Lent to the AI for Good Global Summit"
ROOMS = (
    RoomSpec("room-c", "Plenary Room C", 2200, 6, ("hybrid", "captioning", "plenary", "stage"),
             ((TUE, time(9, 0), time(12, 30), f"{AI4G}: opening keynotes (illustrative)"),)),
    RoomSpec("room-a", "Room A", 900, 6, ("hybrid", "captioning", "stage"),
             ((TUE, time(14, 0), time(18, 30), f"{AI4G}: workshop stream (illustrative)"),
              (THU, time(9, 0), time(12, 30), f"{AI4G}: workshop stream (illustrative)"))),
    RoomSpec("room-b", "Room B", 450, 6, ("hybrid", "captioning", "roundtable")),
    RoomSpec("room-e", "Room E", 350, 4, ("hybrid", "captioning", "stage"),
             ((WED, time(14, 0), time(18, 30), f"{AI4G}: demos (illustrative)"),
              (THU, time(14, 0), time(18, 30), f"{AI4G}: demos (illustrative)"))),
    RoomSpec("room-f", "Room F", 200, 2, ("hybrid", "captioning")),
    RoomSpec("room-h", "Room H", 180, 2, ("hybrid",),
             ((THU, time(9, 0), time(18, 30), f"{AI4G}: full day (illustrative)"),)),
    RoomSpec("room-k", "Room K", 260, 2, ("hybrid", "captioning")),
    RoomSpec("room-l", "Room L", 120, 0, ("hybrid", "roundtable"),
             ((MON, time(9, 0), time(10, 0), "Set-up of hybrid equipment (illustrative)"),)),
    RoomSpec("room-alpha", "Room Alpha", 100, 0, ("hybrid", "roundtable")),
    RoomSpec("room-beta", "Room Beta", 80, 0, ("hybrid",),
             ((FRI, time(9, 0), time(13, 0), f"{AI4G}: side meeting (illustrative)"),)),
    RoomSpec("room-kappa", "Room Kappa", 90, 0, ("hybrid", "roundtable")),
)
ROOM_BY_ID = {r.id: r for r in ROOMS}


def minutes_between(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds() // 60)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def slot_time(day: int, slot: int) -> datetime:
    spec = DAYS[day]
    return spec.at(spec.open) + timedelta(minutes=slot * GRID)


def slot_of(day: int, moment: time) -> int:
    spec = DAYS[day]
    return minutes_between(spec.at(spec.open), spec.at(moment)) // GRID


# ================================================================================================
# The session catalogue
# ================================================================================================


@dataclass(frozen=True)
class Family:
    """What sessions of one kind look like, and where their planted times may fall."""

    type: str
    durations: tuple[int, ...]
    attendance: tuple[int, int]
    requires: tuple[str, ...]
    interpretation: tuple[str, ...]
    days: tuple[int, ...]
    hours: tuple[time, time] | None
    # Who speaks: (pool, fewest, most).
    cast: tuple[tuple[str, int, int], ...]
    # Lower is planted first: the hardest-to-place kinds go before the flexible ones.
    priority: int


FAMILIES: dict[str, Family] = {
    "high-level-dialogue": Family(
        "high-level-dialogue", (45, 60, 75, 90), (300, 1800), ("hybrid", "captioning"), UN_LANGUAGES,
        (MON, TUE, WED, THU), None,
        (("minister", 2, 3), ("regulator", 0, 1), ("un-official", 1, 1), ("expert", 1, 2),
         ("moderator", 1, 1)), 2),
    "high-level-policy-session": Family(
        "high-level-policy-session", (60,), (200, 800), ("hybrid", "captioning"), UN_LANGUAGES,
        (TUE, WED, THU), None,
        (("minister", 1, 2), ("regulator", 0, 1), ("un-official", 1, 1), ("expert", 1, 2),
         ("moderator", 1, 1)), 2),
    "leaders-talkx": Family(
        "leaders-talkx", (30,), (120, 340), ("hybrid", "stage"), EN_FR, (TUE, WED, THU, FRI), None,
        (("minister", 0, 1), ("regulator", 0, 1), ("expert", 2, 3), ("moderator", 1, 1)), 3),
    "ministerial-roundtable": Family(
        "ministerial-roundtable", (120,), (120, 160), ("hybrid", "captioning", "roundtable"), UN_LANGUAGES,
        (WED,), (time(10, 0), time(17, 0)), (("chair", 1, 1), ("minister", 16, 18)), 1),
    "high-level-roundtable": Family(
        "high-level-roundtable", (90,), (100, 140), ("hybrid", "captioning", "roundtable"), UN_LANGUAGES,
        (TUE, THU), (time(10, 0), time(17, 30)), (("regulator", 14, 16), ("un-official", 1, 1)), 1),
    "action-line-facilitation": Family(
        "action-line-facilitation", (60, 75, 90), (80, 200), ("hybrid", "captioning"), EN_FR,
        (MON, TUE, WED, THU), None,
        (("un-official", 1, 2), ("expert", 2, 3), ("regulator", 0, 1), ("moderator", 0, 1)), 3),
    "action-line-facilitators-meeting": Family(
        "action-line-facilitators-meeting", (60,), (60, 120), ("hybrid", "captioning"), EN_FR,
        (FRI,), (time(9, 0), time(13, 0)), (("un-official", 3, 4),), 3),
    "thematic-workshop": Family(
        "thematic-workshop", (30, 45, 45, 60, 60, 60, 90), (30, 260), ("hybrid",), (), ALL_DAYS, None,
        (("expert", 2, 4), ("un-official", 0, 1), ("regulator", 0, 1), ("moderator", 0, 1)), 6),
    "country-workshop": Family(
        "country-workshop", (45, 60), (40, 180), ("hybrid",), (), (TUE, WED, THU, FRI), None,
        (("minister", 1, 1), ("expert", 1, 2), ("regulator", 0, 1)), 5),
    "knowledge-cafe": Family(
        "knowledge-cafe", (60, 75, 90), (25, 90), ("hybrid", "roundtable"), (), ALL_DAYS,
        (time(12, 0), time(14, 30)), (("expert", 2, 3), ("moderator", 0, 1)), 2),
    "youth": Family(
        "youth", (45, 60), (60, 200), ("hybrid",), (), (TUE, WED, THU), None,
        (("youth", 2, 4), ("expert", 0, 1), ("moderator", 0, 1)), 4),
    "youth-hackathon": Family(
        "youth", (120,), (250, 340), ("hybrid", "stage"), EN_FR, (WED, THU), None,
        (("youth", 4, 5), ("expert", 1, 1)), 3),
    "youth-outcome": Family(
        "youth", (45,), (150, 250), ("hybrid", "captioning"), EN_FR, (FRI,), (time(9, 0), time(16, 0)),
        (("youth", 3, 4), ("un-official", 1, 1)), 4),
    "gender": Family(
        "gender", (45, 60), (50, 180), ("hybrid", "captioning"), (), (MON, TUE, WED, THU), None,
        (("expert-female", 2, 3), ("minister", 0, 1), ("moderator", 0, 1)), 4),
    "gender-outcome": Family(
        "gender", (60,), (100, 200), ("hybrid", "captioning"), EN_FR, (FRI,), (time(9, 0), time(16, 0)),
        (("expert-female", 2, 3), ("un-official", 1, 1)), 4),
    "prize-winners-showcase": Family(
        "wsis-stocktaking", (30,), (30, 90), ("hybrid",), (), (TUE, WED, THU, FRI), None,
        (("expert", 2, 3),), 6),
    "interactive-session": Family(
        "interactive-session", (45, 60), (50, 300), ("hybrid",), (), ALL_DAYS, None,
        (("un-official", 1, 1), ("expert", 1, 3)), 6),
    "side-event": Family(
        "side-event", (10, 15, 20, 30, 45, 60), (20, 120), ("hybrid",), (), ALL_DAYS, None,
        (("expert", 1, 2),), 7),
}

# The WSIS Action Lines as named in the Geneva Plan of Action, with their lead facilitators as
# described on the WSIS website (to the best of our knowledge; co-facilitators are left out).
ACTION_LINES: tuple[tuple[str, str, str], ...] = (
    ("C1", "The role of governments and all stakeholders in the promotion of ICTs for development",
     "UN DESA"),
    ("C2", "Information and communication infrastructure", "ITU"),
    ("C3", "Access to information and knowledge", "UNESCO"),
    ("C4", "Capacity building", "UNDP"),
    ("C5", "Building confidence and security in the use of ICTs", "ITU"),
    ("C6", "Enabling environment", "ITU"),
    ("C7", "ICT applications: E-government", "UN DESA"),
    ("C7", "ICT applications: E-business", "UNCTAD"),
    ("C7", "ICT applications: E-learning", "UNESCO"),
    ("C7", "ICT applications: E-health", "WHO"),
    ("C7", "ICT applications: E-employment", "ILO"),
    ("C7", "ICT applications: E-environment", "UNEP"),
    ("C7", "ICT applications: E-agriculture", "FAO"),
    ("C7", "ICT applications: E-science", "UNESCO"),
    ("C8", "Cultural diversity and identity, linguistic diversity and local content", "UNESCO"),
    ("C9", "Media", "UNESCO"),
    ("C10", "Ethical dimensions of the Information Society", "UNESCO"),
    ("C11", "International and regional cooperation", "UN DESA"),
)

HIGH_LEVEL_DIALOGUES = (
    "WSIS at 20: the road to the UN General Assembly review",
    "Digital public infrastructure for everyone",
    "Artificial intelligence and the WSIS vision of a people-centred information society",
    "Financing universal meaningful connectivity",
    "Closing the gender digital divide",
    "Trust, security and resilience in a connected world",
    "Youth voices for the next twenty years",
    "WSIS and the Global Digital Compact: one implementation roadmap",
    "Sustainable and green digital transformation",
    "Information integrity and the public interest",
    "Multilingualism and local content online",
    "Least developed countries, landlocked developing countries and small island developing states",
)
POLICY_SESSIONS = (
    "Bridging the digital divides", "Enabling environment for digital investment",
    "Building confidence and security in the use of ICTs", "Digital skills and capacity building",
    "Inclusion of persons with disabilities", "Digital economy and trade", "ICTs for climate action",
    "Digital health", "Knowledge societies and open science", "Ethical dimensions of emerging technologies",
    "Media and information literacy", "International and regional cooperation",
)
TALKX = (
    "Connecting the unconnected", "AI for public services", "Data for development",
    "Cyber resilience by design", "Space and satellites for inclusion", "Skills for the AI era",
    "Green networks", "Smart and sustainable cities", "Digital trust and identity",
    "Open source and digital commons", "Emergency telecommunications that save lives",
    "Women leading tech", "Local content, global reach", "Inclusive digital finance",
    "Future networks", "The next 20 years of WSIS",
)
# (title, organizer, tracks, interpretation): the non-Latin titles mirror the event's six languages.
WORKSHOP_TOPICS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("Meaningful connectivity for the last billion", "ITU", ("C2",), ()),
    ("Digital public infrastructure in practice", "UNDP", ("C1", "C6"), ()),
    ("AI governance and the WSIS framework", "UNESCO", ("C10", "AI governance"), ()),
    ("Cybersecurity capacity for small island states", "ITU", ("C5",), ()),
    ("Open data for climate resilience", "WMO", ("C7",), ()),
    ("Digital skills for older persons", "UNECE", ("C4",), ()),
    ("E-waste and the circular economy", "UNEP", ("C7",), ()),
    ("Satellite connectivity for rural schools", "ITU", ("C2", "C7"), ()),
    ("Multilingualism on the Internet", "UNESCO", ("C8",), ()),
    ("Information integrity in electoral periods", "UNESCO", ("C9",), ()),
    ("Community networks", "ITU", ("C2",), ()),
    ("Child online protection", "ITU", ("C5",), ()),
    ("Digital financial inclusion", "UNCDF", ("C7",), ()),
    ("Accessible ICTs for persons with disabilities", "ITU", ("C3",), ()),
    ("Measuring the information society", "UNCTAD", ("C11",), ()),
    ("Broadband financing models", "ITU", ("C2", "C6"), ()),
    ("Cross-border data governance", "UNCTAD", ("C6",), ()),
    ("Digital identity and trust", "UNDP", ("C5", "C7"), ()),
    ("Smart villages", "ITU", ("C7",), ()),
    ("Interoperable digital health records", "WHO", ("C7",), ()),
    ("Open educational resources", "UNESCO", ("C3", "C7"), ()),
    ("Libraries as digital inclusion hubs", "UNESCO", ("C3",), ()),
    ("Media viability in the digital age", "UNESCO", ("C9",), ()),
    ("Indigenous languages online", "UNESCO", ("C8",), ()),
    ("Post offices as digital hubs", "UPU", ("C7",), ()),
    ("Early warnings for all", "WMO", ("C7",), ()),
    ("Digital extension services for smallholder farmers", "FAO", ("C7",), ()),
    ("Platform work and decent jobs", "ILO", ("C7",), ()),
    ("E-commerce readiness in least developed countries", "UNCTAD", ("C7",), ()),
    ("Human rights in the digital age", "OHCHR", ("C10",), ()),
    ("Women in the digital economy", "UN Women", ("C4", "Gender"), ()),
    ("Urban data for inclusive cities", "UN-Habitat", ("C7",), ()),
    ("Open source in government", "UN DESA", ("C7", "C1"), ()),
    ("Internet exchange points and local hosting", "ITU", ("C2",), ()),
    ("Spectrum management for development", "ITU", ("C2", "C6"), ()),
    ("Quantum technologies and the information society", "ITU", ("C6",), ()),
    ("Digital cooperation after the Global Digital Compact", "UN DESA", ("C11", "WSIS+20 review"), ()),
    ("WSIS and the 2030 Agenda", "UN DESA", ("C11", "WSIS+20 review"), ()),
    ("Cultural heritage in digital form", "UNESCO", ("C8",), ()),
    ("Resilient undersea cables", "ITU", ("C2",), ()),
    ("Digital transformation of small businesses", "ITC", ("C7",), ()),
    ("Research and education networks", "UNESCO", ("C7",), ()),
    ("Safety of women journalists online", "UNESCO", ("C9", "Gender"), ()),
    ("AI in the classroom", "UNESCO", ("C7", "AI governance"), ()),
    ("Algorithmic transparency in public administration", "UN DESA", ("C10", "AI governance"), ()),
    ("Digital rights of refugees", "UNHCR", ("C10",), ()),
    ("Children's data and digital play", "UNICEF", ("C5", "C10"), ()),
    ("Intellectual property and open innovation", "WIPO", ("C6",), ()),
    ("Industrial digitalization in developing economies", "UNIDO", ("C7",), ()),
    ("Digital diplomacy training", "UNITAR", ("C4",), ()),
    ("الشمول الرقمي في المنطقة العربية بعد عشرين عاماً", "ESCWA", ("C11", "Digital inclusion"), ("ar", "en")),
    ("数字包容与普遍有意义的连接", "ESCAP", ("C2", "Digital inclusion"), ("zh", "en")),
    ("Цифровые навыки для всех поколений", "UNECE", ("C4",), ("ru", "en")),
    ("Inclusion numérique en Afrique francophone", "ECA", ("C4", "Digital inclusion"), EN_FR),
    ("Conectividad significativa en América Latina y el Caribe", "ECLAC", ("C2",), ("es", "en")),
)
PARTNERS = ("Digital Commons Alliance (illustrative)", "Open Networks Institute (illustrative)",
            "Civic Tech Collective (illustrative)", "Global Broadband Forum (illustrative)")
WORKSHOP_ANGLES = ("", ": from policy to practice", ": lessons from the regions", ": what next after WSIS+20",
                   ": tools and partnerships")
REGIONAL_ORGANIZERS = {"ESCWA": "arab-states", "ESCAP": "asia-pacific", "UNECE": "europe", "ECA": "africa",
                       "ECLAC": "americas"}
CAFE_TOPICS = (
    "Knowledge Cafe: measuring digital inclusion", "Knowledge Cafe: AI and the SDGs",
    "Knowledge Cafe: WSIS Action Lines beyond 2025", "Knowledge Cafe: community connectivity",
    "Knowledge Cafe: digital skills pathways", "Knowledge Cafe: e-waste solutions",
    "Knowledge Cafe: youth and the WSIS process", "Knowledge Cafe: open science",
    "Knowledge Cafe: media literacy",
    "Café du savoir : la francophonie numérique", "Café del conocimiento: gobierno digital",
    "Knowledge Cafe: gender and technology", "Knowledge Cafe: digital health innovation",
    "Knowledge Cafe: the future of the WSIS Forum",
)
YOUTH_TOPICS = (
    "Youth Track: digital skills and first jobs", "Youth Track: young innovators in AI",
    "Youth Track: online safety by young people for young people",
    "Youth Track: youth in Internet governance",
    "Youth Track: climate tech by the next generation", "Youth Track: student networks for connectivity",
    "Youth Track: mental health in a connected world", "Youth Track: youth-led community networks",
    "Youth Track: entrepreneurs from the Global South", "Youth Track: the WSIS+20 youth declaration drafting",
)
GENDER_TOPICS = (
    "Gender Trendsetters: women in AI leadership", "Gender Trendsetters: girls in ICT",
    "Gender Trendsetters: safe online spaces for women", "Gender Trendsetters: women entrepreneurs in tech",
    "Gender Trendsetters: gender data gaps", "Gender Trendsetters: equal access to connectivity",
    "Gender Trendsetters: women in cybersecurity", "Gender Trendsetters: care work and digital platforms",
)
INTERACTIVE_TOPICS = (
    "WSIS+20 review: open consultation with stakeholders", "Briefing on the UN General Assembly WSIS review",
    "WSIS Stocktaking: the database and its users", "Partnership for Measuring ICT for Development",
    "UN Group on the Information Society: annual meeting", "WSIS Forum: shaping the 2026 edition",
    "Digital coalitions: progress report", "Global digital skills coalition meeting",
    "Interactive session: connectivity targets for 2030", "Interactive session: AI standards exchange",
    "Interactive session: data for the SDGs", "Interactive session: emergency telecommunications drills",
    "Interactive session: digital trade and development", "Interactive session: WSIS in the regions",
)
SIDE_EVENTS = (
    ("WSIS Photo Contest award presentation", 15), ("Guided tour of the WSIS+20 exhibition", 30),
    ("Book launch: twenty years of the information society (illustrative)", 45),
    ("Networking for WSIS Prize winners", 60), ("Morning yoga for delegates", 20),
    ("Press briefing: WSIS+20 highlights (illustrative)", 20), ("Signing of a digital skills pledge", 10),
    ("Demo: captioning for hybrid meetings", 30), ("Launch of a regional digital inclusion report", 45),
    ("WSIS Special Prizes photo session", 10), ("Open mic: your WSIS story", 30),
    ("Film screening: voices of the connected", 60),
)

OTHER_UN_LANGUAGES = ("fr", "es", "ar", "ru", "zh")
COUNT_WORKSHOPS = 104
COUNT_COUNTRY_WORKSHOPS = 28
COUNT_SHOWCASES = 12
WORKSHOP_SERIES = 6  # two-part workshops: part II must come after part I
PLANTING_ATTEMPTS = 5


@dataclass
class Draft:
    """A session while it is being built; `room`, `start` and `speakers` come from planting."""

    id: str
    title: str
    family: str
    duration: int
    attendance: int
    interpretation: tuple[str, ...]
    organizers: tuple[str, ...]
    tracks: tuple[str, ...]
    requires: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    fixed_room: str | None = None
    fixed_start: datetime | None = None
    optional: bool = False
    public_fact: bool = False
    # The session type when it differs from the family's (the ceremonies).
    kind: str = ""
    # Hours of the family's days the planted time must fall in, when narrower than the family's.
    plant_within: tuple[time, time] | None = None
    plant_days: tuple[int, ...] | None = None
    region: str | None = None
    room: str = ""
    start: datetime = datetime.min
    speakers: list[str] = field(default_factory=list)

    @property
    def spec(self) -> Family:
        return FAMILIES[self.family]

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.duration)

    @property
    def day(self) -> int:
        return next(i for i, d in enumerate(DAYS) if d.date == self.start.date())


# no_overlap groups: name -> reason
GROUPS = {
    "high-level": "High-level track: ministers and heads of delegation follow all of these in person",
    "policy": "High-level policy sessions share one six-language interpretation team",
    "talkx": "Leaders TalkX share one studio crew and live-stream channel",
    "youth": "Youth track: one youth cohort attends every youth session",
    "c7": "C7 ICT-application meetings share one facilitation team",
}


class Catalogue:
    """Builds the session drafts with stable ids in a fixed order."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.drafts: list[Draft] = []

    def add(self, family: str, title: str, **kwargs: Any) -> Draft:
        spec = FAMILIES[family]
        rng = self.rng
        kwargs.setdefault("duration", rng.choice(spec.durations))
        kwargs.setdefault("attendance", _round_to(rng.randint(*spec.attendance), 10))
        kwargs.setdefault("interpretation", spec.interpretation)
        kwargs.setdefault("organizers", ("ITU",))
        kwargs.setdefault("tracks", ())
        kwargs.setdefault("requires", spec.requires)
        draft = Draft(f"s-{len(self.drafts) + 1:03d}", title, family, **kwargs)
        self.drafts.append(draft)
        return draft


def _round_to(value: int, step: int) -> int:
    return max(step, value // step * step)


def build_catalogue(rng: random.Random) -> list[Draft]:
    cat = Catalogue(rng)
    closing = _ceremonies(cat)
    for title in HIGH_LEVEL_DIALOGUES:
        cat.add("high-level-dialogue", f"High-Level Dialogue: {title}", groups=("high-level",),
                organizers=("ITU", "UNESCO", "UNDP", "UNCTAD"), tracks=("WSIS+20 review",))
    for number, topic in enumerate(POLICY_SESSIONS, start=1):
        cat.add("high-level-policy-session", f"High-Level Policy Session {number}: {topic}",
                groups=("policy",), tracks=("WSIS+20 review",))
    for topic in TALKX:
        cat.add("leaders-talkx", f"Leaders TalkX: {topic}", groups=("talkx",))
    minister_rt = cat.add("ministerial-roundtable", "Ministerial Roundtable: WSIS beyond 2025",
                          groups=("high-level",), tracks=("WSIS+20 review",))
    cat.add("high-level-roundtable", "Regulators' Roundtable: agile regulation for the next digital decade",
            tracks=("C6",))
    _action_lines(cat)
    _workshops(cat)
    _country_workshops(cat)
    for topic in CAFE_TOPICS:
        cat.add("knowledge-cafe", topic, organizers=("ITU",), tracks=("Knowledge cafe",))
    _youth_and_gender(cat)
    _showcases_and_side_events(cat)
    # The Chair's summary reports on the ministerial roundtable.
    closing.after = (minister_rt.id,)
    return cat.drafts


def _ceremonies(cat: Catalogue) -> Draft:
    """The four public-fact ceremonies of the high-level track; returns the closing."""
    mon = DAYS[MON]
    opening = cat.add("high-level-dialogue", "Inaugural session: celebrating two decades of WSIS",
                      duration=30, attendance=2000, groups=("high-level",), public_fact=True,
                      organizers=("ITU", "UNESCO", "UNDP", "UNCTAD"), tracks=("WSIS+20 review",),
                      fixed_room="room-c", fixed_start=mon.at(time(9, 0)), kind="ceremony")
    handover = cat.add("high-level-dialogue", "Handover of the Chair and appointment of the Chair of the "
                       "WSIS+20 High-Level Event 2025", duration=10, attendance=1500, groups=("high-level",),
                       public_fact=True, fixed_room="room-c", after=(opening.id,), tracks=("WSIS+20 review",),
                       kind="high-level-plenary", plant_within=(time(9, 30), time(10, 0)),
                       plant_days=(MON,))
    cat.add("high-level-dialogue", "WSIS Prizes 2025 Ceremony", duration=75, attendance=1200,
            groups=("high-level",), public_fact=True, fixed_room="room-c", after=(handover.id,),
            tracks=("WSIS Prizes",), kind="ceremony", plant_within=(time(9, 30), time(11, 45)),
            plant_days=(MON,))
    return cat.add(
        "high-level-dialogue", "Closing ceremony and presentation of the Chair's summary", duration=60,
        attendance=1500, groups=("high-level",), public_fact=True, fixed_room="room-c",
        fixed_start=DAYS[FRI].at(time(16, 30)), tracks=("WSIS+20 review",),
        organizers=("ITU", "UNESCO", "UNDP", "UNCTAD"), kind="ceremony")


def _action_lines(cat: Catalogue) -> None:
    meetings = []
    for code, name, lead in ACTION_LINES:
        organizers = (lead,) if lead == "ITU" else (lead, "ITU")
        meetings.append(cat.add(
            "action-line-facilitation", f"Action Line {code} facilitation meeting: {name}",
            organizers=organizers, tracks=(code,), groups=("c7",) if code == "C7" else ()))
    cat.add("action-line-facilitators-meeting", "Meeting of the WSIS Action Line Facilitators",
            organizers=("ITU", "UNESCO", "UNDP", "UNCTAD"), tracks=("WSIS+20 review",),
            after=tuple(m.id for m in meetings))


def _workshops(cat: Catalogue) -> None:
    rng = cat.rng
    titles = [(topic, angle) for angle in WORKSHOP_ANGLES for topic in WORKSHOP_TOPICS]
    chosen = titles[:len(WORKSHOP_TOPICS)] + rng.sample(titles[len(WORKSHOP_TOPICS):],
                                                        COUNT_WORKSHOPS - len(WORKSHOP_TOPICS))
    for index, ((title, organizer, tracks, langs), angle) in enumerate(chosen):
        requires = ("hybrid", "captioning") if rng.random() < 0.3 else ("hybrid",)
        if not langs and rng.random() < 0.2:
            langs = EN_FR
        partner = rng.choice(PARTNERS)
        organizers = (organizer, partner) if rng.random() < 0.4 else (organizer,)
        draft = cat.add("thematic-workshop", f"{title}{angle}", interpretation=langs, organizers=organizers,
                        tracks=tracks, requires=requires, optional=index % 35 == 34,
                        region=REGIONAL_ORGANIZERS.get(organizer))
        if langs and draft.attendance > 200:
            draft.attendance = 200
    series = [d for d in cat.drafts if d.family == "thematic-workshop" and not d.optional][:WORKSHOP_SERIES]
    for first in series:
        first.title += " (Part I)"
        first.plant_days = (MON, TUE)
        cat.add("thematic-workshop", first.title.replace("(Part I)", "(Part II)"),
                duration=first.duration, attendance=first.attendance, interpretation=first.interpretation,
                organizers=first.organizers, tracks=first.tracks, requires=first.requires,
                after=(first.id,), region=first.region, plant_days=(WED, THU, FRI))


def _country_workshops(cat: Catalogue) -> None:
    for _ in range(COUNT_COUNTRY_WORKSHOPS):
        langs = ("en", cat.rng.choice(OTHER_UN_LANGUAGES)) if cat.rng.random() < 0.5 else ()
        # The country, title and organizer are filled in once its minister is cast.
        cat.add("country-workshop", "Country workshop", interpretation=langs, tracks=("C1",))


def _youth_and_gender(cat: Catalogue) -> None:
    youth = [cat.add("youth", t, groups=("youth",), tracks=("Youth",), organizers=("ITU", "UNESCO"))
             for t in YOUTH_TOPICS]
    youth.append(cat.add("youth-hackathon", "Youth Track: WSIS+20 hackathon final pitches", groups=("youth",),
                         tracks=("Youth",), organizers=("ITU",)))
    cat.add("youth-outcome", "Youth Track: presentation of the youth outcome statement", groups=("youth",),
            tracks=("Youth",), organizers=("ITU", "UNESCO"), after=tuple(y.id for y in youth))
    gender = [cat.add("gender", t, tracks=("Gender",), organizers=("UN Women", "ITU")) for t in GENDER_TOPICS]
    cat.add("gender-outcome", "Gender Trendsetters: outcome dialogue", tracks=("Gender",),
            organizers=("UN Women", "ITU"), after=tuple(g.id for g in gender))


def _showcases_and_side_events(cat: Catalogue) -> None:
    prizes = next(d for d in cat.drafts if d.title == "WSIS Prizes 2025 Ceremony")
    for code, name, _lead in ACTION_LINES[:COUNT_SHOWCASES]:
        cat.add("prize-winners-showcase", f"WSIS Prize winners showcase: {name}",
                tracks=(code, "WSIS Prizes"), after=(prizes.id,))
    for topic in INTERACTIVE_TOPICS:
        organizer = cat.rng.choice(("ITU", "UN DESA", "UNCTAD", "UNDP"))
        cat.add("interactive-session", topic, organizers=(organizer,), tracks=("WSIS+20 review",))
    for title, minutes in SIDE_EVENTS:
        cat.add("side-event", title, duration=minutes, optional=True, organizers=("ITU",))


def session_type(draft: Draft) -> str:
    return draft.kind or draft.spec.type


# ================================================================================================
# Planting sessions in rooms and times
# ================================================================================================


class Venue:
    """Occupancy of every room and no-overlap group on the 5-minute grid, day by day."""

    def __init__(self) -> None:
        self.changeover = CHANGEOVER // GRID
        self.blocked = {(r.id, d): bytearray(DAYS[d].slots) for r in ROOMS for d in ALL_DAYS}
        self.busy = {(r.id, d): bytearray(DAYS[d].slots) for r in ROOMS for d in ALL_DAYS}
        self.group_busy = {(g, d): bytearray(DAYS[d].slots) for g in GROUPS for d in ALL_DAYS}
        for d, spec in enumerate(DAYS):
            for start, end, _label in spec.breaks:
                for r in ROOMS:
                    _mark(self.blocked[r.id, d], slot_of(d, start), slot_of(d, end))
        for r in ROOMS:
            for d, start, end, _reason in r.unavailable:
                _mark(self.blocked[r.id, d], slot_of(d, start), slot_of(d, end))

    def fits(self, draft: Draft, room: str, day: int, slot: int) -> bool:
        end = slot + draft.duration // GRID
        if end > DAYS[day].slots or any(self.blocked[room, day][slot:end]):
            return False
        if any(self.busy[room, day][max(0, slot - self.changeover):end + self.changeover]):
            return False
        return not any(any(self.group_busy[g, day][slot:end]) for g in draft.groups)

    def snug(self, room: str, day: int, slot: int) -> bool:
        """Whether a session starting here would sit right after its neighbour (keeps rooms packed)."""
        before = slot - self.changeover - 1
        return slot == 0 or self.blocked[room, day][slot - 1] == 1 or (
            before >= 0 and self.busy[room, day][before] == 1)

    def book(self, draft: Draft, room: str, day: int, slot: int) -> None:
        end = slot + draft.duration // GRID
        _mark(self.busy[room, day], slot, end)
        for g in draft.groups:
            _mark(self.group_busy[g, day], slot, end)
        draft.room, draft.start = room, slot_time(day, slot)


def _mark(cells: bytearray, start: int, end: int) -> None:
    cells[start:end] = b"\x01" * (end - start)


def candidate_rooms(draft: Draft) -> list[str]:
    if draft.fixed_room:
        return [draft.fixed_room]
    return [r.id for r in ROOMS if r.capacity >= draft.attendance and set(draft.requires) <= set(r.features)
            and r.booths >= len(draft.interpretation)]


def planting_spans(draft: Draft) -> list[tuple[int, int, int]]:
    """(day, first slot, end slot) spans the planted session must lie in."""
    if draft.fixed_start is not None:
        day = next(i for i, d in enumerate(DAYS) if d.date == draft.fixed_start.date())
        first = slot_of(day, draft.fixed_start.time())
        return [(day, first, first + draft.duration // GRID)]
    spec = draft.spec
    hours = draft.plant_within or spec.hours
    return [(d, slot_of(d, hours[0]) if hours else 0, slot_of(d, hours[1]) if hours else DAYS[d].slots)
            for d in draft.plant_days or spec.days]


def plant(drafts: list[Draft], rng: random.Random) -> None:
    venue = Venue()
    by_id = {d.id: d for d in drafts}
    for draft in planting_order(drafts):
        not_before = max((by_id[p].end for p in draft.after), default=datetime.min)
        options: list[tuple[str, int, int]] = []
        weights: list[int] = []
        for room in candidate_rooms(draft):
            # Programme teams give a session a room its audience fills, not the biggest one free.
            fill = max(1, round(10 * draft.attendance / ROOM_BY_ID[room].capacity))
            for day, first, last in planting_spans(draft):
                for slot in range(first, last - draft.duration // GRID + 1):
                    if slot_time(day, slot) >= not_before and venue.fits(draft, room, day, slot):
                        options.append((room, day, slot))
                        # Quarter-hour starts read naturally; snug starts keep rooms packed.
                        quarter = 3 if slot % 3 == 0 else 1
                        weights.append(fill * quarter * (12 if venue.snug(room, day, slot) else 1))
        if not options:
            raise SampleError(f"could not plant {draft.id} ({draft.title}); change the seed or the catalogue")
        venue.book(draft, *rng.choices(options, weights)[0])


def plant_some_catalogue(rng: random.Random) -> list[Draft]:
    """A planted catalogue; random planting can paint itself into a corner, so a dead end redraws.

    The redraw continues the same random stream, so the result is still a pure function of the seed.
    """
    for _attempt in range(PLANTING_ATTEMPTS - 1):
        drafts = build_catalogue(rng)
        try:
            plant(drafts, rng)
            return drafts
        except SampleError:
            continue
    drafts = build_catalogue(rng)
    plant(drafts, rng)
    return drafts


def planting_order(drafts: list[Draft]) -> list[Draft]:
    """The public-fact ceremonies first, then the hardest to place; each after its predecessors."""
    def key(d: Draft) -> tuple[int, int, int, int, str]:
        fixed_rank = 0 if d.public_fact else 1
        bulk = d.duration * max(1, len(d.interpretation))
        return (fixed_rank, d.spec.priority if fixed_rank else 0, len(candidate_rooms(d)), -bulk, d.id)

    placed: set[str] = set()
    remaining = sorted(drafts, key=key)
    order: list[Draft] = []
    while remaining:
        ready = next(d for d in remaining if all(p in placed for p in d.after))
        remaining.remove(ready)
        placed.add(ready.id)
        order.append(ready)
    return order


class SampleError(RuntimeError):
    """The sample cannot be built or does not pass its own check."""


# ================================================================================================
# Speakers
# ================================================================================================


@dataclass
class Person:
    id: str
    name: str
    role: str
    gender: str | None
    youth: bool
    # How many distinct days this person can give the event; None: no limit.
    max_days: int | None
    country: str | None = None
    chair: bool = False
    talks: list[tuple[datetime, datetime]] = field(default_factory=list)

    @property
    def days(self) -> list[date]:
        return sorted({start.date() for start, _ in self.talks})

    def can_take(self, draft: Draft) -> bool:
        gap = timedelta(minutes=SPEAKER_GAP)
        if any(draft.start < end + gap and start - gap < draft.end for start, end in self.talks):
            return False
        days = self.days
        return self.max_days is None or draft.start.date() in days or len(days) < self.max_days


FIRST_F = ("Amina", "Sofia", "Mei", "Leila", "Ana", "Priya", "Grace", "Nadia", "Ingrid", "Fatou", "Yuki",
           "Camila", "Olga", "Zara", "Hana", "Lucia", "Aisha", "Elena", "Mariam", "Noor", "Chiamaka",
           "Isabel", "Sana", "Thandi", "Marta", "Lina")
FIRST_M = ("Kofi", "Mateo", "Arjun", "Omar", "Lars", "Tomas", "Kenji", "Samuel", "Ivan", "Diego", "Yusuf",
           "Wei", "Andre", "Rahul", "Felipe", "Jonas", "Malik", "Pablo", "Emeka", "Nikolai", "Hassan", "Luca",
           "Tariq", "Joon", "Sipho", "Karim")
FIRST_X = ("Alex", "Sam", "Robin", "Kai", "Noa", "Ari", "Jules", "Sasha")
# Surnames are assembled from syllables so that they read as names but belong to nobody known.
SURNAME_HEADS = ("Val", "Ter", "Mor", "Quin", "Bel", "Dar", "Lun", "Ost", "Zar", "Kel", "Ver", "Sol", "Tav",
                 "Nor", "Ril", "Fen", "Cor", "Lis", "Mav", "Esk", "Yor", "Pel")
SURNAME_TAILS = ("ovar", "enti", "ashi", "ande", "irel", "umba", "esko", "arin", "olle", "ivak", "edro",
                 "unta", "ayle", "iston", "emir", "oka", "ezza", "urin")
MINISTER_TITLES = ("Minister of ICT", "Minister of Digital Economy", "Minister of Communications",
                   "Minister of Digital Transformation", "Deputy Minister of ICT",
                   "Minister of Posts and Telecommunications", "Minister of Innovation and Digital Affairs")
REGULATOR_TITLES = ("Chair, National Regulatory Authority", "Director-General, Communications Regulator",
                    "President, Telecommunications Regulatory Agency",
                    "Commissioner, Digital Markets Authority")
CHAIR_TITLE = "Chair of the Event and Minister of Communications"
# A few speakers named in Arabic, Chinese and Russian: still role titles or labels, never people.
NON_LATIN = {
    ("minister", 5): ("معالي وزير الاقتصاد الرقمي، البلد F (توضيحي)", "male"),
    ("minister", 17): ("数字经济部长，R国（示例）", "female"),
    ("minister", 33): ("Министр цифрового развития, страна AH (условно)", "male"),
    ("youth", 3): ("青年代表 甲（示例）", "female"),
    ("youth", 11): ("Молодёжный делегат Б (условный)", "male"),
    ("youth", 19): ("مندوبة الشباب ج (توضيحية)", "female"),
    ("expert", 7): ("数字治理专家 乙（示例）", None),
    ("expert", 21): ("Эксперт по кибербезопасности Д (условный)", "male"),
    ("expert", 40): ("خبيرة الحوكمة الرقمية هـ (توضيحية)", "female"),
}
POOL_SIZES = {"minister": 59, "regulator": 56, "un-official": 36, "moderator": 24, "youth": 40, "expert": 195}
EXPERT_ROLES = ("civil-society", "private-sector", "academia", "technical-community")
COUNTRY_COUNT = 70


def country_code(index: int) -> str:
    """A, B, ..., Z, AA, AB, ...: plainly fictional countries."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class People:
    """Builds the invented speakers: role titles for office holders, made-up names for the rest."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used_names: set[str] = set()
        self.people: list[Person] = []
        self.country_region = {country_code(i): rng.choice(REGIONS) for i in range(COUNTRY_COUNT)}

    def build(self) -> list[Person]:
        regulator_countries = self.rng.sample(range(COUNTRY_COUNT), POOL_SIZES["regulator"])
        for pool, size in POOL_SIZES.items():
            for index in range(size):
                country = regulator_countries[index] if pool == "regulator" else index
                self.people.append(self._person(pool, index, country))
        return self.people

    def _person(self, pool: str, index: int, country: int) -> Person:
        rng = self.rng
        gender = _draw_gender(rng, female_share=0.35 if pool in ("minister", "regulator") else 0.5)
        code = country_code(country)
        person_id = f"sp-{len(self.people) + 1:03d}"
        if pool == "minister":
            title = CHAIR_TITLE if index == 0 else rng.choice(MINISTER_TITLES)
            name = f"H.E. {title}, Country {code} (illustrative)"
            person = Person(person_id, name, "minister", gender, False, None if index == 0 else 2, code,
                            chair=index == 0)
        elif pool == "regulator":
            name = f"{rng.choice(REGULATOR_TITLES)}, Country {code} (illustrative)"
            person = Person(person_id, name, "regulator", gender, False, 3, code)
        else:
            role = {"expert": rng.choice(EXPERT_ROLES), "youth": "youth-delegate"}.get(pool, pool)
            youth = pool == "youth" or (pool == "expert" and rng.random() < 0.08)
            limit = rng.choice((2, 3, None, None, None)) if pool in ("expert", "un-official") else None
            person = Person(person_id, self._invented_name(gender, youth), role, gender, youth, limit)
        if (pool, index) in NON_LATIN:
            person.name, person.gender = NON_LATIN[pool, index]
        return person

    def _invented_name(self, gender: str | None, youth: bool) -> str:
        rng = self.rng
        firsts = {"female": FIRST_F, "male": FIRST_M}.get(gender or "", FIRST_X)
        while True:
            name = f"{rng.choice(firsts)} {rng.choice(SURNAME_HEADS)}{rng.choice(SURNAME_TAILS)}"
            if not youth and rng.random() < 0.3:
                name = f"Dr. {name}"
            if name not in self.used_names:
                self.used_names.add(name)
                return name


def _draw_gender(rng: random.Random, female_share: float) -> str | None:
    roll = rng.random()
    if roll < 0.07:
        return None  # not declared
    if roll < 0.08:
        return "non-binary"
    return "female" if rng.random() < female_share else "male"


POOL_FILTERS: dict[str, Callable[[Person], bool]] = {
    "chair": lambda p: p.chair,
    "minister": lambda p: p.role == "minister" and not p.chair,
    "regulator": lambda p: p.role == "regulator",
    "un-official": lambda p: p.role == "un-official",
    "moderator": lambda p: p.role == "moderator",
    "youth": lambda p: p.role == "youth-delegate",
    "expert": lambda p: p.role in EXPERT_ROLES,
    "expert-female": lambda p: p.role in EXPERT_ROLES and p.gender == "female",
}
CAST_ORDER = ("ministerial-roundtable", "high-level-roundtable", "high-level-dialogue",
              "high-level-policy-session", "leaders-talkx", "country-workshop", "action-line-facilitation")
# Who speaks at the four public-fact ceremonies (all placeholders).
CEREMONY_CAST = (("chair", 1, 1), ("un-official", 2, 3))


def cast_speakers(drafts: list[Draft], people: list[Person], rng: random.Random,
                  country_region: dict[str, str]) -> None:
    rank = {family: i for i, family in enumerate(CAST_ORDER)}
    for draft in sorted(drafts, key=lambda d: (rank.get(d.family, len(rank)), d.start, d.id)):
        cast = CEREMONY_CAST if draft.public_fact else draft.spec.cast
        for pool, fewest, most in cast:
            for _ in range(rng.randint(fewest, most)):
                _add_speaker(draft, [p for p in people if POOL_FILTERS[pool](p)], rng)
        if draft.family == "country-workshop":
            _name_country_workshop(draft, people, country_region)
    _give_everyone_a_session(drafts, people)
    for draft in drafts:
        if draft.family not in ("ministerial-roundtable", "high-level-roundtable") and not draft.speakers:
            raise SampleError(f"{draft.id} has no speaker")


def _add_speaker(draft: Draft, pool: list[Person], rng: random.Random) -> bool:
    free = [p for p in pool if p.id not in draft.speakers and p.can_take(draft)]
    if not free:
        return False
    # The least busy first, with a little noise so that equal loads do not always pick the same person.
    chosen = min(free, key=lambda p: len(p.talks) + rng.random() * 1.5)
    chosen.talks.append((draft.start, draft.end))
    draft.speakers.append(chosen.id)
    return True


def _name_country_workshop(draft: Draft, people: list[Person], country_region: dict[str, str]) -> None:
    by_id = {p.id: p for p in people}
    minister = next((by_id[s] for s in draft.speakers if by_id[s].role == "minister"), None)
    if minister is None:
        raise SampleError(f"{draft.id}: no minister free for a country workshop")
    country = f"Country {minister.country}"
    draft.title = f"Country workshop: digital transformation in {country} (illustrative)"
    draft.organizers = (f"Government of {country} (illustrative)", "ITU")
    draft.region = country_region[minister.country or "A"]


OPEN_PANELS = ("thematic-workshop", "interactive-session", "knowledge-cafe", "country-workshop",
               "leaders-talkx", "youth", "prize-winners-showcase")


def _give_everyone_a_session(drafts: list[Draft], people: list[Person]) -> None:
    """A speaker nobody cast joins the smallest open panel they can make."""
    panels = [d for d in drafts if d.family in OPEN_PANELS and not d.optional]
    for person in people:
        if person.talks:
            continue
        fits = [d for d in panels if person.can_take(d) and (d.family != "youth" or person.youth)
                and (d.family != "prize-winners-showcase" or person.role in EXPERT_ROLES)]
        target = min(fits, key=lambda d: (len(d.speakers), d.start, d.id), default=None)
        if target is None:
            raise SampleError(f"no session for speaker {person.id}")
        person.talks.append((target.start, target.end))
        target.speakers.append(person.id)


def availability(person: Person, rng: random.Random) -> list[tuple[datetime, datetime]] | None:
    """Periods containing every planted talk: narrow for ministers, whole days for the others."""
    if person.chair:
        return [(d.at(d.open), d.at(d.close)) for d in DAYS]
    if person.max_days is None:
        return None
    days = person.days
    periods = [_day_period(day) for day in days]
    if person.role == "minister" and len(days) == 1 and rng.random() < 0.6:
        talks = sorted(person.talks)
        opens, closes = _day_period(days[0])
        early, late = (timedelta(minutes=rng.choice((0, 30, 60))) for _ in range(2))
        periods = [(max(opens, _floor_half_hour(talks[0][0]) - early),
                    min(closes, _ceil_half_hour(talks[-1][1]) + late))]
    elif len(days) < person.max_days and rng.random() < 0.4:
        index = next(i for i, d in enumerate(DAYS) if d.date == days[-1])
        spare = index + 1 if index + 1 < len(DAYS) else index - 1
        if DAYS[spare].date not in days:
            periods.append(_day_period(DAYS[spare].date))
    return sorted(periods)


def _day_spec(day: date) -> DaySpec:
    return next(d for d in DAYS if d.date == day)


def _day_period(day: date) -> tuple[datetime, datetime]:
    spec = _day_spec(day)
    return spec.at(spec.open), spec.at(spec.close)


def _floor_half_hour(moment: datetime) -> datetime:
    return moment.replace(minute=moment.minute // 30 * 30)


def _ceil_half_hour(moment: datetime) -> datetime:
    floored = _floor_half_hour(moment)
    return floored if floored == moment else floored + timedelta(minutes=30)


# ================================================================================================
# Constraints derived from the planted agenda
# ================================================================================================


def window_for(draft: Draft, rng: random.Random) -> tuple[datetime, datetime] | None:
    """A hard window that contains the planted time, or None for sessions that have none."""
    day, family = draft.day, draft.family
    if draft.fixed_start is not None:
        return None
    if draft.public_fact:
        return DAYS[MON].at(time(9, 0)), DAYS[MON].at(time(11, 45))
    if family in ("knowledge-cafe", "ministerial-roundtable", "high-level-roundtable",
                  "action-line-facilitators-meeting", "youth-outcome", "gender-outcome"):
        spec = DAYS[day]
        first, last = draft.spec.hours or (spec.open, spec.close)
        return spec.at(first), spec.at(last)
    if family in ("high-level-dialogue", "high-level-policy-session", "action-line-facilitation"):
        allowed = draft.spec.days
        first = max(allowed[0], day - rng.randint(0, 1))
        last = min(allowed[-1], day + rng.randint(0, 1))
        return _days_window(first, last)
    if family in ("youth", "youth-hackathon", "prize-winners-showcase"):
        return _days_window(draft.spec.days[0], draft.spec.days[-1])
    if family == "country-workshop" or (family == "thematic-workshop" and rng.random() < 0.2):
        return _days_window(day, day)
    return None


def _days_window(first: int, last: int) -> tuple[datetime, datetime]:
    return DAYS[first].at(DAYS[first].open), DAYS[last].at(DAYS[last].close)


def preferred_for(draft: Draft, rng: random.Random) -> list[tuple[datetime, datetime, int]]:
    """Soft wishes: high-level sessions like mornings, Leaders TalkX afternoons, some workshops a day."""
    family = draft.family
    if family in ("high-level-dialogue", "high-level-policy-session") and not draft.public_fact:
        return [(d.at(time(9, 0)), d.at(time(13, 0)), 3) for d in (DAYS[i] for i in draft.spec.days)]
    if family == "leaders-talkx":
        return [(DAYS[i].at(time(14, 0)), DAYS[i].at(DAYS[i].close), 2) for i in draft.spec.days]
    if family in ("thematic-workshop", "interactive-session") and rng.random() < 0.3:
        spec = DAYS[rng.randrange(len(DAYS))]
        return [(spec.at(spec.open), spec.at(spec.close), rng.choice((1, 2)))]
    return []


def remote_audience_for(draft: Draft, rng: random.Random) -> list[str]:
    if draft.region:
        return [draft.region]
    if draft.family in ("high-level-dialogue", "ministerial-roundtable") and not draft.public_fact:
        return ["africa", "arab-states", "europe"]
    if rng.random() < 0.4:
        return sorted(rng.sample(REGIONS, rng.randint(1, 2)), key=REGIONS.index)
    return []


# ================================================================================================
# Content: abstracts, affiliations, biographies, languages, e-mail addresses, translations
# ================================================================================================

# Content comes from a random stream of its own, so that adding or changing it leaves the planted
# agenda, the speakers and every constraint exactly as they were.
def content_rng(seed: int) -> random.Random:
    return random.Random(f"content-{seed}")


WSIS = "the World Summit on the Information Society (Geneva 2003, Tunis 2005)"
# The first paragraph of an abstract frames the session with public facts where there are any; the
# second describes the (invented) session and ends with the illustrative marker of its language.
CEREMONY_ABSTRACTS = {
    "Inaugural session: celebrating two decades of WSIS": (
        "The inaugural session opens the WSIS+20 High-Level Event, held at Palexpo in Geneva from 7 to 11 "
        "July 2025 and co-hosted by ITU and the Swiss Confederation. It marks twenty years since the World "
        "Summit on the Information Society, held in Geneva in 2003 and in Tunis in 2005.\n\n"
        "Opening statements by the hosts and the co-organisers (ITU, UNESCO, UNDP and UNCTAD). The "
        "speakers listed in this sample are placeholders (illustrative)."),
    "Handover of the Chair and appointment of the Chair of the WSIS+20 High-Level Event 2025": (
        "The outgoing Chair hands over, and the Chair of the WSIS+20 High-Level Event 2025 is appointed. "
        "The Chair presents the Chair's summary at the close of the event.\n\n"
        "A short plenary in Plenary Room C; the speakers listed are placeholders (illustrative)."),
    "WSIS Prizes 2025 Ceremony": (
        "The WSIS Prizes recognise projects that put the outcomes of the World Summit on the Information "
        "Society into practice, in categories that follow the WSIS Action Lines. The 2025 winners are "
        "announced at this ceremony.\n\nThe speakers and the prize winners in this sample are invented "
        "(illustrative)."),
    "Closing ceremony and presentation of the Chair's summary": (
        "The closing ceremony of the WSIS+20 High-Level Event, with the presentation of the Chair's "
        "summary. The event's outcomes feed into the UN General Assembly's overall review of the "
        "implementation of the WSIS outcomes in 2025.\n\n"
        "The time of the closing is approximate and the speakers in this sample are invented "
        "(illustrative)."),
}
# A few French and Spanish translations, and English ones of the French and Spanish titles.
TRANSLATIONS = {
    "Inaugural session: celebrating two decades of WSIS": {
        "fr": {"title": "Séance inaugurale : vingt ans du SMSI",
               "abstract": (
                   "La séance inaugurale ouvre la manifestation de haut niveau SMSI+20, qui se tient à "
                   "Palexpo, à Genève, du 7 au 11 juillet 2025, accueillie conjointement par l'UIT et la "
                   "Confédération suisse. Elle marque les vingt ans du Sommet mondial sur la société de "
                   "l'information, tenu à Genève en 2003 et à Tunis en 2005.\n\n"
                   "Déclarations d'ouverture des hôtes et des coorganisateurs (UIT, UNESCO, PNUD et "
                   "CNUCED). Les intervenants indiqués dans cet exemple sont fictifs (illustratif).")},
        "es": {"title": "Sesión inaugural: dos décadas de la CMSI",
               "abstract": (
                   "La sesión inaugural abre el Evento de Alto Nivel CMSI+20, que se celebra en Palexpo, "
                   "en Ginebra, del 7 al 11 de julio de 2025, acogido conjuntamente por la UIT y la "
                   "Confederación Suiza. Marca veinte años de la Cumbre Mundial sobre la Sociedad de la "
                   "Información, celebrada en Ginebra en 2003 y en Túnez en 2005.\n\n"
                   "Declaraciones de apertura de los anfitriones y los coorganizadores (UIT, UNESCO, PNUD "
                   "y UNCTAD). Los oradores de este ejemplo son ficticios (ilustrativo).")},
    },
    "Handover of the Chair and appointment of the Chair of the WSIS+20 High-Level Event 2025": {
        "fr": {"title": "Passation de la présidence et nomination du Président de la manifestation de haut "
                        "niveau SMSI+20 2025"},
        "es": {"title": "Traspaso de la presidencia y nombramiento de la Presidencia del Evento de "
                        "Alto Nivel CMSI+20 2025"},
    },
    "WSIS Prizes 2025 Ceremony": {
        "fr": {"title": "Cérémonie de remise des Prix SMSI 2025"},
        "es": {"title": "Ceremonia de los Premios CMSI 2025"},
    },
    "Closing ceremony and presentation of the Chair's summary": {
        "fr": {"title": "Cérémonie de clôture et présentation du résumé du Président",
               "abstract": (
                   "Cérémonie de clôture de la manifestation de haut niveau SMSI+20, avec la présentation "
                   "du résumé du Président. Les résultats de la manifestation alimentent l'examen "
                   "d'ensemble, par l'Assemblée générale des Nations Unies, de la mise en œuvre des "
                   "textes issus du SMSI en 2025.\n\n"
                   "L'heure de la clôture est approximative et les intervenants de cet exemple sont "
                   "fictifs (illustratif).")},
        "es": {"title": "Ceremonia de clausura y presentación del resumen de la Presidencia",
               "abstract": (
                   "Ceremonia de clausura del Evento de Alto Nivel CMSI+20, con la presentación del "
                   "resumen de la Presidencia. Los resultados del evento contribuyen al examen general "
                   "que la Asamblea General de las Naciones Unidas hace en 2025 de la aplicación de los "
                   "resultados de la CMSI.\n\nLa hora de la clausura es aproximada y los oradores de este "
                   "ejemplo son ficticios (ilustrativo).")},
    },
    "Café du savoir : la francophonie numérique": {
        "en": {"title": "Knowledge Cafe: the digital French-speaking world"}},
    "Café del conocimiento: gobierno digital": {"en": {"title": "Knowledge Cafe: digital government"}},
}
# Abstracts of sessions whose titles are in French or Spanish, in the same language.
OWN_LANGUAGE_ABSTRACTS = {
    "Café du savoir : la francophonie numérique": (
        "Les cafés du savoir sont des conversations informelles en petits groupes, à l'heure du déjeuner. "
        "Thème : la place du français et des contenus locaux sur l'internet.\n\n"
        "Les tables changent toutes les vingt minutes ; les animateurs sont fictifs (illustratif)."),
    "Café del conocimiento: gobierno digital": (
        "Los cafés del conocimiento son conversaciones informales en grupos pequeños, a la hora del "
        "almuerzo. Tema: servicios públicos digitales centrados en las personas.\n\n"
        "Las mesas cambian cada veinte minutos; los anfitriones son ficticios (ilustrativo)."),
    "Inclusion numérique en Afrique francophone": (
        "Atelier consacré à l'inclusion numérique en Afrique francophone : connectivité, compétences et "
        "contenus locaux, en lien avec les grandes orientations du SMSI.\n\n"
        "Le programme de cet atelier est fictif (illustratif)."),
    "Conectividad significativa en América Latina y el Caribe": (
        "Taller sobre la conectividad significativa en América Latina y el Caribe: acceso asequible, "
        "habilidades y contenidos locales, en relación con las líneas de acción de la CMSI.\n\n"
        "El programa de este taller es ficticio (ilustrativo)."),
}
FORMAT_NOTES = {
    "high-level-dialogue": "A moderated dialogue with questions from the floor and from remote participants",
    "high-level-policy-session": "Statements by ministers and heads of delegation, then a moderated exchange",
    "leaders-talkx": "Thirty minutes, three or four speakers, no slides",
    "ministerial-roundtable": "A roundtable under the Chair, with interpretation into the six UN languages",
    "high-level-roundtable": "A roundtable of heads of regulatory authorities",
    "action-line-facilitation": "Reports from the facilitators, then an open discussion",
    "action-line-facilitators-meeting": "A working meeting of the facilitators",
    "thematic-workshop": "Short presentations of practice, then discussion in groups",
    "country-workshop": "A presentation by the government, then questions",
    "knowledge-cafe": "Tables rotate every twenty minutes",
    "youth": "Led by young people, open to all",
    "youth-hackathon": "Teams pitch for five minutes each; a jury of mentors gives feedback",
    "youth-outcome": "The statement is read and handed over to the Chair",
    "gender": "A panel, then questions from the floor and online",
    "gender-outcome": "A dialogue on what the track recommends",
    "prize-winners-showcase": "Each project has ten minutes",
    "interactive-session": "Open to all participants, on site and online",
    "side-event": "A short side event",
}


def session_abstract(draft: Draft) -> str:
    """An abstract for the session: public facts first where there are any, the invented part marked."""
    if draft.title in CEREMONY_ABSTRACTS:
        return CEREMONY_ABSTRACTS[draft.title]
    if draft.title in OWN_LANGUAGE_ABSTRACTS:
        return OWN_LANGUAGE_ABSTRACTS[draft.title]
    topic = draft.title.split(": ", 1)[-1]
    family = draft.family
    if family == "high-level-dialogue":
        intro = (f"{topic}: ministers, heads of UN entities and leaders from business, civil society and the "
                 f"technical and academic communities discuss what twenty years of {WSIS} have achieved, and "
                 "what comes next.")
    elif family == "high-level-policy-session":
        intro = ("High-level policy sessions bring the views of governments and stakeholders on one theme "
                 f"into the WSIS+20 review. This one is on {_lower_first(topic)}.")
    elif family == "leaders-talkx":
        intro = ("Leaders TalkX are short high-level panels moderated by High-Level Track Facilitators. "
                 f"This one is on {_lower_first(topic)}.")
    elif family == "ministerial-roundtable":
        intro = ("Ministers and heads of delegation discuss the WSIS process beyond 2025, and how the WSIS "
                 "Action Lines and the Global Digital Compact, adopted by the UN General Assembly in "
                 "September 2024, can be implemented together.")
    elif family == "action-line-facilitation":
        intro = (f"Action Line {draft.tracks[0]} of the Geneva Plan of Action (2003): {topic}. Its "
                 "facilitators and stakeholders review progress since the Summit and the priorities after "
                 "WSIS+20.")
    elif family == "action-line-facilitators-meeting":
        intro = ("The facilitators of the WSIS Action Lines take stock of the week's facilitation meetings "
                 "and of the follow-up to the WSIS outcomes.")
    elif family == "prize-winners-showcase":
        intro = f"Projects recognised by the WSIS Prizes 2025 in the category {topic} present their work."
    elif family == "country-workshop":
        intro = (f"{topic[:1].upper()}{topic[1:]}: a national digital transformation strategy and how the "
                 "WSIS Action Lines shaped it.")
    elif family in ("youth", "youth-hackathon", "youth-outcome"):
        intro = (f"Part of the youth track, where young people from every region take part in the WSIS+20 "
                 f"review: {_lower_first(topic)}.")
    elif family in ("gender", "gender-outcome"):
        intro = ("Gender Trendsetters sessions are about closing the gender digital divide: "
                 f"{_lower_first(topic)}.")
    elif family == "knowledge-cafe":
        intro = f"Knowledge Cafes are informal conversations in small groups over lunch. Topic: {topic}."
    elif family == "thematic-workshop":
        intro = (f"A workshop on {_lower_first(draft.title)}, organised by {' and '.join(draft.organizers)}: "
                 "practitioners share what has worked, the tools they used and the questions still open.")
    elif family == "interactive-session":
        intro = f"{draft.title}: an interactive session organised by {' and '.join(draft.organizers)}."
    else:
        intro = f"{draft.title}."
    return f"{intro}\n\n{FORMAT_NOTES[family]}; the programme and speakers are invented (illustrative)."


def _lower_first(text: str) -> str:
    """'Digital health' -> 'digital health', keeping acronyms and names ('AI for ...', 'WSIS ...')."""
    first = text.split(" ", 1)[0]
    return text if first.isupper() or first[1:] != first[1:].lower() else text[:1].lower() + text[1:]


# Speakers' organisations are invented: a fictional person is never tied to a real organisation.
ORGANISATIONS = {
    "un-official": ("UN Office for Digital Development (illustrative)",
                    "International Agency for Connectivity (illustrative)",
                    "UN Programme on Digital Skills (illustrative)"),
    "moderator": ("Global Public Broadcaster (illustrative)", "Independent journalist (illustrative)"),
    "youth-delegate": ("International Student Network (illustrative)", "Youth IGF chapter (illustrative)"),
    "civil-society": ("Digital Commons Alliance (illustrative)", "Civic Tech Collective (illustrative)",
                      "Rights Online Network (illustrative)"),
    "private-sector": ("Northwind Networks (illustrative)", "Open Cloud Systems (illustrative)",
                       "Satellite Access Ltd (illustrative)"),
    "academia": ("Institute for Information Society Studies (illustrative)",
                 "University of Country K (illustrative)"),
    "technical-community": ("Open Networks Institute (illustrative)",
                            "Regional Internet Exchange Association (illustrative)"),
}
BIOS = {
    "minister": "In office since {year}. Leads the national digital policy, including broadband and digital "
                "government (illustrative).",
    "regulator": "Heads the national communications regulator since {year}: spectrum, competition "
                 "and consumer protection (illustrative).",
    "un-official": "Has worked on digital development programmes in the UN system since {year} "
                   "(illustrative).",
    "moderator": "Journalist, moderating international policy debates since {year} (illustrative).",
    "youth-delegate": "Student and youth advocate for meaningful connectivity (illustrative).",
    "civil-society": "Works with community organisations on digital rights and inclusion since {year} "
                     "(illustrative).",
    "private-sector": "Leads public policy for a network operator since {year} (illustrative).",
    "academia": "Researches the social effects of information and communication technologies (illustrative).",
    "technical-community": "Network engineer, active in Internet standards and exchange points since {year} "
                           "(illustrative).",
}
# Office holders who speak French or Spanish have their biography and affiliation translated.
TRANSLATED_BIOS = {
    ("minister", "fr"): ("En fonction depuis {year}. Dirige la politique numérique nationale, notamment le "
                         "haut débit et l'administration numérique (illustratif).",
                         "Gouvernement du pays {code} (illustratif)"),
    ("minister", "es"): ("En el cargo desde {year}. Dirige la política digital nacional, incluidos la banda "
                         "ancha y el gobierno digital (ilustrativo).",
                         "Gobierno del país {code} (ilustrativo)"),
    ("regulator", "fr"): ("Dirige depuis {year} l'autorité nationale de régulation des "
                          "communications : spectre, concurrence et protection des consommateurs "
                          "(illustratif).",
                          "Autorité de régulation des communications, pays {code} (illustratif)"),
    ("regulator", "es"): ("Preside desde {year} el organismo regulador nacional de las "
                          "comunicaciones: espectro, competencia y protección del consumidor (ilustrativo).",
                          "Regulador de las comunicaciones, país {code} (ilustrativo)"),
}
SCRIPT_LANGUAGES = (("\u0600", "\u06ff", "ar"), ("\u4e00", "\u9fff", "zh"), ("\u0400", "\u04ff", "ru"))


def speaker_content(person: Person, rng: random.Random) -> dict[str, Any]:
    """Affiliation, language, an illustrative e-mail for some, a biography, and translations for a few."""
    code = person.country or ""
    affiliation = {
        "minister": f"Government of Country {code} (illustrative)",
        "regulator": f"Communications regulator, Country {code} (illustrative)",
    }.get(person.role) or rng.choice(ORGANISATIONS[person.role])
    scripts = (lang for low, high, lang in SCRIPT_LANGUAGES if any(low <= c <= high for c in person.name))
    language = next(scripts, None) or rng.choices(("en", "fr", "es"), (94, 4, 2))[0]
    year = rng.randint(2012, 2024)
    content: dict[str, Any] = {"affiliation": affiliation, "language": language}
    if rng.random() < 0.35:
        # example.org is reserved for examples (RFC 2606): these addresses reach nobody.
        invented_name = person.name.isascii() and "(" not in person.name
        local = person.name.lower().removeprefix("dr. ").replace(" ", ".") if invented_name else person.id
        content["email"] = f"{local}@example.org"
    content["bio"] = BIOS[person.role].format(year=year)
    if (person.role, language) in TRANSLATED_BIOS:
        bio, translated_affiliation = TRANSLATED_BIOS[person.role, language]
        content["translations"] = {language: {"bio": bio.format(year=year),
                                              "affiliation": translated_affiliation.format(code=code)}}
    return content


# ================================================================================================
# Serialisation
# ================================================================================================


def problem_document(drafts: list[Draft], people: list[Person], rng: random.Random,
                     content: random.Random) -> dict[str, Any]:
    return {
        "format": "agenda-problem/1",
        "event": {"name": "WSIS+20 High-Level Event 2025", "venue": "Palexpo, Geneva",
                  "timezone": "Europe/Zurich"},
        "notes": ("Sample built by data/build_sample.py. Dates, venue, session kinds and the co-location "
                  "with the AI for Good Global Summit are public facts; every speaker, every session marked "
                  "illustrative, room capacities and room loans are invented. See data/README.md."),
        "calendar": {
            "granularity_minutes": GRID,
            "changeover_minutes": CHANGEOVER,
            "days": [_day_document(d) for d in DAYS],
        },
        "rooms": [_room_document(r) for r in ROOMS],
        "speakers": [_speaker_document(p, rng, content) for p in people],
        "sessions": [_session_document(d, rng) for d in drafts],
        "rules": {"no_overlap": [
            {"sessions": [d.id for d in drafts if name in d.groups], "reason": reason}
            for name, reason in GROUPS.items()
        ]},
    }


def _day_document(spec: DaySpec) -> dict[str, Any]:
    breaks = [{"start": f"{s:%H:%M}", "end": f"{e:%H:%M}", "label": label} for s, e, label in spec.breaks]
    return {"date": spec.date.isoformat(), "open": f"{spec.open:%H:%M}", "close": f"{spec.close:%H:%M}",
            "breaks": breaks}


def _room_document(room: RoomSpec) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": room.id, "name": room.name, "capacity": room.capacity,
                           "features": list(room.features), "interpretation_booths": room.booths}
    if room.unavailable:
        doc["unavailable"] = [{"start": stamp(DAYS[d].at(s)), "end": stamp(DAYS[d].at(e)), "reason": why}
                              for d, s, e, why in room.unavailable]
    doc[ILLUSTRATIVE] = True
    return doc


def _speaker_document(person: Person, rng: random.Random, content: random.Random) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": person.id, "name": person.name, **speaker_content(person, content),
                           "role": person.role}
    if person.gender is not None:
        doc["gender"] = person.gender
    doc["youth"] = person.youth
    periods = availability(person, rng)
    if periods is not None:
        doc["available"] = [{"start": stamp(s), "end": stamp(e)} for s, e in periods]
    if person.chair:
        doc["chair"] = True
    doc[ILLUSTRATIVE] = True
    return doc


def _session_document(draft: Draft, rng: random.Random) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": draft.id, "title": draft.title, "abstract": session_abstract(draft),
                           "type": session_type(draft),
                           "duration_minutes": draft.duration, "expected_attendance": draft.attendance,
                           "requires": list(draft.requires)}
    if draft.interpretation:
        doc["interpretation"] = list(draft.interpretation)
    doc["speakers"] = list(draft.speakers)
    doc["organizers"] = list(draft.organizers)
    if draft.tracks:
        doc["tracks"] = list(draft.tracks)
    fixed = _fixed_for(draft, rng)
    if fixed:
        doc["fixed"] = fixed
    window = window_for(draft, rng)
    if window:
        doc["window"] = {"earliest": stamp(window[0]), "latest": stamp(window[1])}
    preferred = preferred_for(draft, rng)
    if preferred:
        doc["preferred"] = [{"start": stamp(s), "end": stamp(e), "weight": w} for s, e, w in preferred]
    remote = remote_audience_for(draft, rng)
    if remote:
        doc["remote_audience"] = remote
    if draft.after:
        doc["after"] = list(draft.after)
    if draft.optional:
        doc["optional"] = True
    if draft.title in TRANSLATIONS:
        doc["translations"] = TRANSLATIONS[draft.title]
    doc[ILLUSTRATIVE] = not draft.public_fact
    return doc


def _fixed_for(draft: Draft, rng: random.Random) -> dict[str, str]:
    fixed: dict[str, str] = {}
    # A few workshop organisers have booked their room themselves.
    booked = draft.family == "thematic-workshop" and rng.random() < 0.05
    if draft.fixed_room or booked:
        fixed["room"] = draft.room
    if draft.fixed_start:
        fixed["start"] = stamp(draft.start)
    return fixed


def schedule_document(drafts: list[Draft]) -> dict[str, Any]:
    placed = sorted(drafts, key=lambda d: (d.start, d.room, d.id))
    return {
        "format": "agenda-schedule/1",
        "status": "feasible",
        "notes": "The agenda planted by data/build_sample.py: one feasible answer, not an optimised one.",
        "assignments": [{"session": d.id, "room": d.room, "start": stamp(d.start), "end": stamp(d.end)}
                        for d in placed],
        "unscheduled": [],
        "conflicts": [],
    }


# ================================================================================================
# Independent check of every hard rule, on the documents exactly as written
# ================================================================================================


def hard_rule_violations(problem: dict[str, Any], schedule: dict[str, Any]) -> list[str]:
    """Every hard rule of agenda-problem/1 the schedule breaks, one message each (empty: valid).

    Deliberately shares nothing with the planting code above: it reads only the two documents.
    """
    sessions = {s["id"]: s for s in problem["sessions"]}
    rooms = {r["id"]: r for r in problem["rooms"]}
    speakers = {s["id"]: s for s in problem["speakers"]}
    calendar = problem["calendar"]
    days = {d["date"]: d for d in calendar["days"]}
    placed: dict[str, tuple[str, datetime, datetime]] = {}
    errors: list[str] = []
    for a in schedule["assignments"]:
        if a["session"] in placed or a["session"] not in sessions or a["room"] not in rooms:
            errors.append(f"{a['session']}: duplicate or unknown session/room {a['room']}")
            continue
        placed[a["session"]] = (a["room"], _parse(a["start"]), _parse(a["end"]))
    errors += [f"{sid}: mandatory but not placed" for sid, s in sessions.items()
               if sid not in placed and not s.get("optional", False)]
    for sid, (room_id, start, end) in placed.items():
        errors += [f"{sid}: {e}" for e in _single_session_errors(
            sessions[sid], rooms[room_id], room_id, start, end, days, calendar["granularity_minutes"],
            speakers, placed)]
    errors += _pairwise_errors(placed, sessions, calendar.get("changeover_minutes", 0),
                               problem.get("rules", {}).get("no_overlap", []))
    return errors


def _parse(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M")


def _single_session_errors(session: dict[str, Any], room: dict[str, Any], room_id: str, start: datetime,
                           end: datetime, days: dict[str, Any], grid: int, speakers: dict[str, Any],
                           placed: dict[str, tuple[str, datetime, datetime]]) -> Iterable[str]:
    if end - start != timedelta(minutes=session["duration_minutes"]):
        yield "wrong duration"
    day = days.get(start.date().isoformat())
    if day is None:
        yield "not on an event day"
        return
    opens, closes = (_parse(f"{day['date']}T{day[k]}") for k in ("open", "close"))
    if start < opens or end > closes or minutes_between(opens, start) % grid:
        yield "outside the day or off the grid"
    for b in day.get("breaks", []):
        if start < _parse(f"{day['date']}T{b['end']}") and _parse(f"{day['date']}T{b['start']}") < end:
            yield f"runs into the break {b['label']}"
    if room["capacity"] < session.get("expected_attendance", 0):
        yield "room too small"
    if not set(session.get("requires", [])) <= set(room.get("features", [])):
        yield "room lacks a required feature"
    if room.get("interpretation_booths", 0) < len(session.get("interpretation", [])):
        yield "too few interpretation booths"
    for u in room.get("unavailable", []):
        if start < _parse(u["end"]) and _parse(u["start"]) < end:
            yield f"room unavailable: {u['reason']}"
    for sp in session.get("speakers", []):
        if sp not in speakers:
            yield f"unknown speaker {sp}"
            continue
        periods = speakers[sp].get("available")
        if periods is not None and not any(_parse(p["start"]) <= start and end <= _parse(p["end"])
                                           for p in periods):
            yield f"speaker {sp} not available"
    fixed = session.get("fixed", {})
    if fixed.get("room", room_id) != room_id or ("start" in fixed and _parse(fixed["start"]) != start):
        yield "fixed room or start not kept"
    window = session.get("window", {})
    if ("earliest" in window and start < _parse(window["earliest"])) or (
            "latest" in window and end > _parse(window["latest"])):
        yield "outside its window"
    for before in session.get("after", []):
        if before in placed and placed[before][2] > start:
            yield f"starts before {before} ends"


def _pairwise_errors(placed: dict[str, tuple[str, datetime, datetime]], sessions: dict[str, Any],
                     changeover: int, groups: list[dict[str, Any]]) -> list[str]:
    errors = []
    gap = timedelta(minutes=changeover)
    items = sorted(placed.items(), key=lambda kv: kv[1][1])
    for i, (a, (room_a, _start_a, end_a)) in enumerate(items):
        for b, (room_b, start_b, _end_b) in items[i + 1:]:
            if start_b >= end_a + gap:
                break
            if room_a == room_b:
                errors.append(f"{a} and {b}: same room {room_a} without the changeover")
            if start_b < end_a:
                shared = set(sessions[a].get("speakers", [])) & set(sessions[b].get("speakers", []))
                errors += [f"{a} and {b}: speaker {sp} in both" for sp in sorted(shared)]
                errors += [f"{a} and {b}: no_overlap group {g.get('reason', '')}" for g in groups
                           if a in g["sessions"] and b in g["sessions"]]
    return errors


# ================================================================================================
# Main
# ================================================================================================


def build(seed: int = SEED) -> tuple[dict[str, Any], dict[str, Any]]:
    """The sample problem and its planted schedule, as JSON-ready documents."""
    rng = random.Random(seed)
    drafts = plant_some_catalogue(rng)
    people_builder = People(rng)
    people = people_builder.build()
    cast_speakers(drafts, people, rng, people_builder.country_region)
    problem = problem_document(drafts, people, rng, content_rng(seed))
    schedule = schedule_document(drafts)
    # Check what will be written, not the objects it came from.
    problem, schedule = json.loads(dumps(problem)), json.loads(dumps(schedule))
    errors = hard_rule_violations(problem, schedule) + project_violations(problem, schedule)
    if errors:
        raise SampleError("the planted agenda breaks hard rules:\n  " + "\n  ".join(errors[:20]))
    return problem, schedule


def project_violations(problem: dict[str, Any], schedule: dict[str, Any]) -> list[str]:
    """What the project's file reader and checker say about the sample (empty: all clear)."""
    # Imported here: run as a script, the project root only joins sys.path in __main__ below.
    from scheduler.check import check
    from scheduler.problem_file import ProblemFileError, parse_problem
    from scheduler.schedule_file import parse_schedule

    try:
        parsed = parse_problem(problem)
        report = check(parsed, parse_schedule(schedule, parsed))
    except ProblemFileError as error:
        return [f"the project's reader rejects the sample: {error}"]
    return [f"scheduler.check: {v.message}" for v in report.violations]


def solve_and_check(problem: dict[str, Any], seconds: float) -> tuple[Schedule, CheckReport]:
    """The solver's agenda for the sample within `seconds`, and the checker's report on it."""
    from scheduler.check import check
    from scheduler.problem_file import parse_problem
    from solver import SolveOptions, solve

    parsed = parse_problem(problem)
    schedule = solve(parsed, SolveOptions(time_limit=seconds))
    return schedule, check(parsed, schedule)


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; these are ordinary repository files
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    parser.add_argument("--out-dir", type=Path, default=Path(__file__).resolve().parent,
                        help="where to write the two files (default: this script's folder)")
    parser.add_argument("--solve", type=float, metavar="SECONDS",
                        help="then run the solver for up to SECONDS and check its agenda")
    args = parser.parse_args(argv)
    if not args.out_dir.is_dir():
        print(f"error: --out-dir {args.out_dir} is not a directory", file=sys.stderr)
        return 2
    if args.solve is not None and args.solve <= 0:
        print("error: --solve needs a positive number of seconds", file=sys.stderr)
        return 2
    try:
        problem, schedule = build(args.seed)
    except SampleError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    write_atomically(args.out_dir / PROBLEM_NAME, dumps(problem))
    write_atomically(args.out_dir / SCHEDULE_NAME, dumps(schedule))
    print(f"wrote {len(problem['sessions'])} sessions, {len(problem['speakers'])} speakers, "
          f"{len(problem['rooms'])} rooms to {args.out_dir}")
    return 0 if args.solve is None else _report_solve(problem, args.solve)


def _report_solve(problem: dict[str, Any], seconds: float) -> int:
    schedule, report = solve_and_check(problem, seconds)
    print(f"solver: {schedule.status} in {schedule.solve_seconds or 0:.1f} s, "
          f"objective {schedule.objective}, bound {schedule.bound}, {len(schedule.assignments)} placed, "
          f"{len(schedule.unscheduled)} left out; checker: {len(report.violations)} broken rules")
    for violation in report.violations[:10]:
        print(f"  {violation.message}", file=sys.stderr)
    return 0 if schedule.status in ("optimal", "feasible") and report.valid else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
