"""A pseudo-locale, made from `messages.pot` at test time: every translation is its English text
between markers (placeholders kept), so a page rendered in it shows at a glance which text went
through the catalogue, and `unmarked_text` finds what did not.

The locale is `en_001` ("English (World)"): a locale Babel knows (dates and numbers format) and
that nobody ships a catalogue for.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from webapp.i18n import DOMAIN, TRANSLATIONS

CODE = "en_001"
OPEN, CLOSE = "⟦", "⟧"
# Attributes people read (or hear, with a screen reader).
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
NODE = "\x00"  # between text nodes
SKIPPED = ""
UNREAD_ELEMENTS = frozenset({"script", "style", "time"})
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


def marked(text: str) -> str:
    return f"{OPEN}{text}{CLOSE}"


def write_catalogue(directory: Path, code: str = CODE) -> Path:
    """`directory/<code>/LC_MESSAGES/messages.po` (and the .pot beside it, which makes it complete).
    Another `code` stands in for a language whose catalogue is not written yet (browser tests of
    Arabic's direction, Chinese fonts: the data and CLDR's dates are in their scripts)."""
    template = TRANSLATIONS / f"{DOMAIN}.pot"
    with template.open("rb") as handle:
        source = read_po(handle)
    catalogue = Catalog(locale=code)
    for message in source:
        if not message.id:
            continue
        if isinstance(message.id, tuple):  # every plural form the language has (Arabic: six)
            forms = [marked(message.id[0])] + [marked(message.id[1])] * (catalogue.num_plurals - 1)
            string: str | tuple[str, ...] = tuple(forms)
        else:
            string = marked(message.id)
        catalogue.add(message.id, string, flags=message.flags - {"fuzzy"})
    target = directory / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        write_po(out, catalogue)
    (directory / f"{DOMAIN}.pot").write_bytes(template.read_bytes())
    return directory


def data_strings(*values: object) -> set[str]:
    """Every string in `values` (dataclasses, mappings, sequences, nested): the event's data, which
    the interface shows as it is."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.update(line.strip() for line in value.splitlines() if line.strip())
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for field in dataclasses.fields(value):
                walk(getattr(value, field.name))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(key)
                walk(item)
        elif isinstance(value, Iterable):
            for item in value:
                walk(item)

    for value in values:
        walk(value)
    return found


def locale_words(code: str = CODE) -> set[str]:
    """What Babel writes from CLDR (day, month and language names), not from our catalogue."""
    locale = Locale.parse(code)
    words: set[str] = set()
    for table in (locale.days, locale.months):
        for context in table.values():
            for names in context.values():
                words.update(names.values())
    words.update(locale.languages.values())
    words.update(locale.territories.values())
    return words


class _Text(HTMLParser):
    """The page's visible text, one chunk per text node (a translated sentence may span several,
    around a link or a time), and the attributes people read."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.attributes: list[str] = []
        self._skipping: list[str] = []
        self._open: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        untranslated = attributes.get("translate") == "no"
        if tag not in VOID_ELEMENTS:
            self._open.append((tag, untranslated or tag in UNREAD_ELEMENTS))
        if self._skipped() or untranslated:
            return
        for name in READ_ATTRIBUTES:
            if attributes.get(name):
                self.attributes.append(attributes[name] or "")
        if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
            self.attributes.append(attributes["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            opened, _ = self._open.pop()
            if opened == tag:
                break

    def _skipped(self) -> bool:
        return any(skip for _, skip in self._open)

    def handle_data(self, data: str) -> None:
        if self._skipped():
            self.texts.append(SKIPPED)  # a time inside a sentence: the sentence goes on around it
        elif data.strip():
            self.texts.append(data)


def _without_marked(text: str) -> str:
    pattern = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}", re.DOTALL)
    while True:
        shorter = pattern.sub(" ", text)
        if shorter == text:
            return text
        text = shorter


def unmarked_text(html: str, known: Iterable[str]) -> Iterator[str]:
    """The visible text of `html` (and the attributes people read) that came neither through the
    catalogue (marked), nor from `known` data, nor from a `<time>` or a `translate="no"` element."""
    parser = _Text()
    parser.feed(html)
    ordered = sorted(set(known), key=len, reverse=True)
    body = _without_marked(NODE.join(parser.texts)).split(NODE)
    for text in [*body, *(_without_marked(text) for text in parser.attributes)]:
        rest = text
        for value in ordered:
            if value in rest:
                rest = rest.replace(value, " ")
        if re.search(r"[^\W\d_]", rest):
            yield " ".join(text.split())
