"""`/healthz` (issue 14): the database and each configured Redis, and the version; 200 or 503."""

from __future__ import annotations

from importlib.metadata import version

import pytest
from sqlalchemy import create_engine

from tests.live_site import Site
from tests.test_live_data import REDIS_URL, redis_available

pytest_plugins = ("tests.live_fixtures",)

NOWHERE = "redis://127.0.0.1:1/0"


def test_healthy_without_redis_configured(site: Site) -> None:
    response = site.client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "version": version("wsis-agenda"),
        "checks": {"database": "ok"},
    }
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.skipif(not redis_available(), reason="needs Redis at 127.0.0.1:6379")
def test_every_configured_redis_is_checked(site: Site) -> None:
    site.app.config |= {"JOB_QUEUE_URL": REDIS_URL, "RATELIMIT_STORAGE_URI": REDIS_URL}
    response = site.client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "job_queue": "ok", "rate_limits": "ok"}


def test_a_redis_that_does_not_answer_is_a_503_naming_it_but_not_its_address(site: Site) -> None:
    site.app.config["SOCKETIO_MESSAGE_QUEUE"] = NOWHERE
    response = site.client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"
    assert response.get_json()["checks"] == {"database": "ok", "message_queue": "unavailable"}
    assert "127.0.0.1" not in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_a_database_that_does_not_answer_is_a_503(site: Site) -> None:
    gone = create_engine("postgresql+psycopg://agenda@127.0.0.1:1/agenda")
    site.app.extensions["agenda_engine"] = gone
    response = site.client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": "unavailable"}
