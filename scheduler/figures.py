"""Participation figures for the programme team: who registered, who joined, who spoke.

Speaker parity and youth come only from what speakers declared about themselves. A speaker who
declared nothing is counted as "not declared", never guessed; shares are computed over those who
did declare, and the "not declared" count is always shown beside them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session as DbSession

from scheduler.agenda import latest_published
from scheduler.effective import AgendaEntry, agenda_entries
from scheduler.languages import translatable
from scheduler.models import Event, Join, Participant, Speaker
from scheduler.participants import STAKEHOLDER_GROUPS, country_name

NOT_DECLARED = translatable("not declared")
Gender = Literal["woman", "man", "other", "not declared"]
_WOMAN = frozenset({"female", "woman", "f", "w"})
_MAN = frozenset({"male", "man", "m"})


def gender_of(speaker: Speaker) -> Gender:
    declared = (speaker.gender or "").strip().lower()
    if not declared:
        return NOT_DECLARED
    if declared in _WOMAN:
        return "woman"
    return "man" if declared in _MAN else "other"


@dataclass(frozen=True, slots=True)
class Tally:
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class Parity:
    """Speakers of a session, day, session type or track, by declared gender and youth."""

    label: str
    speakers: int
    women: int
    men: int
    other: int
    gender_not_declared: int
    youth: int
    youth_not_declared: int

    @property
    def women_share(self) -> float | None:
        declared = self.speakers - self.gender_not_declared
        return self.women / declared if declared else None

    @property
    def youth_share(self) -> float | None:
        declared = self.speakers - self.youth_not_declared
        return self.youth / declared if declared else None

    @property
    def no_woman(self) -> bool:
        """Flagged: speakers but no woman among them (whether or not some declared nothing)."""
        return self.speakers > 0 and self.women == 0


@dataclass(frozen=True, slots=True)
class SessionFigures:
    key: str
    title: str
    room: str
    capacity: int
    expected_attendance: int
    joins: int
    remote_participants: int
    parity: Parity


@dataclass(frozen=True, slots=True)
class Figures:
    event: str
    version: int | None
    registered: int
    by_country: list[Tally]
    by_group: list[Tally]
    countries_registered: int
    countries_reached: int
    sessions: list[SessionFigures]
    speaker_roles: list[Tally]
    parity_by_day: list[Parity]
    parity_by_type: list[Parity]
    parity_by_track: list[Parity]

    @property
    def sessions_without_women(self) -> list[SessionFigures]:
        return [s for s in self.sessions if s.parity.no_woman]


def parity(label: str, speakers: Iterable[Speaker]) -> Parity:
    unique = {s.id: s for s in speakers}.values()
    genders = Counter(gender_of(s) for s in unique)
    return Parity(
        label=label,
        speakers=len(unique),
        women=genders["woman"],
        men=genders["man"],
        other=genders["other"],
        gender_not_declared=genders[NOT_DECLARED],
        youth=sum(1 for s in unique if s.youth is True),
        youth_not_declared=sum(1 for s in unique if s.youth is None),
    )


def _grouped(
    placed: Sequence[AgendaEntry], labels: Callable[[AgendaEntry], Iterable[str]]
) -> list[Parity]:
    groups: dict[str, list[Speaker]] = {}
    for entry in placed:
        for label in labels(entry):
            groups.setdefault(label, []).extend(entry.session.speakers)
    return [parity(label, speakers) for label, speakers in sorted(groups.items())]


def _registrations(db: DbSession, event: Event) -> tuple[int, list[Tally], list[Tally]]:
    rows = db.execute(
        select(Participant.country, Participant.stakeholder_group, func.count())
        .where(Participant.event_id == event.id)
        .group_by(Participant.country, Participant.stakeholder_group)
    ).all()
    countries: Counter[str] = Counter()
    groups: Counter[str] = Counter()
    for country, group, count in rows:
        countries[country] += count
        groups[group] += count
    by_country = [Tally(f"{country_name(code)} ({code})", n) for code, n in countries.most_common()]
    by_group = [
        Tally(STAKEHOLDER_GROUPS.get(key, key), groups[key]) for key in STAKEHOLDER_GROUPS if groups[key]
    ]
    return sum(countries.values()), by_country, by_group


def _joins(db: DbSession, event: Event) -> tuple[dict[int, tuple[int, int]], int]:
    """Joins and distinct participants per session id, and the number of countries reached."""
    rows = db.execute(
        select(Join.session_id, func.count(), func.count(distinct(Join.participant_id)))
        .join(Participant, Participant.id == Join.participant_id)
        .where(Participant.event_id == event.id)
        .group_by(Join.session_id)
    ).all()
    reached = db.scalar(
        select(func.count(distinct(Participant.country)))
        .join(Join, Join.participant_id == Participant.id)
        .where(Participant.event_id == event.id)
    )
    return {session_id: (joins, people) for session_id, joins, people in rows}, reached or 0


@dataclass(frozen=True, slots=True)
class AgendaFigures:
    """What the figures take from the published agenda alone: the same until the next publication
    or import, so a caller may keep it while joins and registrations come in."""

    version: int | None
    sessions: list[tuple[int, SessionFigures]]  # by session row id; joins filled in by `figures`
    speaker_roles: list[Tally]
    parity_by_day: list[Parity]
    parity_by_type: list[Parity]
    parity_by_track: list[Parity]


def agenda_figures(db: DbSession, event: Event) -> AgendaFigures:
    """Sessions, speakers, parity and youth of `event`'s latest published agenda as it stands today:
    a session the team cancelled on the day is not counted, and a delay moves it to its new day."""
    version = latest_published(db, event)
    placed = [e for e in agenda_entries(db, version) if not e.cancelled] if version else []
    sessions = [
        (
            e.published.session_id,
            SessionFigures(
                key=e.session.key,
                title=e.session.title,
                room=e.room.name,
                capacity=e.room.capacity,
                expected_attendance=e.session.expected_attendance,
                joins=0,
                remote_participants=0,
                parity=parity(e.session.key, e.session.speakers),
            ),
        )
        for e in placed
    ]
    speakers = {s.id: s for e in placed for s in e.session.speakers}.values()
    roles = Counter((s.role or "").strip().lower() or NOT_DECLARED for s in speakers)
    return AgendaFigures(
        version=version.number if version else None,
        sessions=sessions,
        speaker_roles=[Tally(role, n) for role, n in sorted(roles.items(), key=lambda r: (-r[1], r[0]))],
        parity_by_day=_grouped(placed, lambda e: [f"{e.start:%Y-%m-%d}"]),
        parity_by_type=_grouped(placed, lambda e: [e.session.type or NOT_DECLARED]),
        parity_by_track=_grouped(placed, lambda e: e.session.tracks),
    )


def figures(db: DbSession, event: Event, agenda: AgendaFigures | None = None) -> Figures:
    """The figures of `event`; sessions and speakers are those of its latest published agenda
    (`agenda`, when the caller kept it from `agenda_figures`)."""
    agenda = agenda or agenda_figures(db, event)
    registered, by_country, by_group = _registrations(db, event)
    joins, reached = _joins(db, event)
    sessions = [
        replace(
            row, joins=joins.get(session_id, (0, 0))[0], remote_participants=joins.get(session_id, (0, 0))[1]
        )
        for session_id, row in agenda.sessions
    ]
    return Figures(
        event=event.name,
        version=agenda.version,
        registered=registered,
        by_country=by_country,
        by_group=by_group,
        countries_registered=len(by_country),
        countries_reached=reached,
        sessions=sessions,
        speaker_roles=agenda.speaker_roles,
        parity_by_day=agenda.parity_by_day,
        parity_by_type=agenda.parity_by_type,
        parity_by_track=agenda.parity_by_track,
    )
