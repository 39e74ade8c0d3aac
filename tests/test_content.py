"""Abstracts, speakers' details, e-mail, languages and translations: read, refused where wrong, shown.

The keys of the shared spec's "Content, contact and translations": each is validated from JSON (with
its path) and from a workbook (with its sheet, row and column); what the public may read reaches the
session and speaker pages, the API, schedule.json/.xml and calendar feeds; e-mail addresses never do
(tests/test_no_raw_urls.py crawls every route for them).
"""

from __future__ import annotations

import copy
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import icalendar
import pytest
from flask.testing import FlaskClient

from scheduler.frab import schedule_document, schedule_json, schedule_xml
from scheduler.ical import build_calendar, feed_info
from scheduler.problem_file import Issue, ProblemFileError, parse_problem, problem_to_data
from scheduler.workbook import read_workbook, write_workbook
from tests.agenda_data import ABSTRACT, AFFILIATION, BIO, PHOTO, PRIVATE_MAIL_HOST
from tests.feed_samples import HOSTILE_ABSTRACT, HOSTILE_BIO, hostile_sample
from tests.test_frab import LINKS, talks
from tests.test_validation import VALID, change, issues
from tests.test_workbook import minimal_sheets, sheet_book

pytest_plugins = ("tests.agenda_fixtures",)

LANGUAGES = "ar, zh, en, fr, ru, es"


@pytest.fixture
def valid() -> dict[str, Any]:
    data = copy.deepcopy(VALID)
    data["sessions"][0] |= {
        "abstract": "First paragraph.\n\nSecond\tparagraph, with a tab.",
        "translations": {"fr": {"title": "Cérémonie d'ouverture", "abstract": "Premier paragraphe."}},
    }
    data["speakers"][0] |= {
        "affiliation": "Ministry of ICT, Country A",
        "bio": "Minister since 2023.",
        "photo": "https://photos.example.org/jane.jpg",
        "email": "jane.doe@example.org",
        "language": "fr",
        "translations": {"fr": {"bio": "Ministre depuis 2023.", "affiliation": "Ministère des TIC"}},
    }
    return data


def test_every_new_key_is_read_and_written_back(valid: dict[str, Any]) -> None:
    problem = parse_problem(valid)
    jane, opening = problem.speakers[0], problem.sessions[0]
    assert (jane.affiliation, jane.email, jane.language) == (
        "Ministry of ICT, Country A",
        "jane.doe@example.org",
        "fr",
    )
    assert opening.translations["fr"]["title"] == "Cérémonie d'ouverture"
    assert problem_to_data(problem) == valid


# fmt: off
REFUSED = [
    ("speakers[0].email", "jane.doe at example.org", "speakers[0].email",
     "is not an e-mail address such as name@example.org: 'jane.doe at example.org'"),
    ("speakers[0].email", "jane@example.org\nBcc: all@example.org", "speakers[0].email",
     "contains U+000A (a line break) at character 17; this field is one line of text: "
     "'jane@example.org\\nBcc: all@example.org'"),
    ("speakers[0].language", "de", "speakers[0].language",
     f"unknown language 'de'; expected one of {LANGUAGES}"),
    ("speakers[0].language", "EN", "speakers[0].language",
     f"unknown language 'EN'; expected one of {LANGUAGES}"),
    ("speakers[0].photo", "http://photos.example.org/jane.jpg", "speakers[0].photo",
     "expected an https:// address such as https://example.org/photo.jpg, "
     "got 'http://photos.example.org/jane.jpg'"),
    ("speakers[0].photo", "javascript:alert(1)//https://x", "speakers[0].photo",
     "expected an https:// address such as https://example.org/photo.jpg, got 'javascript:alert(1)//https://x'"),
    ("speakers[0].photo", "https://user:pw@example.org/a.jpg", "speakers[0].photo",
     "expected an https:// address such as https://example.org/photo.jpg, got 'https://user:pw@example.org/a.jpg'"),
    ("speakers[0].photo", 'https://example.org/a.jpg" onerror="x', "speakers[0].photo",
     "expected an https:// address such as https://example.org/photo.jpg, "
     "got 'https://example.org/a.jpg\" onerror=\"x'"),
    ("speakers[0].affiliation", "Ministry\nof ICT", "speakers[0].affiliation",
     "contains U+000A (a line break) at character 9; this field is one line of text: 'Ministry\\nof ICT'"),
    ("speakers[0].bio", "Bell\x07", "speakers[0].bio",
     "contains U+0007 (a control character) at character 5: 'Bell\\x07'"),
    ("sessions[0].abstract", "x" * 10_001, "sessions[0].abstract",
     f"is 10001 characters long, at most 10000 allowed: {'x' * 60!r}... (10001 characters)"),
    ("sessions[0].translations", {"de": {"title": "Eröffnung"}}, "sessions[0].translations.de",
     f"unknown language 'de'; expected one of {LANGUAGES}"),
    ("sessions[0].translations", {"fr": {"summary": "Résumé"}}, "sessions[0].translations.fr.summary",
     "cannot be translated; the texts are title, abstract"),
    ("sessions[0].translations", {"fr": {"title": " "}}, "sessions[0].translations.fr.title",
     "must not be empty"),
    ("sessions[0].translations", {"fr": "Ouverture"}, "sessions[0].translations.fr",
     "expected the translated texts (a JSON object), got 'Ouverture'"),
    ("sessions[0].translations", ["fr"], "sessions[0].translations",
     'expected translations by language, such as {"fr": {...}}, got a list'),
    ("speakers[0].translations", {"fr": {"title": "x"}}, "speakers[0].translations.fr.title",
     "cannot be translated; the texts are affiliation, bio"),
]
# fmt: on


@pytest.mark.parametrize(("where", "value", "path", "message"), REFUSED)
def test_a_wrong_value_is_refused_where_it_is(
    valid: dict[str, Any], where: str, value: object, path: str, message: str
) -> None:
    assert issues(change(valid, where, value)) == [Issue(path, message)]


def test_null_means_absent_for_photo_email_and_language(valid: dict[str, Any]) -> None:
    for key in ("photo", "email", "language"):
        valid["speakers"][0][key] = None
    speaker = parse_problem(valid).speakers[0]
    assert (speaker.photo, speaker.email, speaker.language) == (None, None, None)


# --- the same from a workbook ---------------------------------------------------------------------


def workbook_issues(sheets: dict[str, list[list[Any]]], tmp_path: Path) -> list[str]:
    path = tmp_path / "team.xlsx"
    sheet_book(sheets).save(path)
    with pytest.raises(ProblemFileError) as caught:
        read_workbook(path)
    return [str(issue) for issue in caught.value.issues]


def content_sheets() -> dict[str, list[list[Any]]]:
    sheets = minimal_sheets()
    sheets["sessions"][2][3] = "sp-1"
    sheets["sessions"][0].append("abstract")
    sheets["sessions"][1].append("The opening.\n\nWith interpretation.")
    sheets["speakers"] = [
        ["id", "name", "affiliation", "language", "email", "photo", "bio"],
        [
            "sp-1",
            "Ana",
            "Ministry of ICT",
            "es",
            "ana@example.org",
            "https://example.org/ana.jpg",
            "Minister.",
        ],
    ]
    sheets["session_translations"] = [
        ["session", "language", "title", "abstract"],
        ["s-1", "fr", "Ouverture", "L'ouverture."],
        ["s-1", "es", "Apertura", None],
    ]
    sheets["speaker_translations"] = [["speaker", "language", "bio"], ["sp-1", "es", "Ministra."]]
    return sheets


def test_a_workbook_carries_the_same_keys(tmp_path: Path) -> None:
    path = tmp_path / "team.xlsx"
    sheet_book(content_sheets()).save(path)
    problem = read_workbook(path)
    opening, ana = problem.sessions[0], problem.speakers[0]
    assert opening.abstract == "The opening.\n\nWith interpretation."
    assert opening.translations == {
        "fr": {"title": "Ouverture", "abstract": "L'ouverture."},
        "es": {"title": "Apertura"},
    }
    assert (ana.affiliation, ana.language, ana.email, ana.photo) == (
        "Ministry of ICT",
        "es",
        "ana@example.org",
        "https://example.org/ana.jpg",
    )
    assert ana.translations == {"es": {"bio": "Ministra."}}


def test_a_workbook_round_trips_every_new_key(tmp_path: Path, valid: dict[str, Any]) -> None:
    path = tmp_path / "out.xlsx"
    write_workbook(parse_problem(valid), path)
    assert problem_to_data(read_workbook(path)) == valid


def test_workbook_issues_name_the_sheet_row_and_column(tmp_path: Path) -> None:
    sheets = content_sheets()
    sheets["speakers"][1][4] = "ana(at)example.org"
    sheets["speakers"][1][5] = "http://example.org/ana.jpg"
    sheets["session_translations"] += [["s-1", "de", "Eröffnung"], ["s-1", "fr", "Encore"]]
    sheets["session_translations"][0].append("summary")
    sheets["session_translations"][1].append("Résumé")
    assert workbook_issues(sheets, tmp_path) == [
        "sheet 'session_translations', row 5, column 'language': 'fr' is given twice for this session "
        "(also in row 2)",
        "sheet 'speakers', row 2, column 'email': is not an e-mail address such as name@example.org: "
        "'ana(at)example.org'",
        "sheet 'speakers', row 2, column 'photo': expected an https:// address such as "
        "https://example.org/photo.jpg, got 'http://example.org/ana.jpg'",
        "sheet 'session_translations', row 2, column 'summary': "
        "cannot be translated; the texts are title, abstract",
        "sheet 'session_translations', row 4, column 'language': "
        f"unknown language 'de'; expected one of {LANGUAGES}",
    ]


# --- what people see --------------------------------------------------------------------------------


def test_the_session_page_shows_the_abstract_in_paragraphs(agenda_client: FlaskClient) -> None:
    html = agenda_client.get("/sessions/s-open").get_data(as_text=True)
    section = re.search(r'<section class="abstract prose"[^>]*>(.*?)</section>', html, re.S)
    assert section is not None
    paragraphs = re.findall(r"<p dir=\"auto\">(.*?)</p>", section.group(1), re.S)
    assert paragraphs == [
        "Welcome to the &lt;b&gt;Summit&lt;/b&gt; &amp; its &#34;first&#34; day.",
        "Second paragraph: مرحبا بكم.",
    ]
    assert AFFILIATION.replace("&", "&amp;") in html  # beside the speaker's name


def test_the_speaker_page_shows_affiliation_biography_and_photo(agenda_client: FlaskClient) -> None:
    html = agenda_client.get("/speakers/sp-1").get_data(as_text=True)
    assert re.search(
        r'<p class="lead affiliation" dir="auto">Ministry of ICT &amp; Innovation, Country A</p>', html
    )
    assert '<p dir="auto">Chairs the &lt;national&gt; broadband council.</p>' in html
    assert f'<img class="speaker-photo" src="{PHOTO}" alt="Photo of H.E. Amina Hassan"' in html
    plain = agenda_client.get("/speakers/sp-3").get_data(as_text=True)
    assert "speaker-photo" not in plain and "Biography" not in plain


def test_the_api_carries_abstract_affiliation_biography_and_photo(agenda_client: FlaskClient) -> None:
    opening = agenda_client.get("/api/v1/sessions/s-open").get_json()
    assert opening["abstract"] == ABSTRACT
    assert opening["speakers"][0]["affiliation"] == AFFILIATION
    speaker = agenda_client.get("/api/v1/speakers/sp-1").get_json()
    assert (speaker["affiliation"], speaker["bio"], speaker["photo"]) == (AFFILIATION, BIO, PHOTO)
    assert "email" not in speaker and "email" not in speaker["sessions"][0]["speakers"][0]
    assert agenda_client.get("/api/v1/speakers/sp-3").get_json()["photo"] is None


def test_schedule_files_carry_the_abstract_and_biography() -> None:
    sample, entries = hostile_sample()
    document = schedule_document(sample.event, None, entries, LINKS)
    panel = next(t for t in talks(json.loads(schedule_json(document))) if t["title"] == "Panel: C7, e-health")
    assert panel["abstract"] == HOSTILE_ABSTRACT
    assert "Speakers: 李明" in panel["description"] and HOSTILE_ABSTRACT not in panel["description"]
    opening = next(t for t in talks(json.loads(schedule_json(document))) if t["id"] != panel["id"])
    assert opening["abstract"] == ""  # the format requires the key
    assert opening["persons"][0]["biography"] == HOSTILE_BIO
    assert opening["persons"][0]["avatar"] == "https://photos.example.org/sp-1.jpg"
    root = ET.fromstring(schedule_xml(document))
    assert [e.findtext("abstract") for e in root.iter("event")] == ["", HOSTILE_ABSTRACT]


def test_calendar_description_starts_with_the_abstract() -> None:
    sample, entries = hostile_sample()
    feed = build_calendar(feed_info(sample.event), entries, lambda key: f"https://agenda.example.org/s/{key}")
    events = {str(e["uid"]).split("@")[0]: e for e in icalendar.Calendar.from_ical(feed).walk("VEVENT")}
    description = str(events["s-002"]["description"])
    assert description.startswith(HOSTILE_ABSTRACT + "\n\nSpeakers: 李明")
    assert not str(events["s-001"]["description"]).startswith("\n")


def test_no_public_output_of_the_small_event_names_an_email(agenda_client: FlaskClient) -> None:
    # The whole crawl of every route is tests/test_no_raw_urls.py; these are the pages that show speakers.
    for url in (
        "/sessions/s-open",
        "/speakers",
        "/speakers/sp-1",
        "/api/v1/speakers",
        "/api/v1/sessions",
        "/schedule.json",
        "/schedule.xml",
        "/calendar/speaker/sp-1.ics",
        "/export/agenda.csv",
    ):
        response = agenda_client.get(url)
        assert response.status_code == 200, url
        assert PRIVATE_MAIL_HOST.encode() not in response.data, url
