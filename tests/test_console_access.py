"""Access to the console, route by route: every page and API route refuses anonymous requests and
roles below its rule, and every console endpoint has a rule (a new route without one fails here)."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.console_data import ROLES, Console, make_token
from webapp import create_app
from webapp.console.access import PUBLIC, RULES, SIGNED_IN

pytest_plugins = ("tests.console_fixtures",)

# Values for the URL variables of console routes (ids that may or may not exist: access comes first).
SAMPLE_VALUES = {
    "upload_id": 1,
    "job_id": 1,
    "number": 1,
    "report_id": 1,
    "message_id": 1,
    "user_id": 1,
    "session_key": "s-open",
    "session": "s-open",
    "action": "delay",
    "edit": "move",
    "fmt": "csv",
}


def _console_rules(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, URL) for every console route of the app."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("console."):
            continue
        url = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: str(SAMPLE_VALUES[m.group(1)]), rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, url))
    # Signing out last, so the same browser stays signed in for every other route.
    return sorted(found, key=lambda route: route[0] == "console.logout")


def test_every_console_endpoint_has_an_access_rule() -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "LIVE_TICKER": False})
    endpoints = {endpoint for endpoint, _, _ in _console_rules(app)}
    assert endpoints, "no console routes found"
    assert sorted(endpoints - set(RULES)) == [], "console endpoints without an access rule"
    assert sorted(set(RULES) - endpoints) == [], "access rules for endpoints that do not exist"


def test_an_endpoint_without_a_rule_is_refused(console: Console) -> None:
    app = console.app
    app.view_functions["console.dashboard"]  # exists
    RULES_BACKUP = RULES.pop("console.dashboard")
    try:
        assert console.client("admin").get("/console/").status_code == 403
    finally:
        RULES["console.dashboard"] = RULES_BACKUP


def _allowed(role: str | None, rule: str) -> bool:
    if rule == PUBLIC:
        return True
    if role is None:
        return False
    return rule == SIGNED_IN or ROLES.index(role) >= ROLES.index(rule)


@pytest.mark.parametrize("role", [None, *ROLES])
def test_each_route_refuses_whoever_its_rule_excludes(console: Console, role: str | None) -> None:
    """Anonymous: the pages send to the sign-in page, the API answers 401. Too low a role: 403.
    Allowed: anything but those refusals (404 for the sample ids is fine)."""
    browser = console.client(role)
    token = make_token(console.engine, role) if role else None
    for endpoint, method, url in _console_rules(console.app):
        rule = RULES[endpoint]
        is_api = endpoint.startswith("console.api.")
        headers = {"Authorization": f"Bearer {token}"} if is_api and token else {}
        client = console.app.test_client() if is_api else browser
        # Forms are posted with a valid CSRF token, so that only the access rule decides.
        data = {}
        if method == "POST" and not is_api:
            with browser.session_transaction() as session:
                data = {"csrf_token": session.get("csrf_token") or _prime_csrf(browser)}
        response = client.open(url, method=method, headers=headers, data=data)
        where = f"{method} {url} ({endpoint}) as {role or 'anonymous'}"
        if rule == PUBLIC:
            assert response.status_code != 403 and "/console/login" not in response.headers.get(
                "Location", ""
            ), where
        elif _allowed(role, rule):
            assert response.status_code not in (401, 403), where
            assert not (
                response.status_code == 302
                and "/console/login" in response.headers["Location"]
                and endpoint != "console.logout"
            ), where
        elif role is None:
            if is_api:
                assert response.status_code == 401, where
            else:
                assert response.status_code == 302 and "/console/login" in response.headers["Location"], where
        else:
            assert response.status_code == 403, where


def _prime_csrf(browser: object) -> str:
    browser.get("/console/login")  # type: ignore[attr-defined]
    with browser.session_transaction() as session:  # type: ignore[attr-defined]
        return session["csrf_token"]


def test_a_form_without_the_csrf_token_is_refused(console: Console) -> None:
    browser = console.client("editor")
    response = browser.post("/console/day/s-open/delay", data={"minutes": "10"})
    assert response.status_code == 400
    assert "did not come from this site" in response.get_data(as_text=True)


def test_token_requests_need_no_csrf_but_cookie_requests_to_the_api_do(console: Console) -> None:
    token = make_token(console.engine, "editor")
    scripted = console.app.test_client().post(
        "/console/api/v1/live/s-open/delay", json={"minutes": 5}, headers={"Authorization": f"Bearer {token}"}
    )
    assert scripted.status_code == 200, scripted.get_json()
    browser = console.client("editor")
    assert browser.post("/console/api/v1/live/s-open/delay", json={"minutes": 5}).status_code == 400
