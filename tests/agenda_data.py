"""A small event for tests of the public site, its agendas, and helpers to publish them.

Two days, three rooms and five sessions, one with a hostile title (HTML, quotes, Arabic, Chinese,
Russian, a newline) and a speaker with a hostile name; the opening has an abstract and its speaker
an affiliation, a biography, a photo and a private e-mail address. PUBLISHED is the first published agenda,
DRAFT a draft saved after it (moves s-c1, places s-later), REPLAN a next version to publish (moves
s-c1, drops the optional s-hostile, adds the optional s-later). The fixtures that load them are in
`tests/agenda_fixtures.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import Engine

from scheduler.agenda import find_event
from scheduler.db import transaction
from scheduler.versions import publish_schedule
from solver.domain import (
    Assignment,
    Break,
    Calendar,
    Day,
    Event,
    Problem,
    Room,
    Schedule,
    Session,
    Speaker,
)

HOSTILE_TITLE = '<script>alert("x")</script> & "quoted" \'single\' — مرحبا 你好 Привет\nsecond line'
HOSTILE_SPEAKER = 'Dr <b>Bold</b> O\'Brien & "Sons"'
DRAFT_ONLY_TITLE = "Secret draft-only session"
PUBLISHED_AT = datetime(2025, 6, 1, 10, 0)  # UTC
UN_LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")
# What the public reads about s-open and sp-1 (markup in it must stay text), and the private host of
# the speakers' e-mail addresses, which no public page, feed, export or API response may name.
ABSTRACT = 'Welcome to the <b>Summit</b> & its "first" day.\n\nSecond paragraph: مرحبا بكم.'
AFFILIATION = "Ministry of ICT & Innovation, Country A"
BIO = "Minister since 2023.\n\nChairs the <national> broadband council."
PHOTO = "https://photos.example.org/amina-hassan.jpg"
PRIVATE_MAIL_HOST = "speakers-private.example.org"


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 7, day, hour, minute)


SMALL_PROBLEM = Problem(
    event=Event(name="Test Summit 2025", timezone="Europe/Zurich", venue="Palexpo, Geneva"),
    calendar=Calendar(
        granularity_minutes=15,
        changeover_minutes=0,
        days=(
            Day(date(2025, 7, 8), time(9), time(18), breaks=(Break(time(12, 30), time(13, 30), "Lunch"),)),
            Day(date(2025, 7, 9), time(9), time(18)),
        ),
    ),
    rooms=(
        Room("room-a", "Plenary Room A", 800, features=("hybrid", "captioning"), interpretation_booths=6),
        Room("room-b", "Room B", 120, features=("hybrid",), interpretation_booths=2),
        Room("room-k", "Workshop Room K", 40),
    ),
    speakers=(
        Speaker(
            "sp-1",
            "H.E. Amina Hassan",
            role="minister",
            affiliation=AFFILIATION,
            bio=BIO,
            photo=PHOTO,
            email="amina.hassan@" + PRIVATE_MAIL_HOST,
            language="fr",
            translations={"fr": {"bio": "Ministre depuis 2023."}},
        ),
        Speaker("sp-2", "Li Wei 李伟", role="regulator", email="li.wei@" + PRIVATE_MAIL_HOST),
        Speaker("sp-3", "Иван Петров", role="academia"),
        Speaker("sp-4", HOSTILE_SPEAKER, role="civil society"),
    ),
    sessions=(
        Session(
            "s-open",
            "Opening ceremony",
            60,
            type="ceremony",
            interpretation=UN_LANGUAGES,
            speakers=("sp-1",),
            organizers=("ITU",),
            tracks=("WSIS+20 review",),
            requires=("hybrid",),
            abstract=ABSTRACT,
            translations={"fr": {"title": "Cérémonie d'ouverture"}},
        ),
        Session(
            "s-c1",
            "Action Line C1: the role of governments",
            45,
            type="high-level dialogue",
            interpretation=("en", "fr"),
            speakers=("sp-2", "sp-3"),
            organizers=("UNESCO",),
            tracks=("C1",),
        ),
        Session(
            "s-hostile",
            HOSTILE_TITLE,
            90,
            type="workshop",
            speakers=("sp-4", "sp-2"),
            optional=True,
            organizers=("<i>Org</i> & Co",),
            tracks=("C2", "C10"),
        ),
        Session(
            "s-close",
            "Closing plenary",
            30,
            type="ceremony",
            speakers=("sp-1",),
            tracks=("WSIS+20 review",),
            interpretation=UN_LANGUAGES,
        ),
        Session("s-later", DRAFT_ONLY_TITLE, 30, type="workshop", tracks=("C1",), optional=True),
    ),
)

PUBLISHED = Schedule(
    status="feasible",
    assignments=(
        Assignment("s-open", "room-a", _at(8, 10), _at(8, 11)),
        Assignment("s-c1", "room-b", _at(8, 10), _at(8, 10, 45)),
        Assignment("s-hostile", "room-k", _at(8, 14), _at(8, 15, 30)),
        Assignment("s-close", "room-a", _at(9, 16), _at(9, 16, 30)),
    ),
)

DRAFT = Schedule(
    status="feasible",
    assignments=(
        *(a for a in PUBLISHED.assignments if a.session != "s-c1"),
        Assignment("s-c1", "room-b", _at(9, 11), _at(9, 11, 45)),
        Assignment("s-later", "room-k", _at(9, 9), _at(9, 9, 30)),
    ),
)


# A re-plan to publish as the next version: s-c1 moves to the second day, the hostile session is
# dropped (cancelled) and the optional s-later is added.
REPLAN = Schedule(
    status="feasible",
    assignments=(
        *(a for a in PUBLISHED.assignments if a.session not in ("s-c1", "s-hostile")),
        Assignment("s-c1", "room-b", _at(9, 11), _at(9, 11, 45)),
        Assignment("s-later", "room-k", _at(9, 9), _at(9, 9, 30)),
    ),
)
REPLANNED_AT = datetime(2025, 6, 20, 8, 30)  # UTC


def publish_next(engine: Engine, schedule: Schedule, now: datetime = REPLANNED_AT) -> int:
    """Publish `schedule` as the only event's next version; returns its number."""
    with transaction(engine) as db:
        return publish_schedule(db, find_event(db), schedule, now=now).number


@dataclass(frozen=True)
class PublishedEvent:
    event_id: int
    slug: str
    version: int
