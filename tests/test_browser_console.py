"""The programme team's whole loop in headless Chromium, on a real `scheduler serve` process:
first account from the CLI, sign in and choose a password, a broken upload's errors, the sample
uploaded and applied, a solve with visible progress, publish, delay a session, settle a speaker's
report, read the audit log. axe-core checks every console page at 1280 and 390 px wide."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tests import axe
from tests.conftest import SAMPLE_PROBLEM
from tests.test_browser_live import BROWSER_MARKS, CHROMIUM_ARGS
from tests.test_live_data import cli, server

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = BROWSER_MARKS

NEW_PASSWORD = "a long passphrase for the console"
WIDTHS = (1280, 390)


def accessible(page: Any, name: str) -> None:
    """axe at both widths; the page is left at the desktop width."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        axe.assert_accessible(page, f"{name} at {width}px")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_team_walks_the_whole_loop(engine: Engine, database_url: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(tmp_path),
        "LIVE_TICKER": "0",
        "JOB_HEARTBEAT_SECONDS": "0.5",
    }
    env.pop("JOB_QUEUE_URL", None)
    added = cli(env, "users", "add", "lead@example.org", "--role", "admin")
    assert added.returncode == 0, added.stderr
    one_time = added.stdout.split("one-time password: ")[1].split()[0]
    broken = tmp_path / "broken.json"
    data = json.loads(SAMPLE_PROBLEM.read_text())
    data["sessions"][3]["duration_minutes"] = "long"
    broken.write_text(json.dumps(data))

    with (
        server(env, "2025-07-08T10:55", tmp_path / "server.log") as base,
        playwright_api.sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            # The discreet footer link, then sign in with the one-time password.
            page.goto(base + "/")
            page.click("footer a:text('Programme team')")
            page.wait_for_url("**/console/login**")
            accessible(page, "sign-in")
            page.fill("#login-email", "lead@example.org")
            page.fill("#login-password", one_time)
            page.click("form button[type=submit]:text('Sign in')")
            page.wait_for_url("**/console/password")
            accessible(page, "password")
            page.fill("#pw-current", one_time)
            page.fill("#pw-new", NEW_PASSWORD)
            page.fill("#pw-repeat", NEW_PASSWORD)
            page.click("text=Save the new password")
            page.wait_for_selector("h1:text('No event yet')")
            accessible(page, "empty dashboard")

            # A broken file: its errors, where they are, and nothing stored.
            page.click("nav a:text('Upload')")
            page.set_input_files("#upload-file", str(broken))
            page.click("text=Check the file")
            page.wait_for_selector("[data-refused]")
            assert "sessions[3].duration_minutes" in page.inner_text("[data-refused]")
            accessible(page, "upload with errors")
            # The sample: what it would add, then applied.
            page.set_input_files("#upload-file", str(SAMPLE_PROBLEM))
            page.click("text=Check the file")
            page.wait_for_selector('[data-changes="added"]')
            accessible(page, "upload preview")
            page.click("text=Apply these changes")
            page.wait_for_selector("text=Imported")

            # Solve, watching the progress arrive without reloading.
            page.click("nav a:text('Solve')")
            accessible(page, "solve")
            page.fill("#solve-time", "15")
            page.click("text=Start solving")
            page.wait_for_url("**/console/jobs/*")
            # A function, not an expression: Playwright would `eval` an expression, which the CSP refuses.
            page.wait_for_function(
                "() => document.querySelector('[data-field=objective]').textContent.trim() !== '\u2013'",
                timeout=60_000,
            )
            accessible(page, "job running")
            page.wait_for_selector("text=Review draft version", timeout=90_000)
            accessible(page, "job done")
            page.click("text=Review draft version")
            page.wait_for_selector("[data-verdict]")
            accessible(page, "review")

            # Publish (confirming, should the checker object).
            page.fill("#publish-note", "First agenda")
            if page.locator("#publish-confirm").count():
                page.check("#publish-confirm")
            page.click("text=Publish as the next version")
            page.wait_for_selector("text=Published version")

            # Run the day: delay the first session shown.
            page.click("nav a:text('Run the day')")
            accessible(page, "run the day")
            first = page.locator(".day-session").first
            key = first.get_attribute("data-session")
            first.locator("input[name=minutes]").fill("15")
            first.locator("button:text('Delay')").click()
            page.wait_for_selector("text=delayed by 15 minutes")

            # A speaker's report arrives, and is settled with a reply.
            links = cli(env, "speaker-links", "--base-url", base)
            assert links.returncode == 0, links.stderr
            speaker_link = links.stdout.splitlines()[0].split("\t")[2]
            speaker_page = browser.new_page()
            speaker_page.goto(speaker_link)
            speaker_page.select_option("#r-session", index=1)
            speaker_page.fill("#r-message", "My flight lands late")
            speaker_page.click("text=Send to the programme team")
            page.click("nav a:text('Reports')")
            page.wait_for_selector("text=My flight lands late")
            accessible(page, "reports")
            page.fill("textarea[name=reply]", "We moved you to the afternoon")
            page.click("button:text('Settle')")
            page.wait_for_selector("text=No open reports")
            speaker_page.reload()
            assert "We moved you to the afternoon" in speaker_page.inner_text("[data-reply]")

            # The publication's messages to the sample's speakers wait in the outbox for review.
            page.click("nav a:text('Outbox')")
            page.wait_for_selector("[data-send-all]")
            accessible(page, "outbox")
            page.click("tr[data-state=held] a")
            page.wait_for_selector("#m-subject")
            accessible(page, "a held message")
            page.fill("#m-subject", "Your sessions at WSIS+20")
            page.click("text=Save changes")
            page.wait_for_selector("text=is changed")
            page.click("button:text('Discard')")
            page.wait_for_selector("text=message is discarded")
            accessible(page, "outbox after a discard")

            # Figures, sorted; the audit log tells the story.
            page.click("nav a:text('Figures')")
            page.click("table.sortable thead th:nth-child(3) button")
            accessible(page, "figures")
            page.click("nav a:text('Audit log')")
            accessible(page, "audit log")
            actions = page.eval_on_selector_all("tr[data-action]", "rows => rows.map(r => r.dataset.action)")
            for expected in (
                "import",
                "solve.start",
                "draft.save",
                "publish",
                "live.delay",
                "report.settle",
                "messages.publication",
                "message.edit",
                "message.discard",
                "account.password_change",
                "account.add",
            ):
                assert expected in actions, actions
            assert page.locator(f"tr[data-action='live.delay']:has-text('session {key}')").count() == 1
            page.click("nav a:text('Dashboard')")
            accessible(page, "dashboard")
            page.click("nav a:text('Versions')")
            accessible(page, "versions")
            page.goto(base + "/console/problem")
            accessible(page, "the stored problem")
            page.goto(base + "/console/versions/99")
            assert "There is no version 99" in page.inner_text("main")
            accessible(page, "an error")
            page.click("nav a:text('Accounts')")
            accessible(page, "accounts")
            page.screenshot(path=str(tmp_path / "accounts.png"), full_page=True)
        finally:
            browser.close()
