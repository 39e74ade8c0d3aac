"""Solve jobs with real processes: the child-process fallback and RQ workers on the local Redis.

A job runs to its draft, or is stopped and keeps its best agenda, or its process is killed with
SIGKILL and the job is marked failed with the reason, with no draft written. A second solve while
one runs is refused. Progress (objective, bound, gap, track clashes) is written while it runs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select

from bench.synthetic import generate
from scheduler.db import transaction
from scheduler.models import AuditEntry, Job, ScheduleVersion
from scheduler.store import import_problem
from tests.console_data import make_token, make_user
from tests.test_live_data import REDIS_URL, REPO, redis_available, seed
from webapp import create_app

pytestmark = [pytest.mark.slow, pytest.mark.db]
pytest_plugins = ("tests.console_fixtures",)

BEAT = "0.3"


def wait_for(
    read: Callable[[], dict[str, Any]], done: Callable[[dict[str, Any]], bool], seconds: float
) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        job = read()
        if done(job):
            return job
        assert time.monotonic() < deadline, f"gave up waiting; last seen {job}"
        time.sleep(0.2)


class Api:
    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post("/console/api/v1" + path, json=body or {}, headers=self.headers)

    def get(self, path: str) -> dict[str, Any]:
        response = self.client.get("/console/api/v1" + path, headers=self.headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def job(self, job_id: int) -> Callable[[], dict[str, Any]]:
        return lambda: self.get(f"/jobs/{job_id}")


def drafts(engine: Engine) -> int:
    with transaction(engine) as db:
        return db.scalar(
            select(func.count()).select_from(ScheduleVersion).where(ScheduleVersion.state == "draft")
        )


@pytest.fixture
def api_for(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch, cheap_hashes: None
) -> Iterator[Callable[..., Api]]:
    """An API client as an editor, on a new app with `settings` (the worker processes read the same
    settings from the environment)."""
    monkeypatch.setenv("JOB_HEARTBEAT_SECONDS", BEAT)
    make_user(engine, "editor")
    token = make_token(engine, "editor")
    apps = []

    def make(**settings: Any) -> Api:
        for name, value in settings.items():
            monkeypatch.setenv(name, str(value))
        app = create_app(
            {
                "DATABASE_URL": database_url,
                "TESTING": True,
                "LIVE_TICKER": False,
                "SOCKETIO_MESSAGE_QUEUE": None,
                "JOB_HEARTBEAT_SECONDS": float(BEAT),
                **settings,
            }
        )
        apps.append(app)
        return Api(app.test_client(), token)

    yield make
    for app in apps:
        app.extensions["agenda_engine"].dispose()


def job_pid(engine: Engine, job_id: int) -> int:
    """The process running the job, as it recorded itself."""
    with transaction(engine) as db:
        pid = db.get(Job, job_id).pid  # type: ignore[union-attr]
    assert pid is not None
    return pid


def big_event(engine: Engine) -> None:
    """WSIS-sized: the solver is still improving when the tests stop or kill it."""
    problem, _ = generate(300, 18, 5, seed=3)
    with transaction(engine) as db:
        import_problem(db, problem, slug="big")


# --- the child-process fallback -------------------------------------------------------------


def test_a_solve_runs_in_a_child_process_to_its_draft(engine: Engine, api_for: Callable[..., Api]) -> None:
    seed(engine)
    api = api_for()
    started = api.post("/jobs", {"time_limit": 5, "note": "from the API"})
    assert started.status_code == 202, started.get_json()
    job = started.get_json()
    assert job["state"] in ("queued", "running") and job["runner"] == "child"
    busy = api.post("/jobs", {"time_limit": 5})
    assert busy.status_code == 409 and f"solve job {job['id']} is already" in busy.get_json()["message"]
    finished = wait_for(api.job(job["id"]), lambda j: j["state"] not in ("queued", "running"), 90)
    assert finished["state"] == "done", finished
    assert finished["draft"] == 2 and finished["progress"]["status"] in ("optimal", "feasible")
    assert finished["progress"]["objective"] is not None and finished["progress"]["track_clashes"] is not None
    with transaction(engine) as db:
        log = [
            (e.action, e.actor, e.via)
            for e in db.scalars(select(AuditEntry).order_by(AuditEntry.id))
            if e.action.startswith(("solve", "draft"))
        ]
    assert log == [
        ("solve.start", "editor@example.org", "api"),
        ("draft.save", "editor@example.org", "worker"),
    ]


def test_a_stopped_job_keeps_its_best_agenda(engine: Engine, api_for: Callable[..., Api]) -> None:
    big_event(engine)
    api = api_for()
    job = api.post("/jobs", {"time_limit": 300}).get_json()
    running = wait_for(api.job(job["id"]), lambda j: j["progress"]["objective"] is not None, 120)
    assert running["state"] == "running" and running["progress"]["elapsed"] > 0
    assert api.post(f"/jobs/{job['id']}/stop").status_code == 200
    stopped = wait_for(api.job(job["id"]), lambda j: j["state"] != "running", 60)
    assert stopped["state"] == "stopped" and stopped["draft"] is not None, stopped
    assert stopped["progress"]["status"] == "feasible"


def test_a_killed_child_leaves_the_job_failed_and_no_draft(
    engine: Engine, api_for: Callable[..., Api]
) -> None:
    big_event(engine)
    api = api_for()
    job = api.post("/jobs", {"time_limit": 300}).get_json()
    wait_for(api.job(job["id"]), lambda j: j["state"] == "running", 60)
    os.kill(job_pid(engine, job["id"]), signal.SIGKILL)
    failed = wait_for(api.job(job["id"]), lambda j: j["state"] != "running", 30)
    assert failed["state"] == "failed" and "was killed by signal 9" in failed["error"]
    assert drafts(engine) == 0


# --- RQ workers on Redis ------------------------------------------------------------------------


@pytest.fixture
def queue() -> Iterator[dict[str, str]]:
    if not redis_available():
        pytest.skip("needs Redis at 127.0.0.1:6379")
    name = f"test-jobs-{uuid.uuid4().hex[:12]}"
    yield {"JOB_QUEUE_URL": REDIS_URL, "JOB_QUEUE_NAME": name}
    from redis import Redis

    connection = Redis.from_url(REDIS_URL)
    for key in connection.scan_iter(f"rq:*{name}*"):
        connection.delete(key)
    connection.srem("rq:queues", f"rq:queue:{name}")


def start_worker(log_path: object) -> subprocess.Popen[bytes]:
    with open(log_path, "w") as log:  # type: ignore[call-overload]
        return subprocess.Popen(
            [sys.executable, "-m", "scheduler", "worker"],
            env=os.environ.copy(),
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()


def test_rq_workers_run_jobs_and_a_killed_one_leaves_its_job_failed(
    engine: Engine, api_for: Callable[..., Api], queue: dict[str, str], tmp_path: object
) -> None:
    seed(engine)
    api = api_for(**queue, JOB_HEARTBEAT_TIMEOUT=4)
    job = api.post("/jobs", {"time_limit": 5}).get_json()
    assert job["runner"] == "rq" and job["state"] == "queued"
    worker = start_worker(tmp_path / "worker.log")  # type: ignore[operator]
    try:
        done = wait_for(api.job(job["id"]), lambda j: j["state"] not in ("queued", "running"), 120)
        assert done["state"] == "done" and done["draft"] is not None, done
        # A WSIS-sized solve, and the worker's whole process group killed mid-job: a machine gone.
        with transaction(engine) as db:
            import_problem(db, generate(300, 18, 5, seed=3)[0], slug="live-test")
        job = api.post("/jobs", {"time_limit": 300}).get_json()
        wait_for(api.job(job["id"]), lambda j: j["progress"].get("objective") is not None, 120)
        before = drafts(engine)
        # RQ runs each job in a forked work horse in its own process group: kill both, as a power
        # cut would (killing only the worker leaves the horse to finish the job, which it does).
        stop(worker)
        os.kill(job_pid(engine, job["id"]), signal.SIGKILL)
        failed = wait_for(api.job(job["id"]), lambda j: j["state"] != "running", 30)
        assert failed["state"] == "failed" and "no heartbeat since" in failed["error"], failed
        assert drafts(engine) == before
    finally:
        stop(worker)


def test_a_child_that_exited_cleanly_is_not_reported_dead() -> None:
    # A child settles its job and exits 0; a reaper that read the job as running just before that
    # commit must not overwrite "done" with "failed". One that exits 1 or is killed is dead.
    from scheduler import jobs

    for code, dead in ((0, False), (1, True)):
        child = subprocess.Popen([sys.executable, "-c", f"raise SystemExit({code})"])
        child.wait()
        jobs._children[child.pid] = child
        reason = jobs._child_gone(child.pid)
        assert (reason is not None) is dead, reason
        assert child.pid not in jobs._children
