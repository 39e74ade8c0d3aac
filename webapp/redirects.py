"""Where a `next` parameter may lead: a path on this site, never another host.

Browsers are lenient with what they take for a path: `/\\evil.example/x` is `//evil.example/x` to
Chromium (backslashes are slashes in http URLs), tabs and line breaks are dropped from addresses,
and `/%5Cevil` reaches code that decodes it before redirecting. So a target is refused unless it
starts with exactly one `/`, holds no backslash, no control character or space, and no scheme or
host, both as given and percent-decoded. Every place that reads `next` goes through `safe_next`,
for the links it renders as for the redirects it answers.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import request


def same_site_path(target: str, under: str = "/") -> bool:
    """Whether `target` is a path on this site, below `under`, in every way a browser reads it."""
    for form in (target, unquote(target)):
        if not form.startswith(under) or form.startswith("//") or "\\" in form:
            return False
        if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in form):
            return False
        parts = urlsplit(form)
        if parts.scheme or parts.netloc:
            return False
    return True


def safe_next(default: str, under: str = "/") -> str:
    """The request's `next` (query or form) when it is a path of this site below `under`, else `default`."""
    target = request.values.get("next", "")
    return target if same_site_path(target, under) else default
