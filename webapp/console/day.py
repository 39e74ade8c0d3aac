"""Run the day: Now & Next of every room, with the buttons of `scheduler live ...`."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from scheduler import live
from webapp.console import bp, operations
from webapp.live import phase_labels, translated_announcements


@bp.get("/day")
def day() -> ResponseReturnValue:
    operations.require_event()
    now, boards = operations.board()
    return render_template("console/day.html", now=now, boards=boards, phase_labels=phase_labels())


@bp.post("/day/<session_key>/<action>")
def day_action(session_key: str, action: str) -> ResponseReturnValue:
    slot, _english = operations.live_change(session_key, action, request.form.get("minutes", 0))
    flash(live.describe(slot, action, translated_announcements()))  # type: ignore[arg-type]
    return redirect(url_for("console.day", _anchor=f"room-{slot.room_key}"))
