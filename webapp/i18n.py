"""The interface language, with Flask-Babel.

Every string a participant, speaker or team member reads is written for translation: `_()` in
templates, `gettext`/`ngettext`/`lazy_gettext` from `flask_babel` in Python, with named placeholders
(`_("Delayed by %(minutes)s min", minutes=20)`) and never sentences glued from pieces. Catalogues live
in `webapp/translations/` (see docs/languages.md). A language is offered only once its catalogue is
complete; until then, every page is English.
"""

from __future__ import annotations

from flask import Flask, request

from webapp.extensions import babel

DEFAULT_LANGUAGE = "en"
# Languages whose catalogues are complete, in the order the switcher lists them.
OFFERED: tuple[str, ...] = (DEFAULT_LANGUAGE,)


def select_locale() -> str:
    return request.accept_languages.best_match(OFFERED) or DEFAULT_LANGUAGE


def init_app(app: Flask) -> None:
    babel.init_app(app, default_locale=DEFAULT_LANGUAGE, locale_selector=select_locale)
