"""The programme team's accounts: roles, passwords, lockout and personal API tokens.

Passwords are hashed with Argon2id (argon2-cffi), a memory-hard hash. A new account, or one whose
password an admin resets, gets a one-time password that must be changed at the first sign-in.
Repeated failed sign-ins lock the account for a while, longer each time (`LOGIN_*` settings).
API tokens are random and shown once; only their SHA-256 is stored, as for speakers' links.

Every change here is one function that takes the acting person and writes its audit line.
"""

from __future__ import annotations

import contextlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from scheduler.audit import Actor, record
from scheduler.languages import translatable
from scheduler.models import ApiToken, User
from scheduler.participants import hash_token, plausible_token
from scheduler.timestamps import utc_now

# In rising order of what they may do: each role may do all that the ones before it may.
ROLES = ("viewer", "editor", "admin")
ROLE_HELP = {
    "viewer": translatable("reads everything in the console"),
    "editor": translatable("imports, solves, edits drafts, publishes and runs the day"),
    "admin": translatable("everything, and manages accounts"),
}
MIN_PASSWORD_LENGTH = 12
# Tokens start with this, so a leaked one is recognisable (and scanners can find them).
TOKEN_PREFIX = "sct_"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_hasher = PasswordHasher()


class AccountError(ValueError):
    """An account change that cannot be made, said in plain words."""


class AccountNotFound(AccountError, LookupError):
    """No account has that email or id."""


@dataclass(frozen=True, slots=True)
class Lockout:
    """When repeated failures lock an account, and for how long (doubling each further failure)."""

    failures: int = 5
    minutes: float = 1.0
    longest_minutes: float = 24 * 60

    def until(self, failures: int, now: datetime) -> datetime | None:
        if failures < self.failures:
            return None
        minutes = min(self.minutes * 2 ** (failures - self.failures), self.longest_minutes)
        return now + timedelta(minutes=minutes)


def at_least(role: str, needed: str) -> bool:
    """Whether `role` may do what `needed` may."""
    return ROLES.index(role) >= ROLES.index(needed)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def new_one_time_password() -> str:
    return secrets.token_urlsafe(12)


def _normal_email(email: str) -> str:
    email = email.strip().lower()
    if not _EMAIL.match(email) or len(email) > 320:
        raise AccountError(f"{email!r} is not an email address")
    return email


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"role {role!r} is not one of {', '.join(ROLES)}")
    return role


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")


# --- reading -----------------------------------------------------------------------------------


def find_user(db: DbSession, email: str) -> User:
    user = db.scalars(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise AccountNotFound(f"no account for {email.strip()!r}")
    return user


def get_user(db: DbSession, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise AccountNotFound(f"no account #{user_id}")
    return user


def users(db: DbSession) -> Sequence[User]:
    return db.scalars(select(User).order_by(User.email)).all()


def active(user: User) -> bool:
    return user.disabled_at is None


def status(user: User) -> str:
    """ "active", "disabled", or "must change password" (a one-time password not yet replaced)."""
    if user.disabled_at is not None:
        return "disabled"
    return "must change password" if user.must_change_password else "active"


# --- changes (each with its audit line) --------------------------------------------------------


def add_user(db: DbSession, email: str, role: str, *, actor: Actor, name: str = "") -> tuple[User, str]:
    """A new account with a one-time password, returned (the only time it is known)."""
    email = _normal_email(email)
    _check_role(role)
    if db.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise AccountError(f"there is already an account for {email}")
    password = new_one_time_password()
    user = User(
        email=email,
        name=name.strip()[:300],
        role=role,
        password_hash=hash_password(password),
        must_change_password=True,
        created_at=utc_now(),
    )
    db.add(user)
    db.flush()
    record(db, actor, "account.add", subject=email, after=f"user {user.id}", detail={"role": role})
    return user, password


def set_role(db: DbSession, user: User, role: str, *, actor: Actor) -> User:
    _check_role(role)
    before = user.role
    if before != role:
        _keep_an_admin(db, user, losing=before == "admin")
        user.role = role
        user.auth_epoch += 1
        record(db, actor, "account.role", subject=user.email, before=before, after=role)
    return user


def disable(db: DbSession, user: User, *, actor: Actor) -> User:
    """Sign the person out everywhere and refuse their password and tokens from now on."""
    if user.disabled_at is None:
        _keep_an_admin(db, user, losing=user.role == "admin")
        user.disabled_at = utc_now()
        user.auth_epoch += 1
        record(db, actor, "account.disable", subject=user.email, before="active", after="disabled")
    return user


def enable(db: DbSession, user: User, *, actor: Actor) -> User:
    if user.disabled_at is not None:
        user.disabled_at = None
        user.failed_logins = 0
        user.locked_until = None
        record(db, actor, "account.enable", subject=user.email, before="disabled", after="active")
    return user


def reset_password(db: DbSession, user: User, *, actor: Actor) -> str:
    """A new one-time password for someone who lost theirs (they must change it at sign-in)."""
    password = new_one_time_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    user.auth_epoch += 1
    record(db, actor, "account.password_reset", subject=user.email)
    return password


def change_password(db: DbSession, user: User, current: str, new: str, *, actor: Actor) -> User:
    """The person's own change (the first one replaces the one-time password)."""
    if not _verify(user, current):
        raise AccountError("the current password is not right")
    check_new_password(new)
    if new == current:
        raise AccountError("choose a password different from the current one")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.auth_epoch += 1
    record(db, actor, "account.password_change", subject=user.email)
    return user


def _keep_an_admin(db: DbSession, user: User, losing: bool) -> None:
    """Refuse to take away the last active admin: nobody could manage accounts any more."""
    if not losing:
        return
    others = db.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == "admin", User.disabled_at.is_(None), User.id != user.id)
    )
    if not others:
        raise AccountError(f"{user.email} is the last active admin; make someone else admin first")


# --- signing in --------------------------------------------------------------------------------


class SignInRefused(AccountError):
    """Wrong email or password, a disabled account, or a lockout (`retry_at` says until when)."""

    def __init__(self, message: str, retry_at: datetime | None = None) -> None:
        super().__init__(message)
        self.retry_at = retry_at


def _verify(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def sign_in(
    db: DbSession, email: str, password: str, *, lockout: Lockout, via: str, now: datetime | None = None
) -> User:
    """The account whose password this is, or SignInRefused; failures count towards a lockout.

    The refusal never says whether the email exists. Both outcomes are logged.
    """
    now = now or utc_now()
    user = db.scalars(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        _verify_dummy(password)
        raise SignInRefused("the email or the password is not right")
    if user.locked_until is not None and user.locked_until > now:
        raise SignInRefused("too many failed attempts", retry_at=user.locked_until)
    if not _verify(user, password) or user.disabled_at is not None:
        user.failed_logins += 1
        user.locked_until = lockout.until(user.failed_logins, now)
        record(
            db,
            Actor(user.email, via, user.id),
            "account.sign_in_failed",
            subject=user.email,
            detail={"failures": user.failed_logins, "locked": user.locked_until is not None},
        )
        raise SignInRefused("the email or the password is not right", retry_at=user.locked_until)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    record(db, Actor(user.email, via, user.id), "account.sign_in", subject=user.email)
    return user


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def _verify_dummy(password: str) -> None:
    """Spend as long on an unknown email as on a real account, so timing does not tell them apart."""
    with contextlib.suppress(VerificationError):
        _hasher.verify(_dummy_hash(), password)


# --- API tokens --------------------------------------------------------------------------------


def issue_token(db: DbSession, user: User, *, actor: Actor, label: str = "") -> str:
    """A new personal API token for `user`, returned (the only time it is known)."""
    if user.disabled_at is not None:
        raise AccountError(f"{user.email} is disabled")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user=user, token_hash=hash_token(token), label=label.strip()[:200], created_at=utc_now())
    db.add(row)
    db.flush()
    record(db, actor, "account.token", subject=user.email, after=f"token {row.id}", detail={"label": label})
    return token


def revoke_tokens(db: DbSession, user: User, *, actor: Actor) -> int:
    live = [t for t in user.tokens if t.revoked_at is None]
    for token in live:
        token.revoked_at = utc_now()
    if live:
        record(db, actor, "account.token_revoke", subject=user.email, detail={"tokens": len(live)})
    return len(live)


def user_for_token(db: DbSession, token: str, now: datetime | None = None) -> User | None:
    """The active account a live token belongs to, or None."""
    if not token.startswith(TOKEN_PREFIX) or not plausible_token(token.removeprefix(TOKEN_PREFIX)):
        return None
    row = db.scalars(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))
    ).first()
    if row is None or row.user.disabled_at is not None:
        return None
    now = now or utc_now()
    # Written at most once a minute: a script polling a job should not turn every read into a write.
    if row.last_used_at is None or now - row.last_used_at >= timedelta(minutes=1):
        row.last_used_at = now
    return row.user
