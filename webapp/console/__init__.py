"""The programme team's console: a blueprint package under `/console/`, with its JSON API under
`/console/api/v1/`.

Each area has a module of its own (auth, dashboard, upload, solve, review, day, reports, figures,
audit, accounts); `operations` holds the one code path per action that the pages and the API share.
`access.RULES` says who may open each endpoint and `access.verdict` applies it; `_guard` answers
accordingly before every request.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.http import HTTP_STATUS_CODES

from webapp.console import access, auth
from webapp.console.operations import ActionRefused
from webapp.csrf import FIELD, check_csrf

bp = Blueprint("console", __name__, url_prefix="/console")
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_HEADER = "X-CSRF-Token"


def _is_api() -> bool:
    return (request.blueprint or "").startswith("console.api")


def refusal(status: int, message: str, issues: list[str] | None = None) -> Response:
    """A refusal in the form the client reads: JSON for the API, the styled error page otherwise."""
    if _is_api():
        body = {"error": HTTP_STATUS_CODES.get(status, "Error"), "status": status, "message": message}
        response = jsonify({**body, "issues": issues} if issues else body)
        response.status_code = status
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="console"'
        return response
    error = HTTPException(description=message)
    error.code = status
    page = render_template("console/error.html", error=error, code=status, issues=issues or [])
    return Response(page, status=status, mimetype="text/html")


@bp.before_request
def _guard() -> Response | None:
    """Apply the endpoint's rule: sign-in, role, one-time password, and CSRF for cookie requests."""
    endpoint = request.endpoint or ""
    verdict = access.verdict(endpoint, current_user)
    if verdict is access.Verdict.NO_RULE:
        return refusal(403, _("This page has no access rule yet."))
    if verdict is access.Verdict.SIGN_IN:
        if _is_api():
            return refusal(401, _("Sign in, or send a personal API token as a Bearer token."))
        back = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("console.login", next=back))
    if verdict is access.Verdict.CHANGE_PASSWORD:
        if _is_api():
            return refusal(403, _("Choose a new password in the console first."))
        return redirect(url_for("console.password"))
    if verdict is access.Verdict.ROLE_TOO_LOW:
        message = _(
            "Your role (%(role)s) may not do this; it needs %(needed)s.",
            role=current_user.role,
            needed=access.RULES[endpoint],
        )
        return refusal(403, message)
    return _check_csrf()


def _check_csrf() -> None:
    """Refuse a cookie-authenticated write without this session's CSRF token (API tokens need none)."""
    if request.method in UNSAFE_METHODS and not auth.by_token():
        # Forms send the token as a field; the console's scripts as a header.
        check_csrf({FIELD: request.headers.get(CSRF_HEADER) or request.form.get(FIELD, "")})
    return None


@bp.after_request
def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.errorhandler(ActionRefused)
def _refused(refused: ActionRefused) -> Response:
    return refusal(refused.status, refused.message, refused.issues)


@bp.app_errorhandler(RequestEntityTooLarge)
def _too_large(_error: RequestEntityTooLarge) -> Response:
    megabytes = f"{int(current_app.config['MAX_CONTENT_LENGTH']) / 1_000_000:g}"
    return refusal(
        413,
        _("The file is larger than the %(limit)s MB this site accepts; it was not read.", limit=megabytes),
    )


from webapp.console import (  # noqa: E402  (the views register themselves on `bp`)
    accounts,
    api,
    audit,
    dashboard,
    day,
    editor,
    figures,
    outbox,
    push,
    reports,
    review,
    signin,
    solve,
    upload,
)

__all__ = [
    "accounts",
    "api",
    "audit",
    "dashboard",
    "day",
    "editor",
    "figures",
    "outbox",
    "push",
    "reports",
    "review",
    "signin",
    "solve",
    "upload",
]


def init_app(app: Flask) -> None:
    auth.init_app(app)
    app.register_blueprint(bp)
