"""Rate limits on what a script could repeat to skew figures or guess secrets (issue 14).

Registration, speakers' "I cannot make this time" reports, console sign-ins and join requests are
limited per client address, with Flask-Limiter. The limits are settings (`RATELIMIT_*`,
docs/configuration.md); requests are counted in Redis, shared by every web process, when one is
configured, else in the process's memory. Behind nginx the client address is the one nginx
forwards (`TRUSTED_PROXIES`, webapp/security.py). Each app gets its own Limiter, so test apps in
one process never share counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response
from flask_babel import gettext as _
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

from webapp.errors import error_page

# endpoint -> (the setting holding its limit, the methods it applies to; None: all)
LIMITED: dict[str, tuple[str, list[str] | None]] = {
    "participation.register": ("RATELIMIT_REGISTRATION", ["POST"]),
    "speakers.report": ("RATELIMIT_SPEAKER_REPORTS", ["POST"]),
    "console.login": ("RATELIMIT_CONSOLE_LOGIN", ["POST"]),
    "participation.join": ("RATELIMIT_JOIN", None),
}


def storage_uri(config: Mapping[str, Any]) -> str:
    return config.get("RATELIMIT_STORAGE_URI") or config.get("SOCKETIO_MESSAGE_QUEUE") or "memory://"


def init_app(app: Flask) -> None:
    """Limit the endpoints of LIMITED; call after every blueprint is registered."""
    app.config["RATELIMIT_HEADERS_ENABLED"] = True  # Retry-After tells a client when to come back
    # Counters are the deployment's own (its Socket.IO channel), even on a Redis others share.
    prefix = f"{app.config['SOCKETIO_CHANNEL']}:limits"
    limiter = Limiter(get_remote_address, app=app, key_prefix=prefix, storage_uri=storage_uri(app.config))
    for endpoint, (setting, methods) in LIMITED.items():
        view = app.view_functions[endpoint]
        app.view_functions[endpoint] = limiter.limit(app.config[setting], methods=methods)(view)
    app.register_error_handler(RateLimitExceeded, _too_many)


def _too_many(error: RateLimitExceeded) -> tuple[Response | str, int]:
    error.description = _(
        "Too many requests from your address (at most %(limit)s). Please wait a little and try again.",
        limit=error.limit.limit,
    )
    return error_page(error)
