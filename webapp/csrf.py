"""A per-browser-session CSRF token for the site's few HTML forms.

The token lives in Flask's signed session cookie and in a hidden form field; a POST whose field
does not match the cookie's token is refused. Another site can make a browser send the cookie,
but cannot read the page to learn the field.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping

from flask import abort, session

FIELD = "csrf_token"


def csrf_token() -> str:
    """The current session's token, created on first use (templates call this for the hidden field)."""
    if FIELD not in session:
        session[FIELD] = secrets.token_urlsafe(32)
    return session[FIELD]


def check_csrf(form: Mapping[str, str]) -> None:
    """Abort with 400 unless the form carries this session's token."""
    expected = session.get(FIELD)
    given = form.get(FIELD, "")
    if not expected or not hmac.compare_digest(str(expected).encode(), given.encode()):
        abort(
            400,
            description="The form has expired or did not come from this site. Reload the page and try again.",
        )
