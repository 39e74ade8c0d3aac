"""The interface's catalogues: messages.pot holds every string of the code, every language's .po
translates all of it (nothing untranslated, nothing fuzzy), and GNU msgfmt accepts each one."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from webapp import i18n

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = i18n.TRANSLATIONS / f"{i18n.DOMAIN}.pot"
CATALOGUES = i18n.catalogue_paths(i18n.TRANSLATIONS)
# French typography, one rule everywhere: a no-break space before : ; ? ! (never a plain one).
PLAIN_SPACE_BEFORE = re.compile(r" [:;?!]")


def msgids(path: Path) -> set[str]:
    with path.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


def test_english_and_french_are_complete_and_offered() -> None:
    assert {"fr"} <= set(CATALOGUES)
    codes = [language.code for language in i18n.offered_languages([i18n.TRANSLATIONS])]
    assert codes[0] == "en" and "fr" in codes


def test_the_template_holds_every_string_of_the_code(tmp_path: Path) -> None:
    """Run `make translations` when this fails: a string was added or changed without it."""
    extracted = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    keywords = ["-k", "lazy_gettext", "-k", "translatable"]  # as `make translations`
    command = [str(pybabel), "extract", "-F", "babel.cfg", *keywords, "-o", str(extracted), "."]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    assert msgids(extracted) == msgids(TEMPLATE)


@pytest.mark.parametrize("code", sorted(CATALOGUES))
def test_every_message_is_translated_and_none_is_fuzzy(code: str) -> None:
    assert i18n.missing_translations(CATALOGUES[code], TEMPLATE) == []


@pytest.mark.parametrize("code", sorted(CATALOGUES))
def test_gnu_msgfmt_accepts_the_catalogue(code: str, tmp_path: Path) -> None:
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "msgfmt is missing: install Debian's gettext (make browser does)"
    result = subprocess.run(
        [msgfmt, "--check", "-o", str(tmp_path / "messages.mo"), str(CATALOGUES[code])],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_french_puts_a_no_break_space_before_double_punctuation() -> None:
    with CATALOGUES["fr"].open("rb") as handle:
        catalogue = read_po(handle)
    plain = [
        text
        for message in catalogue
        if message.id
        for text in (message.string if isinstance(message.string, tuple) else (message.string,))
        if PLAIN_SPACE_BEFORE.search(text)
    ]
    assert plain == []
