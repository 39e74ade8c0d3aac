"""The interface language, with Flask-Babel.

Every string a participant, speaker or team member reads is written for translation: `_()` in
templates, `gettext`/`ngettext`/`lazy_gettext` from `flask_babel` in Python, with named placeholders
(`_("Delayed by %(minutes)s min", minutes=20)`) and never sentences glued from pieces. Catalogues live
in `webapp/translations/` (see docs/languages.md): `messages.pot` extracted from the code, one
`<lang>/LC_MESSAGES/messages.po` per language, compiled to `.mo` when the app starts if the `.mo` is
missing or older, so a fresh checkout needs no manual step.

A language is offered only once its catalogue is complete (every message of `messages.pot`
translated, none fuzzy); the offered languages are read from the catalogues, never listed by hand.
The language of a request: `?lang=` (remembered in a cookie), else the cookie, else the language of
the person the page is for (`prefer`: a speaker's page, a participant's), else the browser's
`Accept-Language`, else English. A registered participant's choice is kept in their profile too
(webapp/participation.py), and put in the cookie when they follow their link on another device.
"""

from __future__ import annotations

import functools
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, Response, current_app, g, request
from flask_babel import gettext, refresh

from scheduler.languages import LANGUAGES
from webapp.extensions import babel

DEFAULT_LANGUAGE = "en"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"
COOKIE = "lang"
PARAMETER = "lang"
COOKIE_DAYS = 365
# The switcher's order: English (the source) first, then the UN's order of its languages.
SWITCHER_ORDER = (DEFAULT_LANGUAGE, *(code for code in LANGUAGES if code != DEFAULT_LANGUAGE))


@dataclass(frozen=True, slots=True)
class Language:
    code: str
    name: str  # in the language itself: "Français"
    direction: str  # "rtl" for Arabic: `<html dir>`, and the logical CSS properties do the rest

    @property
    def tag(self) -> str:
        """The BCP 47 tag for `lang`/`hreflang`: zh_Hans -> zh-Hans."""
        return self.code.replace("_", "-")


def describe(code: str) -> Language:
    locale = Locale.parse(code)
    name = locale.get_display_name(code) or code
    return Language(code, name[:1].upper() + name[1:], locale.text_direction)


def catalogue_paths(directory: Path) -> dict[str, Path]:
    """Every language's `.po` in `directory`, by language code."""
    return {po.parent.parent.name: po for po in sorted(directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))}


def missing_translations(po: Path, template: Path) -> list[str]:
    """The msgids of `template` (the .pot) that `po` leaves untranslated or fuzzy."""
    with template.open("rb") as handle:
        wanted = [message.id for message in read_po(handle) if message.id]
    with po.open("rb") as handle:
        catalogue = read_po(handle)
    missing = []
    for msgid in wanted:
        message = catalogue.get(msgid if isinstance(msgid, str) else msgid[0])
        strings = message.string if message is not None else ""
        texts = strings if isinstance(strings, tuple) else (strings,)
        if message is None or message.fuzzy or not all(texts):
            missing.append(msgid if isinstance(msgid, str) else msgid[0])
    return missing


def compile_catalogue(po: Path) -> None:
    """`po` to its `.mo` beside it, if missing or older; atomically, since several processes start."""
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        return
    with po.open("rb") as handle:
        catalogue = read_po(handle, locale=po.parent.parent.name)
    handle_fd, temporary = tempfile.mkstemp(dir=po.parent, suffix=".mo.tmp")
    try:
        with os.fdopen(handle_fd, "wb") as out:
            write_mo(out, catalogue, use_fuzzy=False)
        os.replace(temporary, mo)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


@functools.lru_cache(maxsize=64)
def _complete(po: Path, _po_version: int, template: Path, _template_version: int) -> bool:
    """Whether `po` translates all of `template`: read once per version of the two files (every
    app start asks, and tests start hundreds)."""
    return not missing_translations(po, template)


def offered_languages(directories: list[Path]) -> tuple[Language, ...]:
    """English, and every language with a complete catalogue in `directories`, compiled."""
    codes = [DEFAULT_LANGUAGE]
    for directory in directories:
        template = directory / f"{DOMAIN}.pot"
        for code, po in catalogue_paths(directory).items():
            compile_catalogue(po)
            if code in codes or not template.exists():
                continue
            if _complete(po, po.stat().st_mtime_ns, template, template.stat().st_mtime_ns):
                codes.append(code)
    rank = {code: index for index, code in enumerate(SWITCHER_ORDER)}
    codes.sort(key=lambda code: (rank.get(code, len(rank)), code))
    return tuple(describe(code) for code in codes)


def offered() -> tuple[Language, ...]:
    return current_app.extensions["languages"]


def offered_codes() -> tuple[str, ...]:
    return tuple(language.code for language in offered())


def _requested() -> str | None:
    codes = offered_codes()
    for wanted in (request.args.get(PARAMETER), request.cookies.get(COOKIE)):
        if wanted in codes:
            return wanted
    return None


def select_locale() -> str:
    if "interface_language" not in g:
        codes = offered_codes()
        preferred = g.get("preferred_language")
        g.interface_language = (
            _requested()
            or (preferred if preferred in codes else None)
            or request.accept_languages.best_match(codes)
            or DEFAULT_LANGUAGE
        )
    return g.interface_language


def prefer(code: str | None) -> None:
    """The language of the person a page is for (a speaker, a participant), unless this browser
    chose one (`?lang=` or the cookie): it comes before `Accept-Language`."""
    g.preferred_language = code
    g.pop("interface_language", None)
    refresh()  # Flask-Babel keeps the locale it chose for the request


def current_language() -> Language:
    code = select_locale()
    return next(language for language in offered() if language.code == code)


def offered_or_default(code: str | None) -> str:
    """`code` if the site offers it, else English (for what no browser asks for: feeds)."""
    return code if code in offered_codes() else DEFAULT_LANGUAGE


def remember_language(response: Response, code: str) -> None:
    """Keep `code` as this browser's interface language (if offered)."""
    if code in offered_codes():
        response.set_cookie(COOKIE, code, max_age=COOKIE_DAYS * 86400, samesite="Lax", httponly=True)


def _remember_requested(response: Response) -> Response:
    wanted = request.args.get(PARAMETER)
    if wanted in offered_codes() and wanted != request.cookies.get(COOKIE):
        remember_language(response, wanted)
        # This copy sets a cookie: no shared cache may keep it (the page itself is the same).
        response.headers["Cache-Control"] = "private, no-cache"
    return response


def language_query(code: str) -> str:
    """This page's query string in language `code`. Only the parameters a cached page's key holds
    (webapp.pages) are kept: no visitor's other parameters land in a shared page, and no page
    reflects a parameter it did not check (`next` on /register)."""
    kept = g.get("cache_params", ())
    args = [(name, value) for name, value in request.args.items(multi=True) if name in kept]
    return urlencode([*args, (PARAMETER, code)])


def label_text(text: str) -> str:
    """A label that may be one of the catalogue's (a stakeholder group, "not declared") or data:
    translated if it is, as it is if not (no placeholders are filled in: data may hold a %)."""
    return gettext(text)


def _template_context() -> dict[str, object]:
    return {
        "label_text": label_text,
        "interface_languages": offered(),
        "interface_language": current_language(),
        "language_query": language_query,
    }


def init_app(app: Flask) -> None:
    directories = [TRANSLATIONS, *(Path(p) for p in app.config.get("EXTRA_TRANSLATIONS", ()))]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(d) for d in directories)
    app.extensions["languages"] = offered_languages(directories)
    babel.init_app(app, default_locale=DEFAULT_LANGUAGE, locale_selector=select_locale)
    app.after_request(_remember_requested)
    app.context_processor(_template_context)
