"""Template filters and globals for the public pages: dates, times with their UTC offset, links.

Everything returns plain text (Jinja escapes it); nothing here marks data as safe HTML.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton
from flask import Blueprint
from flask_babel import get_locale

from webapp.db import get_db
from webapp.pages import site_event
from webapp.programme import language_name, time_label

# English keeps the house style ("Tuesday 8 July 2025"); other languages take their own (CLDR)
# order and words: "mardi 8 juillet 2025", "2025年7月8日星期二".
LONG_DATE = {"en": "EEEE d MMMM y"}
SHORT_DATE = {"en": "EEE d MMM"}


def long_date(day: date) -> str:
    """Tuesday 8 July 2025, in the interface language."""
    locale = get_locale()
    return format_date(day, LONG_DATE.get(str(locale), "full"), locale=locale)


def weekday(day: date, width: str = "EEEE") -> str:
    """Tuesday (`EEE`: Tue), in the interface language."""
    return format_date(day, width, locale=get_locale())


def day_month(day: date, skeleton: str = "MMMMd") -> str:
    """8 July (`MMMd`: 8 Jul), in the interface language's order."""
    locale = get_locale()
    if str(locale) == "en":
        return format_date(day, "d MMMM" if skeleton == "MMMMd" else "d MMM", locale=locale)
    return format_skeleton(skeleton, day, locale=locale)


def short_date(day: date) -> str:
    """Tue 8 Jul, in the interface language."""
    locale = get_locale()
    pattern = SHORT_DATE.get(str(locale))
    if pattern is not None:
        return format_date(day, pattern, locale=locale)
    return format_skeleton("MMMEd", day, locale=locale)


ACRONYMS = frozenset({"ai", "ict", "itu", "un", "wsis"})


def kind_label(kind: str) -> str:
    """A session type as people read it: "wsis-stocktaking" -> "WSIS stocktaking"."""
    if kind != kind.lower():
        return kind  # written by hand: keep as given
    words = [w.upper() if w in ACRONYMS else w for w in kind.replace("-", " ").split()]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def paragraphs(text: str) -> list[str]:
    """Plain text cut into paragraphs at blank lines (the format's abstracts and biographies)."""
    return [part.strip() for part in re.split(r"\n[ \t]*\n", text) if part.strip()]


def clock(moment: datetime) -> str:
    return f"{moment:%H:%M}"


def venue_time(moment: datetime, timezone: str) -> datetime:
    """A stored wall-clock time of the event (naive, as the agenda keeps them) on its clock."""
    return moment.replace(tzinfo=ZoneInfo(timezone))


def from_utc(moment: datetime, timezone: str) -> datetime:
    """A stored instant (naive UTC, as records keep when they were made) on the event's clock."""
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(timezone))


def utc_offset(moment: datetime) -> str:
    """UTC+02:00, as the offset in the moment's own zone."""
    return f"UTC{moment.isoformat()[-6:]}"


def site_context() -> dict[str, Any]:
    """The event's name and clock (its zone and what visitors call it) for every page of the app."""
    event = site_event(get_db())
    if event is None:
        return {"event_name": "", "event_timezone": "", "event_time_label": ""}
    return {
        "event_name": event.name,
        "event_timezone": event.timezone,
        "event_time_label": time_label(event.venue, event.timezone),
    }


def register(bp: Blueprint) -> None:
    filters = (long_date, short_date, weekday, day_month, clock, utc_offset, venue_time, from_utc)
    for function in (*filters, language_name, kind_label, paragraphs):
        bp.add_app_template_filter(function)
    bp.app_context_processor(site_context)
