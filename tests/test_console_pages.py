"""The console's pages as the programme team uses them, through Flask's test client: signing in,
upload with its preview, publishing with a recorded confirmation, running the day, speaker reports,
explanations, figures, the audit log and accounts."""

from __future__ import annotations

import io
import json
import time
from dataclasses import replace
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import Engine, func, select

from scheduler import accounts, audit
from scheduler.db import transaction
from scheduler.models import AuditEntry, AvailabilityReport, LiveState, Speaker, Upload
from scheduler.problem_file import problem_to_data
from scheduler.speaker_links import create_token
from scheduler.store import utc_now
from scheduler.versions import save_draft
from solver import domain
from tests.console_data import PASSWORD, SETUP, Console, csrf, email, post, sign_in
from tests.test_live_data import event_of, problem, schedule

pytest_plugins = ("tests.console_fixtures",)


def log(engine: Engine, action: str) -> list[AuditEntry]:
    with transaction(engine) as db:
        return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


# --- signing in ------------------------------------------------------------------------------


def test_sign_in_out_and_a_wrong_password(console: Console) -> None:
    client = console.app.test_client()
    assert client.get("/console/").headers["Location"].startswith("/console/login?next=/console/")
    wrong = sign_in(client, email("viewer"), "not the password")
    assert wrong.status_code == 401 and "The email or the password is not right" in wrong.get_data(
        as_text=True
    )
    unknown = sign_in(client, "nobody@example.org", PASSWORD)
    assert unknown.status_code == 401 and "The email or the password is not right" in unknown.get_data(
        as_text=True
    )
    assert sign_in(client, email("viewer"), PASSWORD).headers["Location"] == "/console/"
    assert client.get("/console/").status_code == 200
    assert post(client, "/console/logout").status_code == 302
    assert client.get("/console/").status_code == 302
    assert [e.detail["failures"] for e in log(console.engine, "account.sign_in_failed")] == [1]
    assert len(log(console.engine, "account.sign_in")) == 1


def test_repeated_failures_lock_the_account_for_a_while(console: Console) -> None:
    console.app.config.update(LOGIN_LOCKOUT_FAILURES=3, LOGIN_LOCKOUT_MINUTES=5)
    client = console.app.test_client()
    for _ in range(3):
        assert sign_in(client, email("editor"), "guess").status_code == 401
    locked = sign_in(client, email("editor"), PASSWORD)
    assert locked.status_code == 401 and "Too many failed attempts" in locked.get_data(as_text=True)
    with transaction(console.engine) as db:
        user = accounts.find_user(db, email("editor"))
        assert user.failed_logins == 3 and user.locked_until is not None
        user.locked_until = utc_now() - timedelta(seconds=1)  # the lockout has run out
    assert sign_in(client, email("editor"), PASSWORD).status_code == 302


def test_a_one_time_password_must_be_replaced_first(console: Console) -> None:
    with transaction(console.engine) as db:
        _, one_time = accounts.add_user(db, "new@example.org", "editor", actor=SETUP)
    client = console.app.test_client()
    assert sign_in(client, "new@example.org", one_time).headers["Location"] == "/console/password"
    assert client.get("/console/day").headers["Location"] == "/console/password"
    token = csrf(client, "/console/password")
    short = client.post(
        "/console/password",
        data={
            "csrf_token": token,
            "current_password": one_time,
            "new_password": "short",
            "repeat_password": "short",
        },
    )
    assert short.status_code == 400 and "at least 12 characters" in short.get_data(as_text=True)
    done = client.post(
        "/console/password",
        data={
            "csrf_token": token,
            "current_password": one_time,
            "new_password": "a much longer one",
            "repeat_password": "a much longer one",
        },
    )
    assert done.headers["Location"] == "/console/"
    assert client.get("/console/day").status_code == 200


def test_a_role_change_or_disabling_signs_the_person_out(console: Console) -> None:
    client = console.client("editor")
    assert client.get("/console/day").status_code == 200
    with transaction(console.engine) as db:
        accounts.set_role(db, accounts.find_user(db, email("editor")), "viewer", actor=SETUP)
    assert client.get("/console/day").status_code == 302
    viewer = console.client("viewer")
    with transaction(console.engine) as db:
        accounts.disable(db, accounts.find_user(db, email("viewer")), actor=SETUP)
    assert viewer.get("/console/").status_code == 302
    assert sign_in(console.app.test_client(), email("viewer"), PASSWORD).status_code == 401


def test_a_login_session_expires(console: Console) -> None:
    console.app.permanent_session_lifetime = timedelta(seconds=1)
    client = console.client("viewer")
    assert client.get("/console/").status_code == 200
    time.sleep(2.1)
    assert client.get("/console/").headers["Location"].startswith("/console/login")


def test_the_site_footer_links_to_the_console(console: Console) -> None:
    assert 'href="/console/"' in console.app.test_client().get("/").get_data(as_text=True)


# --- upload ----------------------------------------------------------------------------------


def _upload(client: object, name: str, content: bytes) -> object:
    return post(
        client, "/console/upload", {"file": (io.BytesIO(content), name)}, content_type="multipart/form-data"
    )


def test_a_broken_file_lists_its_issues_with_their_paths_and_stores_nothing(console: Console) -> None:
    client = console.client("editor")
    data = problem_to_data(problem())
    data["sessions"][1]["duration_minutes"] = -5
    data["rooms"][0].pop("capacity")
    refused = _upload(client, "broken.json", json.dumps(data).encode())
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "nothing was stored" in text
    assert "sessions[1].duration_minutes: must be at least 1" in text and "rooms[0].capacity: missing" in text
    not_json = _upload(client, "broken.json", b"{ nope")
    assert not_json.status_code == 422 and "not valid JSON" in not_json.get_data(as_text=True)
    wrong_kind = _upload(client, "notes.txt", b"hello")
    assert wrong_kind.status_code == 422 and ".xlsx workbook" in wrong_kind.get_data(as_text=True)
    with transaction(console.engine) as db:
        assert db.scalar(select(func.count()).select_from(Upload)) == 0


def test_an_oversized_upload_is_refused_before_it_is_read(console: Console) -> None:
    console.app.config["MAX_CONTENT_LENGTH"] = 2000
    client = console.client("editor")
    token = csrf(client, "/console/")
    refused = client.post(
        "/console/upload",
        data={"csrf_token": token, "file": (io.BytesIO(b" " * 5000), "big.json")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 413 and "larger than the 0.002 MB" in refused.get_data(as_text=True)


def test_a_re_upload_shows_what_would_change_before_it_is_applied(console: Console) -> None:
    client = console.client("editor")
    changed = problem()
    sessions = list(changed.sessions)
    sessions[0] = replace(sessions[0], title="Morning plenary, renamed", duration_minutes=90)
    sessions.pop(2)  # s-next
    sessions.append(replace(sessions[-1], id="s-extra", title="An extra session"))
    changed = replace(changed, sessions=tuple(sessions))
    staged = _upload(client, "event.json", json.dumps(problem_to_data(changed)).encode())
    assert staged.status_code == 302
    preview = client.get(staged.headers["Location"]).get_data(as_text=True)
    assert "s-extra" in preview.split('data-changes="added"')[1].split("</section>")[0]
    assert "s-next" in preview.split('data-changes="removed"')[1].split("</section>")[0]
    changed_part = preview.split('data-changes="changed"')[1].split("</section>")[0]
    assert "s-morning" in changed_part and "duration_minutes, title" in changed_part
    with transaction(console.engine) as db:
        assert event_of(db, console.event_id).sessions[0].title == "Morning plenary"  # not applied yet
    applied = post(client, staged.headers["Location"] + "/apply")
    assert applied.status_code == 302
    with transaction(console.engine) as db:
        assert event_of(db, console.event_id).sessions[0].title == "Morning plenary, renamed"
    [entry] = log(console.engine, "import")[-1:]
    assert entry.actor == email("editor") and entry.via == "console" and entry.detail["sessions"] == 5
    again = post(client, staged.headers["Location"] + "/apply")
    assert again.status_code == 409


# --- review, explain, publish ------------------------------------------------------------------


def _draft(engine: Engine, event_id: int, result: domain.Schedule) -> int:
    with transaction(engine) as db:
        return save_draft(db, event_of(db, event_id), result, actor=SETUP).number


def test_publishing_a_draft_that_breaks_a_rule_needs_a_recorded_confirmation(console: Console) -> None:
    clash = schedule(moves={"s-par": ("room-a", schedule().assignments[1].start)})  # s-par on s-open, room A
    number = _draft(console.engine, console.event_id, clash)
    client = console.client("editor")
    page = client.get(f"/console/versions/{number}").get_data(as_text=True)
    assert "room overlap" in page and 'id="publish-confirm"' in page
    assert 'class="grid-session change-moved" data-session="s-par"' in page
    refused = post(client, f"/console/versions/{number}/publish", {"note": "try"})
    assert refused.status_code == 409 and "room overlap" in refused.get_data(as_text=True)
    done = post(
        client, f"/console/versions/{number}/publish", {"note": "we know", "confirm_broken_rules": "yes"}
    )
    assert done.status_code == 302
    [entry] = log(console.engine, "publish")[-1:]
    assert entry.actor == email("editor") and entry.detail["forced"] is True
    assert entry.before == "version 1" and entry.after == f"version {number + 1}"
    assert any("room overlap" in v for v in entry.detail["violations"]) and entry.detail["note"] == "we know"


def test_an_infeasible_result_is_explained_with_links_and_what_to_relax(console: Console) -> None:
    conflict = domain.Conflict(
        "sp-m1 must be in s-morning and s-open at once",
        sessions=("s-morning", "s-open"),
        speakers=("sp-m1",),
        rooms=("room-a",),
        rules=("speaker overlap",),
    )
    number = _draft(console.engine, console.event_id, domain.Schedule("infeasible", conflicts=(conflict,)))
    page = console.client("viewer").get(f"/console/versions/{number}").get_data(as_text=True)
    assert "sp-m1 must be in s-morning and s-open at once" in page
    assert 'href="/console/problem?session=s-morning#session-s-morning"' in page
    assert 'href="/console/problem?speaker=sp-m1#speaker-sp-m1"' in page
    assert 'href="/console/problem?room=room-a#room-room-a"' in page and "another speaker" in page
    together = "/console/problem?session=s-morning&amp;session=s-open&amp;speaker=sp-m1&amp;room=room-a"
    assert together in page
    narrowed = console.client("viewer").get(together.replace("&amp;", "&")).get_data(as_text=True)
    assert 'id="session-s-open"' in narrowed and 'id="session-s-next"' not in narrowed
    assert "Show everything" in narrowed
    problem_page = console.client("viewer").get("/console/problem").get_data(as_text=True)
    assert 'id="session-s-morning"' in problem_page and 'id="speaker-sp-m1"' in problem_page


# --- the day -----------------------------------------------------------------------------------


def test_day_buttons_change_the_live_state_as_the_cli_does(console: Console) -> None:
    client = console.client("editor")
    page = client.get("/console/day").get_data(as_text=True)
    assert 'data-session="s-open"' in page and 'data-action="cancel"' in page
    done = post(client, "/console/day/s-open/delay", {"minutes": "20"})
    assert done.status_code == 302
    assert "delayed by 20 minutes" in client.get(done.headers["Location"]).get_data(as_text=True)
    with transaction(console.engine) as db:
        state = db.scalars(select(LiveState)).one()
        assert state.delay_minutes == 20
    [entry] = log(console.engine, "live.delay")
    assert (
        entry.subject == "session s-open"
        and entry.after.endswith("delay 20")
        and entry.actor == email("editor")
    )
    assert post(client, "/console/day/s-nope/cancel").status_code == 404
    assert post(client, "/console/day/s-open/explode").status_code == 404


# --- speaker reports ---------------------------------------------------------------------------


def test_settling_a_report_with_a_reply_shows_it_to_the_speaker(console: Console) -> None:
    with transaction(console.engine) as db:
        speaker = db.scalars(select(Speaker).where(Speaker.key == "sp-m1")).one()
        token = create_token(db, speaker)
        db.add(AvailabilityReport(speaker=speaker, message="My flight is late", created_at=utc_now()))
        db.flush()
        number = db.scalars(select(AvailabilityReport.id)).one()
    client = console.client("editor")
    assert "My flight is late" in client.get("/console/reports").get_data(as_text=True)
    assert (
        post(client, f"/console/reports/{number}/settle", {"reply": "Moved you to Wednesday"}).status_code
        == 302
    )
    assert "No open reports" in client.get("/console/reports").get_data(as_text=True)
    speaker_page = console.app.test_client().get(f"/speaker/{token}").get_data(as_text=True)
    assert "Moved you to Wednesday" in speaker_page
    [entry] = log(console.engine, "report.settle")
    assert entry.subject == f"report {number}" and entry.before == "open" and entry.after == "settled"
    assert post(client, "/console/reports/999/settle").status_code == 404


# --- figures, audit, accounts ------------------------------------------------------------------


def test_figures_page_and_exports(console: Console) -> None:
    client = console.client("viewer")
    page = client.get("/console/figures").get_data(as_text=True)
    assert (
        "Participation figures" in page and 'class="figures sortable"' in page and "No woman speaker" in page
    )
    csv_text = client.get("/console/figures.csv").get_data().decode("utf-8-sig")
    assert csv_text.startswith("Sessions\r\nSession,Title,Room") and "s-open,Opening the floor" in csv_text
    xlsx = client.get("/console/figures.xlsx")
    book = load_workbook(io.BytesIO(xlsx.get_data()))
    assert book.sheetnames[:2] == ["Sessions", "Parity by day"]
    assert client.get("/console/figures.pdf").status_code == 404


def test_figures_follow_the_day_a_cancelled_session_leaves_them(console: Console) -> None:
    """The figures page is cached, but not past the team's changes of the day (failed when its cache
    was keyed by the published version alone)."""
    viewer = console.client("viewer")
    assert "s-open" in viewer.get("/console/figures.csv").get_data().decode("utf-8-sig")
    post(console.client("editor"), "/console/day/s-open/cancel")
    assert "s-open" not in viewer.get("/console/figures.csv").get_data().decode("utf-8-sig")


def test_the_audit_log_lists_and_filters(console: Console) -> None:
    editor = console.client("editor")
    post(editor, "/console/day/s-open/delay", {"minutes": "5"})
    post(editor, "/console/day/s-open/reset")
    viewer = console.client("viewer")
    everything = viewer.get("/console/audit").get_data(as_text=True)
    assert 'data-action="live.delay"' in everything and 'data-action="account.add"' in everything
    only_live = viewer.get("/console/audit?action=live").get_data(as_text=True)
    assert 'data-action="live.reset"' in only_live and 'data-action="account.add"' not in only_live
    by_someone_else = viewer.get("/console/audit?action=live&actor=admin@").get_data(as_text=True)
    assert "Nothing matches." in by_someone_else
    with transaction(console.engine) as db:
        assert [e.action for e in audit.entries(db, audit.Filters(via="console", action="live"))] == [
            "live.reset",
            "live.delay",
        ]


def test_admins_manage_accounts(console: Console) -> None:
    admin = console.client("admin")
    added = post(
        admin, "/console/accounts", {"email": "Grace@Example.org", "role": "editor", "name": "Grace"}
    )
    text = added.get_data(as_text=True)
    assert (
        added.status_code == 200
        and "One-time password for grace@example.org" in text
        and "data-secret" in text
    )
    with transaction(console.engine) as db:
        grace = accounts.find_user(db, "grace@example.org")
        assert grace.role == "editor" and grace.must_change_password
        grace_id, admin_id = grace.id, accounts.find_user(db, email("admin")).id
    twice = post(admin, "/console/accounts", {"email": "grace@example.org", "role": "editor"})
    assert twice.status_code == 400 and "already an account" in twice.get_data(as_text=True)
    assert post(admin, f"/console/accounts/{grace_id}", {"change": "disable"}).status_code == 200
    token = post(admin, f"/console/accounts/{admin_id}", {"change": "token"}).get_data(as_text=True)
    assert "API token for admin@example.org" in token and "sct_" in token
    last_admin = post(admin, f"/console/accounts/{admin_id}", {"change": "role", "role": "viewer"})
    assert last_admin.status_code == 400 and "last active admin" in last_admin.get_data(as_text=True)
    assert post(admin, "/console/accounts/999", {"change": "disable"}).status_code == 404


def test_unknown_ids_are_404(console: Console) -> None:
    client = console.client("admin")
    for path in ("/console/jobs/999", "/console/versions/999", "/console/uploads/999"):
        assert client.get(path).status_code == 404, path
    assert post(client, "/console/jobs/999/stop").status_code == 404


def test_the_console_has_its_own_header(console: Console) -> None:
    """No participant's Register link and no time-zone switch on the team's pages; the language
    switch and the console's own navigation stay."""
    for client, path in ((console.client(), "/console/login"), (console.client("admin"), "/console/")):
        html = client.get(path).get_data(as_text=True)
        assert 'class="me-link"' not in html and "data-zone-switch" not in html, path
        assert 'class="language-switch"' in html, path
    assert 'href="/console/versions"' in console.client("viewer").get("/console/").get_data(as_text=True)
