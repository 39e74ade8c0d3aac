"""Browser protections every response carries (docs/security.md, "Browser and session protections").

The pages have no inline scripts, styles or event handlers (tests/test_participant_path.py checks
them), so the Content-Security-Policy allows only this site's own files. Speakers' photos are
`https://` addresses on other hosts, hence `img-src https:`. Blueprints that need a stricter
Referrer-Policy (pages that show a capability token) set their own; this only fills what is unset.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' https: data:",
        # Socket.IO: long-polling and the WebSocket go to this site ('self' covers ws:/wss: of it).
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    # frame-ancestors for browsers that predate it.
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


class SessionCookie(SecureCookieSessionInterface):
    """Flask's signed cookie, `Secure` whenever the request came over HTTPS (SESSION_COOKIE_SECURE
    makes it so always): one deployment serves both a plain-HTTP demo and the HTTPS site."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def init_app(app: Flask) -> None:
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.session_interface = SessionCookie()
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:
        # Behind nginx the peer is nginx: the client's address and scheme are in the headers it
        # sets. Trusting them without a proxy would let any client claim any address.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    app.after_request(_protect)


def _protect(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response
