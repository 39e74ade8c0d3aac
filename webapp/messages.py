"""Messages seen from the public site: writing them from a request, handing them to a worker, the
"lost my link" form and the stop link every message carries.

A request only writes messages to the outbox (in its transaction) and, after the commit, hands them
to a job worker (`scheduler.jobs.dispatch_delivery`): nothing is sent while a page waits.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, Response, abort, current_app, render_template, request
from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession

from scheduler import jobs, notifications, outbox, participants
from scheduler.models import Event, Participant
from scheduler.plaintext import is_email
from webapp.csrf import check_csrf
from webapp.db import get_db
from webapp.pages import site_event

logger = logging.getLogger(__name__)
bp = Blueprint("messages", __name__)


def init_app(app: Flask) -> None:
    """Refuse a MAIL_HOLD_KINDS naming no kind of message at start-up, not at the first publication."""
    outbox.held_kinds(app.config)
    app.register_blueprint(bp)


def mailing() -> notifications.Mailing:
    """How this request writes messages: the settings, and the site's address (AGENDA_BASE_URL, or
    the address the request came to)."""
    settings = current_app.config
    return notifications.Mailing.of(settings, settings.get("AGENDA_BASE_URL") or request.url_root)


def hand_to_worker() -> None:
    """After the commit: have a worker send what was queued. A queue that is down leaves the
    messages queued in the outbox (the team sees them there), never a failed page."""
    settings = current_app.config
    try:
        jobs.dispatch_delivery(settings, settings["DATABASE_URL"])
    except Exception:
        logger.exception("messages could not be handed to a worker; they stay queued in the outbox")


def send_link(db: DbSession, event: Event, participant: Participant, token: str, *, first: bool) -> None:
    notifications.participant_link(db, event, participant, token, mailing(), first=first)


def _event() -> Event:
    event = site_event(get_db())
    if event is None:
        abort(404)
    return event


@bp.route("/lost-link", methods=["GET", "POST"])
def lost_link() -> str | tuple[str, int]:
    """Ask for a new personal link by email. The answer is the same whether or not the address is
    registered, so the form tells nobody who is."""
    event = _event()
    if request.method == "GET":
        return render_template("messages/lost_link.html", email="", error=None, sent=False)
    check_csrf(request.form)
    email = request.form.get("email", "").strip()
    if not is_email(email):
        error = _("please give an email address such as name@example.org")
        return render_template("messages/lost_link.html", email=email, error=error, sent=False), 400
    db = get_db()
    renewed = participants.renew_by_email(db, event, email)
    if renewed is not None:
        send_link(db, event, *renewed, first=False)
    db.commit()
    if renewed is not None:
        hand_to_worker()
    return render_template("messages/lost_link.html", email=email, error=None, sent=True)


@bp.route("/messages/stop/<who>/<int:person_id>/<signature>", methods=["GET", "POST"])
def stop(who: str, person_id: int, signature: str) -> Response | str:
    """A message's stop link: a GET only asks (mail scanners follow links), the button stops."""
    secret = current_app.config["SECRET_KEY"]  # create_app never leaves it empty
    if not notifications.valid_stop(secret, who, person_id, signature):
        abort(404)
    event = _event()
    if request.method == "GET":
        return render_template("messages/stop.html", who=who, done=False)
    check_csrf(request.form)
    db = get_db()
    if not notifications.stop_messages(db, event, who, person_id):
        abort(404)
    db.commit()
    return render_template("messages/stop.html", who=who, done=True)
