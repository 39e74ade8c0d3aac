"""`scheduler worker`: run background jobs (solves, and sending the outbox) from the RQ queue on Redis.

Start as many as you like, on any machine that reaches the database and `JOB_QUEUE_URL`. Without a
queue configured, the web server runs each job in a child process instead (`scheduler run-job`).
"""

from __future__ import annotations

import click

from scheduler import config, logs
from scheduler.cli.database import database
from scheduler.cli.output import echo


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (for scripts and tests).")
@click.option("--name", default=None, help="The worker's name in RQ (default: host and pid).")
def worker_command(burst: bool, name: str | None) -> None:
    """Run solve and mail jobs from the job queue (JOB_QUEUE_URL, JOB_QUEUE_NAME) until stopped."""
    from scheduler import jobs

    logs.configure()
    settings = config.load()
    if not settings["JOB_QUEUE_URL"]:
        raise click.ClickException(
            "JOB_QUEUE_URL is not set: without a queue, the web server runs solves itself"
        )
    with database():
        pass  # bring the schema up to date before the first job needs it
    echo(f"worker on queue {settings['JOB_QUEUE_NAME']!r} at {settings['JOB_QUEUE_URL']}")
    jobs.work(settings, burst=burst, name=name)


@click.command("run-job", hidden=True)
@click.argument("job_id", type=int)
def run_job_command(job_id: int) -> None:
    """Run queued job JOB_ID in this process (the web server starts this without a queue)."""
    from scheduler import jobs

    state = jobs.run_job(job_id)
    echo(f"job {job_id}: {state}")
