"""The machinery problem and schedule files share: reading JSON-shaped data field by field, writing it back.

A file is read against a `Shape`: a domain dataclass and one parser per key. Every problem found is
recorded as an `Issue` at its JSON path (`sessions[41].speakers[2]`) and reading carries on, so one run
lists everything a programme team has to fix. Only JSON-shaped data (dicts, lists, strings, numbers)
is looked at, never raw text, so any loader that can produce such data (and map paths back to its own
cells) gets the same checks.

Writing is generic: a key is written unless it holds its default and the file did not spell it out
(`given_defaults`); extra keys a file carried are written back as they were.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any, Literal, NoReturn
from zoneinfo import available_timezones

from scheduler.languages import LANGUAGES
from scheduler.limits import (
    EMAIL_LENGTH,
    EXTENSION_TEXT_LENGTH,
    ID_LENGTH,
    MAX_DEPTH,
    MAX_ENTRIES,
    MAX_ISSUES,
    MAX_WHOLE,
    URL_LENGTH,
    FileTooLarge,
    read_limited,
)
from scheduler.plaintext import describe_character, is_email, is_https_url, refused_character
from solver.domain import PROBLEM_FORMAT, SCHEDULE_FORMAT, Calendar

ROOT = "$"
# Quoted values are cut to this many characters: a hostile or pasted-in megabyte stays one line.
QUOTE_LIMIT = 60
KNOWN_FORMATS = {PROBLEM_FORMAT: "a problem file", SCHEDULE_FORMAT: "a schedule file"}

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


@dataclass(frozen=True, slots=True)
class Issue:
    """One thing wrong with a file: where (a JSON path, `$` for the whole file) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ProblemFileError(Exception):
    """A file could not be read; `issues` lists everything wrong with it."""

    def __init__(self, issues: Iterable[Issue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


class Rejected(Exception):
    """A value was found wrong; its issue is already recorded, the caller only skips it."""


class ReadingStopped(Exception):
    """Reading stops and the issues found so far are reported: there are `MAX_ISSUES` of them, or one
    that makes reading on pointless (a sheet over its row limit)."""


def add_issue(issues: list[Issue], issue: Issue) -> None:
    """Record `issue`; at `MAX_ISSUES`, say that reading stopped and raise ReadingStopped."""
    issues.append(issue)
    if len(issues) >= MAX_ISSUES:
        issues.append(
            Issue(ROOT, f"reading stopped after {MAX_ISSUES} problems: fix these, then check again")
        )
        raise ReadingStopped


class JsonObject(dict[str, Any]):
    """A decoded JSON object that remembers keys the text gave twice (`json` silently keeps the last)."""

    __slots__ = ("repeated",)

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__(pairs)
        seen: set[str] = set()
        self.repeated: list[str] = []
        for key, _ in pairs:
            if key in seen:
                self.repeated.append(key)
            seen.add(key)


# --- Paths and quoting ---------------------------------------------------------------------------


def child(path: str, key: str) -> str:
    if _PLAIN_KEY.fullmatch(key):
        return key if path == ROOT else f"{path}.{key}"
    return f"{path}[{quote(key)}]"


def item(path: str, index: int) -> str:
    return f"{path}[{index}]"


def quote(text: str) -> str:
    """`text` as a Python literal, control characters escaped and cut short if long."""
    if len(text) <= QUOTE_LIMIT:
        return repr(text)
    return f"{text[:QUOTE_LIMIT]!r}... ({len(text)} characters)"


def describe(value: object) -> str:
    """A short, safe description of a JSON value for a message: the value if small, else its kind."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, int):
        return str(value) if value.bit_length() <= 64 else "a very large number"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def show(value: date | time | datetime) -> str:
    """A date or time written as the files write it."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return value.isoformat(timespec="minutes")


# --- The reader ----------------------------------------------------------------------------------


@dataclass(eq=False)
class Reader:
    """What one read of a file has found and learnt so far.

    Ids are collected as they are met and references checked at the end (`resolve`), so a reference
    may point forward. The event's days are learnt from the calendar, which is read first, and every
    date-time read afterwards must fall on one of them.
    """

    check_references: bool = True
    issues: list[Issue] = field(default_factory=list)
    ids: defaultdict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    references: list[tuple[str, str, str]] = field(default_factory=list)
    dates: dict[date, str] = field(default_factory=dict)
    calendar: Calendar | None = None
    # Session id -> (path of its `after` list, the sessions it comes after), for the cycle check.
    after: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)

    def error(self, path: str, message: str) -> None:
        add_issue(self.issues, Issue(path, message))

    def reject(self, path: str, message: str) -> NoReturn:
        self.error(path, message)
        raise Rejected

    def declare(self, kind: str, ident: str, path: str, duplicate: str = "duplicate {kind} id {id}") -> None:
        first = self.ids[kind].setdefault(ident, path)
        if first != path:
            self.error(path, f"{duplicate.format(kind=kind, id=quote(ident))} (also at {first})")

    def refer(self, kind: str, ident: str, path: str) -> None:
        self.references.append((kind, ident, path))

    def resolve(self) -> None:
        if not self.check_references:
            return
        for kind, ident, path in self.references:
            if ident not in self.ids[kind]:
                self.error(path, f"unknown {kind} id {quote(ident)}")

    def learn_day(self, day: date, path: str) -> None:
        first = self.dates.setdefault(day, path)
        if first != path:
            self.error(path, f"{show(day)} is listed twice as a day of the event (also at {first})")


Values = dict[str, Any]
Parse = Callable[[Reader, object, str], Any]
Check = Callable[[Reader, Values, str], None]
# The plain forms a value can take (text, a number, a list of names, ...): how a spreadsheet cell holds it.
Form = Literal["text", "whole", "number", "bool", "list", "date", "clock", "moment"]


@dataclass(frozen=True, slots=True)
class Field:
    """A key's parser, with the plain form of its value when it has one (None: an object or a list
    of objects). Readers of other sources (spreadsheets) take a key's form from here, so a key
    declared once in a `Shape` is read alike from a file and from a cell.
    """

    parse: Parse
    form: Form | None = None

    def __call__(self, r: Reader, value: object, path: str) -> Any:
        return self.parse(r, value, path)


@dataclass(frozen=True)
class Shape:
    """How to read one kind of JSON object into the domain dataclass `cls`.

    Keys are read in the order of `fields` (the calendar before anything dated). `check` sees the
    values that were read correctly, so it must use `.get` for every key; `reserved` keys are read
    elsewhere and are not extensions. With `one_of_keys`, at least one of those keys must hold a value.
    """

    cls: type
    noun: str
    fields: Mapping[str, Parse]
    check: Check | None = None
    reserved: frozenset[str] = frozenset()
    one_of_keys: tuple[str, ...] = ()


@cache
def _defaults(cls: type) -> Mapping[str, Any]:
    defaults = {}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            defaults[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            defaults[f.name] = f.default_factory()
    return defaults


def read_object(r: Reader, shape: Shape, data: object, path: str) -> Any:
    """`data` as a `shape.cls`, or `Rejected` once every issue in it is recorded."""
    if not isinstance(data, dict):
        r.reject(path, f"expected {shape.noun} (a JSON object), got {describe(data)}")
    before = len(r.issues)
    _check_keys(r, data, path)
    if shape.one_of_keys and all(data.get(key) is None for key in shape.one_of_keys):
        r.error(path, f"must give at least one of {', '.join(map(repr, shape.one_of_keys))}")
    defaults = _defaults(shape.cls)
    values: Values = {}
    given: set[str] = set()
    for name, parse in shape.fields.items():
        where = child(path, name)
        if name not in data:
            if name not in defaults:
                r.error(where, f"missing: {shape.noun} must have {name!r}")
            continue
        raw = data[name]
        try:
            # Where absence has a meaning of its own (default None), an explicit null means the same.
            values[name] = (
                None if raw is None and name in defaults and defaults[name] is None else parse(r, raw, where)
            )
        except Rejected:
            continue
        if name in defaults and values[name] == defaults[name]:
            given.add(name)
    known = shape.fields.keys() | shape.reserved
    extra = {key: value for key, value in data.items() if key not in known}
    for key, value in extra.items():
        if isinstance(key, str):  # other keys are reported by _check_keys
            check_free_data(r, value, child(path, key))
    if shape.check is not None:
        shape.check(r, values, path)
    if len(r.issues) > before:
        raise Rejected
    return shape.cls(**values, extra=plain_copy(extra), given_defaults=frozenset(given))


def parse_document(
    r: Reader,
    data: object,
    shape: Shape,
    tag: str,
    error: type[ProblemFileError],
    finish: Callable[[Reader], None] | None = None,
) -> Any:
    """A whole file: its `format` tag, its top-level object, then the checks that need all of it.

    Raises `error` listing every issue, or returns the domain object.
    """
    result = None
    with suppress(ReadingStopped):
        with suppress(Rejected):
            result = _read_document(r, data, shape, tag)
        r.resolve()
        if finish is not None:
            finish(r)
    if r.issues or result is None:
        raise error(r.issues)
    return result


def _read_document(r: Reader, data: object, shape: Shape, tag: str) -> Any:
    if isinstance(data, dict):
        _check_format(r, data, shape.noun, tag)
    return read_object(r, shape, data, ROOT)


def _check_format(r: Reader, data: dict[str, Any], noun: str, tag: str) -> None:
    where = child(ROOT, "format")
    if "format" not in data:
        r.error(where, f'missing: {noun} starts with "format": "{tag}"')
    elif data["format"] != tag:
        found = data["format"]
        if isinstance(found, str) and found in KNOWN_FORMATS:
            # Reading the rest against the wrong format would only bury this in noise.
            r.reject(where, f"this is {KNOWN_FORMATS[found]} ({found!r}), expected {noun} ({tag!r})")
        r.error(where, f"expected {tag!r}, got {describe(found)}")


def _check_keys(r: Reader, data: dict[Any, Any], path: str) -> None:
    for key in getattr(data, "repeated", ()):
        r.error(child(path, key), "this key is given twice in the same object")
    for key in data:
        if not isinstance(key, str):
            r.error(path, f"keys must be text, got {describe(key)}")
        else:
            _check_text(r, key, path, lines=False, limit=EXTENSION_TEXT_LENGTH)


def check_free_data(r: Reader, value: object, path: str, depth: int = 0) -> None:
    """Extension data is kept as it is, but must be JSON that can be written back and stored."""
    if depth > MAX_DEPTH:
        r.error(path, f"nested more than {MAX_DEPTH} levels deep")
    elif isinstance(value, dict):
        _check_keys(r, value, path)
        for key, inner in value.items():
            if isinstance(key, str):
                check_free_data(r, inner, child(path, key), depth + 1)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            check_free_data(r, inner, item(path, index), depth + 1)
    elif isinstance(value, str):
        _check_text(r, value, path, lines=True, limit=EXTENSION_TEXT_LENGTH)
    elif isinstance(value, float) and not math.isfinite(value):
        r.error(path, f"{value!r} is not a number JSON allows")
    elif value is not None and not isinstance(value, bool | int | float):
        r.error(path, f"is not JSON data: {describe(value)}")


def plain_copy(value: Any) -> Any:
    """A deep copy of JSON data as plain dicts and lists, sharing nothing with the original."""
    if isinstance(value, dict):
        return {key: plain_copy(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [plain_copy(inner) for inner in value]
    return value


# --- Field parsers: each returns the value or records its issue and raises Rejected ---------------


def _check_text(r: Reader, value: str, path: str, *, lines: bool, limit: int | None) -> bool:
    """Whether `value` is text a file may hold (see `scheduler.plaintext`); if not, say why."""
    if limit is not None and len(value) > limit:
        r.error(path, f"is {len(value)} characters long, at most {limit} allowed: {quote(value)}")
        return False
    refused = refused_character(value, lines=lines)
    if refused is not None:
        index, char = refused
        one_line = "; this field is one line of text" if char in "\t\n\u2028\u2029" else ""
        r.error(
            path, f"contains {describe_character(char)} at character {index + 1}{one_line}: {quote(value)}"
        )
        return False
    return True


def _string(r: Reader, value: object, path: str, noun: str, *, lines: bool = False, limit: int | None) -> str:
    if not isinstance(value, str):
        r.reject(path, f"expected {noun}, got {describe(value)}")
    if not _check_text(r, value, path, lines=lines, limit=limit):
        raise Rejected
    return value


def text(max_length: int, *, required: bool = False, lines: bool = False) -> Field:
    """A string of at most `max_length` characters; `required` ones (names, titles) must not be blank.

    One-line text (the default: names, titles, labels) holds no tab or line break and does not
    start or end with spaces, so "Analytics " is never a second track beside "Analytics".
    Multi-line text (`lines`: abstracts, biographies) may hold tabs and line feeds.
    """

    def parse(r: Reader, value: object, path: str) -> str:
        found = _string(r, value, path, "text", lines=lines, limit=max_length)
        if required and not found.strip():
            r.reject(path, "must not be empty")
        if not lines and found != found.strip():
            r.reject(path, f"must not start or end with spaces: {quote(found)}")
        return found

    return Field(parse, "text")


# Ids are parts of page, feed and join-link addresses (`/sessions/<id>`).
_NOT_IN_IDS = ("/",)
_NOT_IDS = (".", "..")


def _ident(r: Reader, value: object, path: str) -> str:
    found = _string(r, value, path, "an id (text)", limit=None)
    if not found.strip():
        r.reject(path, "an id must not be empty")
    if found != found.strip():
        r.reject(path, f"an id must not start or end with spaces: {quote(found)}")
    if len(found) > ID_LENGTH:
        r.reject(path, f"an id is at most {ID_LENGTH} characters long: {quote(found)}")
    if any(char in found for char in _NOT_IN_IDS) or found in _NOT_IDS:
        r.reject(
            path,
            f"an id cannot contain '/' or be '.' or '..', as it is part of web addresses: {quote(found)}",
        )
    return found


def ident(kind: str, duplicate: str = "duplicate {kind} id {id}") -> Field:
    """An id that names a new `kind` of thing; it must be unique among them."""

    def parse(r: Reader, value: object, path: str) -> str:
        found = _ident(r, value, path)
        r.declare(kind, found, path, duplicate)
        return found

    return Field(parse, "text")


def ref(kind: str) -> Field:
    """An id that names a `kind` of thing declared anywhere in the file (or the problem)."""

    def parse(r: Reader, value: object, path: str) -> str:
        found = _ident(r, value, path)
        r.refer(kind, found, path)
        return found

    return Field(parse, "text")


def _email(r: Reader, value: object, path: str) -> str:
    """An e-mail address (`scheduler.plaintext.is_email`)."""
    found = _string(r, value, path, "an e-mail address (text)", limit=EMAIL_LENGTH)
    if not is_email(found):
        r.reject(path, f"is not an e-mail address such as name@example.org: {quote(found)}")
    return found


def _https_url(r: Reader, value: object, path: str) -> str:
    """An absolute `https://` address (`scheduler.plaintext.is_https_url`)."""
    found = _string(r, value, path, "a web address (text)", limit=URL_LENGTH)
    if not is_https_url(found):
        r.reject(
            path, f"expected an https:// address such as https://example.org/photo.jpg, got {quote(found)}"
        )
    return found


email = Field(_email, "text")
https_url = Field(_https_url, "text")


def whole(minimum: int, maximum: int = MAX_WHOLE) -> Field:
    def parse(r: Reader, value: object, path: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            r.reject(path, f"expected a whole number, got {describe(value)}")
        if value < minimum:
            r.reject(path, f"must be at least {minimum}, got {describe(value)}")
        if value > maximum:
            r.reject(path, f"must be at most {maximum}, got {describe(value)}")
        return value

    return Field(parse, "whole")


def number(*, minimum: float | None = None, positive: bool = False, maximum: float | None = None) -> Field:
    """A finite number, kept as the file wrote it (an int stays an int)."""

    def parse(r: Reader, value: object, path: str) -> float:
        if not isinstance(value, int | float) or isinstance(value, bool):
            r.reject(path, f"expected a number, got {describe(value)}")
        if not math.isfinite(value):
            r.reject(path, f"must be a finite number, got {describe(value)}")
        if positive and value <= 0:
            r.reject(path, f"must be positive, got {describe(value)}")
        if minimum is not None and value < minimum:
            r.reject(path, f"must be at least {minimum}, got {describe(value)}")
        if maximum is not None and value > maximum:
            r.reject(path, f"must be at most {maximum}, got {describe(value)}")
        return value

    return Field(parse, "number")


def _boolean(r: Reader, value: object, path: str) -> bool:
    if not isinstance(value, bool):
        r.reject(path, f"expected true or false, got {describe(value)}")
    return value


boolean = Field(_boolean, "bool")


def one_of(choices: Iterable[str], noun: str) -> Field:
    allowed = tuple(choices)

    def parse(r: Reader, value: object, path: str) -> str:
        if not isinstance(value, str) or value not in allowed:
            r.reject(path, f"unknown {noun} {describe(value)}; expected one of {', '.join(allowed)}")
        return value

    return Field(parse, "text")


language = one_of(LANGUAGES, "language")


def _list(r: Reader, value: object, path: str, at_least: int, at_most: int) -> list[Any]:
    if not isinstance(value, list):
        r.reject(path, f"expected a list, got {describe(value)}")
    if len(value) < at_least:
        entries = "entry" if at_least == 1 else "entries"
        r.reject(path, f"needs at least {at_least} {entries}, got {len(value)}")
    if len(value) > at_most:
        r.reject(path, f"has {len(value)} entries, at most {at_most} allowed")
    return value


def _each(r: Reader, entries: list[Any], path: str, parse: Callable[[object, str], Any]) -> tuple[Any, ...]:
    """Every entry parsed, all entries' issues recorded before giving up on the list."""
    parsed, failed = [], False
    for index, entry in enumerate(entries):
        try:
            parsed.append(parse(entry, item(path, index)))
        except Rejected:
            failed = True
    if failed:
        raise Rejected
    return tuple(parsed)


def strings(each: Parse, *, at_least: int = 0, at_most: int = MAX_ENTRIES) -> Field:
    """A list of strings (names, ids, codes) none of which is listed twice."""

    def parse(r: Reader, value: object, path: str) -> tuple[str, ...]:
        entries = _list(r, value, path, at_least, at_most)
        found = _each(r, entries, path, lambda entry, where: each(r, entry, where))
        seen: dict[str, int] = {}
        for index, entry in enumerate(found):
            first = seen.setdefault(entry, index)
            if first != index:
                r.error(item(path, index), f"{quote(entry)} is listed twice (also at {item(path, first)})")
        if len(seen) < len(found):
            raise Rejected
        return found

    return Field(parse, "list")


def items(shape: Shape, *, at_least: int = 0, at_most: int = MAX_ENTRIES) -> Field:
    """A list of objects of one shape."""

    def parse(r: Reader, value: object, path: str) -> tuple[Any, ...]:
        entries = _list(r, value, path, at_least, at_most)
        return _each(r, entries, path, lambda entry, where: read_object(r, shape, entry, where))

    return Field(parse)


def nested(shape: Shape) -> Field:
    return Field(lambda r, value, path: read_object(r, shape, value, path))


def translations(texts: Mapping[str, Parse]) -> Field:
    """Translated texts by language code: `{"fr": {"title": "...", "abstract": "..."}}`.

    Only the six UN languages, and only the fields in `texts` (each read by its parser): a
    misspelt language or field is refused rather than kept, as no reader would ever show it.
    """
    fields = ", ".join(texts)

    def parse(r: Reader, value: object, path: str) -> dict[str, dict[str, str]]:
        if not isinstance(value, dict):
            r.reject(
                path, f'expected translations by language, such as {{"fr": {{...}}}}, got {describe(value)}'
            )
        _check_keys(r, value, path)
        found: dict[str, dict[str, str]] = {}
        failed = False
        for code, given in value.items():
            where = child(path, str(code))
            if code not in LANGUAGES:
                r.error(where, f"unknown language {describe(code)}; expected one of {', '.join(LANGUAGES)}")
                failed = True
            elif not isinstance(given, dict):
                r.error(where, f"expected the translated texts (a JSON object), got {describe(given)}")
                failed = True
            else:
                _check_keys(r, given, where)
                found[code] = {}
                for name, inner in given.items():
                    if name not in texts:
                        r.error(child(where, str(name)), f"cannot be translated; the texts are {fields}")
                        failed = True
                        continue
                    try:
                        found[code][name] = texts[name](r, inner, child(where, name))
                    except Rejected:
                        failed = True
        if failed:
            raise Rejected
        return found

    return Field(parse)


# The three ways the files write time: (exact form, what it is, how it is written).
_DATE_TIME = (
    re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}"),
    "date and time",
    "YYYY-MM-DDTHH:MM",
)
_DATE = (re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"), "date", "YYYY-MM-DD")
_CLOCK = (re.compile(r"[0-9]{2}:[0-9]{2}"), "time of day (00:00 to 23:59)", "HH:MM")


def _timestamp(
    r: Reader, value: object, path: str, form: tuple[re.Pattern[str], str, str], convert: Callable[[str], Any]
) -> Any:
    pattern, noun, written = form
    if not isinstance(value, str) or not pattern.fullmatch(value):
        r.reject(path, f"expected a {noun} written {written}, got {describe(value)}")
    try:
        return convert(value)
    except ValueError:
        r.reject(path, f"{quote(value)} is not a real {noun}")


def _moment(r: Reader, value: object, path: str) -> datetime:
    """A wall-clock date and time that falls on a day of the event (once the days are known)."""
    parsed: datetime = _timestamp(
        r, value, path, _DATE_TIME, lambda found: datetime.strptime(found, "%Y-%m-%dT%H:%M")
    )
    if r.dates and parsed.date() not in r.dates:
        r.reject(path, f"{quote(show(parsed))} is not on a day of the event ({_list_days(r.dates)})")
    return parsed


def _calendar_date(r: Reader, value: object, path: str) -> date:
    parsed: date = _timestamp(r, value, path, _DATE, date.fromisoformat)
    return parsed


def _clock(r: Reader, value: object, path: str) -> time:
    parsed: time = _timestamp(r, value, path, _CLOCK, time.fromisoformat)
    return parsed


moment = Field(_moment, "moment")
calendar_date = Field(_calendar_date, "date")
clock = Field(_clock, "clock")


def _list_days(days: Iterable[date]) -> str:
    ordered = sorted(days)
    if len(ordered) <= 5:
        return "the event's days are " + ", ".join(map(show, ordered))
    return f"the event's {len(ordered)} days run from {show(ordered[0])} to {show(ordered[-1])}"


@cache
def _timezones() -> frozenset[str]:
    # `localtime` is this machine's own setting, not an IANA name: it means something else elsewhere.
    return frozenset(available_timezones() - {"localtime"})


def _timezone(r: Reader, value: object, path: str) -> str:
    found = _string(r, value, path, "a timezone name", limit=None)
    if found not in _timezones():
        r.reject(path, f"unknown timezone {quote(found)}; expected an IANA name such as 'Europe/Zurich'")
    return found


timezone = Field(_timezone, "text")


def ends_after(first: str, last: str) -> Check:
    """A check that `last` (an end) comes after `first` (its start)."""

    def check(r: Reader, values: Values, path: str) -> None:
        start, end = values.get(first), values.get(last)
        if start is not None and end is not None and end <= start:
            r.error(child(path, last), f"{last} {show(end)} must be after {first} {show(start)}")

    return check


# --- Writing -------------------------------------------------------------------------------------


def to_data(obj: Any) -> dict[str, Any]:
    """A domain object as JSON data: the inverse of `read_object`."""
    data: dict[str, Any] = {}
    defaults = _defaults(type(obj))
    for f in dataclasses.fields(obj):
        if f.name in ("extra", "given_defaults"):
            continue
        value = getattr(obj, f.name)
        if f.name in defaults and value == defaults[f.name] and f.name not in obj.given_defaults:
            continue
        data[f.name] = _json_value(value)
    data.update(plain_copy(dict(obj.extra)))
    return data


def _json_value(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return to_data(value)
    if isinstance(value, tuple | list):
        return [_json_value(entry) for entry in value]
    if isinstance(value, date | time):
        return show(value)
    return value


def document_data(obj: Any, tag: str) -> dict[str, Any]:
    return {"format": tag, **to_data(obj)}


def replace_atomically(target: Path, write: Callable[[Path], None]) -> None:
    """Let `write` fill a temporary file beside `target`, then move it over `target`.

    A failed write leaves any earlier file as it was, never a half-written one.
    """
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(Path(temporary))
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_json(data: object, path: str | os.PathLike[str]) -> None:
    """Write `data` as UTF-8 JSON, atomically."""
    text_out = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    replace_atomically(Path(path), lambda temporary: temporary.write_text(text_out, "utf-8", newline="\n"))


# --- Reading text and files ----------------------------------------------------------------------


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a number JSON allows")


def decode_json(source: str, error_type: type[ProblemFileError] = ProblemFileError) -> object:
    """JSON text as data, or `error_type` saying where the text stops being JSON."""
    if not source.strip():
        raise error_type([Issue(ROOT, "the file is empty")])
    try:
        return json.loads(source, object_pairs_hook=JsonObject, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        message = f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
    except RecursionError:
        message = "not valid JSON here: nested too deeply"
    except ValueError as error:
        message = f"not valid JSON: {error}"
    raise error_type([Issue(ROOT, message)])


def read_json(path: str | os.PathLike[str], error_type: type[ProblemFileError] = ProblemFileError) -> object:
    """A JSON file's data; unreadable, oversized (`scheduler.limits`), non-UTF-8 or malformed files
    raise `error_type`."""
    try:
        raw = read_limited(path)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise error_type([Issue(ROOT, f"cannot read {os.fsdecode(path)!r}: {reason}")]) from None
    except FileTooLarge as error:
        raise error_type([Issue(ROOT, str(error))]) from None
    try:
        # A byte-order mark, as some Windows tools write, is not an error.
        source = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        bad = f"byte 0x{raw[error.start]:02x} at offset {error.start}"
        message = f"the file is not UTF-8 text ({bad}); save it as UTF-8"
        raise error_type([Issue(ROOT, message)]) from None
    return decode_json(source, error_type)
