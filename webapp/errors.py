"""Styled error pages for the whole app: a visitor who follows a stale link gets a page, not a trace.

Blueprints that speak JSON (the API) register their own handlers, which Flask prefers for errors
raised in their views; a client that asks for JSON gets JSON here too.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

HANDLED = (400, 403, 404, 405, 410)


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_page(error: HTTPException) -> tuple[Response | str, int]:
    code = error.code or 500
    if _wants_json():
        return jsonify(error=error.name, status=code), code
    return render_template("agenda/error.html", error=error, code=code), code


def register(bp: Blueprint) -> None:
    for code in HANDLED:
        bp.app_errorhandler(code)(error_page)
