"""Structured logging (issue 14): JSON lines, team actions from the audit trail once committed,
errors with their trace, and never a capability token."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from scheduler import audit, logs
from scheduler.audit import Actor
from scheduler.db import transaction

TOKEN = "Zq3-x_9KmT0aLw8vYp2RcN5dFg7hJk1sUe4iOb6tXy"


@pytest.mark.parametrize(
    "line",
    [f"GET /my/{TOKEN} HTTP/1.1", f"/speaker/{TOKEN}", f"GET /calendar/my/{TOKEN}.ics",
     f"/join/s-open?t={TOKEN}&lang=fr", f"/join/s-open?lang=fr&t={TOKEN}", f"Authorization: Bearer {TOKEN}",
     f"https://agenda.example.org/x/{TOKEN}/y", f"token={TOKEN}"],
)  # fmt: skip
def test_token_looking_parts_are_redacted(line: str) -> None:
    redacted = logs.redact(line)
    assert TOKEN not in redacted and logs.REDACTED in redacted


def test_ordinary_lines_are_left_alone() -> None:
    for line in ("GET /sessions?q=youth HTTP/1.1", "/my", "/speakers/sp-m1", "user.role by admin@x.org"):
        assert logs.redact(line) == line


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """The process's handler, writing to a buffer for the test."""
    root = logging.getLogger()
    before = (root.handlers[:], root.level)
    root.handlers = [h for h in root.handlers if not getattr(h, "_agenda_structured", False)]
    stream = io.StringIO()
    logs.configure(stream=stream)
    yield stream
    root.handlers, root.level = before


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def _audit(stream: io.StringIO) -> list[dict[str, object]]:
    return [line for line in _lines(stream) if line["logger"] == "agenda.audit"]


def test_configured_once_one_json_object_a_line_without_tokens(captured: io.StringIO) -> None:
    assert logs.configure() is logs.configure()
    logging.getLogger("werkzeug").info('"GET /my/%s HTTP/1.1" 303', TOKEN)
    try:
        raise RuntimeError(f"failed on /join/s-open?t={TOKEN}")
    except RuntimeError:
        logging.getLogger("webapp").exception("request failed", extra={"path": f"/speaker/{TOKEN}"})
    request, error = _lines(captured)
    assert request["logger"] == "werkzeug" and request["level"] == "info"
    assert request["message"] == '"GET /my/[token] HTTP/1.1" 303'
    assert error["level"] == "error" and error["path"] == "/speaker/[token]"
    assert "RuntimeError: failed on /join/s-open?t=[token]" in str(error["error"])
    assert TOKEN not in captured.getvalue()


@pytest.mark.db
def test_team_actions_are_logged_once_committed_and_never_when_rolled_back(
    captured: io.StringIO, engine: Engine
) -> None:
    actor = Actor("admin@example.org", "console")
    with transaction(engine) as db:
        audit.record(db, actor, "user.role", subject="editor@example.org", before="viewer", after="editor")
        assert not _audit(captured)  # not before the commit
    with pytest.raises(RuntimeError), transaction(engine) as db:
        audit.record(db, actor, "user.disable", subject="viewer@example.org")
        raise RuntimeError("the action failed")
    with transaction(engine):
        pass
    [line] = _audit(captured)
    assert line["message"] == "user.role by admin@example.org (console)"
    assert (line["action"], line["actor"], line["via"], line["subject"]) == (
        "user.role", "admin@example.org", "console", "editor@example.org")  # fmt: skip
