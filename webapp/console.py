"""The programme team's console: participation figures, behind `CONSOLE_TOKEN`.

Access needs the configured token, given as the password of HTTP basic authentication (any user
name: browsers prompt for it) or as `Authorization: Bearer <token>` (scripts). Without a
configured token the console is closed to everyone.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, abort, current_app, render_template, request

from scheduler.figures import figures
from webapp.db import get_db
from webapp.pages import site_event

bp = Blueprint("console", __name__, url_prefix="/console")
REALM = 'Basic realm="Programme team console", charset="UTF-8"'


def _given_token() -> str:
    if request.authorization is None:
        return ""
    if request.authorization.type == "bearer":
        return request.authorization.token or ""
    return request.authorization.password or ""


@bp.before_request
def _require_token() -> Response | None:
    expected = current_app.config.get("CONSOLE_TOKEN")
    if not expected:
        abort(404)
    if not hmac.compare_digest(_given_token().encode(), str(expected).encode()):
        response = Response(
            "The programme team console needs its access token.\n", 401, mimetype="text/plain"
        )
        response.headers["WWW-Authenticate"] = REALM
        return response
    return None


@bp.after_request
def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/figures")
def figures_page() -> str:
    db = get_db()
    event = site_event(db)
    if event is None:
        abort(404, description="No event is served here yet.")
    return render_template("console/figures.html", f=figures(db, event))
