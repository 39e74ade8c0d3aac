"""The console's actions, one function each, shared by the pages and the API.

Each takes plain values (from a form or a JSON body), acts as the signed-in person through the one
domain function in `scheduler/` (which writes the audit line), commits, and returns what it made.
A refusal is an `ActionRefused` with the HTTP status and a sentence; pages show it, the API sends
it as JSON.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession

from scheduler import accounts, editing, jobs, live, notifications, outbox, participants, uploads
from scheduler.agenda import latest_published
from scheduler.check import CheckReport, check
from scheduler.models import Event, Job, OutboxMessage, ScheduleVersion, Upload, User
from scheduler.speaker_reports import ReportNotFound, resolve
from scheduler.store import StoreError, export_problem
from scheduler.timestamps import utc_now
from scheduler.versions import PublishRefused, VersionError, drafts, find_version, publish, version_schedule
from webapp import messages
from webapp.console.auth import actor
from webapp.console.push import draft_room
from webapp.db import get_db
from webapp.extensions import socketio
from webapp.live import hub
from webapp.pages import site_event
from webapp.participation import event_clock


class ActionRefused(Exception):
    """An action that cannot be done as asked: the HTTP status, a sentence, and any detailed issues."""

    def __init__(self, status: int, message: str, issues: list[str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.issues = issues or []


def _event(db: DbSession) -> Event:
    event = site_event(db)
    if event is None:
        raise ActionRefused(404, _("No event is stored yet: upload a problem file first."))
    return event


def current_event() -> Event | None:
    return site_event(get_db())


def require_event() -> Event:
    return _event(get_db())


# --- upload ------------------------------------------------------------------------------------


def stage_upload(filename: str, content: bytes) -> Upload:
    db = get_db()
    try:
        upload = uploads.stage(db, site_event(db), filename, content, actor=actor())
    except uploads.UploadError as error:
        db.rollback()
        raise ActionRefused(
            422, _("The file has problems; nothing was stored."), [str(i) for i in error.issues]
        ) from None
    db.commit()
    return upload


def find_upload(upload_id: int) -> tuple[Upload, uploads.Preview]:
    db = get_db()
    try:
        upload = uploads.find_upload(db, upload_id)
    except uploads.UploadNotFound:
        raise ActionRefused(404, _("There is no upload %(id)s.", id=upload_id)) from None
    return upload, uploads.preview(db, upload, site_event(db))


def apply_upload(upload_id: int) -> Event:
    db = get_db()
    upload, _preview = find_upload(upload_id)
    try:
        event = uploads.apply(db, upload, site_event(db), actor=actor())
    except uploads.UploadError as error:
        db.rollback()
        raise ActionRefused(409, str(error)) from None
    except StoreError as error:
        db.rollback()
        raise ActionRefused(
            422, _("The event cannot be stored as given; nothing was changed."), error.issues
        ) from None
    db.commit()
    return event


# --- solve ---------------------------------------------------------------------------------------


def _number(values: Mapping[str, Any], name: str, default: float) -> float:
    raw = values.get(name, default)
    try:
        return float(raw if raw not in ("", None) else default)
    except (TypeError, ValueError):
        raise ActionRefused(400, _("%(name)s must be a number.", name=name)) from None


def _flag(values: Mapping[str, Any], name: str) -> bool:
    raw = values.get(name, False)
    return raw is True or str(raw).lower() in ("1", "true", "on", "yes")


def start_solve(values: Mapping[str, Any], draft: int | None = None) -> Job:
    """Queue a solve of the event (refused while one is queued or running) and hand it to a worker;
    with `draft`, a re-plan that keeps that draft's pins and moves as little else as it can."""
    db = get_db()
    event = _event(db)
    settings = current_app.config
    try:
        params = jobs.SolveParams(
            time_limit=_number(values, "time_limit", 60),
            replan=_flag(values, "replan"),
            note=str(values.get("note", ""))[:500],
            draft=draft,
        )
        job = jobs.submit_solve(db, event, params, actor=actor(), runner=jobs.runner_for(settings))
    except jobs.JobBusy as error:
        db.rollback()
        raise ActionRefused(409, str(error)) from None
    except jobs.JobError as error:
        db.rollback()
        raise ActionRefused(400, str(error)) from None
    db.commit()
    engine = current_app.extensions["agenda_engine"]
    try:
        jobs.dispatch(engine, job.id, settings, settings["DATABASE_URL"])
    except Exception as error:  # Redis down, no process slots: the job must not wait forever
        reason = f"the job could not be handed to a worker: {type(error).__name__}: {error}"
        jobs.fail(db, job, reason)
        db.commit()
        raise ActionRefused(503, reason) from None
    db.expire_all()
    return db.get(Job, job.id) or job


def reap_jobs() -> None:
    """Mark failed the jobs whose worker died, before anyone reads job states."""
    db = get_db()
    if jobs.reap(db, float(current_app.config["JOB_HEARTBEAT_TIMEOUT"])):
        db.commit()


def find_job(job_id: int) -> Job:
    reap_jobs()
    db = get_db()
    job = db.get(Job, job_id)
    event = site_event(db)
    if job is None or event is None or job.event_id != event.id:
        raise ActionRefused(404, _("There is no job %(id)s.", id=job_id))
    return job


def stop_job(job_id: int) -> Job:
    db = get_db()
    job = find_job(job_id)
    try:
        jobs.request_stop(db, job, actor=actor())
    except jobs.JobError as error:
        db.rollback()
        raise ActionRefused(409, str(error)) from None
    db.commit()
    return job


# --- review and publish ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Review:
    version: ScheduleVersion
    published: ScheduleVersion | None
    schedule: Any
    report: CheckReport | None
    changes: list[Any]


def find_version_or_404(number: int) -> ScheduleVersion:
    db = get_db()
    try:
        return find_version(db, _event(db), number)
    except VersionError:
        raise ActionRefused(404, _("There is no version %(number)s.", number=number)) from None


T = TypeVar("T")
CACHE_SIZE = 32


def cached(kind: str, key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, remembered per app under `key`: for what is derived from data that never changes
    once written (a version's assignments, the problem as of one import), so keys name that data."""
    caches: dict[str, OrderedDict[Hashable, Any]] = current_app.extensions.setdefault("console_cache", {})
    cache = caches.setdefault(kind, OrderedDict())
    if key in cache:
        cache.move_to_end(key)
        return cache[key]  # type: ignore[no-any-return]
    value = compute()
    cache[key] = value
    while len(cache) > CACHE_SIZE:
        cache.popitem(last=False)
    return value


def checker_verdict(db: DbSession, event: Event, version: ScheduleVersion) -> CheckReport | None:
    """The checker's report on a version (None for an infeasible one). A version never changes, and
    the key holds the event's import time, so a re-import checks again."""
    if version.status == "infeasible":
        return None
    return cached(
        "verdict",
        (version.id, version.revision, event.imported_at),
        lambda: check(export_problem(db, event), version_schedule(db, version)),
    )


def review(number: int) -> Review:
    from scheduler.diff import diff_assignments

    db = get_db()
    event = _event(db)
    version = find_version_or_404(number)
    schedule = draft_schedule(db, version)
    published = latest_published(db, event)
    changes: list[Any] = []
    if published is not None and published.id != version.id and schedule.status != "infeasible":
        before = draft_schedule(db, published)
        changes = cached(
            "changes",
            (published.id, version.id, version.revision),
            lambda: diff_assignments(before.assignments, schedule.assignments),
        )
    return Review(version, published, schedule, checker_verdict(db, event, version), changes)


def publish_version(number: int, note: str, confirmed: bool) -> ScheduleVersion:
    """Publish version `number`; one that breaks hard rules needs `confirmed` (recorded as forced)."""
    db = get_db()
    event = _event(db)
    version = find_version_or_404(number)
    try:
        published = publish(db, event, version, force=confirmed, note=note.strip() or None, actor=actor())
        notifications.publication(db, event, published, messages.mailing(), actor=actor())
    except PublishRefused as refused:
        db.rollback()
        issues = [f"{v.rule}: {v.message}" for v in refused.violations]
        message = _(
            "This agenda breaks %(count)s hard rules: confirm to publish it anyway.", count=len(issues)
        )
        raise ActionRefused(409, message, issues) from None
    except VersionError as error:
        db.rollback()
        raise ActionRefused(409, str(error)) from None
    db.commit()
    messages.hand_to_worker()
    live.notify_published(event, published, db)
    return published


def newest_draft(db: DbSession, event: Event) -> ScheduleVersion | None:
    return next(iter(drafts(db, event)), None)


def draft_schedule(db: DbSession, version: ScheduleVersion) -> Any:
    """A version's schedule; a draft changes only with its revision, so that is part of the key."""
    return cached("schedule", (version.id, version.revision), lambda: version_schedule(db, version))


# --- edit a draft --------------------------------------------------------------------------------

# "place" is "move" by another name: both move a placed session and place an unscheduled one.
EDITS = ("move", "place", "swap", "unschedule", "pin", "unpin", "undo", "redo")
PIN_KINDS = ("both", "room", "start")


def event_problem(db: DbSession, event: Event) -> Any:
    """The stored problem, read once per import: every edit checks against it."""
    return cached("problem", (event.id, event.imported_at), lambda: export_problem(db, event))


def _text(values: Mapping[str, Any], name: str) -> str:
    value = values.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ActionRefused(400, _("Choose %(name)s.", name=name))
    return value.strip()


def _moment(values: Mapping[str, Any], name: str) -> datetime:
    try:
        return datetime.fromisoformat(_text(values, name))
    except ValueError:
        raise ActionRefused(
            400, _("%(name)s must be a date and time such as 2025-07-08T10:00.", name=name)
        ) from None


def _sessions(values: Mapping[str, Any]) -> list[str]:
    """One session (`session`) or several (`sessions`: a list, or a form's repeated field)."""
    listed = values.get("sessions")
    if isinstance(listed, list):
        return [str(s) for s in listed]
    getlist = getattr(values, "getlist", None)
    if getlist is not None and getlist("sessions"):
        return [str(s) for s in getlist("sessions")]
    return [_text(values, "session")]


def _revision(values: Mapping[str, Any]) -> int:
    raw = values.get("revision")
    if isinstance(raw, bool) or not (isinstance(raw, int) or (isinstance(raw, str) and raw.isdigit())):
        raise ActionRefused(
            400, _("Send the draft's revision you are looking at, so a stale view cannot overwrite.")
        )
    return int(raw)


def _edit(db: DbSession, version: ScheduleVersion, action: str, values: Mapping[str, Any]) -> editing.Outcome:
    edit = editing.Editing(db, version, _revision(values), actor(), event_problem(db, version.event))
    override = _flag(values, "override")
    if action in ("move", "place"):
        session, room, start = _text(values, "session"), _text(values, "room"), _moment(values, "start")
        return editing.move(edit, session, room, start, override=override)
    if action == "swap":
        return editing.swap(edit, _text(values, "session"), _text(values, "other"), override=override)
    if action == "unschedule":
        return editing.unschedule(edit, _text(values, "session"), override=override)
    if action == "pin":
        what = str(values.get("what") or "both")
        if what not in PIN_KINDS:
            raise ActionRefused(400, _("Pin the room, the start or both."))
        return editing.pin(edit, _sessions(values), what)  # type: ignore[arg-type]
    if action == "unpin":
        return editing.unpin(edit, _sessions(values))
    return (editing.undo if action == "undo" else editing.redo)(edit)


def edit_draft(number: int, action: str, values: Mapping[str, Any]) -> editing.Outcome:
    """One edit of draft `number`, checked at once; a stale revision or a broken hard rule (without
    `override`) is refused with the reason, and nothing is written."""
    if action not in EDITS:
        raise ActionRefused(404, _("There is no edit %(action)s.", action=action))
    db = get_db()
    version = find_version_or_404(number)
    try:
        outcome = _edit(db, version, action, values)
    except editing.StaleRevision as error:
        db.rollback()
        raise ActionRefused(409, str(error)) from None
    except editing.EditRefused as refused:
        db.rollback()
        names = {s.id: s.name for s in event_problem(db, version.event).speakers}
        issues = [_broken(v, names) for v in refused.violations]
        message = _(
            "Not done: this breaks %(count)s hard rule(s). Keep it anyway only as a marked override.",
            count=len(issues),
        )
        raise ActionRefused(409, message, issues) from None
    except editing.EditError as error:
        db.rollback()
        raise ActionRefused(400, str(error)) from None
    db.commit()
    notify_editors(version.number, action, outcome)
    return outcome


def _broken(v: Any, names: Mapping[str, str]) -> str:
    """A broken rule in words, with the speakers' names (the checker names them by id)."""
    who = ", ".join(names.get(s, s) for s in v.speakers)
    return f"{v.rule}: {v.message}" + (f" ({who})" if who else "")


def outcome_data(outcome: editing.Outcome) -> dict[str, Any]:
    """An edit's answer, for the API and the editor page's script alike."""
    return {
        "action": outcome.action,
        "revision": outcome.revision,
        "changes": [
            {
                "session": c.session,
                "kind": c.kind,
                "room": c.after.room if c.after else None,
                "start": c.after.start.isoformat() if c.after else None,
                "end": c.after.end.isoformat() if c.after else None,
                "describe": c.describe(),
            }
            for c in outcome.changes
        ],
        "override": [f"{v.rule}: {v.message}" for v in outcome.violations],
        "effects": list(outcome.effects),
        "pins": outcome.pins,
    }


def notify_editors(number: int, action: str, outcome: editing.Outcome) -> None:
    """Tell the other editors of the draft, in every server process, what changed."""
    payload = {**outcome_data(outcome), "draft": number, "by": actor().name}
    socketio.emit("draft", payload, namespace=jobs.CONSOLE_NAMESPACE, to=draft_room(number))


# --- run the day -------------------------------------------------------------------------------

ACTIONS: tuple[live.Action, ...] = ("delay", "cancel", "start", "end", "reset")


def live_change(session_key: str, action: str, minutes: object = 0) -> tuple[live.Slot, str]:
    """What `scheduler live ACTION` does: record the change, then announce it to followers."""
    if action not in ACTIONS:
        raise ActionRefused(404, _("There is no action %(action)s.", action=action))
    try:
        delay = int(minutes or 0)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise ActionRefused(400, _("The delay must be a whole number of minutes.")) from None
    db = get_db()
    event = _event(db)
    try:
        slot = live.change(db, event, session_key, action, delay, actor=actor())  # type: ignore[arg-type]
        bookmarkers = participants.bookmarking(db, [slot.session_id]).get(slot.session_id, [])
        notifications.live_change(db, event, slot, action, messages.mailing(), actor=actor())
    except live.LiveError as error:
        db.rollback()
        status = 404 if "not on the published agenda" in str(error) else 409
        raise ActionRefused(status, str(error)) from None
    db.commit()
    messages.hand_to_worker()
    live.notify_session(live.queue_emitter(), event, slot, action, bookmarkers)  # type: ignore[arg-type]
    return slot, live.describe(slot, action)  # type: ignore[arg-type]


def board() -> tuple[Any, list[live.RoomBoard]]:
    """Now & Next of every room, from this process's live hub (the agenda is reloaded only when a
    version is published or a live state changes)."""
    db = get_db()
    event = _event(db)
    _states, boards = hub().latest(db, event)
    return event_clock().now(event.timezone), boards


# --- speaker reports ---------------------------------------------------------------------------


def settle_report(number: int, reply: str) -> Any:
    db = get_db()
    event = _event(db)
    try:
        report = resolve(db, event, number, utc_now(), actor=actor(), reply=reply[:2000])
    except ReportNotFound:
        db.rollback()
        raise ActionRefused(404, _("There is no report %(id)s.", id=number)) from None
    db.commit()
    return report


# --- accounts ----------------------------------------------------------------------------------


def add_account(email: str, role: str, name: str) -> tuple[User, str]:
    db = get_db()
    try:
        user, password = accounts.add_user(db, email, role, name=name, actor=actor())
    except accounts.AccountError as error:
        db.rollback()
        raise ActionRefused(400, str(error)) from None
    db.commit()
    return user, password


ACCOUNT_CHANGES = ("role", "disable", "enable", "reset_password", "token", "revoke_tokens")


def change_account(user_id: int, change: str, role: str = "", label: str = "") -> tuple[User, str | None]:
    """One change to an account; returns it and any secret to show once (a password or a token)."""
    db = get_db()
    try:
        user = accounts.get_user(db, user_id)
    except accounts.AccountNotFound:
        raise ActionRefused(404, _("There is no account %(id)s.", id=user_id)) from None
    who = actor()
    secret = None
    try:
        if change == "role":
            accounts.set_role(db, user, role, actor=who)
        elif change == "disable":
            accounts.disable(db, user, actor=who)
        elif change == "enable":
            accounts.enable(db, user, actor=who)
        elif change == "reset_password":
            secret = accounts.reset_password(db, user, actor=who)
        elif change == "token":
            secret = accounts.issue_token(db, user, actor=who, label=label)
        elif change == "revoke_tokens":
            accounts.revoke_tokens(db, user, actor=who)
        else:
            raise ActionRefused(400, _("There is no change %(change)s.", change=change))
    except accounts.AccountError as error:
        db.rollback()
        raise ActionRefused(400, str(error)) from None
    db.commit()
    return user, secret


# --- the outbox --------------------------------------------------------------------------------


def find_message(message_id: int) -> OutboxMessage:
    try:
        return outbox.find(get_db(), message_id, require_event())
    except outbox.MessageNotFound:
        raise ActionRefused(404, _("There is no message %(id)s.", id=message_id)) from None


def _chosen(ids: Sequence[object]) -> list[OutboxMessage]:
    try:
        return [find_message(int(i)) for i in ids]  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise ActionRefused(400, _("Message ids are whole numbers.")) from None


def _outbox_action(action: Callable[[DbSession], T]) -> T:
    """Run one outbox action in this request's transaction; a refused one stores nothing."""
    db = get_db()
    try:
        done = action(db)
    except outbox.OutboxError as error:
        db.rollback()
        raise ActionRefused(409, str(error)) from None
    db.commit()
    return done


def send_messages(ids: Sequence[object], every_held: bool = False) -> int:
    """Release messages (all held ones with `every_held`) and hand them to a worker to send."""
    chosen = outbox.held_batch(get_db(), require_event()) if every_held else _chosen(ids)
    released = _outbox_action(lambda db: outbox.release(db, chosen, actor=actor()))
    messages.hand_to_worker()
    return len(released)


def hold_messages(ids: Sequence[object]) -> int:
    chosen = _chosen(ids)
    return _outbox_action(lambda db: outbox.hold(db, chosen, actor=actor()))


def discard_messages(ids: Sequence[object]) -> int:
    chosen = _chosen(ids)
    return _outbox_action(lambda db: outbox.discard(db, chosen, actor=actor()))


def edit_message(message_id: int, subject: str, text: str) -> OutboxMessage:
    message = find_message(message_id)
    return _outbox_action(lambda db: outbox.edit(db, message, subject, text, actor=actor()))


def email_speaker_links() -> notifications.Written:
    """What `scheduler speaker-links --email` does: a fresh link for each speaker with an email."""
    db = get_db()
    event = _event(db)
    written = notifications.speaker_links(db, event, messages.mailing(), actor=actor())
    db.commit()
    messages.hand_to_worker()
    return written
