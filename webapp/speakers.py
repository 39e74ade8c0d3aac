"""Speaker pages: the public list and profiles, and each speaker's private page behind a token link.

The private page (`/speaker/<token>`, links issued by `scheduler speaker-links`) shows the
speaker's published sessions with arrival advice and takes "I cannot make this time" reports for
the programme team. It is never cached and never sends the token on in a Referer header.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from scheduler.models import AvailabilityReport, Session, Speaker
from scheduler.speaker_links import verify_token
from scheduler.store import utc_now
from webapp import i18n
from webapp.csrf import check_csrf, csrf_token
from webapp.db import get_db
from webapp.filters import Filters, fold
from webapp.pages import programme_of, published_page
from webapp.programme import Programme, SessionView, SpeakerSessions, sessions_by_day

bp = Blueprint("speakers", __name__)
bp.add_app_template_global(csrf_token)

ARRIVE_BEFORE = timedelta(minutes=15)
MAX_MESSAGE_CHARS = 2000


def _by_initial(speakers: tuple[SpeakerSessions, ...]) -> list[tuple[str, list[SpeakerSessions]]]:
    """Speakers under the first letter of their name (list order kept: already by name)."""
    groups: dict[str, list[SpeakerSessions]] = {}
    for speaker in speakers:
        groups.setdefault(fold(speaker.person.name)[:1].upper() or "#", []).append(speaker)
    return list(groups.items())


@bp.get("/speakers")
@published_page(("q",))
def index(programme: Programme) -> str:
    query = Filters.from_args(request.args).query
    shown = tuple(s for s in programme.speakers if fold(query) in fold(s.person.name))
    return render_template(
        "speakers/index.html", programme=programme, query=query, count=len(shown), groups=_by_initial(shown)
    )


@bp.get("/speakers/<key>")
@published_page()
def profile(programme: Programme, key: str) -> str:
    speaker = programme.speaker(key)
    if speaker is None:
        abort(404)
    return render_template(
        "speakers/profile.html",
        programme=programme,
        speaker=speaker,
        groups=sessions_by_day(speaker.sessions),
    )


# --- The private page --------------------------------------------------------------------------


def _speaker_or_404(db: DbSession, token: str) -> Speaker:
    speaker = verify_token(db, token)
    if speaker is None:
        abort(404)
    return speaker


def _own_sessions(programme: Programme | None, speaker: Speaker) -> tuple[SessionView, ...]:
    own = programme.speaker(speaker.key) if programme is not None else None
    return own.sessions if own is not None else ()


@dataclass
class ReportForm:
    """The "I cannot make this time" form as posted, and what is wrong with it."""

    session: str = ""
    start: str = ""
    end: str = ""
    message: str = ""
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_request(cls) -> ReportForm:
        form = request.form
        return cls(
            session=form.get("session", "").strip(),
            start=form.get("start", "").strip(),
            end=form.get("end", "").strip(),
            message=form.get("message", "").strip(),
        )


def _parse_moment(text: str, label: str, errors: list[str]) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=None, second=0, microsecond=0)
    except ValueError:
        errors.append(
            gettext("%(field)s is not a date and time (expected e.g. 2025-07-08T14:00).", field=label)
        )
        return None


def _validate(form: ReportForm, own: tuple[SessionView, ...]) -> tuple[datetime | None, datetime | None]:
    """Check the form in place (filling `form.errors`); return the period, if one was given."""
    if form.session and form.session not in {s.key for s in own}:
        form.errors.append(gettext("Choose one of your own sessions."))
    start = _parse_moment(form.start, gettext("From"), form.errors)
    end = _parse_moment(form.end, gettext("Until"), form.errors)
    if bool(form.start) != bool(form.end):
        form.errors.append(gettext("Give both ends of the period you cannot make, or neither."))
    elif start and end and end <= start:
        form.errors.append(gettext("The period must end after it starts."))
    if not form.session and not (form.start or form.end):
        form.errors.append(gettext("Choose a session or give a period you cannot make."))
    if len(form.message) > MAX_MESSAGE_CHARS:
        form.errors.append(gettext("Keep the message under %(limit)s characters.", limit=MAX_MESSAGE_CHARS))
    return start, end


def _store_report(
    db: DbSession, speaker: Speaker, form: ReportForm, start: datetime | None, end: datetime | None
) -> None:
    session_id = None
    if form.session:
        session_id = db.scalar(
            select(Session.id).where(Session.event_id == speaker.event_id, Session.key == form.session)
        )
    db.add(
        AvailabilityReport(
            speaker_id=speaker.id,
            session_id=session_id,
            unavailable_start=start,
            unavailable_end=end,
            message=form.message,
            created_at=utc_now(),
        )
    )
    db.commit()


def _reports(db: DbSession, speaker: Speaker) -> list[AvailabilityReport]:
    return list(
        db.scalars(
            select(AvailabilityReport)
            .where(AvailabilityReport.speaker_id == speaker.id)
            .order_by(AvailabilityReport.created_at.desc())
        )
    )


def _private_response(body: str, status: int = 200) -> Response:
    response = Response(body, status=status, mimetype="text/html")
    # The URL is the credential: keep it out of caches, search engines and other sites' logs.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _render_private(
    db: DbSession, speaker: Speaker, token: str, form: ReportForm, status: int = 200
) -> Response:
    i18n.prefer(speaker.language)
    programme = programme_of(db, speaker.event)
    own = _own_sessions(programme, speaker)
    body = render_template(
        "speakers/private.html",
        programme=programme,
        speaker=speaker,
        token=token,
        sessions=own,
        arrive_before=ARRIVE_BEFORE,
        form=form,
        reports=_reports(db, speaker),
        max_message=MAX_MESSAGE_CHARS,
    )
    return _private_response(body, status)


@bp.get("/speaker/<token>")
def private(token: str) -> Response:
    db = get_db()
    speaker = _speaker_or_404(db, token)
    return _render_private(db, speaker, token, ReportForm())


@bp.post("/speaker/<token>")
def report(token: str) -> ResponseReturnValue:
    db = get_db()
    speaker = _speaker_or_404(db, token)
    check_csrf(request.form)
    form = ReportForm.from_request()
    start, end = _validate(form, _own_sessions(programme_of(db, speaker.event), speaker))
    if form.errors:
        return _render_private(db, speaker, token, form, status=400)
    _store_report(db, speaker, form, start, end)
    flash(
        gettext("Thank you: the programme team has your message and will be in touch if the agenda changes.")
    )
    # Post/redirect/get: reloading the confirmation does not send the report twice.
    return redirect(url_for("speakers.private", token=token), 303)
