"""Every team write from the command line leaves one audit line with who, what and the ids before
and after: import, plan, publish, live changes, report settle, participants, speaker links."""

from __future__ import annotations

import getpass

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select

from scheduler import accounts
from scheduler.cli import main
from scheduler.db import transaction
from scheduler.models import AuditEntry
from tests.console_data import SETUP
from tests.test_live_data import event_of, register, seed

pytestmark = pytest.mark.db


def test_cli_writes_record_the_os_user_or_the_account_given_with_as(engine: Engine, tmp_path: object) -> None:
    event_id = seed(engine)
    with transaction(engine) as db:
        accounts.add_user(db, "lead@example.org", "editor", actor=SETUP)
        participant_id, _ = register(db, event_of(db, event_id))
    runner = CliRunner()
    me = f"os:{getpass.getuser()}"
    assert runner.invoke(main, ["live", "delay", "s-open", "15"]).exit_code == 0
    assert runner.invoke(main, ["--as", "lead@example.org", "live", "cancel", "s-par"]).exit_code == 0
    assert runner.invoke(main, ["plan", "--time-limit", "5"]).exit_code == 0
    assert runner.invoke(main, ["--as", "lead@example.org", "publish"]).exit_code == 0
    assert runner.invoke(main, ["participants", "reissue", str(participant_id)]).exit_code == 0
    assert runner.invoke(main, ["speaker-links"]).exit_code == 0
    with transaction(engine) as db:
        log = [
            (e.actor, e.via, e.action, e.subject, e.before, e.after)
            for e in db.scalars(
                select(AuditEntry).where(AuditEntry.via == "cli").order_by(AuditEntry.id)
            )
        ]
    actions = [(actor, action) for actor, _, action, *_ in log]
    assert actions == [
        (me, "live.delay"),
        ("lead@example.org", "live.cancel"),
        (me, "draft.save"),
        ("lead@example.org", "publish"),
        (me, "participant.reissue"),
        (me, "speaker_links.issue"),
    ], log
    delay = log[0]
    assert delay[3] == "session s-open" and delay[4] == "2025-07-08T16:00 as published"
    assert delay[5] == "2025-07-08T16:15 delay 15"
    publish = log[3]
    assert publish[4] == "version 1" and publish[5] == "version 3"
    assert all(via == "cli" for _, via, *_ in log)
