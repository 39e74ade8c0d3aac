"""Responses that polling clients revalidate cheaply: a strong ETag from the bytes, Last-Modified, 304.

Calendar apps, schedule apps and API clients fetch the same feed again and again; when nothing
changed they get `304 Not Modified` and no body. The ETag is the SHA-256 of the body, so it changes
exactly when the bytes do. Werkzeug's `make_conditional` does the comparison: weak comparison for
`If-None-Match` (quoted tags, lists, `W/` and `*`), which wins over `If-Modified-Since`.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from flask import Response, request


def body_etag(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def conditional_response(
    body: bytes, mimetype: str, last_modified: datetime | None = None, private: bool = False
) -> Response:
    """`body` with validators, or a bodiless 304 when the request's validators still match.

    `last_modified` is naive UTC (as stored) or aware. `private` keeps shared caches from storing
    responses made for one person (personal feeds).
    """
    response = Response(body, mimetype=mimetype)
    response.set_etag(body_etag(body))
    if last_modified is not None:
        moment = last_modified if last_modified.tzinfo else last_modified.replace(tzinfo=UTC)
        response.last_modified = moment.astimezone(UTC).replace(microsecond=0)
    # Always revalidate: a new publication must reach clients at once, and a 304 costs almost nothing.
    response.headers["Cache-Control"] = f"{'private' if private else 'public'}, no-cache"
    return response.make_conditional(request)
