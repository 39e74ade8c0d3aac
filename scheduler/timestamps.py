"""How every timestamp column stores time."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """Now in UTC, naive and to the second, as every timestamp column stores it."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)
