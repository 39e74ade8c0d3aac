"""Browser protections (issue 14): security headers on every response and `next` that stays on the site.

The same in headless Chromium (no CSP violation on the main pages, the Back link staying on the
site) is in tests/test_browser_security.py.
"""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.console_data import PASSWORD, Console, email
from tests.console_data import csrf as console_csrf
from tests.live_site import Site, sign_up

pytest_plugins = ("tests.live_fixtures", "tests.console_fixtures")

# One of each kind: a page, a cached page, a 404, a feed, the API, a static file, a redirect,
# a participant page and a console page.
EVERY_KIND = ["/", "/sessions/s-open", "/no-such-page", "/calendar.ics", "/api/v1/sessions.json",
              "/static/style.css", "/my", "/register", "/console/login", "/now"]  # fmt: skip


@pytest.mark.parametrize("url", EVERY_KIND)
def test_every_response_carries_the_security_headers(site: Site, url: str) -> None:
    response = site.client.get(url)
    headers = response.headers
    policy = dict(part.split(" ", 1) for part in headers["Content-Security-Policy"].split("; "))
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert "unsafe" not in headers["Content-Security-Policy"]
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] in ("strict-origin-when-cross-origin", "no-referrer")


def test_pages_that_show_a_token_keep_their_stricter_referrer_policy(site: Site) -> None:
    assert site.client.get("/register").headers["Referrer-Policy"] == "no-referrer"
    assert site.client.get("/").headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


# --- `next`: same-site paths only ----------------------------------------------------------------

# Each of these reads as another host to some browser or to code that decodes it.
ELSEWHERE = ["/\\evil.example/x", "//evil.example/x", "https://evil.example/x", "\\\\evil.example/x",
             "/%5Cevil.example/x", "/%2F/evil.example", "/\t/evil.example", "\t//evil.example",
             "javascript:alert(1)", "evil.example", "/%09/evil.example", " /x"]  # fmt: skip


def _back_link(page: str) -> str:
    found = re.search(r'<a class="button button-quiet" href="([^"]*)">Back</a>', page)
    assert found, page
    return found.group(1)


@pytest.mark.parametrize("target", ELSEWHERE)
def test_the_bookmark_pages_back_link_never_leaves_the_site(site: Site, target: str) -> None:
    sign_up(site.client)
    page = site.client.get("/bookmark/s-open", query_string={"next": target}).get_data(as_text=True)
    assert _back_link(page) == "/sessions/s-open"
    assert 'name="next" value="/sessions/s-open"' in page


def test_a_same_site_next_is_kept(site: Site) -> None:
    sign_up(site.client)
    page = site.client.get("/bookmark/s-open", query_string={"next": "/day/2025-07-08?view=list"})
    assert _back_link(page.get_data(as_text=True)) == "/day/2025-07-08?view=list"


@pytest.mark.parametrize("target", ELSEWHERE)
def test_redirects_after_bookmarking_and_registering_stay_on_the_site(site: Site, target: str) -> None:
    anonymous = site.app.test_client()
    sent = anonymous.get("/bookmark/s-open", query_string={"next": target})
    assert sent.status_code == 303
    assert sent.headers["Location"] == "/register?bookmark=s-open&next=/sessions/s-open"
    sign_up(site.client)
    token = re.search(r'name="csrf_token" value="([^"]+)"', site.client.get("/my").get_data(as_text=True))
    assert token
    done = site.client.post("/bookmarks/s-open", data={"csrf_token": token.group(1), "next": target})
    assert done.status_code == 303 and done.headers["Location"] == "/my"


def _sign_in(client: FlaskClient, target: str) -> TestResponse:
    form = {"csrf_token": console_csrf(client), "email": email("admin"), "password": PASSWORD, "next": target}
    return client.post("/console/login", data=form)


@pytest.mark.parametrize("target", [*ELSEWHERE, "/sessions"])
def test_console_sign_in_leads_only_to_console_pages(console: Console, target: str) -> None:
    client = console.app.test_client()
    form = client.get("/console/login", query_string={"next": target}).get_data(as_text=True)
    assert 'name="next" value=""' in form
    answer = _sign_in(client, target)
    assert answer.status_code == 302 and answer.headers["Location"] == "/console/"


def test_console_sign_in_returns_to_the_console_page_asked_for(console: Console) -> None:
    client = console.app.test_client()
    asked = client.get("/console/audit")
    assert asked.status_code == 302
    login = client.get(asked.headers["Location"]).get_data(as_text=True)
    assert 'name="next" value="/console/audit"' in login
    answer = _sign_in(client, "/console/audit")
    assert answer.headers["Location"] == "/console/audit"
