"""The console API: its OpenAPI document validates and names exactly its routes; scripts use it with
a personal token for what the pages do, through the same code paths."""

from __future__ import annotations

import io
import json
import re

import jsonschema
from openapi_spec_validator import validate
from sqlalchemy import select

from scheduler.db import transaction
from scheduler.models import AuditEntry
from scheduler.problem_file import problem_to_data
from tests.console_data import Console, make_token
from tests.test_live_data import problem

pytest_plugins = ("tests.console_fixtures",)


def _routes(console: Console) -> dict[str, set[str]]:
    routes: dict[str, set[str]] = {}
    for rule in console.app.url_map.iter_rules():
        if rule.endpoint.startswith("console.api."):
            path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule.removeprefix("/console/api/v1"))
            path = path.replace("{session_key}", "{session}")
            routes.setdefault(path, set()).update(
                m.lower() for m in (rule.methods or ()) - {"HEAD", "OPTIONS"}
            )
    return routes


def test_the_openapi_document_is_valid_and_documents_exactly_the_routes(console: Console) -> None:
    response = console.app.test_client().get("/console/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    validate(document)
    assert {path: set(item) for path, item in document["paths"].items()} == _routes(console)


def _schema(document: dict, name: str) -> dict:
    return {**document["components"]["schemas"][name], "components": document["components"]}


def test_a_script_does_what_the_pages_do(console: Console) -> None:
    token = make_token(console.engine, "editor")
    client = console.app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    document = client.get("/console/api/v1/openapi.json").get_json()
    me = client.get("/console/api/v1/me", headers=auth).get_json()
    assert me["email"] == "editor@example.org" and me["role"] == "editor"
    dashboard = client.get("/console/api/v1/dashboard", headers=auth).get_json()
    assert dashboard["published"]["number"] == 1 and dashboard["open_reports"] == 0
    assert {s["session"] for s in dashboard["live_now"]} == {"s-open", "s-par"}
    # upload: a broken file is refused with every issue; a good one previewed, then applied
    data = problem_to_data(problem())
    data["sessions"][0]["title"] = "Renamed by a script"
    broken = client.post(
        "/console/api/v1/imports",
        headers=auth,
        data={"file": (io.BytesIO(b"[]"), "p.json")},
        content_type="multipart/form-data",
    )
    assert broken.status_code == 422 and broken.get_json()["issues"]
    jsonschema.validate(broken.get_json(), _schema(document, "Error"))
    staged = client.post(
        "/console/api/v1/imports",
        headers=auth,
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(json.dumps(data).encode()), "p.json")},
    )
    assert staged.status_code == 201
    preview = staged.get_json()["preview"]
    assert preview["changed"] == [{"id": "s-morning", "title": "Renamed by a script", "fields": ["title"]}]
    applied = client.post(f"/console/api/v1/imports/{staged.get_json()['id']}/apply", headers=auth)
    assert applied.status_code == 200
    # the day
    delayed = client.post("/console/api/v1/live/s-open/delay", headers=auth, json={"minutes": 10})
    assert (
        delayed.get_json()["delay_minutes"] == 10
        and "delayed by 10 minutes" in delayed.get_json()["announcement"]
    )
    board = client.get("/console/api/v1/live", headers=auth).get_json()
    assert any(room["now"] and room["now"]["delay_minutes"] == 10 for room in board["rooms"])
    assert client.post("/console/api/v1/live/nope/delay", headers=auth, json={}).status_code == 404
    # versions and figures
    versions = client.get("/console/api/v1/versions", headers=auth).get_json()["versions"]
    for version in versions:
        jsonschema.validate(version, _schema(document, "Version"))
    review = client.get("/console/api/v1/versions/1", headers=auth).get_json()
    assert review["violations"] == [] and review["conflicts"] == []
    assert client.get("/console/api/v1/versions/99", headers=auth).status_code == 404
    figures = client.get("/console/api/v1/figures", headers=auth).get_json()
    assert figures["tables"][0]["name"] == "Sessions"
    # audit: the script's actions, as the API
    audit = client.get("/console/api/v1/audit?via=api", headers=auth).get_json()["entries"]
    assert [e["action"] for e in audit] == ["live.delay", "import"]
    assert (
        client.get("/console/api/v1/users", headers=auth).status_code == 403
    )  # editors do not manage accounts
    with transaction(console.engine) as db:
        assert (
            db.scalars(select(AuditEntry.actor).where(AuditEntry.via == "api")).all()
            == ["editor@example.org"] * 2
        )


def test_a_bad_token_is_401_and_admins_manage_accounts_by_api(console: Console) -> None:
    client = console.app.test_client()
    refused = client.get(
        "/console/api/v1/me", headers={"Authorization": "Bearer sct_not-a-real-token-at-all-xxxxxxxxxx"}
    )
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Bearer")
    auth = {"Authorization": f"Bearer {make_token(console.engine, 'admin')}"}
    created = client.post(
        "/console/api/v1/users", headers=auth, json={"email": "ops@example.org", "role": "viewer"}
    )
    assert created.status_code == 201 and created.get_json()["one_time_password"]
    user_id = created.get_json()["user"]["id"]
    changed = client.post(
        f"/console/api/v1/users/{user_id}", headers=auth, json={"change": "role", "role": "editor"}
    )
    assert changed.get_json()["user"]["role"] == "editor"
    issued = client.post(
        f"/console/api/v1/users/{user_id}", headers=auth, json={"change": "token"}
    ).get_json()
    assert issued["secret"].startswith("sct_")
    assert (
        client.post("/console/api/v1/users/999", headers=auth, json={"change": "disable"}).status_code == 404
    )


def test_job_progress_is_pushed_to_signed_in_watchers_only(console: Console) -> None:
    from unittest import mock

    from scheduler import jobs
    from webapp.extensions import socketio

    anonymous = socketio.test_client(console.app, namespace=jobs.CONSOLE_NAMESPACE)
    assert not anonymous.is_connected(jobs.CONSOLE_NAMESPACE)
    browser = console.client("viewer")
    watcher = socketio.test_client(console.app, namespace=jobs.CONSOLE_NAMESPACE, flask_test_client=browser)
    assert watcher.is_connected(jobs.CONSOLE_NAMESPACE)
    watcher.emit("watch", {"job": 7}, namespace=jobs.CONSOLE_NAMESPACE)
    # What the worker sends through the message queue, delivered here by the app's own server.
    with console.app.app_context():
        jobs.notify_progress(socketio, 7, "running", {"objective": 12.5, "track_clashes": 3})
        jobs.notify_progress(socketio, 8, "running", {"objective": 99.0})
    received = [m for m in watcher.get_received(jobs.CONSOLE_NAMESPACE) if m["name"] == "job"]
    assert [m["args"][0] for m in received] == [
        {"id": 7, "state": "running", "progress": {"objective": 12.5, "track_clashes": 3}}
    ]
    emitter = mock.Mock()
    jobs.notify_progress(emitter, 3, "done", {})
    emitter.emit.assert_called_once_with(
        "job", {"id": 3, "state": "done", "progress": {}}, namespace="/console", to="job:3"
    )
    watcher.disconnect(namespace=jobs.CONSOLE_NAMESPACE)
