"""Every page is built for translation: gettext is available to every template, with named
placeholders escaped like any other value; only complete languages are offered, and the language
is chosen by `?lang=` (remembered in a cookie), the cookie, then `Accept-Language`."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from flask import Flask, render_template_string
from sqlalchemy import Engine, select

from scheduler import participants
from scheduler.db import transaction
from scheduler.models import Event, Participant
from tests import pseudo
from tests.agenda_data import PublishedEvent
from webapp import create_app, i18n

pytest_plugins = ("tests.agenda_fixtures",)
PSEUDO = pseudo.CODE.replace("_", "-")


@pytest.fixture
def app(tmp_path: Path, database_url: str, agenda_event: PublishedEvent) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "LIVE_TICKER": False,
            "DATABASE_URL": database_url,
            "EXTRA_TRANSLATIONS": [str(pseudo.write_catalogue(tmp_path))],
        }
    )
    yield app
    app.extensions["agenda_engine"].dispose()


def test_templates_translate_with_named_placeholders_and_escape_their_values(app: Flask) -> None:
    with app.test_request_context("/"):
        html = render_template_string('{{ _("Delayed by %(who)s", who=who) }}', who="<b>")
    assert html == "Delayed by &lt;b&gt;"


def test_a_language_without_a_complete_catalogue_is_not_offered(tmp_path: Path) -> None:
    complete = pseudo.write_catalogue(tmp_path / "complete")
    partial = tmp_path / "partial"
    shutil.copytree(complete, partial)
    po = partial / pseudo.CODE / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    first = text.index('msgstr "⟦')
    po.write_text(text[:first] + 'msgstr ""' + text[text.index("\n", first) :], encoding="utf-8")
    codes = [language.code for language in i18n.offered_languages([partial])]
    assert codes == ["en"]
    assert [language.code for language in i18n.offered_languages([complete])] == ["en", pseudo.CODE]


def test_accept_language_then_cookie_then_parameter(app: Flask) -> None:
    client = app.test_client()
    html = client.get("/", headers={"Accept-Language": f"ja, {PSEUDO};q=0.8"}).get_data(as_text=True)
    assert f'<html lang="{PSEUDO}" dir="ltr"' in html and pseudo.marked("Sessions") in html
    assert '<html lang="en" dir="ltr"' in client.get("/", headers={"Accept-Language": "ja"}).get_data(
        as_text=True
    )
    chosen = client.get(f"/sessions?lang={pseudo.CODE}", headers={"Accept-Language": "en"})
    assert "lang=en_001" in chosen.headers["Set-Cookie"]
    # The cookie now wins over the browser's languages, on every page.
    assert pseudo.marked("Sessions") in client.get("/", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    back = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en"' in back and pseudo.marked("Sessions") not in back
    assert pseudo.marked("Sessions") not in client.get("/rooms").get_data(as_text=True)


def test_the_switcher_names_each_language_in_itself_and_keeps_the_page(app: Flask) -> None:
    html = app.test_client().get("/day/2025-07-08?track=C1&junk=1").get_data(as_text=True)
    assert (
        f'href="/day/2025-07-08?track=C1&amp;lang={pseudo.CODE}" lang="{PSEUDO}" hreflang="{PSEUDO}"' in html
    )
    assert 'hreflang="en" aria-current="true">English</a>' in html
    assert "junk" not in html  # the page is cached and shared: only the parameters its key holds


def test_the_response_cache_keys_on_the_language(app: Flask) -> None:
    client = app.test_client()
    english = client.get("/tracks", headers={"Accept-Language": "en"})
    translated = client.get("/tracks", headers={"Accept-Language": PSEUDO})
    assert (
        english.get_data() != translated.get_data() and english.headers["ETag"] != translated.headers["ETag"]
    )
    assert {"Accept-Language", "Cookie"} <= set(english.headers["Vary"].replace(" ", "").split(","))
    again = client.get("/tracks", headers={"Accept-Language": "en", "If-None-Match": english.headers["ETag"]})
    assert again.status_code == 304


def test_a_participant_keeps_their_language_in_their_profile(app: Flask, engine: Engine) -> None:
    with transaction(engine) as db:
        event = db.scalars(select(Event)).one()
        form = participants.validate("Ada", "ada@example.org", "CH", "government", "ar")
        participant, token = participants.register(db, event, form)
        participants.set_interface_language(participant, "fr")
    # Another device: following the link brings their language, and their feed speaks it.
    device = app.test_client()
    device.get(f"/my/{token}")
    assert 'lang="fr"' in device.get("/").get_data(as_text=True)
    feed = device.get(f"/calendar/my/{token}.ics").get_data(as_text=True)
    assert "Test Summit 2025 : mon agenda" in feed.replace("\r\n ", "")
    # The switcher changes the profile too.
    device.get("/?lang=en")
    with transaction(engine) as db:
        assert db.scalars(select(Participant)).one().interface_language == "en"
    feed = app.test_client().get(f"/calendar/my/{token}.ics").get_data(as_text=True)
    assert "Test Summit 2025: my agenda" in feed.replace("\r\n ", "")


def test_feeds_dates_and_language_names_follow_the_language(app: Flask) -> None:
    client = app.test_client()
    html = client.get("/sessions/s-open?lang=fr").get_data(as_text=True)
    assert "mardi 8 juillet 2025" in html and "Anglais, Français" in html
    assert "webcal://localhost/sessions/s-open.ics?lang=fr" in html
    feed = client.get("/calendar/agenda.ics?lang=fr").get_data(as_text=True).replace("\r\n ", "")
    assert "Intervenants\u00a0: " in feed


def test_now_and_next_gives_live_js_its_words_in_the_page_language(app: Flask) -> None:
    html = app.test_client().get("/now?lang=fr").get_data(as_text=True)
    found = re.search(r'data-texts="([^"]*)"', html)
    assert found is not None
    texts = json.loads(unescape(found.group(1)))
    assert texts["phases"]["live"] == "En cours" and texts["nothing_now"] == "Rien en cours"
    assert texts["announcements"]["cancel"] == "{title} est annulée."
    assert texts["open"] == "{title} est ouverte."
