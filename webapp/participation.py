"""Remote participation pages: registration, "My agenda", bookmarks, the personal feed and join links.

A participant is known by the token of their personal link. Following the link once remembers
it in this browser's session cookie, sealed so that the cookie does not show it (webapp/sealed.py),
and takes the token out of the address bar; every
page that shows or takes the token is sent with `no-store` and `no-referrer`, so neither caches
nor the virtual meeting provider learn it. Public pages are cached and shared by everyone, so
they carry no personal state: their bookmark links lead to a small personal page, and
`static/personal.js` marks bookmarked sessions and the navigation from `/me.json` (personal,
never stored by a cache).

"Add to my agenda" before registering leads through registration and back: the bookmark page
sends the visitor to `/register?bookmark=<session>&next=<page>`, which registers them, bookmarks
that session in the same transaction and offers the way back to the page they came from.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale, get_locale, gettext

from scheduler import participants
from scheduler.agenda import latest_published
from scheduler.effective import agenda_entries
from scheduler.ical import Extras, build_calendar, feed_info
from scheduler.joinlinks import Admission, JoinProvider, admit, offers_online, provider_from_config
from scheduler.live import EventClock
from scheduler.models import Event, Participant
from webapp import i18n, messages
from webapp.calendar_feeds import calendar_name, calendar_response, feed_texts
from webapp.csrf import check_csrf, csrf_token
from webapp.db import get_db
from webapp.feed_data import session_page_url, uid_host
from webapp.pages import current_programme, site_event
from webapp.programme import SessionView, language_name
from webapp.redirects import safe_next
from webapp.sealed import seal, unseal

bp = Blueprint("participation", __name__)
bp.add_app_template_global(csrf_token)

# The participant's token, sealed (webapp/sealed.py); the unsealed key of older cookies is dropped.
REMEMBERED = "participant"
LEGACY_REMEMBERED = "participant_token"
REMINDER = timedelta(minutes=10)
_JOIN_STATUS = {"invalid_token": 403, "unknown_session": 404, "unavailable": 404}


def init_app(app: Flask) -> None:
    """Build the join provider and the event clock once, so bad settings fail at start-up."""
    provider = provider_from_config(app.config)
    if provider is None:
        # Said once per process, where the team looks: pages tell participants the rest.
        app.logger.warning(
            "No join provider is configured (JOIN_URL_TEMPLATE or JOIN_PROVIDER, see "
            "docs/remote-participation.md): pages say online participation is not offered."
        )
    app.extensions["join_provider"] = provider
    app.extensions["event_clock"] = EventClock.parse(app.config.get("AGENDA_CLOCK"))
    app.register_blueprint(bp)


def event_clock() -> EventClock:
    return current_app.extensions["event_clock"]


def opens_before() -> timedelta:
    return timedelta(minutes=int(current_app.config["JOIN_OPENS_MINUTES_BEFORE"]))


def join_provider() -> JoinProvider | None:
    return current_app.extensions["join_provider"]


@bp.after_app_request
def _keep_language(response: Response) -> Response:
    """A registered participant who picks a language in the switcher keeps it in their profile
    (one query, only then)."""
    wanted = request.args.get(i18n.PARAMETER)
    if wanted in i18n.offered_codes() and remembered_token() and (event := site_event(get_db())):
        participant = current_participant(event)
        if participant is not None and participant.interface_language != wanted:
            participants.set_interface_language(participant, wanted)
            get_db().commit()
    return response


@bp.after_request
def _private(response: Response) -> Response:
    # Tokens and bookmarks appear in these pages' URLs and bodies: keep them out of caches and
    # Referer headers.
    response.headers["Referrer-Policy"] = "no-referrer"
    if response.mimetype in ("text/html", "application/json") or response.status_code in (301, 302, 303):
        response.headers["Cache-Control"] = "private, no-store"
    return response


def _event() -> Event:
    event = site_event(get_db())
    if event is None:
        abort(404, description=gettext("No event is served here yet."))
    return event


def remembered_token() -> str | None:
    if LEGACY_REMEMBERED in session:
        session.pop(LEGACY_REMEMBERED)
    return unseal(session.get(REMEMBERED))


def current_participant(event: Event) -> Participant | None:
    """The participant whose link this browser followed (None if none, or if it was revoked)."""
    return participants.by_token(get_db(), event, remembered_token())


def _remember(token: str) -> None:
    session[REMEMBERED] = seal(token)
    session.permanent = True


def join_link(session_key: str, token: str, external: bool = False) -> str:
    return url_for("participation.join", session_key=session_key, t=token, _external=external)


def online_keys(sessions: list[SessionView]) -> set[str]:
    """Which of these sessions can be joined online at all (a provider covers them)."""
    provider = join_provider()
    return {s.key for s in sessions if offers_online(provider, s.key, s.room.key)}


def _published_session(key: str) -> SessionView | None:
    programme = current_programme()
    return programme.session(key) if programme and key else None


# --- this browser's personal state, for the cached public pages --------------------------------------


@bp.get("/me.json")
def me() -> Response:
    """Whether this browser holds a participant's link, which sessions they bookmarked, and the
    token their bookmark changes must carry. Anonymous visitors cost no query and get no cookie."""
    event = site_event(get_db()) if remembered_token() else None
    participant = current_participant(event) if event is not None else None
    if participant is None:
        return jsonify(registered=False, bookmarks=[])
    return jsonify(
        registered=True,
        bookmarks=sorted(participants.bookmarked_keys(get_db(), participant)),
        csrf_token=csrf_token(),
    )


# --- registration ---------------------------------------------------------------------------------


def _countries() -> list[tuple[str, str]]:
    """Every country, named and sorted in the interface language (CLDR), else in English."""
    names = get_locale().territories
    named = [(code, names.get(code, english)) for code, english in participants.countries()]
    return sorted(named, key=lambda pair: pair[1].casefold())


def _form_choices() -> dict[str, Any]:
    return {
        "countries": _countries(),
        "groups": participants.STAKEHOLDER_GROUPS,
        "languages": participants.LANGUAGES,
    }


def _register_page(form: dict[str, str], errors: dict[str, str], pending: SessionView | None) -> str:
    return render_template(
        "participation/register.html",
        form=form,
        errors=errors,
        pending=pending,
        next=safe_next(""),
        already=current_participant(_event()),
        **_form_choices(),
    )


@bp.route("/register", methods=["GET", "POST"])
def register() -> str | tuple[str, int]:
    """Registration; with `bookmark` (a session) and `next` (a page of this site), also bookmark
    that session and offer the way back to `next`. A session no longer published is left out."""
    event = _event()
    pending = _published_session(request.values.get("bookmark", ""))
    if request.method == "GET":
        return _register_page({}, {}, pending)
    check_csrf(request.form)
    fields = ("name", "email", "country", "stakeholder_group", "language")
    given = {name: request.form.get(name, "") for name in fields}
    try:
        form = participants.validate(**given)
    except participants.RegistrationError as error:
        return _register_page(given, error.problems, pending), 400
    db = get_db()
    participant, token, new = participants.register_or_renew(db, event, form)
    if new:
        # The language they read the site in, for their feed and their link on other devices.
        participants.set_interface_language(participant, i18n.select_locale())
    if pending is not None:
        participants.add_bookmark(db, participant, participants.session_by_key(db, event, pending.key))
    messages.send_link(db, event, participant, token, first=new)
    db.commit()
    messages.hand_to_worker()
    if new:
        # Only a new registration signs this browser in: an address registered before belongs to
        # someone who gets their fresh link by email, not to whoever typed it here.
        _remember(token)
    # The page is the same either way, so it does not tell who is registered.
    return render_template(
        "participation/registered.html",
        name=form.name,
        email=form.email,
        bookmarked=pending,
        back=safe_next(""),
    )


@bp.get("/my/<token>")
def my_link(token: str) -> Response | tuple[str, int]:
    participant = participants.by_token(get_db(), _event(), token)
    if participant is None:
        return render_template("participation/invalid_link.html"), 404
    _remember(token)
    # Off the address bar and out of the history: the page itself is at /my.
    response = redirect(url_for(".my_agenda"), 303)
    if i18n.COOKIE not in request.cookies and participant.interface_language:  # unless this browser chose
        i18n.remember_language(response, participant.interface_language)
    return response


@bp.post("/my/forget")
def forget() -> Response:
    check_csrf(request.form)
    session.pop(REMEMBERED, None)
    return redirect(url_for("agenda.home"), 303)


@bp.get("/my")
def my_agenda() -> Response | str:
    event = _event()
    participant = current_participant(event)
    if participant is None:
        return redirect(url_for(".register"), 303)
    i18n.prefer(participant.interface_language)
    token = remembered_token() or ""
    keys = participants.bookmarked_keys(get_db(), participant)
    programme = current_programme()
    sessions = [s for s in programme.sessions if s.key in keys] if programme else []
    return render_template(
        "participation/my_agenda.html",
        participant=participant,
        programme=programme,
        sessions=sessions,
        bookmarked_keys=keys,
        online_keys=online_keys(sessions),
        token=token,
        link=url_for(".my_link", token=token, _external=True),
        feed=url_for(".personal_feed", token=token, _external=True),
        language=language_name(participant.language),
    )


# --- bookmarks ------------------------------------------------------------------------------------


@bp.get("/bookmark/<session_key>")
def bookmark_page(session_key: str) -> Response | str:
    """Where a public page's bookmark link leads: the personal add/remove form, or registration
    that bookmarks the session and leads back."""
    event = _event()
    shown = _published_session(session_key)
    if shown is None:
        abort(404, description=f"No published session {session_key!r}.")
    participant = current_participant(event)
    back = safe_next(url_for("agenda.session", key=session_key))
    if participant is None:
        return redirect(url_for(".register", bookmark=session_key, next=back), 303)
    keys = participants.bookmarked_keys(get_db(), participant)
    return render_template(
        "participation/bookmark.html",
        s=shown,
        participant=participant,
        bookmarked=session_key in keys,
        next=back,
    )


@bp.post("/bookmarks/<session_key>")
def bookmarks(session_key: str) -> Response:
    check_csrf(request.form)
    event = _event()
    participant = current_participant(event)
    if participant is None:
        abort(403, description="Register (or follow your personal link) to keep an agenda.")
    db = get_db()
    try:
        target = participants.session_by_key(db, event, session_key)
    except participants.ParticipantError:
        abort(404, description=f"No session {session_key!r}.")
    if request.form.get("action") == "remove":
        participants.remove_bookmark(db, participant, target)
    else:
        participants.add_bookmark(db, participant, target)
    db.commit()
    if request.accept_mimetypes.best == "application/json":
        return jsonify(bookmarks=sorted(participants.bookmarked_keys(db, participant)))
    return redirect(safe_next(url_for(".my_agenda")), 303)


# --- the personal calendar feed -------------------------------------------------------------------


@bp.get("/calendar/my/<token>.ics")
def personal_feed(token: str) -> Response:
    """The participant's bookmarks as they stand, with their personal join link and a reminder 10
    minutes before (neither for a cancelled session)."""
    event = _event()
    db = get_db()
    participant = participants.by_token(db, event, token)
    version = latest_published(db, event)
    if participant is None or version is None:
        abort(404, description=gettext("This calendar link is not valid (it may have been replaced)."))
    keys = participants.bookmarked_keys(db, participant)
    chosen = [e for e in agenda_entries(db, version) if e.session.key in keys]
    extras = {
        key: Extras(join_url=join_link(key, token, external=True), alarm_before=REMINDER) for key in keys
    }
    # In the participant's language (if the site offers it): calendar apps send no cookie.
    with force_locale(i18n.offered_or_default(participant.interface_language)):
        name = calendar_name(event.name, gettext("my agenda"))
        feed = feed_info(event, name, uid_host(), feed_texts())
    body = build_calendar(feed, chosen, session_page_url, extras)
    # Bookmarks change the feed between publications: the ETag (a hash of the body) tells clients.
    return calendar_response(body, None, private=True)


# --- joining ----------------------------------------------------------------------------------------


@bp.get("/join/<session_key>")
def join(session_key: str) -> Response | tuple[str, int]:
    """Check the personal link and send its holder to the session's virtual room, or say when."""
    event = _event()
    db = get_db()
    clock = event_clock()
    admission = admit(db, event, session_key, request.args.get("t"), clock, join_provider(), opens_before())
    if admission.outcome == "redirect" and admission.url:
        db.commit()
        return redirect(admission.url, 302)
    return _join_page(event, admission, clock), _JOIN_STATUS.get(admission.outcome, 200)


def _join_page(event: Event, admission: Admission, clock: EventClock) -> str:
    state = admission.state
    seconds = 0
    times: dict[str, datetime] = {}
    if state is not None:
        # On the event's clock with its offset, so that the page can show the viewer's time too.
        zone = ZoneInfo(event.timezone)
        slot = state.slot
        times = {
            "start": slot.starts_at.replace(tzinfo=zone),
            "end": slot.ends_at.replace(tzinfo=zone),
            "opens": state.opens_at.replace(tzinfo=zone),
        }
        if admission.outcome == "not_yet":
            seconds = max(0, int((state.opens_at - clock.now(event.timezone)).total_seconds()))
    return render_template(
        "participation/join.html", admission=admission, state=state, times=times, seconds=seconds
    )
