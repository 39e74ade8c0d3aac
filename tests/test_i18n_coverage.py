"""No visible text lands untranslated: every public, participant and speaker page, rendered in the
pseudo-locale of `tests.pseudo`, shows only marked (catalogue) text, the event's data, and times."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select

from scheduler import participants
from scheduler.db import transaction
from scheduler.languages import LANGUAGES
from scheduler.models import Event, Speaker
from scheduler.speaker_links import create_token
from tests import pseudo
from tests.agenda_data import PUBLISHED, SMALL_PROBLEM, PublishedEvent
from tests.console_data import ROLES, Console, email
from tests.test_live_data import problem as live_problem
from tests.test_live_data import schedule as live_schedule
from webapp import create_app, i18n
from webapp.formatting import kind_label

pytest_plugins = ("tests.agenda_fixtures", "tests.console_fixtures")

PUBLIC_PAGES = (
    "/",
    "/day/2025-07-08",
    "/day/2025-07-08?view=list",
    "/day/2025-07-08?track=C1",
    "/day/2025-07-09",
    "/sessions",
    "/sessions?q=nothing-matches-this",
    "/sessions/s-open",
    "/sessions/s-c1",
    "/sessions/s-hostile",
    "/rooms",
    "/rooms/room-a",
    "/tracks",
    "/tracks/C1",
    "/changes",
    "/speakers",
    "/speakers?q=nobody",
    "/speakers/sp-1",
    "/speakers/sp-2",
    "/now",
    "/register",
    "/my",
    "/bookmark/s-open",
    "/join/s-open",
    "/no-such-page",
    "/sessions/no-such-session",
)
PERSONAL_PAGES = ("/my", "/bookmark/s-c1", "/register", "/join/s-open")


@pytest.fixture
def pseudo_app(tmp_path: Path, database_url: str, agenda_event: PublishedEvent) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "LIVE_TICKER": False,
            "JOIN_URL_TEMPLATE": "https://meet.example.org/{event}-{room}",
            "EXTRA_TRANSLATIONS": [str(pseudo.write_catalogue(tmp_path))],
        }
    )
    yield app
    app.extensions["agenda_engine"].dispose()


def known_data() -> set[str]:
    """The event's data as the pages show it, CLDR's names, and each language's own name."""
    data = pseudo.data_strings(SMALL_PROBLEM, PUBLISHED)
    shown = {kind_label(text) for text in data}
    names = {i18n.describe(code).name for code in (*LANGUAGES, pseudo.CODE)}
    return data | shown | names | set(LANGUAGES.values()) | pseudo.locale_words() | {"Geneva", "Zurich"}


def assert_all_marked(client: FlaskClient, urls: tuple[str, ...], also: set[str] = frozenset()) -> None:
    known = known_data() | also
    found = {}
    client.set_cookie(i18n.COOKIE, pseudo.CODE)  # before a speaker's or participant's own language
    for url in urls:
        response = client.get(url)
        if response.status_code in (301, 302, 303):
            continue
        assert response.mimetype == "text/html", url
        unmarked = list(pseudo.unmarked_text(response.get_data(as_text=True), known))
        if unmarked:
            found[url] = unmarked
    if found:
        report = "\n".join(f"{url}: {text!r}" for url, texts in found.items() for text in texts)
        pytest.fail(f"Text not in the catalogue (wrap it in _() or {{% trans %}}):\n{report}")


def test_every_public_page_is_translated(pseudo_app: Flask) -> None:
    assert_all_marked(pseudo_app.test_client(), PUBLIC_PAGES)


def test_every_participant_page_is_translated(pseudo_app: Flask, engine: Engine) -> None:
    with transaction(engine) as db:
        event = db.scalars(select(Event)).one()
        form = participants.validate("Ada Participant", "ada@example.org", "CH", "civil-society", "fr")
        _, token = participants.register(db, event, form)
    client = pseudo_app.test_client()
    client.get(f"/my/{token}")
    assert_all_marked(client, PERSONAL_PAGES, {"Ada Participant"})


def test_every_speaker_page_is_translated(pseudo_app: Flask, engine: Engine) -> None:
    with transaction(engine) as db:
        tokens = [create_token(db, speaker) for speaker in db.scalars(select(Speaker))]
    assert_all_marked(pseudo_app.test_client(), tuple(f"/speaker/{token}" for token in tokens))


CONSOLE_PAGES = (
    "/console/",
    "/console/upload",
    "/console/solve",
    "/console/versions",
    "/console/versions/1",
    "/console/problem",
    "/console/day",
    "/console/reports",
    "/console/figures",
    "/console/audit",
    "/console/accounts",
    "/console/password",
)


def test_every_console_page_is_translated(console: Console, tmp_path: Path, database_url: str) -> None:
    app = create_app(
        {
            **console.app.config,
            "EXTRA_TRANSLATIONS": [str(pseudo.write_catalogue(tmp_path))],
        }
    )
    app.extensions["event_clock"] = console.app.extensions["event_clock"]
    known = pseudo.data_strings(live_problem(), live_schedule()) | {email(role) for role in ROLES}
    known |= {kind_label(text) for text in known}
    assert_all_marked(app.test_client(), ("/console/login",), known)
    admin = Console(app, console.engine, console.event_id).client("admin")
    assert_all_marked(admin, CONSOLE_PAGES, known)
    app.extensions["agenda_engine"].dispose()
