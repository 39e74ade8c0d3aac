"""Background solves: the job record, the queue it goes through, and the worker that runs it.

A job's state lives in the database (`models.Job`), so every web process, a reloaded page and a
script all see the same thing:

    queued -> running -> done | stopped | failed        (a queued job may also be stopped)

Where it runs:
- with `JOB_QUEUE_URL` set, on RQ (Redis): `scheduler worker` processes, on any machine that reaches
  the database and Redis, pick jobs from the queue `JOB_QUEUE_NAME`;
- without it (the embedded default), in a child process of the web server (`scheduler run-job ID`).

While it runs, the worker writes a heartbeat and the solver's latest progress every
`JOB_HEARTBEAT_SECONDS`, and reads the stop flag: stopping makes the solver return its best agenda,
which is kept. The draft is written in one transaction at the very end, together with the job's
final state, so a worker that dies mid-job leaves no half-written draft. Such a job is found by
`reap` (called whenever jobs are read): a child process that is gone, or a heartbeat older than
`JOB_HEARTBEAT_TIMEOUT`, marks it failed with the reason.

Progress is also pushed to the console through the Socket.IO message queue when one is configured
(`notify_progress`); the console page polls the job otherwise, and on reload.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session as DbSession

from scheduler import config, outbox
from scheduler.agenda import latest_published
from scheduler.audit import Actor, record
from scheduler.db import make_engine, transaction
from scheduler.editing import pinned_problem, pins_in_conflict, replan_moves
from scheduler.live import queue_emitter
from scheduler.models import Event, Job
from scheduler.store import export_problem
from scheduler.timestamps import iso_utc, utc_now
from scheduler.versions import DRAFT, VersionError, find_version, save_draft, version_schedule
from solver.domain import Problem, Schedule
from solver.options import Progress, SolveOptions

logger = logging.getLogger(__name__)
QUEUED, RUNNING, DONE, STOPPED, FAILED = "queued", "running", "done", "stopped", "failed"
ACTIVE = (QUEUED, RUNNING)
FINISHED = (DONE, STOPPED, FAILED)
SOLVE = "solve"
# A solve that starts from a draft and keeps its pins (the timetable editor's re-plan).
REPLAN = "replan"
RQ, CHILD = "rq", "child"
# Socket.IO: the console's namespace, and the room of one job's watchers.
CONSOLE_NAMESPACE = "/console"
MAX_TIME_LIMIT = 3600.0


# What a job's progress tells: seconds, the best agenda's objective, the proven bound, the gap
# between them, and the best agenda's track clashes.
PROGRESS_FIGURES = ("elapsed", "objective", "bound", "gap", "track_clashes")


def job_room(job_id: int) -> str:
    return f"job:{job_id}"


class JobError(ValueError):
    """A job that cannot be started or changed as asked."""


class JobBusy(JobError):
    """The event already has a solve queued or running."""


class JobNotFound(JobError, LookupError):
    """No job has that id."""


@dataclass(frozen=True, slots=True)
class SolveParams:
    """What the team chooses for a solve: the time limit, and whether to re-plan from the published
    agenda (`replan`) or around the pins of a draft (`draft`, its number)."""

    time_limit: float = 60.0
    replan: bool = False
    note: str = ""
    workers: int = 2
    seed: int = 0
    draft: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.time_limit <= MAX_TIME_LIMIT:
            raise JobError(f"the time limit is between 1 and {MAX_TIME_LIMIT:g} seconds")
        if not 1 <= self.workers <= 64:
            raise JobError("workers is between 1 and 64")

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> SolveParams:
        names = ("time_limit", "replan", "note", "workers", "seed", "draft")
        return cls(**{name: data[name] for name in names if name in data})

    def options(self) -> SolveOptions:
        return SolveOptions(time_limit=self.time_limit, workers=self.workers, seed=self.seed)


# --- the team's actions ------------------------------------------------------------------------


def submit_solve(db: DbSession, event: Event, params: SolveParams, *, actor: Actor, runner: str) -> Job:
    """A queued solve of `event`; refused while another one is queued or running.

    Call `dispatch` after the transaction commits, so the worker finds the job.
    """
    busy = db.scalars(select(Job).where(Job.event_id == event.id, Job.state.in_(ACTIVE))).first()
    if busy is not None:
        raise JobBusy(f"solve job {busy.id} is already {busy.state}: wait for it or stop it first")
    if params.replan and latest_published(db, event) is None:
        raise JobError("nothing is published yet, so there is nothing to re-plan: solve without re-plan")
    if params.draft is not None:
        try:
            draft = find_version(db, event, params.draft)
        except VersionError as error:
            raise JobError(str(error)) from None
        if draft.state != DRAFT:
            raise JobError(f"version {draft.number} is published: re-plan around the pins of a draft")
    job = Job(
        event_id=event.id,
        kind=SOLVE if params.draft is None else REPLAN,
        state=QUEUED,
        params=asdict(params),
        progress={},
        actor=actor.name,
        user_id=actor.user_id,
        via=actor.via,
        runner=runner,
        created_at=utc_now(),
    )
    db.add(job)
    db.flush()
    record(
        db,
        actor,
        "solve.start",
        event=event,
        subject=f"job {job.id}",
        after=f"job {job.id}",
        detail=asdict(params),
    )
    return job


def request_stop(db: DbSession, job: Job, *, actor: Actor) -> Job:
    """Stop a job: a queued one never starts; a running one ends with its best agenda so far."""
    if job.state not in ACTIVE:
        raise JobError(f"job {job.id} has already {job.state}")
    if job.state == QUEUED:
        job.state, job.finished_at = STOPPED, utc_now()
    job.stop_requested = True
    record(db, actor, "solve.stop", event=job.event_id, subject=f"job {job.id}")
    return job


def find_job(db: DbSession, job_id: int) -> Job:
    job = db.get(Job, job_id)
    if job is None:
        raise JobNotFound(f"no job {job_id}")
    return job


def jobs(db: DbSession, event: Event, limit: int = 20) -> Sequence[Job]:
    return db.scalars(select(Job).where(Job.event_id == event.id).order_by(Job.id.desc()).limit(limit)).all()


def public(job: Job) -> dict[str, Any]:
    """What the console and the API show of a job."""
    return {
        "id": job.id,
        "kind": job.kind,
        "state": job.state,
        "params": job.params,
        "progress": {**dict.fromkeys(PROGRESS_FIGURES), **job.progress},
        "error": job.error or None,
        "actor": job.actor,
        "runner": job.runner,
        "draft": job.draft.number if job.draft is not None else None,
        "created_at": iso_utc(job.created_at),
        "started_at": iso_utc(job.started_at),
        "finished_at": iso_utc(job.finished_at),
        "stop_requested": job.stop_requested,
    }


# --- finding jobs whose worker died ------------------------------------------------------------

# The child processes this server started, so their exit can be read (and they do not linger as zombies).
_children: dict[int, subprocess.Popen[bytes]] = {}


def _child_gone(pid: int) -> str | None:
    """Why the child process `pid` is no longer running, or None while it runs."""
    child = _children.get(pid)
    if child is not None:
        code = child.poll()
        if code is None:
            return None
        _children.pop(pid, None)
        if code == 0:
            # It settled its job itself before exiting; a reaper that read the job as running just
            # before that commit must not overwrite "done" (the heartbeat timeout covers the rest).
            return None
        how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
        return f"the solver process (pid {pid}) {how} before finishing"
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return f"the solver process (pid {pid}) is gone"
    except PermissionError:
        return None
    return None


def reap(db: DbSession, heartbeat_timeout: float, now: datetime | None = None) -> list[Job]:
    """Mark failed the active jobs whose worker is gone: a dead child process of this host, or a
    running job whose heartbeat is older than `heartbeat_timeout` seconds."""
    now = now or utc_now()
    host = socket.gethostname()
    failed = []
    for job in db.scalars(select(Job).where(Job.state.in_(ACTIVE))).all():
        reason = None
        if job.runner == CHILD and job.pid is not None and job.host == host:
            reason = _child_gone(job.pid)
        if reason is None and job.state == RUNNING:
            beat = job.heartbeat_at or job.started_at
            if beat is not None and now - beat > timedelta(seconds=heartbeat_timeout):
                reason = f"the worker stopped responding: no heartbeat since {beat:%Y-%m-%d %H:%M:%S} UTC"
        if reason is not None:
            fail(db, job, reason, now)
            failed.append(job)
    return failed


def fail(db: DbSession, job: Job, reason: str, now: datetime | None = None) -> None:
    """Mark `job` failed with `reason`, logged as the system's finding."""
    job.state, job.error, job.finished_at = FAILED, reason, now or utc_now()
    record(db, None, "solve.failed", event=job.event_id, subject=f"job {job.id}", detail={"reason": reason})


# --- sending a job to a worker -----------------------------------------------------------------


def runner_for(settings: Mapping[str, Any]) -> str:
    return RQ if settings.get("JOB_QUEUE_URL") else CHILD


def dispatch(engine: Engine, job_id: int, settings: Mapping[str, Any], database_url: str) -> None:
    """Hand a committed, queued job to its runner: RQ's queue, or a child process of this one."""
    if settings.get("JOB_QUEUE_URL"):
        queue = rq_queue(settings)
        params = _job_params(engine, job_id)
        queue.enqueue(
            run_job,
            job_id,
            # RQ's job ids share one namespace in Redis: the queue's name keeps two sites (or two
            # test runs) on one Redis from overwriting each other's jobs.
            job_id=f"{queue.name}-job-{job_id}",
            # RQ's own limit is a safety net well above the solver's (which stops itself).
            job_timeout=int(params.get("time_limit", 60) * 2 + 600),
            failure_ttl=7 * 24 * 3600,
        )
        return
    child = _start_child(["run-job", str(job_id)], {"DATABASE_URL": database_url})
    with transaction(engine) as db:
        job = db.get(Job, job_id)
        if job is not None and job.pid is None:
            job.pid, job.host = child.pid, socket.gethostname()


def _start_child(command: list[str], environment: Mapping[str, str]) -> subprocess.Popen[bytes]:
    """`scheduler COMMAND` in a child process of this one, detached from its terminal and signals."""
    child = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "scheduler", *command],
        env={**os.environ, **environment},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    _children[child.pid] = child
    return child


def _job_params(engine: Engine, job_id: int) -> dict[str, Any]:
    with transaction(engine) as db:
        return dict(find_job(db, job_id).params)


def rq_queue(settings: Mapping[str, Any]) -> Any:
    # RQ is imported only where a queue is configured.
    from redis import Redis
    from rq import Queue

    return Queue(settings["JOB_QUEUE_NAME"], connection=Redis.from_url(settings["JOB_QUEUE_URL"]))


def work(settings: Mapping[str, Any], burst: bool = False, name: str | None = None) -> bool:
    """Run an RQ worker on the configured queue (`scheduler worker`); returns when it stops."""
    from rq import Worker

    queue = rq_queue(settings)
    worker = Worker([queue], connection=queue.connection, name=name)
    return bool(worker.work(burst=burst, with_scheduler=False))


# --- running a job (in the worker) -------------------------------------------------------------


class Monitor:
    """The worker's side of a running job: keeps the latest progress, and every beat writes it with
    a heartbeat, pushes it to the console, and reads the stop flag."""

    def __init__(self, engine: Engine, job_id: int, beat: float, emitter: Any = None) -> None:
        self.engine = engine
        self.job_id = job_id
        self.beat = beat
        self.emitter = emitter
        self.stop = threading.Event()
        self.started = time.monotonic()
        self._latest: Progress | None = None
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"job-{job_id}-heartbeat", daemon=True)

    def __enter__(self) -> Monitor:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._wake.set()
        self._thread.join()

    def progress(self, progress: Progress) -> None:
        with self._lock:
            had_one = self._latest is not None and self._latest.objective is not None
            first = progress.objective is not None and not had_one
            self._latest = progress
        if first:
            self._wake.set()  # the first agenda is news: write it now, not at the next beat

    def payload(self) -> dict[str, Any]:
        with self._lock:
            latest = self._latest
        return progress_payload(latest, time.monotonic() - self.started)

    def _run(self) -> None:
        while True:
            self._wake.wait(self.beat)
            self._wake.clear()
            if self._done.is_set():
                return
            try:
                self.tick()
            except Exception:  # a busy database or queue: the next beat tries again
                logger.exception("job %s: heartbeat failed", self.job_id)

    def tick(self) -> None:
        payload = self.payload()
        with transaction(self.engine) as db:
            job = db.get(Job, self.job_id)
            if job is None:
                self.stop.set()
                return
            job.heartbeat_at = utc_now()
            job.progress = payload
            if job.stop_requested or job.state != RUNNING:
                self.stop.set()
        notify_progress(self.emitter, self.job_id, RUNNING, payload)


def progress_payload(progress: Progress | None, elapsed: float) -> dict[str, Any]:
    if progress is None:
        return {
            "elapsed": round(elapsed, 1),
            "objective": None,
            "bound": None,
            "gap": None,
            "track_clashes": None,
        }
    return {
        "elapsed": round(max(elapsed, progress.elapsed), 1),
        "objective": progress.objective,
        "bound": progress.bound,
        "gap": None if progress.gap is None else round(progress.gap, 4),
        "track_clashes": progress.track_clashes,
    }


def notify_progress(emitter: Any, job_id: int, state: str, progress: Mapping[str, Any]) -> None:
    """Push a job's progress to the console pages watching it (only with a message queue)."""
    if emitter is not None:
        emitter.emit(
            "job",
            {"id": job_id, "state": state, "progress": dict(progress)},
            namespace=CONSOLE_NAMESPACE,
            to=job_room(job_id),
        )


def _replan_report(
    problem: Problem, draft: Schedule, result: Schedule, pins: Mapping[str, Any]
) -> dict[str, Any]:
    """What a re-plan around pins moved from the draft and why, or which pins cannot all hold."""
    if result.status == "infeasible":
        return {"moved": [], "pins_in_conflict": pins_in_conflict(pins, result)}
    moved = [
        {"session": m.change.session, "change": m.change.describe(), "why": m.why}
        for m in replan_moves(problem, draft, result)
    ]
    return {"moved": moved, "pins_in_conflict": []}


def run_job(job_id: int, database_url: str | None = None) -> str:
    """Run queued job `job_id` to its end (RQ calls this; so does `scheduler run-job`).

    Returns the job's final state. A failure marks the job failed with its reason, and is raised
    again so that RQ records it too.
    """
    settings = config.load()
    engine = make_engine(database_url)
    try:
        return _run(engine, job_id, settings)
    finally:
        engine.dispose()


def _run(engine: Engine, job_id: int, settings: Mapping[str, Any]) -> str:
    with transaction(engine) as db:
        job = find_job(db, job_id)
        if job.state != QUEUED:
            return job.state  # stopped before it started
        job.state, job.started_at, job.heartbeat_at = RUNNING, utc_now(), utc_now()
        job.pid, job.host = os.getpid(), socket.gethostname()
        params = SolveParams.of(job.params)
        actor = Actor(job.actor, "worker", job.user_id)
        event = db.get(Event, job.event_id)
        assert event is not None  # the job row would have gone with it (ON DELETE CASCADE)
        problem = export_problem(db, event)
        start_from = latest_published(db, event) if params.replan else None
        pins: dict[str, Any] = {}
        if params.draft is not None:
            start_from = find_version(db, event, params.draft)
            pins = dict(start_from.pins)
            problem = pinned_problem(problem, pins)
        baseline = version_schedule(db, start_from) if start_from is not None else None
    emitter = queue_emitter()
    monitor = Monitor(engine, job_id, float(settings["JOB_HEARTBEAT_SECONDS"]), emitter)
    try:
        from solver import solve  # OR-Tools loads here, in the worker, never in a web process

        with monitor:
            schedule = solve(
                problem, params.options(), baseline=baseline, on_progress=monitor.progress, stop=monitor.stop
            )
    except BaseException as error:
        with transaction(engine) as db:
            job = find_job(db, job_id)
            if job.state == RUNNING:
                fail(db, job, f"the solver failed: {type(error).__name__}: {error}", utc_now())
        notify_progress(emitter, job_id, FAILED, monitor.payload())
        raise
    with transaction(engine) as db:
        job = find_job(db, job_id)
        if job.state != RUNNING:
            return job.state  # declared dead meanwhile (a long stall): its result is not trusted
        event = db.get(Event, job.event_id)
        assert event is not None
        version = save_draft(db, event, schedule, note=params.note or f"{job.kind} job {job_id}", actor=actor)
        version.pins = pins
        job.draft_id = version.id
        job.state = STOPPED if job.stop_requested else DONE
        job.finished_at = utc_now()
        job.progress = {
            **monitor.payload(),
            "status": schedule.status,
            "placed": len(schedule.assignments),
            "sessions": len(problem.sessions),
        }
        if params.draft is not None and baseline is not None:
            job.progress.update(_replan_report(problem, baseline, schedule, pins))
        state, progress = job.state, job.progress
    notify_progress(emitter, job_id, state, progress)
    return state


# --- sending the outbox ------------------------------------------------------------------------

# What a child process that sends mail must know beyond the database: the mail settings the web
# process was given (its app config may hold them without the environment doing so).
MAIL_SETTINGS = ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_USERNAME", "MAIL_PASSWORD",
                 "MAIL_DEFAULT_SENDER", "MAIL_MAX_ATTEMPTS", "MAIL_RETRY_SECONDS")  # fmt: skip


def dispatch_delivery(settings: Mapping[str, Any], database_url: str) -> None:
    """Have a worker send the outbox's queued messages: an RQ job, or a child process of this one.

    Sending never happens in a web request. Call after the transaction that queued them commits.
    """
    if not settings.get("MAIL_SERVER"):
        return  # nothing can be sent: the messages wait in the outbox
    if settings.get("JOB_QUEUE_URL"):
        queue = rq_queue(settings)
        queue.enqueue(deliver_outbox, failure_ttl=7 * 24 * 3600, job_timeout=3600)
        return
    mail = {name: _env(settings[name]) for name in MAIL_SETTINGS if settings.get(name) is not None}
    _start_child(["outbox", "deliver"], {"DATABASE_URL": database_url, **mail})


def _env(value: Any) -> str:
    return ("1" if value else "0") if isinstance(value, bool) else str(value)


def deliver_outbox(database_url: str | None = None) -> str:
    """Send every due message, staying to retry temporary failures (RQ calls this; so does
    `scheduler outbox deliver`)."""
    engine = make_engine(database_url)
    try:
        done = outbox.deliver(engine, config.load())
    finally:
        engine.dispose()
    return f"{done.sent} sent, {done.failed} failed"
