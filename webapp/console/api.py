"""The console's JSON API (`/console/api/v1/`): every console action, for scripts.

Authenticate with a personal token (`scheduler users token EMAIL`) as `Authorization: Bearer ...`,
or with the console's login cookie plus the `X-CSRF-Token` header (the console's own scripts).
Each route calls the same `operations` function as the page it mirrors; `openapi.py` describes them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from scheduler import accounts as domain_accounts
from scheduler import audit as log
from scheduler import jobs, outbox
from scheduler.models import AuditEntry, AvailabilityReport, ScheduleVersion, User
from scheduler.speaker_reports import reports as event_reports
from webapp.console import bp, operations, refusal
from webapp.console.audit import filters_from
from webapp.console.dashboard import summary
from webapp.console.figures import current_figures, tables
from webapp.console.openapi import document
from webapp.console.review import relax_advice
from webapp.console.upload import uploaded_file
from webapp.db import get_db

api = Blueprint("api", __name__, url_prefix="/api/v1")
Json = dict[str, Any]


@api.errorhandler(HTTPException)
def _json_error(error: HTTPException) -> Response:
    return refusal(error.code or 500, error.description or error.name)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else request.form.to_dict()


def _version(v: ScheduleVersion | None) -> Json | None:
    if v is None:
        return None
    return {
        "number": v.number,
        "state": v.state,
        "status": v.status,
        "objective": v.objective,
        "bound": v.bound,
        "note": v.note,
        "created_at": _iso(v.created_at),
        "published_at": _iso(v.published_at),
    }


def _user(u: User) -> Json:
    return {
        "id": u.id,
        "email": u.email,
        "name": u.name,
        "role": u.role,
        "status": domain_accounts.status(u),
        "last_login_at": _iso(u.last_login_at),
    }


def _report(r: AvailabilityReport) -> Json:
    return {
        "id": r.id,
        "speaker": r.speaker.key,
        "speaker_name": r.speaker.name,
        "session": r.session.key if r.session else None,
        "message": r.message,
        "reply": r.reply or None,
        "unavailable_start": _iso(r.unavailable_start),
        "unavailable_end": _iso(r.unavailable_end),
        "created_at": _iso(r.created_at),
        "settled_at": _iso(r.resolved_at),
    }


def _entry(e: AuditEntry) -> Json:
    return {
        "id": e.id,
        "at": _iso(e.at),
        "actor": e.actor,
        "via": e.via,
        "action": e.action,
        "subject": e.subject,
        "before": e.before,
        "after": e.after,
        "detail": e.detail,
    }


@api.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(document())


@api.get("/me")
def me() -> ResponseReturnValue:
    return jsonify(
        id=current_user.user_id,
        email=current_user.email,
        name=current_user.name,
        role=current_user.role,
        must_change_password=current_user.must_change_password,
    )


@api.get("/dashboard")
def dashboard() -> ResponseReturnValue:
    data = summary()
    event = data["event"]
    if event is None:
        return jsonify(event=None)
    verdict = data["verdict"]
    return jsonify(
        event={"id": event.id, "slug": event.slug, "name": event.name},  # type: ignore[attr-defined]
        published=_version(data["published"]),  # type: ignore[arg-type]
        draft=_version(data["draft"]),  # type: ignore[arg-type]
        draft_violations=None if verdict is None else len(verdict.violations),  # type: ignore[attr-defined]
        open_reports=data["open_reports"],
        live_now=[s.payload() for s in data["live"]],  # type: ignore[attr-defined]
        active_jobs=[jobs.public(j) for j in data["active_jobs"]],  # type: ignore[attr-defined]
    )


# --- imports -----------------------------------------------------------------------------------


def _upload_json(upload_id: int) -> Json:
    staged, preview = operations.find_upload(upload_id)
    return {
        "id": staged.id,
        "filename": staged.filename,
        "applied": staged.applied_at is not None,
        "preview": preview.data(),
    }


@api.post("/imports")
def imports_create() -> ResponseReturnValue:
    staged = operations.stage_upload(*uploaded_file())
    return jsonify(_upload_json(staged.id)), 201


@api.get("/imports/<int:upload_id>")
def imports_get(upload_id: int) -> ResponseReturnValue:
    return jsonify(_upload_json(upload_id))


@api.post("/imports/<int:upload_id>/apply")
def imports_apply(upload_id: int) -> ResponseReturnValue:
    event = operations.apply_upload(upload_id)
    return jsonify(event={"id": event.id, "slug": event.slug, "name": event.name})


# --- jobs --------------------------------------------------------------------------------------


@api.get("/jobs")
def jobs_list() -> ResponseReturnValue:
    operations.reap_jobs()
    return jsonify(jobs=[jobs.public(j) for j in jobs.jobs(get_db(), operations.require_event())])


@api.post("/jobs")
def jobs_create() -> ResponseReturnValue:
    job = operations.start_solve(_body())
    return jsonify(jobs.public(job)), 202


@api.get("/jobs/<int:job_id>")
def jobs_get(job_id: int) -> ResponseReturnValue:
    return jsonify(jobs.public(operations.find_job(job_id)))


@api.post("/jobs/<int:job_id>/stop")
def jobs_stop(job_id: int) -> ResponseReturnValue:
    return jsonify(jobs.public(operations.stop_job(job_id)))


# --- versions ----------------------------------------------------------------------------------


@api.get("/versions")
def versions_list() -> ResponseReturnValue:
    event = operations.require_event()
    rows = sorted(event.versions, key=lambda v: -v.number)
    return jsonify(versions=[_version(v) for v in rows])


@api.get("/versions/<int:number>")
def versions_get(number: int) -> ResponseReturnValue:
    review = operations.review(number)
    report = review.report
    return jsonify(
        version=_version(review.version),
        against=_version(review.published),
        changes=[{"kind": c.kind, "session": c.session, "describe": c.describe()} for c in review.changes],
        violations=None
        if report is None
        else [{"rule": v.rule, "message": v.message} for v in report.violations],
        conflicts=[
            {
                "message": c.message,
                "sessions": list(c.sessions),
                "speakers": list(c.speakers),
                "rooms": list(c.rooms),
                "rules": list(c.rules),
                "relax": relax_advice(c),
            }
            for c in review.schedule.conflicts
        ],
        unscheduled=[{"session": u.session, "reason": u.reason} for u in review.schedule.unscheduled],
    )


@api.post("/versions/<int:number>/publish")
def versions_publish(number: int) -> ResponseReturnValue:
    body = _body()
    confirmed = body.get("confirm_broken_rules") in (True, "yes", "true", "1")
    return jsonify(_version(operations.publish_version(number, str(body.get("note", "")), confirmed)))


# --- editing a draft -------------------------------------------------------------------------------


@api.get("/versions/<int:number>/editor")
def draft_get(number: int) -> ResponseReturnValue:
    version = operations.find_version_or_404(number)
    schedule = operations.draft_schedule(get_db(), version)
    return jsonify(
        version=_version(version),
        revision=version.revision,
        pins=version.pins,
        overrides=version.overrides,
        can_undo=bool(version.undo),
        can_redo=bool(version.redo),
        assignments=[
            {"session": a.session, "room": a.room, "start": _iso(a.start), "end": _iso(a.end)}
            for a in schedule.assignments
        ],
        unscheduled=[{"session": u.session, "reason": u.reason} for u in schedule.unscheduled],
    )


@api.post("/versions/<int:number>/edits/<edit>")
def draft_edit(number: int, edit: str) -> ResponseReturnValue:
    return jsonify(operations.outcome_data(operations.edit_draft(number, edit, _body())))


@api.post("/versions/<int:number>/replan")
def draft_replan(number: int) -> ResponseReturnValue:
    return jsonify(jobs.public(operations.start_solve(_body(), draft=number))), 202


# --- the day -----------------------------------------------------------------------------------


@api.get("/live")
def live_get() -> ResponseReturnValue:
    now, boards = operations.board()
    return jsonify(now=now.isoformat(timespec="minutes"), rooms=[b.payload() for b in boards])


@api.post("/live/<session_key>/<action>")
def live_change(session_key: str, action: str) -> ResponseReturnValue:
    slot, announcement = operations.live_change(session_key, action, _body().get("minutes", 0))
    return jsonify(
        session=slot.key,
        announcement=announcement,
        delay_minutes=slot.facts.delay_minutes,
        cancelled=slot.facts.cancelled,
        started=slot.facts.started,
        ended=slot.facts.ended,
    )


# --- reports, figures, audit -------------------------------------------------------------------


@api.get("/reports")
def reports_list() -> ResponseReturnValue:
    show_all = request.args.get("all") in ("1", "true")
    return jsonify(
        reports=[_report(r) for r in event_reports(get_db(), operations.require_event(), show_all)]
    )


@api.post("/reports/<int:report_id>/settle")
def reports_settle(report_id: int) -> ResponseReturnValue:
    return jsonify(_report(operations.settle_report(report_id, str(_body().get("reply", "")))))


@api.get("/figures")
def figures() -> ResponseReturnValue:
    f = current_figures()
    return jsonify(
        event=f.event,
        version=f.version,
        registered=f.registered,
        tables=[{"name": name, "header": header, "rows": rows} for name, header, rows in tables(f)],
    )


@api.get("/audit")
def audit() -> ResponseReturnValue:
    filters, before = filters_from(request.args.to_dict())
    limit = min(int(request.args["limit"]), 500) if request.args.get("limit", "").isdigit() else 100
    return jsonify(entries=[_entry(e) for e in log.entries(get_db(), filters, limit=limit, before_id=before)])


# --- the outbox --------------------------------------------------------------------------------


@api.get("/outbox")
def outbox_list() -> ResponseReturnValue:
    event = operations.require_event()
    state = request.args.get("state") or None
    if state is not None and state not in outbox.STATES:
        return refusal(400, f"state is one of {', '.join(outbox.STATES)}")
    db = get_db()
    return jsonify(
        counts=outbox.counts(db, event),
        messages=[outbox.public(m) for m in outbox.listing(db, event, state)],
    )


@api.get("/outbox/<int:message_id>")
def outbox_get(message_id: int) -> ResponseReturnValue:
    return jsonify(outbox.public(operations.find_message(message_id)))


@api.post("/outbox/<int:message_id>")
def outbox_edit(message_id: int) -> ResponseReturnValue:
    body = _body()
    message = operations.edit_message(message_id, str(body.get("subject", "")), str(body.get("text", "")))
    return jsonify(outbox.public(message))


def _ids(body: dict[str, Any]) -> list[object]:
    ids = body.get("ids", [])
    return ids if isinstance(ids, list) else [ids]


@api.post("/outbox/send")
def outbox_send() -> ResponseReturnValue:
    body = _body()
    return jsonify(released=operations.send_messages(_ids(body), body.get("all") in (True, "1", "true")))


@api.post("/outbox/hold")
def outbox_hold() -> ResponseReturnValue:
    return jsonify(held=operations.hold_messages(_ids(_body())))


@api.post("/outbox/discard")
def outbox_discard() -> ResponseReturnValue:
    return jsonify(discarded=operations.discard_messages(_ids(_body())))


@api.post("/speaker-links")
def speaker_links() -> ResponseReturnValue:
    written = operations.email_speaker_links()
    return jsonify(queued=written.queued, no_email=written.no_email)


# --- accounts ----------------------------------------------------------------------------------


@api.get("/users")
def users_list() -> ResponseReturnValue:
    return jsonify(users=[_user(u) for u in domain_accounts.users(get_db())])


@api.post("/users")
def users_create() -> ResponseReturnValue:
    body = _body()
    user, password = operations.add_account(
        str(body.get("email", "")), str(body.get("role", "viewer")), str(body.get("name", ""))
    )
    return jsonify(user=_user(user), one_time_password=password), 201


@api.post("/users/<int:user_id>")
def users_change(user_id: int) -> ResponseReturnValue:
    body = _body()
    user, secret = operations.change_account(
        user_id, str(body.get("change", "")), str(body.get("role", "")), str(body.get("label", ""))
    )
    return jsonify(user=_user(user), secret=secret)


bp.register_blueprint(api)
