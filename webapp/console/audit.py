"""The audit log, filtered by who, what, how and when."""

from __future__ import annotations

from datetime import datetime

from flask import render_template, request
from flask.typing import ResponseReturnValue

from scheduler import audit as log
from webapp.console import bp
from webapp.db import get_db

PAGE = 100


def _moment(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def filters_from(args: dict[str, str]) -> tuple[log.Filters, int | None]:
    before = args.get("before", "")
    return (
        log.Filters(
            actor=args.get("actor", "").strip(),
            action=args.get("action", "").strip(),
            via=args.get("via", "").strip(),
            since=_moment(args.get("since")),
            until=_moment(args.get("until")),
        ),
        int(before) if before.isdigit() else None,
    )


@bp.get("/audit")
def audit() -> ResponseReturnValue:
    db = get_db()
    filters, before = filters_from(request.args.to_dict())
    entries = log.entries(db, filters, limit=PAGE, before_id=before)
    return render_template(
        "console/audit.html",
        entries=entries,
        filters=filters,
        actions=log.actions(db),
        vias=log.VIAS,
        older=entries[-1].id if len(entries) == PAGE else None,
        args=request.args.to_dict(),
    )
