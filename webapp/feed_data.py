"""What machine-readable feeds read: the site's published agenda as it stands, as stored rows.

Feeds and schedule files are built from `scheduler.effective.AgendaEntry` rows (the published
entries with the team's live changes), on a miss of the one response cache (`webapp.pages.published`).
Only published versions are ever read: drafts cannot leak.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import abort, current_app, url_for

from scheduler.effective import AgendaEntry, agenda_entries
from scheduler.ical import DEFAULT_UID_HOST
from scheduler.models import Event, ScheduleVersion
from webapp.db import get_db
from webapp.pages import NOT_PUBLISHED, current_state, site_event


@dataclass(frozen=True)
class Published:
    """The site's event and the version the public sees, with its entries as they stand."""

    event: Event
    version: ScheduleVersion
    entries: Sequence[AgendaEntry]


def published_now() -> Published:
    """The published agenda of this request's state (a 404 before the first publication)."""
    db = get_db()
    event, state = site_event(db), current_state()
    version = db.get(ScheduleVersion, state.version_id) if state is not None else None
    if event is None or version is None:
        abort(404, description=NOT_PUBLISHED)
    return Published(event, version, agenda_entries(db, version))


def uid_host() -> str:
    """The host part of calendar UIDs: a configured constant, never the request's host."""
    return current_app.config.get("AGENDA_UID_HOST") or DEFAULT_UID_HOST


def session_page_url(session_key: str) -> str:
    return url_for("agenda.session", key=session_key, _external=True)
