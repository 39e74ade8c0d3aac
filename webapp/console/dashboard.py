"""The console's front page: the event at a glance."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from scheduler import jobs
from scheduler.agenda import latest_published
from scheduler.speaker_reports import reports
from webapp.console import bp, operations
from webapp.db import get_db


def summary() -> dict[str, object]:
    """What the dashboard shows, for the page and the API alike."""
    operations.reap_jobs()
    db = get_db()
    event = operations.current_event()
    if event is None:
        return {"event": None}
    published = latest_published(db, event)
    draft = operations.newest_draft(db, event)
    verdict = operations.checker_verdict(db, event, draft) if draft is not None else None
    active = [job for job in jobs.jobs(db, event, limit=5) if job.state in jobs.ACTIVE]
    now, boards = operations.board()
    return {
        "event": event,
        "published": published,
        "draft": draft,
        "verdict": verdict,
        "open_reports": len(reports(db, event)),
        "live": [b.now for b in boards if b.now is not None],
        "now": now,
        "active_jobs": active,
    }


@bp.get("/")
def dashboard() -> ResponseReturnValue:
    return render_template("console/dashboard.html", **summary())
