"""`/healthz`: whether this process can serve, for the load balancer and monitoring (docs/deployment.md).

200 when the database answers and each configured Redis (the Socket.IO message queue, the job
queue, the rate limits' storage) answers a PING; 503 naming what did not. Never cached. It says
which part failed, not where that part is: no URL, host or error text reaches the response.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from flask import Blueprint, Response, current_app, jsonify
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from webapp.db import engine

bp = Blueprint("health", __name__)

# The settings that name a Redis the service uses, by what the check calls them.
REDIS_SETTINGS = {
    "message_queue": "SOCKETIO_MESSAGE_QUEUE",
    "job_queue": "JOB_QUEUE_URL",
    "rate_limits": "RATELIMIT_STORAGE_URI",
}
TIMEOUT_SECONDS = 2.0


def _version() -> str:
    try:
        return version("wsis-agenda")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def _database() -> bool:
    try:
        with engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        current_app.logger.exception("health check: the database does not answer")
        return False
    return True


def _redis(url: str) -> bool:
    client = Redis.from_url(url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS)
    try:
        return bool(client.ping())
    except (RedisError, OSError):
        current_app.logger.exception("health check: Redis does not answer")
        return False
    finally:
        client.close()


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    checks = {"database": _database()}
    for name, setting in REDIS_SETTINGS.items():
        url = current_app.config.get(setting)
        if url:
            checks[name] = _redis(url)
    healthy = all(checks.values())
    body = jsonify(
        status="ok" if healthy else "unavailable",
        version=_version(),
        checks={name: "ok" if fine else "unavailable" for name, fine in checks.items()},
    )
    body.headers["Cache-Control"] = "no-store"
    return body, 200 if healthy else 503
