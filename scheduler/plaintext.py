"""What a text field may hold, and how any text is written safely where one bad character does harm.

Validation (`scheduler.interchange`) refuses, in every text a file carries: C0 control characters
other than tab and line feed, carriage returns, DEL and the C1 controls, Unicode noncharacters
(U+FFFE, U+FFFF and the rest) and lone surrogates. One-line fields (names, titles, labels) refuse
tabs and line breaks (line feed, U+2028, U+2029) too; multi-line fields (abstracts, biographies)
allow tabs and line feeds.

Writers do not rely on that (defence in depth: a row stored before these rules, or written by other
means, must not break a file): `one_line` is for fields of line-based output (TSV, a terminal line),
`printable` for anything shown on a terminal, `without_controls` for calendar TEXT. XML writers use
`scheduler.xmltext.xml_safe`.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Never in any text: controls except tab and line feed, DEL, C1 controls, surrogates and the
# noncharacters of the first plane...
_NEVER_BMP = "\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
_NEVER = re.compile(f"[{_NEVER_BMP}]")
# ... nor the noncharacters of the other planes (U+1FFFE, U+1FFFF, ...). They are looked for only in
# text that reaches beyond the first plane: in one character class with the rest, they would make
# every search ten times slower.
_ASTRAL_NONCHARACTERS = re.compile(
    "[" + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(1, 17)) + "]"
)
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# What ends or splits a line for someone: not in one-line text.
_NOT_ON_ONE_LINE = re.compile(f"[{_NEVER_BMP}\t\n\u2028\u2029]")
_ONE_LINE_RUN = re.compile(f"(?:{_NOT_ON_ONE_LINE.pattern}|\\s)+")

# A pragmatic address check: one @, a local part of printable ASCII without spaces or brackets,
# a host name of dot-separated labels and a top-level domain of letters. Good enough to catch
# slips ("name@", "name at org"), and it keeps anything a mail header could be tricked with out.
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9-]{1,63}(?::[0-9]{1,5})?")
_URL_UNSAFE = re.compile(r"[\s\"<>\\^`{|}]")
_NAMES = {
    "\t": "a tab",
    "\n": "a line break",
    "\r": "a carriage return",
    "\u2028": "a line break",
    "\u2029": "a line break",
}


def describe_character(char: str) -> str:
    """`U+0007 (a control character)`: how a message names a character it refuses."""
    code = ord(char)
    if char in _NAMES:
        kind = _NAMES[char]
    elif code < 0x20 or 0x7F <= code <= 0x9F:
        kind = "a control character"
    elif 0xD800 <= code <= 0xDFFF:
        kind = "a lone surrogate, which is not text"
    else:
        kind = "a Unicode noncharacter"
    return f"U+{code:04X} ({kind})"


def refused_character(text: str, *, lines: bool) -> tuple[int, str] | None:
    """The first character `text` may not hold (its index and itself), or None.

    `lines`: the field is multi-line, so tabs and line feeds are allowed.
    """
    found = (_NEVER if lines else _NOT_ON_ONE_LINE).search(text)
    if _beyond_first_plane(text):
        astral = _ASTRAL_NONCHARACTERS.search(text)
        if astral is not None and (found is None or astral.start() < found.start()):
            found = astral
    return None if found is None else (found.start(), found.group())


def _beyond_first_plane(text: str) -> bool:
    return not text.isascii() and _ASTRAL.search(text) is not None


def _sub(pattern: re.Pattern[str], replacement: str, text: str) -> str:
    """`pattern.sub`, noncharacters beyond the first plane included."""
    if _beyond_first_plane(text):
        text = _ASTRAL_NONCHARACTERS.sub(replacement, text)
    return pattern.sub(replacement, text)


def one_line(text: str) -> str:
    """`text` on one line: every run of line breaks, tabs, controls and spaces becomes one space."""
    return _sub(_ONE_LINE_RUN, " ", text).strip()


def printable(text: str) -> str:
    """`text` for a terminal: line feeds and tabs kept, every other control shown as U+FFFD."""
    return _sub(_NEVER, "\ufffd", text)


def without_controls(text: str) -> str:
    """`text` with line feeds and tabs only (CR LF and lone CRs become line feeds): RFC 5545 TEXT."""
    return _sub(_NEVER, "", text.replace("\r\n", "\n").replace("\r", "\n"))


def is_email(text: str) -> bool:
    """Whether `text` is a plausible e-mail address (at most 254 characters, see `_EMAIL`)."""
    return len(text) <= 254 and _EMAIL.fullmatch(text) is not None


def is_https_url(text: str) -> bool:
    """Whether `text` is an absolute `https://` URL with a host name and nothing a page could misread."""
    if _URL_UNSAFE.search(text) or _NOT_ON_ONE_LINE.search(text) or not text.isascii():
        return False
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 -- raises ValueError on a port that is not a number in range
    except ValueError:
        return False
    return (
        parts.scheme == "https"
        and text.startswith("https://")
        and "@" not in parts.netloc
        and _HOST.fullmatch(parts.netloc) is not None
    )
