"""Message texts in the recipient's language, from the interface's catalogues (`webapp/translations`).

Messages are written outside any web request (a worker, the command line), so they cannot use
Flask-Babel's request locale: `for_language` loads the same catalogues with Babel directly. A
language without a catalogue (or before any exist) gives English, the language the texts are
written in. `pybabel extract` finds the texts here through babel.cfg, like the interface's.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

CATALOGUES = Path(__file__).resolve().parent.parent / "webapp" / "translations"
DOMAIN = "messages"


@lru_cache(maxsize=16)
def for_language(language: str | None) -> gettext.NullTranslations:
    """The catalogue of `language` (an ISO 639-1 code), or English when there is none."""
    if not language or not CATALOGUES.is_dir():
        return NullTranslations()
    return Translations.load(str(CATALOGUES), [language], DOMAIN)
