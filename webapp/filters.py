"""The agenda's filters and search, read from GET query parameters so they work without JavaScript.

Unknown or malformed values never fail a page: a value that names nothing simply matches nothing,
and over-long input is cut, so any query string renders.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from webapp.programme import SessionView

MAX_QUERY_CHARS = 200
MAX_VALUE_CHARS = 200
TRUE_WORDS = frozenset({"1", "on", "true", "yes"})
# The query parameters `Filters.from_args` reads: pages that filter declare them to the page cache.
# `lang` is the interface language (webapp/i18n.py), so the interpretation filter is `interpretation`.
PARAMS = ("track", "type", "room", "interpretation", "hybrid", "q")


def fold(text: str) -> str:
    """Case- and width-insensitive form for search: "ＷＳＩＳ" and "wsis" match."""
    return unicodedata.normalize("NFKC", text).casefold()


def _value(args: Mapping[str, str], name: str) -> str:
    return (args.get(name) or "").strip()[:MAX_VALUE_CHARS]


@dataclass(frozen=True, slots=True)
class Filters:
    track: str = ""
    type: str = ""
    room: str = ""
    language: str = ""
    hybrid: bool = False
    query: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filters:
        return cls(
            track=_value(args, "track"),
            type=_value(args, "type"),
            room=_value(args, "room"),
            language=_value(args, "interpretation"),
            hybrid=_value(args, "hybrid").lower() in TRUE_WORDS,
            query=" ".join((args.get("q") or "").split())[:MAX_QUERY_CHARS],
        )

    @property
    def active(self) -> bool:
        return self != Filters()

    def as_args(self) -> dict[str, str]:
        """The query parameters that reproduce these filters (for links between views and days)."""
        args = {
            "track": self.track,
            "type": self.type,
            "room": self.room,
            "interpretation": self.language,
            "hybrid": "1" if self.hybrid else "",
            "q": self.query,
        }
        return {name: value for name, value in args.items() if value}

    def matches(self, session: SessionView) -> bool:
        return (
            (not self.track or self.track in session.tracks)
            and (not self.type or self.type == session.type)
            and (not self.room or self.room == session.room.key)
            and (not self.language or self.language in session.interpretation)
            and (not self.hybrid or session.hybrid)
            and self._matches_query(session)
        )

    def _matches_query(self, session: SessionView) -> bool:
        if not self.query:
            return True
        haystack = fold(" ".join([session.title, *(p.name for p in session.speakers), *session.organizers]))
        return all(word in haystack for word in fold(self.query).split())

    def apply(self, sessions: Iterable[SessionView]) -> list[SessionView]:
        return [s for s in sessions if self.matches(s)]
