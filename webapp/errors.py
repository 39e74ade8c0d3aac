"""Styled error pages for the whole app: a visitor who follows a stale link gets a page, not a trace.

Blueprints that speak JSON (the API) register their own handlers, which Flask prefers for errors
raised in their views; a client that asks for JSON gets JSON here too.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request
from flask_babel import lazy_gettext
from werkzeug.exceptions import HTTPException

HANDLED = (400, 403, 404, 405, 410)
# What each error page says, in the visitor's language (Werkzeug's own texts are English).
TITLES = {
    400: lazy_gettext("Bad request"),
    403: lazy_gettext("Forbidden"),
    404: lazy_gettext("Not found"),
    405: lazy_gettext("Method not allowed"),
    410: lazy_gettext("Gone"),
}
HEADINGS = {404: lazy_gettext("We could not find that page")}
DESCRIPTIONS = {
    400: lazy_gettext("The request could not be understood. Please check the address or the form."),
    403: lazy_gettext("You are not allowed to see this page."),
    404: lazy_gettext("The session, room or speaker may have been removed, or the link may be mistyped."),
    405: lazy_gettext("This address does not accept that kind of request."),
    410: lazy_gettext("This page is no longer available."),
}


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_page(error: HTTPException) -> tuple[Response | str, int]:
    code = error.code or 500
    if _wants_json():
        return jsonify(error=error.name, status=code), code
    title = TITLES.get(code, error.name)
    # A view's own description (`abort(404, description=_("..."))`) is already translated.
    own = error.description != type(error).description
    description = error.description if own and code != 404 else DESCRIPTIONS.get(code, error.description)
    page = render_template(
        "agenda/error.html",
        code=code,
        title=title,
        heading=HEADINGS.get(code, title),
        description=description,
    )
    return page, code


def register(bp: Blueprint) -> None:
    for code in HANDLED:
        bp.app_errorhandler(code)(error_page)
