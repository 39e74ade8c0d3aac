"""What a browser keeps for the site but cannot read: a participant's link token in the session cookie.

Flask's session cookie is signed, not encrypted: anyone who sees the cookie (a shared computer's
profile, a proxy's log, a browser extension) could read what it holds. The participant's token is
a capability (it opens "My agenda", the personal feed and join links), so the cookie holds it only
sealed, with Fernet (AES-128-CBC and HMAC-SHA256) under a key derived from SECRET_KEY. A new
SECRET_KEY unseals nothing: the browser simply follows its personal link again.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

# Keeps this key apart from every other use of SECRET_KEY (the cookie's signature).
_PURPOSE = b"wsis-agenda sealed cookie values\x00"


def _fernet() -> Fernet:
    secret = current_app.config["SECRET_KEY"]
    material = secret if isinstance(secret, bytes) else str(secret).encode()
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(_PURPOSE + material).digest()))


def seal(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode("ascii")


def unseal(sealed: str | None) -> str | None:
    """The value `seal` was given, or None for anything else (missing, altered, another key's)."""
    if not sealed:
        return None
    try:
        return _fernet().decrypt(sealed.encode("ascii")).decode()
    except (InvalidToken, UnicodeError, ValueError):
        return None
