"""iCalendar (RFC 5545 / RFC 7986) feeds of a published agenda, built from published entries alone.

Feeds show the agenda as it stands (`scheduler.effective`): a delay moves DTSTART and DTEND, a
cancellation gives STATUS:CANCELLED, and the description starts with what happened ("Delayed by
20 min (was 10:00-11:00)"). Everything a feed says comes from stored data, never from the clock or
the order rows arrive in, so an unchanged agenda gives a byte-identical feed and calendar clients
and HTTP caches see no change: DTSTAMP and LAST-MODIFIED are the entry's `changed_at`, SEQUENCE is
the entry's `sequence` (both moved by each live change), events are sorted, and the VTIMEZONE is
computed from the zone's rules for the event's years. Every time carries the event's TZID, so no
client reads a floating time.

A UID is `<session id>@<event slug>.<uid host>`: it names the session, not a version or a row, so
a re-import or re-publish updates the calendar entry people already have instead of adding a copy.

Personal feeds (remote participants' bookmarks) reuse `build_calendar` with `Extras` per session:
a private join link and a reminder, which public feeds never carry, nor a cancelled session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import icalendar

from scheduler import config
from scheduler.effective import NOTE_TEXTS, AgendaEntry, entry_order
from scheduler.models import Event
from scheduler.plaintext import without_controls

PRODID = "-//wsis-agenda//Published agenda//EN"
# Calendar clients poll subscribed feeds this often (RFC 7986 and Outlook's older spelling).
REFRESH = timedelta(hours=1)
# `.invalid` (RFC 2606) can never be a real host, so default UIDs cannot collide with anyone's.
DEFAULT_UID_HOST: str = config.default("AGENDA_UID_HOST")

SessionUrl = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class FeedTexts:
    """The words a feed writes around the data, with %(name)s placeholders: English by default; the
    web app passes them translated into the reader's language (scheduler/ has no Flask)."""

    speakers: str = "Speakers: %(names)s"
    organizers: str = "Organizers: %(names)s"
    tracks: str = "Tracks: %(names)s"
    interpretation: str = "Interpretation: %(languages)s"
    join: str = "Join online: %(url)s"
    join_label: str = "Join online"
    alarm: str = "%(title)s"
    notes: Mapping[str, str] = field(default_factory=lambda: NOTE_TEXTS)  # what happened today


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """What a calendar says about itself, the same for every event in it."""

    name: str
    timezone: str
    venue: str
    uid_domain: str
    # The event's first and last day: the VTIMEZONE covers their years whatever the feed holds.
    first_day: date
    last_day: date
    texts: FeedTexts = FeedTexts()


@dataclass(frozen=True, slots=True)
class Extras:
    """What a personal feed adds to one session: its private join link and a reminder."""

    join_url: str | None = None
    alarm_before: timedelta | None = None


def feed_info(
    event: Event, name: str | None = None, uid_host: str = DEFAULT_UID_HOST, texts: FeedTexts = FeedTexts()
) -> FeedInfo:
    """The feed header for `event`; `name` (one line in calendar lists) defaults to the event's name."""
    days = [d.date for d in event.days]
    if not days:
        days = [event.imported_at.date()]
    return FeedInfo(
        name=" ".join(without_controls(name or event.name).split()),
        timezone=event.timezone,
        venue=event.venue,
        uid_domain=f"{event.slug}.{uid_host}",
        first_day=min(days),
        last_day=max(days),
        texts=texts,
    )


def event_uid(session_key: str, feed: FeedInfo) -> str:
    return f"{session_key}@{feed.uid_domain}"


def build_calendar(
    feed: FeedInfo,
    entries: Iterable[AgendaEntry],
    session_url: SessionUrl,
    extras: Mapping[str, Extras] | None = None,
) -> bytes:
    """The VCALENDAR of `entries` (rooms, sessions and speakers loaded), as bytes to serve.

    `session_url` gives the public page of a session from its id; `extras` maps session ids to
    what a personal feed adds to them.
    """
    extras = extras or {}
    calendar = _calendar_header(feed)
    calendar.add_component(vtimezone(feed.timezone, feed.first_day.year, feed.last_day.year))
    for entry in sorted(entries, key=entry_order):
        key = entry.session.key
        calendar.add_component(_vevent(entry, feed, session_url(key), extras.get(key, Extras())))
    return calendar.to_ical()


def _calendar_header(feed: FeedInfo) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # The library knows no type for these: say they are TEXT, or nothing gets escaped.
    calendar.add("name", icalendar.vText(feed.name))
    calendar.add("x-wr-calname", icalendar.vText(feed.name))
    calendar.add("x-wr-timezone", icalendar.vText(feed.timezone))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", icalendar.vDuration(REFRESH))
    return calendar


def _utc(stored: datetime) -> datetime:
    """Stored timestamps (publication times) are naive UTC."""
    return stored.replace(tzinfo=UTC) if stored.tzinfo is None else stored.astimezone(UTC)


def location(room_name: str, venue: str) -> str:
    return f"{room_name}, {venue}" if venue else room_name


def _summary(entry: AgendaEntry, url: str, texts: FeedTexts) -> str:
    """Who and what: speakers, organisers, tracks, interpretation and the session's page."""
    session = entry.session
    lines = []
    if session.speakers:
        lines.append(texts.speakers % {"names": "; ".join(s.name for s in session.speakers)})
    if session.organizers:
        lines.append(texts.organizers % {"names": "; ".join(session.organizers)})
    if session.tracks:
        lines.append(texts.tracks % {"names": "; ".join(session.tracks)})
    if session.interpretation:
        codes = ", ".join(code.upper() for code in session.interpretation)
        lines.append(texts.interpretation % {"languages": codes})
    lines.append(url)
    return "\n".join(lines)


def session_description(entry: AgendaEntry, url: str, texts: FeedTexts = FeedTexts()) -> str:
    """The plain-text summary of a session that feeds and apps show under its title: what happened
    to it today first, then who and what."""
    return "\n".join([*entry.timing.sentences(texts.notes), _summary(entry, url, texts)])


def calendar_description(entry: AgendaEntry, url: str, texts: FeedTexts = FeedTexts()) -> str:
    """A calendar entry's DESCRIPTION: what happened today, the session's abstract if it has one,
    then who and what."""
    summary = _summary(entry, url, texts)
    body = f"{entry.session.abstract}\n\n{summary}" if entry.session.abstract else summary
    return "\n".join([*entry.timing.sentences(texts.notes), body])


def _vevent(entry: AgendaEntry, feed: FeedInfo, url: str, extra: Extras) -> icalendar.Event:
    session = entry.session
    zone = ZoneInfo(feed.timezone)
    changed = _utc(entry.changed_at)
    texts = feed.texts
    description = calendar_description(entry, url, texts)
    vevent = icalendar.Event()
    vevent.add("uid", event_uid(session.key, feed))
    vevent.add("dtstamp", changed)
    vevent.add("last-modified", changed)
    vevent.add("sequence", entry.sequence)
    vevent.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    # RFC 5545 TEXT holds no control characters: a stored title must not break the feed.
    vevent.add("summary", without_controls(session.title))
    vevent.add("dtstart", entry.start.replace(tzinfo=zone))
    vevent.add("dtend", entry.end.replace(tzinfo=zone))
    vevent.add("location", without_controls(location(entry.room.name, feed.venue)))
    vevent.add("url", url)
    # One CATEGORIES line each: in "x\\,y" (x ends in a backslash) ical.js sees an escaped comma.
    for category in [*session.tracks, *([session.type] if session.type else [])]:
        vevent.add("categories", [without_controls(category)])
    vevent.add("class", "PUBLIC")
    vevent.add("transp", "OPAQUE")
    if extra.join_url and not entry.cancelled:
        description += "\n" + texts.join % {"url": extra.join_url}
        vevent.add(
            "conference",
            extra.join_url,
            parameters={"VALUE": "URI", "FEATURE": ["AUDIO", "VIDEO"], "LABEL": texts.join_label},
        )
    vevent.add("description", without_controls(description))
    if extra.alarm_before is not None and not entry.cancelled:
        alarm_text = texts.alarm % {"title": session.title}
        vevent.add_component(_alarm(without_controls(alarm_text), extra.alarm_before))
    return vevent


def _alarm(title: str, before: timedelta) -> icalendar.Alarm:
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", title)
    alarm.add("trigger", -before)
    return alarm


# --- VTIMEZONE ------------------------------------------------------------------------------------

_SCAN_STEP = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class _Observance:
    onset_utc: datetime
    offset_before: timedelta
    offset_after: timedelta
    name: str
    daylight: bool

    @property
    def onset_local(self) -> datetime:
        # RFC 5545: an observance's DTSTART is its onset in the wall-clock time in force before it.
        return (self.onset_utc + self.offset_before).replace(tzinfo=None)


def _state(zone: ZoneInfo, moment: datetime) -> tuple[timedelta, str, bool]:
    local = moment.astimezone(zone)
    return local.utcoffset() or timedelta(), local.tzname() or "", bool(local.dst())


def _transition(zone: ZoneInfo, before: datetime, after: datetime) -> datetime:
    """The first second at which the zone's state differs from its state at `before`."""
    state = _state(zone, before)
    while after - before > timedelta(seconds=1):
        middle = before + (after - before) / 2
        if _state(zone, middle) == state:
            before = middle
        else:
            after = middle
    return after.replace(microsecond=0)


@lru_cache(maxsize=32)
def _observances(tzid: str, first_year: int, last_year: int) -> tuple[_Observance, ...]:
    """The zone's state at the start of `first_year`, then each change until the end of `last_year`.

    Computed from the zone's own rules rather than copied from a library: the onset of daylight
    time must be written in the offset in force before it, and a scan finds every change whatever
    the zone's rules look like (half-hour offsets, abolished daylight time, renamed abbreviations).
    """
    zone = ZoneInfo(tzid)
    start = datetime(first_year, 1, 1, tzinfo=zone).astimezone(UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=zone).astimezone(UTC)
    offset, name, daylight = _state(zone, start)
    found = [_Observance(start, offset, offset, name, daylight)]
    moment = start
    while moment < end:
        following = moment + _SCAN_STEP
        if _state(zone, following) != (offset, name, daylight):
            onset = _transition(zone, moment, following)
            new_offset, name, daylight = _state(zone, onset)
            found.append(_Observance(onset, offset, new_offset, name, daylight))
            offset = new_offset
        moment = following
    return tuple(found)


def vtimezone(tzid: str, first_year: int, last_year: int) -> icalendar.Timezone:
    """The VTIMEZONE for `tzid`, exact for every instant of the years `first_year`..`last_year`."""
    component = icalendar.Timezone()
    component.add("tzid", tzid)
    component.add("x-lic-location", tzid)
    for observance in _observances(tzid, first_year, last_year):
        kind = icalendar.TimezoneDaylight() if observance.daylight else icalendar.TimezoneStandard()
        kind.add("dtstart", observance.onset_local)
        kind.add("tzoffsetfrom", observance.offset_before)
        kind.add("tzoffsetto", observance.offset_after)
        if observance.name:
            kind.add("tzname", observance.name)
        component.add_component(kind)
    return component
