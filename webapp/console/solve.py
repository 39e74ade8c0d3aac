"""Solve as a background job: start it, watch its progress, stop it."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from scheduler import jobs
from webapp.console import bp, operations
from webapp.db import get_db


@bp.get("/solve")
def solve_page() -> ResponseReturnValue:
    operations.reap_jobs()
    event = operations.require_event()
    return render_template("console/solve.html", event=event, jobs=jobs.jobs(get_db(), event))


@bp.post("/solve")
def solve_start() -> ResponseReturnValue:
    try:
        job = operations.start_solve(request.form)
    except operations.ActionRefused as refused:
        event = operations.require_event()
        page = render_template(
            "console/solve.html", event=event, jobs=jobs.jobs(get_db(), event), refused=refused
        )
        return page, refused.status
    return redirect(url_for("console.job_page", job_id=job.id))


@bp.get("/jobs/<int:job_id>")
def job_page(job_id: int) -> ResponseReturnValue:
    job = operations.find_job(job_id)
    # Pushed progress needs the message queue that the worker emits through.
    push = bool(current_app.config.get("SOCKETIO_MESSAGE_QUEUE"))
    return render_template("console/job.html", job=job, data=jobs.public(job), push=push)


@bp.post("/jobs/<int:job_id>/stop")
def job_stop(job_id: int) -> ResponseReturnValue:
    operations.stop_job(job_id)
    return redirect(url_for("console.job_page", job_id=job_id))
