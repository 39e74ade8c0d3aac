"""The outbox: the messages waiting for review or sending, one message read and edited, sent or
discarded, a batch sent at once, and speaker links emailed."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext

from scheduler import outbox as domain
from webapp.console import bp, operations
from webapp.db import get_db


@bp.get("/outbox")
def outbox() -> ResponseReturnValue:
    event = operations.require_event()
    state = request.args.get("state", "")
    state = state if state in domain.STATES else ""
    db = get_db()
    return render_template(
        "console/outbox.html",
        messages=domain.listing(db, event, state or None),
        counts=domain.counts(db, event),
        state=state,
        states=domain.STATES,
    )


@bp.get("/outbox/<int:message_id>")
def outbox_message(message_id: int) -> ResponseReturnValue:
    message = operations.find_message(message_id)
    return render_template("console/outbox_message.html", message=message, shown=domain.public(message))


@bp.post("/outbox/<int:message_id>/edit")
def outbox_edit(message_id: int) -> ResponseReturnValue:
    operations.edit_message(message_id, request.form.get("subject", ""), request.form.get("text", ""))
    flash(_("Message %(id)s is changed.", id=message_id))
    return redirect(url_for("console.outbox_message", message_id=message_id))


def _back() -> ResponseReturnValue:
    target = request.form.get("back", "")
    return redirect(target if target.startswith("/console/outbox") else url_for("console.outbox"))


@bp.post("/outbox/send")
def outbox_send() -> ResponseReturnValue:
    count = operations.send_messages(request.form.getlist("id"), request.form.get("all") == "1")
    flash(ngettext("%(num)s message is on its way.", "%(num)s messages are on their way.", count))
    return _back()


@bp.post("/outbox/hold")
def outbox_hold() -> ResponseReturnValue:
    count = operations.hold_messages(request.form.getlist("id"))
    flash(ngettext("%(num)s message is held for review.", "%(num)s messages are held for review.", count))
    return _back()


@bp.post("/outbox/discard")
def outbox_discard() -> ResponseReturnValue:
    count = operations.discard_messages(request.form.getlist("id"))
    flash(ngettext("%(num)s message is discarded.", "%(num)s messages are discarded.", count))
    return _back()


@bp.post("/outbox/speaker-links")
def outbox_speaker_links() -> ResponseReturnValue:
    written = operations.email_speaker_links()
    flash(
        _(
            "%(queued)s speaker link messages are in the outbox; %(missing)s speakers have no email "
            "(`scheduler speaker-links` prints their links).",
            queued=written.queued,
            missing=written.no_email,
        )
    )
    return redirect(url_for("console.outbox"))
