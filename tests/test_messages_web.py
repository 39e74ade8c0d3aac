"""Messages from the public site: registration and "lost my link" send a working personal link by
email (the old one revoked) through a job worker and a real SMTP server, without the page telling
whether the address was registered; stop links are honoured."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from scheduler.db import transaction
from scheduler.models import OutboxMessage, Participant
from scheduler.outbox import OutboxError
from tests.live_site import Site, csrf, sign_up
from tests.smtp_server import SmtpServer, smtp_server
from webapp import create_app

pytest_plugins = ("tests.live_fixtures",)
pytestmark = pytest.mark.db
LINK = re.compile(r"http://localhost/my/([A-Za-z0-9_-]+)")


@pytest.fixture
def smtp(site: Site) -> Iterator[SmtpServer]:
    with smtp_server() as server:
        site.app.config.update(server.settings(), MAIL_HOLD_KINDS="")
        yield server


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def registration(client: object, name: str, email: str) -> dict[str, str]:
    return {"csrf_token": csrf(client, "/register"), "name": name, "email": email,  # type: ignore[arg-type]
            "country": "KE", "stakeholder_group": "civil-society", "language": "fr"}  # fmt: skip


def test_registering_emails_the_personal_link(site: Site, smtp: SmtpServer) -> None:
    token = sign_up(site.client)
    [message] = smtp.arrived(1)
    assert message["To"] == "Ada <ada@example.org>"
    assert LINK.search(text_of(message)).group(1) == token  # type: ignore[union-attr]
    assert "Live Test Event" in text_of(message) and "/messages/stop/participant/" in text_of(message)


def test_a_known_email_gets_a_fresh_link_and_the_page_does_not_tell(site: Site, smtp: SmtpServer) -> None:
    old = sign_up(site.client)
    first = site.app.test_client()
    page_new = first.post("/register", data=registration(first, "Bea", "bea@example.org"))
    other = site.app.test_client()
    page_known = other.post("/register", data=registration(other, "Bea", "ADA@example.org"))
    assert page_new.status_code == page_known.status_code == 200
    without_address = [
        re.sub(r"\S+@example\.org", "", p.get_data(as_text=True)) for p in (page_new, page_known)
    ]
    assert without_address[0] == without_address[1]
    # The known address is not signed in here: its owner gets the new link by email.
    assert other.get("/me.json").get_json()["registered"] is False
    messages = smtp.arrived(3)
    [renewed] = [m for m in messages if "new personal link" in str(m["Subject"])]
    fresh = LINK.search(text_of(renewed)).group(1)  # type: ignore[union-attr]
    assert site.app.test_client().get(f"/my/{old}").status_code == 404
    assert site.app.test_client().get(f"/my/{fresh}").status_code == 303
    with transaction(site.engine) as db:
        assert len(db.scalars(select(Participant)).all()) == 2


def test_the_lost_link_form_sends_a_working_link_and_revokes_the_old(site: Site, smtp: SmtpServer) -> None:
    old = sign_up(site.client)
    smtp.arrived(1)
    client = site.app.test_client()
    answers = [
        client.post("/lost-link", data={"csrf_token": csrf(client, "/lost-link"), "email": email})
        for email in ("ada@example.org", "nobody@example.org")
    ]
    bodies = [a.get_data(as_text=True).replace(e, "") for a, e in zip(answers, ("ada@example.org",
              "nobody@example.org"), strict=True)]  # fmt: skip
    assert bodies[0] == bodies[1] and "data-link-sent" in bodies[0]
    [_, message] = smtp.arrived(2)
    fresh = LINK.search(text_of(message)).group(1)  # type: ignore[union-attr]
    assert fresh != old
    assert client.get(f"/my/{old}").status_code == 404
    assert client.get(f"/my/{fresh}").status_code == 303 and "Ada" in client.get("/my").get_data(as_text=True)


def test_the_lost_link_form_refuses_what_is_not_an_address(site: Site) -> None:
    client = site.app.test_client()
    answer = client.post("/lost-link", data={"csrf_token": csrf(client, "/lost-link"), "email": "ada at org"})
    assert answer.status_code == 400 and "please give an email address" in answer.get_data(as_text=True)
    with transaction(site.engine) as db:
        assert db.scalars(select(OutboxMessage)).all() == []


def test_the_stop_link_asks_then_stops_live_messages(site: Site, smtp: SmtpServer) -> None:
    sign_up(site.client)
    [message] = smtp.arrived(1)
    stop = re.search(r"http://localhost(/messages/stop/\S+)", text_of(message)).group(1)  # type: ignore[union-attr]
    client = site.app.test_client()
    assert client.get(stop).status_code == 200
    with transaction(site.engine) as db:
        assert db.scalars(select(Participant.live_messages)).one() is True
    page = client.post(stop, data={"csrf_token": csrf(client, stop)})
    assert page.status_code == 200 and "data-stopped" in page.get_data(as_text=True)
    with transaction(site.engine) as db:
        assert db.scalars(select(Participant.live_messages)).one() is False
    assert client.get(stop[:-4] + "0000").status_code == 404


def test_a_kind_to_hold_that_does_not_exist_stops_the_site_starting(database_url: str) -> None:
    with pytest.raises(OutboxError, match="livee is not one of"):
        create_app({"DATABASE_URL": database_url, "TESTING": True, "LIVE_TICKER": False,
                    "MAIL_HOLD_KINDS": "publication,livee"})  # fmt: skip
