"""How every timestamp column stores time."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """Now in UTC, naive and to the second, as every timestamp column stores it."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def iso_utc(moment: datetime | None) -> str | None:
    """A stored timestamp as ISO 8601 UTC (`2025-07-08T09:00:00Z`) for JSON, or None."""
    return None if moment is None else f"{moment:%Y-%m-%dT%H:%M:%S}Z"
