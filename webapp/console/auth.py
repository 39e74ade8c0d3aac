"""Signing in to the console: Flask-Login sessions for people, personal tokens for scripts.

A login session lasts `CONSOLE_SESSION_MINUTES` of inactivity (the signed cookie carries its age,
and Flask refuses an older one). It names the account and its `auth_epoch`, so a password change,
a new role or a disabled account signs the person out everywhere. Scripts send
`Authorization: Bearer <token>`; such requests carry no cookie and need no CSRF token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, abort, g, request, session
from flask_login import AnonymousUserMixin, LoginManager, UserMixin, current_user, login_user

from scheduler import accounts
from scheduler.audit import Actor
from scheduler.models import User
from webapp.db import get_db

login_manager = LoginManager()
login_manager.session_protection = "basic"


@dataclass(frozen=True, slots=True)
class ConsoleUser(UserMixin):
    """What a request knows of the signed-in person (no live database row, so nothing goes stale)."""

    user_id: int
    email: str
    name: str
    role: str
    epoch: int
    must_change_password: bool

    @classmethod
    def of(cls, user: User) -> ConsoleUser:
        return cls(user.id, user.email, user.name, user.role, user.auth_epoch, user.must_change_password)

    def get_id(self) -> str:
        return f"{self.user_id}:{self.epoch}"

    def may(self, role: str) -> bool:
        return accounts.at_least(self.role, role)


class Anonymous(AnonymousUserMixin):
    role = ""
    must_change_password = False

    def may(self, _role: str) -> bool:
        return False


login_manager.anonymous_user = Anonymous


@login_manager.user_loader
def _load(session_id: str) -> ConsoleUser | None:
    user_id, _, epoch = session_id.partition(":")
    if not user_id.isdigit() or not epoch.isdigit():
        return None
    user = get_db().get(User, int(user_id))
    if user is None or not accounts.active(user) or user.auth_epoch != int(epoch):
        return None
    return ConsoleUser.of(user)


@login_manager.request_loader
def _load_from_token(_request: object) -> ConsoleUser | None:
    """A personal API token in `Authorization: Bearer ...` (console API only)."""
    auth = request.authorization
    if auth is None or auth.type != "bearer" or not auth.token:
        return None
    db = get_db()
    user = accounts.user_for_token(db, auth.token)
    if user is None:
        return None
    db.commit()  # the token's last use
    g.console_token = True
    return ConsoleUser.of(user)


def by_token() -> bool:
    """Whether this request is authenticated by an API token (not a browser's cookie)."""
    return bool(g.get("console_token"))


def actor() -> Actor:
    """The signed-in person, as the audit log records them."""
    if not current_user.is_authenticated:
        abort(401)
    return Actor(current_user.email, "api" if by_token() else "console", current_user.user_id)


def lockout(app_config: dict[str, object]) -> accounts.Lockout:
    return accounts.Lockout(
        failures=int(app_config["LOGIN_LOCKOUT_FAILURES"]),  # type: ignore[call-overload]
        minutes=float(app_config["LOGIN_LOCKOUT_MINUTES"]),  # type: ignore[arg-type]
    )


def start_session(user: User) -> None:
    """Sign `user` in on this browser, with a fresh session (no fixation of an earlier one)."""
    session.clear()
    session.permanent = True
    login_user(ConsoleUser.of(user))


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "console.login"
    app.permanent_session_lifetime = timedelta(minutes=int(app.config["CONSOLE_SESSION_MINUTES"]))
