"""`/schedule.xml` and `/schedule.json`: the published agenda for conference schedule apps.

Giggity, EventFahrplan, ConfClerk and signage players read the Frab / C3VOC format
(`scheduler.frab`). Like the calendar feeds, each body is built once per state of the agenda
(publication and live changes) and served with an ETag, so apps that poll get `304 Not Modified`
until the agenda changes.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from scheduler.frab import FrabLinks, schedule_document, schedule_json, schedule_xml
from webapp.feed_data import published_now, session_page_url
from webapp.pages import published

bp = Blueprint("schedule_apps", __name__)


def _document() -> dict:
    agenda = published_now()
    links = FrabLinks(base_url=request.url_root, session_url=session_page_url)
    return schedule_document(agenda.event, agenda.version, agenda.entries, links)


@bp.get("/schedule.xml")
@published()
def xml() -> Response:
    return Response(schedule_xml(_document()), mimetype="application/xml")


@bp.get("/schedule.json")
@published()
def json() -> Response:
    return Response(schedule_json(_document()), mimetype="application/json")
