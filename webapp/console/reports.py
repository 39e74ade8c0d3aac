"""Speakers' "I cannot make this time" reports: read, reply, settle."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from scheduler.speaker_reports import reports as event_reports
from webapp.console import bp, operations
from webapp.db import get_db


@bp.get("/reports")
def reports() -> ResponseReturnValue:
    event = operations.require_event()
    show_all = request.args.get("all") == "1"
    return render_template(
        "console/reports.html", reports=event_reports(get_db(), event, show_all), show_all=show_all
    )


@bp.post("/reports/<int:report_id>/settle")
def report_settle(report_id: int) -> ResponseReturnValue:
    operations.settle_report(report_id, request.form.get("reply", ""))
    flash(_("Report %(id)s is settled.", id=report_id))
    return redirect(url_for("console.reports"))
