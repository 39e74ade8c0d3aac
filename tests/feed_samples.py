"""Published entries for testing the feed builders: in memory, or the whole sample event in a database.

The rows are real (transient) ORM objects wrapped as `scheduler.effective.AgendaEntry` (with the
day's facts when a test gives them), so the builders see exactly what the web app passes them.
`HOSTILE` strings carry everything that must survive escaping: markup, quotes, iCalendar's
`,;\\`, newlines and right-to-left, CJK and Cyrillic text long enough to be folded mid-character;
the panel has an abstract and the first speaker a biography and a photo.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from itertools import count

from sqlalchemy import Engine

from scheduler.db import transaction
from scheduler.effective import AgendaEntry, agenda_entry
from scheduler.models import Day, Event, LiveState, PublishedEntry, Room, Session, SessionSpeaker, Speaker
from scheduler.problem_file import load_problem
from scheduler.schedule_file import load_schedule
from scheduler.store import import_problem
from scheduler.versions import publish_schedule
from solver.domain import Problem, Schedule
from tests.conftest import REPO_ROOT, SAMPLE_PROBLEM

PLANTED_SCHEDULE = REPO_ROOT / "data" / "wsis20-2025.planted.schedule.json"

HOSTILE_TITLE = (
    '<script>alert("x")</script> & \'quotes\', commas; semi\\colons\n'
    "second line: الحوار العالمي بشأن الذكاء الاصطناعي 人工智能治理 Управление ИИ"
)
HOSTILE_NAME = 'Dr. "Quote", O\'Brien; <b>Jr.</b>\\ 王小明 Ирина Петрова عائشة'
HOSTILE_ROOM = "Room <C>, \"left\"; wing\\2"
HOSTILE_TRACK = "AI, ethics; & <governance>\\"
# An abstract and a biography in paragraphs, with what XML, JSON and iCalendar must escape.
HOSTILE_ABSTRACT = 'Why <e-health> & "C7", now; a\\b.\n\nSecond paragraph:\tالصحة الرقمية 数字健康.'
HOSTILE_BIO = "Physician & <b>regulator</b>.\n\nОпыт: 20 лет."

_ids = count(1)


@dataclass
class Sample:
    """An event with rooms, speakers and sessions; `entry` publishes a session at a time."""

    timezone: str = "Europe/Zurich"
    days: tuple[date, ...] = (date(2025, 7, 7), date(2025, 7, 8))
    event: Event = field(init=False)

    def __post_init__(self) -> None:
        self.event = Event(
            id=next(_ids),
            slug="wsis-2025",
            name="WSIS+20 High-Level Event 2025",
            venue="Palexpo, Geneva",
            timezone=self.timezone,
            granularity_minutes=15,
            imported_at=datetime(2025, 5, 1, 8, 0),
            days=[Day(position=i, date=d, open=time(9), close=time(18, 30)) for i, d in enumerate(self.days)],
            rooms=[],
            speakers=[],
            sessions=[],
        )

    def room(self, key: str, name: str) -> Room:
        row = Room(id=next(_ids), key=key, name=name, position=len(self.event.rooms), capacity=100)
        self.event.rooms.append(row)
        return row

    def speaker(self, key: str, name: str) -> Speaker:
        row = Speaker(id=next(_ids), key=key, name=name, position=len(self.event.speakers))
        self.event.speakers.append(row)
        return row

    def session(self, key: str, title: str, speakers: tuple[Speaker, ...] = (), **fields: object) -> Session:
        # Transient rows get no column defaults: spell out what a stored row would hold.
        values = {"type": "", "tracks": [], "organizers": [], "interpretation": []} | fields
        row = Session(id=next(_ids), key=key, title=title, position=len(self.event.sessions),
                      duration_minutes=60, **values)
        row.speaker_links = [SessionSpeaker(speaker=s, position=i) for i, s in enumerate(speakers)]
        self.event.sessions.append(row)
        return row

    def entry(
        self,
        session: Session,
        room: Room,
        start: datetime,
        end: datetime,
        sequence: int = 0,
        cancelled: bool = False,
        changed_at: datetime = datetime(2025, 6, 2, 14, 30),
        live: LiveState | None = None,
    ) -> AgendaEntry:
        published = PublishedEntry(
            session=session, session_id=session.id, room=room, room_id=room.id, start=start, end=end,
            sequence=sequence, cancelled=cancelled, changed_at=changed_at,
        )
        return agenda_entry(published, live)


def hostile_sample() -> tuple[Sample, list[AgendaEntry]]:
    """Three sessions, one cancelled, with hostile titles, names, rooms and tracks."""
    sample = Sample()
    plenary = sample.room("room-c", HOSTILE_ROOM)
    small = sample.room("room-17", "Room 17")
    jane = sample.speaker("sp-1", HOSTILE_NAME)
    jane.bio, jane.photo = HOSTILE_BIO, "https://photos.example.org/sp-1.jpg"
    li = sample.speaker("sp-2", "李明")
    opening = sample.session(
        "s-001", HOSTILE_TITLE, (jane, li), type="ceremony", tracks=[HOSTILE_TRACK, "C1"],
        organizers=["ITU", "UNESCO; UNDP"], interpretation=["ar", "zh", "en", "fr", "ru", "es"],
    )
    panel = sample.session(
        "s-002", "Panel: C7, e-health", (li,), type="panel", tracks=["C7"], abstract=HOSTILE_ABSTRACT
    )
    dropped = sample.session("s-003", "Dropped workshop", (), type="workshop")
    entries = [
        sample.entry(opening, plenary, datetime(2025, 7, 7, 9), datetime(2025, 7, 7, 10, 30), sequence=2),
        sample.entry(panel, small, datetime(2025, 7, 8, 14), datetime(2025, 7, 8, 15, 15)),
        sample.entry(dropped, small, datetime(2025, 7, 7, 11), datetime(2025, 7, 7, 12), sequence=1,
                     cancelled=True, changed_at=datetime(2025, 6, 20, 9, 15)),
    ]
    return sample, entries


def publish_sample_event(engine: Engine) -> tuple[Problem, Schedule]:
    """The WSIS+20 sample (about 280 sessions) imported, and its planted agenda published."""
    problem, schedule = load_problem(SAMPLE_PROBLEM), load_schedule(PLANTED_SCHEDULE)
    with transaction(engine) as db:
        publish_schedule(db, import_problem(db, problem), schedule)
    return problem, schedule
