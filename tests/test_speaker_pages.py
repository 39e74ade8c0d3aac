"""Speaker pages: the public profiles, the private token pages, their report form and the links CLI."""

from __future__ import annotations

import hashlib
import re

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import Engine, select

from scheduler.agenda import find_event
from scheduler.cli import main
from scheduler.db import transaction
from scheduler.models import AvailabilityReport, Speaker, SpeakerToken
from scheduler.speaker_links import create_token, issue_links, revoke_tokens, speaker_link, verify_token
from scheduler.store import import_problem
from tests.agenda_data import HOSTILE_SPEAKER, REPLAN, SMALL_PROBLEM, publish_next
from webapp import create_app

pytest_plugins = ("tests.agenda_fixtures",)
pytestmark = pytest.mark.db


def token_for(engine: Engine, key: str) -> str:
    with transaction(engine) as db:
        speaker = db.scalars(select(Speaker).where(Speaker.key == key)).one()
        return create_token(db, speaker)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def reports(engine: Engine) -> list[AvailabilityReport]:
    with transaction(engine) as db:
        return list(db.scalars(select(AvailabilityReport).order_by(AvailabilityReport.id)))


# --- public pages ------------------------------------------------------------------------------


def test_public_speaker_list_and_profile(agenda_client: FlaskClient, engine: Engine) -> None:
    token = token_for(engine, "sp-2")
    listing = agenda_client.get("/speakers").get_data(as_text=True)
    assert 'href="/speakers/sp-2" dir="auto">Li Wei 李伟</a>' in listing
    assert (
        "Dr &lt;b&gt;Bold&lt;/b&gt; O&#39;Brien &amp; &#34;Sons&#34;" in listing
        and HOSTILE_SPEAKER not in listing
    )
    profile = agenda_client.get("/speakers/sp-2").get_data(as_text=True)
    assert '<h1 dir="auto">Li Wei 李伟</h1>' in profile and "Regulator" in profile
    assert set(re.findall(r'href="/sessions/([\w-]+)"', profile)) == {"s-c1", "s-hostile"}
    assert 'href="webcal://localhost/calendar/speaker/sp-2.ics"' in profile
    assert token not in profile and token not in listing


def test_speaker_search_by_name(agenda_client: FlaskClient) -> None:
    found = agenda_client.get("/speakers?q=%D0%B8%D0%B2%D0%B0%D0%BD").get_data(as_text=True)  # "иван"
    assert re.findall(r'href="/speakers/([\w-]+)"', found) == ["sp-3"]
    assert "1 of 4 speakers match" in found
    assert "No speaker matches" in agenda_client.get("/speakers?q=nobody%00").get_data(as_text=True)


# --- tokens ------------------------------------------------------------------------------------


def test_tokens_are_random_and_only_their_hash_is_stored(agenda_event: object, engine: Engine) -> None:
    first, second = token_for(engine, "sp-1"), token_for(engine, "sp-1")
    assert first != second and len(first) >= 43  # 256 bits, URL-safe base64
    with transaction(engine) as db:
        stored = db.scalars(select(SpeakerToken.token_hash)).all()
        assert sorted(stored) == sorted(hashlib.sha256(t.encode()).hexdigest() for t in (first, second))
        assert verify_token(db, first).key == "sp-1"
        assert verify_token(db, "x" * 43) is None
        assert verify_token(db, "not a token\x00") is None
        speaker = verify_token(db, first)
        assert revoke_tokens(db, speaker) == 2
        assert verify_token(db, first) is None and verify_token(db, second) is None


def test_issue_links_once_then_renew(agenda_event: object, engine: Engine) -> None:
    with transaction(engine) as db:
        event = find_event(db)
        first = issue_links(db, event)
        assert [i.speaker.key for i in first] == ["sp-1", "sp-2", "sp-3", "sp-4"]
        assert all(i.token for i in first)
        assert all(i.token is None for i in issue_links(db, event))
        renewed = issue_links(db, event, renew=True)
        assert all(verify_token(db, i.token) is not None for i in renewed if i.token)
        assert all(verify_token(db, i.token) is None for i in first if i.token)
    assert speaker_link("https://agenda.example.org/", "abc") == "https://agenda.example.org/speaker/abc"


# --- the private page --------------------------------------------------------------------------


def test_private_page_shows_sessions_arrival_and_co_speakers(
    agenda_client: FlaskClient, engine: Engine
) -> None:
    token = token_for(engine, "sp-2")
    response = agenda_client.get(f"/speaker/{token}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    html = response.get_data(as_text=True)
    assert "Welcome, <bdi>Li Wei 李伟</bdi>" in html
    assert set(re.findall(r'href="/sessions/([\w-]+)"', html)) == {"s-c1", "s-hostile"}
    # s-c1 starts 10:00: be in the room by 09:45.
    assert '<time datetime="2025-07-08T09:45:00+02:00">09:45</time>' in html
    assert "<bdi>Иван Петров</bdi> (Academia)" in html  # co-speaker of s-c1
    assert "Dr &lt;b&gt;Bold&lt;/b&gt;" in html  # co-speaker of s-hostile, escaped
    assert 'href="webcal://localhost/calendar/speaker/sp-2.ics"' in html
    assert '<meta name="referrer" content="no-referrer">' in html


def test_report_form_stores_a_report_and_confirms(agenda_client: FlaskClient, engine: Engine) -> None:
    token = token_for(engine, "sp-2")
    csrf = csrf_of(agenda_client.get(f"/speaker/{token}").get_data(as_text=True))
    form = {
        "csrf_token": csrf,
        "session": "s-c1",
        "start": "2025-07-08T09:00",
        "end": "2025-07-08T12:30",
        "message": "Flight lands at 11:00 <b>sorry</b>",
    }
    posted = agenda_client.post(f"/speaker/{token}", data=form)
    assert posted.status_code == 303 and posted.headers["Location"].endswith(f"/speaker/{token}")
    [stored] = reports(engine)
    assert (stored.unavailable_start.isoformat(), stored.unavailable_end.isoformat()) == (
        "2025-07-08T09:00:00",
        "2025-07-08T12:30:00",
    )
    assert stored.message == "Flight lands at 11:00 <b>sorry</b>" and stored.session_id is not None
    confirmed = agenda_client.get(f"/speaker/{token}").get_data(as_text=True)
    assert "the programme team has your message" in confirmed
    assert (
        "Flight lands at 11:00 &lt;b&gt;sorry&lt;/b&gt;" in confirmed
    )  # listed under "What you have told us"


def test_the_programme_team_lists_and_resolves_reports(agenda_client: FlaskClient, engine: Engine) -> None:
    token = token_for(engine, "sp-2")
    csrf = csrf_of(agenda_client.get(f"/speaker/{token}").get_data(as_text=True))
    form = {"csrf_token": csrf, "session": "s-c1", "message": "Flight lands late"}
    assert agenda_client.post(f"/speaker/{token}", data=form).status_code == 303
    runner = CliRunner()
    listed = runner.invoke(main, ["reports"])
    assert listed.exit_code == 0, listed.output
    [line] = listed.output.splitlines()
    number = line.split(" ", 1)[0].lstrip("#")
    assert "sp-2 (Li Wei 李伟)" in line and "cannot make s-c1" in line and "'Flight lands late'" in line
    resolved = runner.invoke(main, ["reports", "--resolve", number])
    assert resolved.exit_code == 0 and "resolved" in resolved.output
    assert runner.invoke(main, ["reports"]).output == "No open availability reports.\n"
    assert "Flight lands late" in runner.invoke(main, ["reports", "--all"]).output
    unknown = runner.invoke(main, ["reports", "--resolve", "999"])
    assert unknown.exit_code == 2 and "no availability report #999" in unknown.output


def test_report_form_refuses_a_missing_or_wrong_csrf_token(
    agenda_client: FlaskClient, engine: Engine
) -> None:
    token = token_for(engine, "sp-2")
    agenda_client.get(f"/speaker/{token}")
    for data in ({"session": "s-c1"}, {"session": "s-c1", "csrf_token": "forged"}):
        assert agenda_client.post(f"/speaker/{token}", data=data).status_code == 400
    assert reports(engine) == []


def test_report_form_explains_bad_input_and_stores_nothing(
    agenda_client: FlaskClient, engine: Engine
) -> None:
    token = token_for(engine, "sp-2")
    csrf = csrf_of(agenda_client.get(f"/speaker/{token}").get_data(as_text=True))
    cases = [
        ({}, "Choose a session or give a period"),
        ({"session": "s-open"}, "Choose one of your own sessions"),  # sp-2 does not speak there
        ({"start": "2025-07-08T12:00", "end": "2025-07-08T09:00"}, "must end after it starts"),
        ({"start": "2025-07-08T12:00"}, "both ends"),
        ({"start": "tomorrow", "end": "2025-07-08T09:00"}, "From is not a date and time"),
        ({"session": "s-c1", "message": "x" * 2001}, "under 2000 characters"),
    ]
    for fields, error in cases:
        response = agenda_client.post(f"/speaker/{token}", data={"csrf_token": csrf, **fields})
        assert response.status_code == 400, fields
        assert error in response.get_data(as_text=True), fields
    assert reports(engine) == []


def test_revoked_malformed_and_unknown_tokens_get_404(agenda_client: FlaskClient, engine: Engine) -> None:
    token = token_for(engine, "sp-1")
    assert agenda_client.get(f"/speaker/{token}").status_code == 200
    with transaction(engine) as db:
        revoke_tokens(db, db.scalars(select(Speaker).where(Speaker.key == "sp-1")).one())
    assert agenda_client.get(f"/speaker/{token}").status_code == 404
    assert agenda_client.post(f"/speaker/{token}", data={"session": "s-open"}).status_code == 404
    for bad in ("short", "A" * 43, "%00" * 40, "x" * 500):
        assert agenda_client.get(f"/speaker/{bad}").status_code == 404


def test_private_page_before_publication(engine: Engine, database_url: str) -> None:
    with transaction(engine) as db:
        import_problem(db, SMALL_PROBLEM)
    token = token_for(engine, "sp-1")
    html = (
        create_app({"DATABASE_URL": database_url})
        .test_client()
        .get(f"/speaker/{token}")
        .get_data(as_text=True)
    )
    # sp-1 speaks French (the problem file's `language`): their page is in French.
    assert (
        "Le programme n’est pas encore publié" in html and "Je ne suis pas disponible à cette heure" in html
    )


def test_private_page_marks_a_cancelled_session(agenda_client: FlaskClient, engine: Engine) -> None:
    token = token_for(engine, "sp-4")
    publish_next(engine, REPLAN)  # drops s-hostile, sp-4's only session
    html = agenda_client.get(f"/speaker/{token}").get_data(as_text=True)
    assert '<strong class="live-note" data-note="cancelled">Cancelled</strong>' in html
    assert 'value="s-hostile"' not in html  # nothing to report about a cancelled session


# --- the CLI -----------------------------------------------------------------------------------


def test_speaker_links_command(agenda_event: object, database_url: str) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["speaker-links", "--base-url", "https://agenda.example.org"])
    assert first.exit_code == 0, first.output
    lines = [line.split("\t") for line in first.output.splitlines()]
    assert [(key, name) for key, name, _ in lines][:2] == [
        ("sp-1", "H.E. Amina Hassan"),
        ("sp-2", "Li Wei 李伟"),
    ]
    links = {key: link for key, _, link in lines}
    assert all(link.startswith("https://agenda.example.org/speaker/") for link in links.values())
    client = create_app({"DATABASE_URL": database_url}).test_client()
    assert "Bienvenue, <bdi>H.E. Amina Hassan</bdi>" in client.get(
        links["sp-1"].split(".org", 1)[1]
    ).get_data(as_text=True)

    again = runner.invoke(main, ["speaker-links"])
    assert again.exit_code == 0 and "already issued" in again.output and "/speaker/" not in again.output

    revoked = runner.invoke(main, ["speaker-links", "--revoke", "sp-1"])
    assert revoked.exit_code == 0 and "Revoked 1 link(s) of sp-1" in revoked.output
    assert client.get(links["sp-1"].split(".org", 1)[1]).status_code == 404

    fresh = runner.invoke(main, ["speaker-links", "--revoke", "sp-2", "--new"])
    assert fresh.exit_code == 0 and fresh.output.startswith(
        "sp-2\tLi Wei 李伟\thttp://127.0.0.1:5000/speaker/"
    )
    assert client.get(links["sp-2"].split(".org", 1)[1]).status_code == 404

    unknown = runner.invoke(main, ["speaker-links", "--revoke", "sp-99"])
    assert unknown.exit_code == 2 and "no speaker with id 'sp-99'" in unknown.output
    no_event = runner.invoke(main, ["speaker-links", "no-such-event"])
    assert no_event.exit_code == 2 and "no event with id or slug" in no_event.output


def test_a_speaker_page_is_in_the_speakers_language_unless_the_browser_chose(
    agenda_client: FlaskClient, engine: Engine
) -> None:
    token = token_for(engine, "sp-1")  # language "fr" in the problem file
    french = agenda_client.get(f"/speaker/{token}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="fr"' in french and "Bienvenue" in french
    chosen = agenda_client.get(f"/speaker/{token}?lang=en").get_data(as_text=True)
    assert '<html lang="en"' in chosen and "Welcome, <bdi>H.E. Amina Hassan</bdi>" in chosen
    again = agenda_client.get(f"/speaker/{token}").get_data(as_text=True)  # the cookie keeps the choice
    assert '<html lang="en"' in again
