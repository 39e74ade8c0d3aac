"""Uploading a problem file in two steps: check it and show what it would change, then apply it.

`stage` reads a JSON file or a workbook; a file with any issue is refused whole, with every issue
and where it is (JSON path, or sheet, row and column), and nothing is stored. A valid file is kept
as an `Upload` until the team applies it (`apply`, which is `scheduler import`) after reading the
`preview`: the sessions it adds, removes and changes against the stored event.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session as DbSession

from scheduler.audit import Actor
from scheduler.interchange import Issue, ProblemFileError
from scheduler.models import Event, Upload
from scheduler.problem_file import parse_problem, problem_to_data
from scheduler.store import export_problem, import_problem
from scheduler.timestamps import utc_now
from scheduler.workbook import read_problem_file
from solver.domain import Problem

SUFFIXES = (".json", ".xlsx")


class UploadError(ValueError):
    """An upload that cannot be used; `issues` lists what is wrong and where."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


class UploadNotFound(LookupError):
    """No pending upload has that id."""


def read_upload(filename: str, content: bytes) -> Problem:
    """The problem in an uploaded file (by its suffix), as `scheduler validate` reads it."""
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise UploadError(
            [Issue("$", f"{filename or 'the file'}: upload a .json problem file or an .xlsx workbook")]
        )
    # openpyxl and the JSON reader take paths: the bytes go to a private temporary file.
    handle, path = tempfile.mkstemp(suffix=suffix)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        return read_problem_file(path)
    except ProblemFileError as error:
        raise UploadError(error.issues) from None
    finally:
        os.unlink(path)


def stage(db: DbSession, event: Event | None, filename: str, content: bytes, *, actor: Actor) -> Upload:
    """Keep a valid file for the team to review; an invalid one raises UploadError and stores nothing."""
    problem = read_upload(filename, content)
    upload = Upload(
        event_id=None if event is None else event.id,
        filename=Path(filename).name[:300],
        data=problem_to_data(problem),
        actor=actor.name,
        created_at=utc_now(),
    )
    db.add(upload)
    db.flush()
    return upload


def find_upload(db: DbSession, upload_id: int) -> Upload:
    upload = db.get(Upload, upload_id)
    if upload is None:
        raise UploadNotFound(f"no upload {upload_id}")
    return upload


@dataclass(frozen=True, slots=True)
class SessionChange:
    key: str
    title: str
    fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Preview:
    """What applying an upload would do to the stored event."""

    event_name: str
    new_event: bool
    sessions: int
    added: list[SessionChange] = field(default_factory=list)
    removed: list[SessionChange] = field(default_factory=list)
    changed: list[SessionChange] = field(default_factory=list)
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.removed or self.changed) and all(
            a == b for a, b in self.counts.values()
        )

    def data(self) -> dict[str, Any]:
        return {
            "event": self.event_name,
            "new_event": self.new_event,
            "sessions": self.sessions,
            "added": [{"id": c.key, "title": c.title} for c in self.added],
            "removed": [{"id": c.key, "title": c.title} for c in self.removed],
            "changed": [{"id": c.key, "title": c.title, "fields": list(c.fields)} for c in self.changed],
            "counts": {name: {"before": a, "after": b} for name, (a, b) in self.counts.items()},
        }


def preview(db: DbSession, upload: Upload, event: Event | None) -> Preview:
    new = parse_problem(upload.data)
    if event is None:
        added = [SessionChange(s.id, s.title) for s in new.sessions]
        return Preview(new.event.name, True, len(new.sessions), added=added)
    old = export_problem(db, event)
    before = {s["id"]: s for s in problem_to_data(old)["sessions"]}
    after = {s["id"]: s for s in upload.data["sessions"]}
    changed = []
    for key, session in after.items():
        if key in before and before[key] != session:
            keys = sorted(set(session) | set(before[key]))
            fields = tuple(k for k in keys if session.get(k) != before[key].get(k))
            changed.append(SessionChange(key, session.get("title", ""), fields))
    counts = {
        "rooms": (len(old.rooms), len(new.rooms)),
        "speakers": (len(old.speakers), len(new.speakers)),
        "days": (len(old.calendar.days), len(new.calendar.days)),
    }
    return Preview(
        new.event.name,
        False,
        len(new.sessions),
        added=[SessionChange(k, s.get("title", "")) for k, s in after.items() if k not in before],
        removed=[SessionChange(k, s.get("title", "")) for k, s in before.items() if k not in after],
        changed=changed,
        counts=counts,
    )


def apply(db: DbSession, upload: Upload, event: Event | None, *, actor: Actor) -> Event:
    """Import the upload into `event` (or a new event); the import writes the audit line."""
    if upload.applied_at is not None:
        raise UploadError([Issue("$", f"upload {upload.id} was already applied")])
    problem = parse_problem(upload.data)
    stored = import_problem(db, problem, None if event is None else event.slug, actor=actor)
    upload.applied_at = utc_now()
    upload.event_id = stored.id
    return stored
