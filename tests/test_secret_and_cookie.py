"""SECRET_KEY and the session cookie (issue 14).

A server refuses to start without a key of at least 32 bytes (never the old constant "dev");
`scheduler serve` and `demo` make an instance key (0600) when none is configured. The session
cookie is HttpOnly, SameSite=Lax, and Secure whenever the request came over HTTPS, directly or as
the one trusted proxy says; the participant's link token is in it only sealed.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from scheduler import config
from tests.live_site import Site, sign_up
from tests.test_live_data import server
from webapp import create_app
from webapp.sealed import seal, unseal

pytest_plugins = ("tests.live_fixtures",)

LONG_ENOUGH = "k" * config.MIN_SECRET_BYTES


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str) -> Path:
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    return tmp_path


@pytest.mark.parametrize(
    ("key", "said"),
    [(None, "SECRET_KEY is not set"), ("dev", "SECRET_KEY is 3 bytes long"),
     ("k" * (config.MIN_SECRET_BYTES - 1), "SECRET_KEY is 31 bytes long")],
)  # fmt: skip
def test_a_server_refuses_to_start_without_a_long_enough_key(
    instance: Path, monkeypatch: pytest.MonkeyPatch, key: str | None, said: str
) -> None:
    if key is not None:
        monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(config.ConfigError, match=f"^{said}") as refused:
        create_app()
    assert str(refused.value).count(". ") == 0  # one sentence


def test_a_server_takes_a_key_from_the_environment_or_the_instance_key_file(
    instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECRET_KEY", LONG_ENOUGH)
    assert create_app().secret_key == LONG_ENOUGH
    monkeypatch.delenv("SECRET_KEY")
    made = config.instance_key(instance, create=True)
    assert made and len(made.encode()) >= config.MIN_SECRET_BYTES
    assert create_app().secret_key == made


def test_the_instance_key_is_made_once_and_readable_by_its_owner_only(tmp_path: Path) -> None:
    assert config.instance_key(tmp_path) is None
    made = config.instance_key(tmp_path, create=True)
    path = tmp_path / config.INSTANCE_KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert config.instance_key(tmp_path, create=True) == made == config.instance_key(tmp_path)


@pytest.mark.slow
def test_serve_without_a_key_makes_and_keeps_an_instance_key(
    instance: Path, database_url: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"} | {"SOCKETIO_MESSAGE_QUEUE": ""}
    with server(env, "2025-07-08T15:00", tmp_path / "first.log"):
        pass
    key = (instance / config.INSTANCE_KEY_FILE).read_text().strip()
    assert stat.S_IMODE((instance / config.INSTANCE_KEY_FILE).stat().st_mode) == 0o600
    assert "kept in" in (tmp_path / "first.log").read_text()
    with server(env, "2025-07-08T15:00", tmp_path / "second.log"):
        pass
    assert (instance / config.INSTANCE_KEY_FILE).read_text().strip() == key
    assert "kept in" not in (tmp_path / "second.log").read_text()


# --- the session cookie ----------------------------------------------------------------------------


def _cookie(client: FlaskClient, **request: object) -> str:
    """The Set-Cookie header of a registration form's first visit (it starts a session)."""
    response = client.get("/register", **request)  # type: ignore[arg-type]
    assert response.status_code == 200
    header = response.headers.get("Set-Cookie", "")
    assert header.startswith("session="), response.headers
    return header


def test_the_session_cookie_is_httponly_and_samesite_lax_and_not_secure_over_http(site: Site) -> None:
    header = _cookie(site.app.test_client())
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert "Secure" not in header


def test_the_session_cookie_is_secure_over_https(site: Site) -> None:
    header = _cookie(site.app.test_client(), base_url="https://agenda.example.org")
    assert "Secure" in header


def test_over_plain_http_the_forwarded_scheme_counts_only_from_a_trusted_proxy(
    database_url: str, site: Site
) -> None:
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    assert "Secure" not in _cookie(site.app.test_client(), headers=forwarded)
    behind_nginx = create_app({"DATABASE_URL": database_url, "TESTING": True, "LIVE_TICKER": False,
                               "SOCKETIO_MESSAGE_QUEUE": None, "TRUSTED_PROXIES": 1})  # fmt: skip
    assert "Secure" in _cookie(behind_nginx.test_client(), headers=forwarded)
    assert "Secure" not in _cookie(behind_nginx.test_client())


def test_the_cookie_setting_makes_it_secure_always(database_url: str, site: Site) -> None:
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "LIVE_TICKER": False,
                      "SOCKETIO_MESSAGE_QUEUE": None, "SESSION_COOKIE_SECURE": True})  # fmt: skip
    assert "Secure" in _cookie(app.test_client())


# --- no capability token readable in the cookie ------------------------------------------------------


def test_the_cookie_holds_the_participants_token_only_sealed(site: Site) -> None:
    token = sign_up(site.client)
    with site.client.session_transaction() as session:
        stored = dict(session)
    assert token not in json.dumps(stored)
    with site.app.test_request_context():
        assert unseal(stored["participant"]) == token
    assert site.client.get("/my").status_code == 200  # the browser is still recognised


def test_an_older_cookie_with_the_raw_token_is_no_longer_honoured_and_loses_it(site: Site) -> None:
    token = sign_up(site.app.test_client())
    client = site.app.test_client()
    with client.session_transaction() as session:
        session["participant_token"] = token
    assert client.get("/my").status_code == 303
    with client.session_transaction() as session:
        assert "participant_token" not in session


def test_a_value_sealed_under_another_key_unseals_to_nothing(site: Site, database_url: str) -> None:
    with site.app.test_request_context():
        sealed = seal("a-token")
        assert unseal(sealed) == "a-token" and unseal(sealed[:-2] + "xx") is None and unseal(None) is None
    other = create_app({"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": LONG_ENOUGH})
    with other.test_request_context():
        assert unseal(sealed) is None
