"""Speakers' "I cannot make this time" reports: read, reply, settle."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from scheduler.speaker_reports import reports as event_reports
from webapp.console import bp, operations
from webapp.db import get_db

PAGE = 50


@bp.get("/reports")
def reports() -> ResponseReturnValue:
    """Oldest first, 50 to a page: the ones to deal with next come first."""
    event = operations.require_event()
    show_all = request.args.get("all") == "1"
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    found = event_reports(get_db(), event, show_all)
    shown = found[(page - 1) * PAGE : page * PAGE]
    return render_template(
        "console/reports.html",
        reports=shown,
        show_all=show_all,
        page=page,
        total=len(found),
        more=len(found) > page * PAGE,
    )


@bp.post("/reports/<int:report_id>/settle")
def report_settle(report_id: int) -> ResponseReturnValue:
    operations.settle_report(report_id, request.form.get("reply", ""))
    flash(_("Report %(id)s is settled.", id=report_id))
    return redirect(url_for("console.reports"))
