"""`/schedule.xml` and `/schedule.json`: the published agenda for conference schedule apps.

Giggity, EventFahrplan, ConfClerk and signage players read the Frab / C3VOC format
(`scheduler.frab`). Like the calendar feeds, each body is built once per published version and
served with an ETag, so apps that poll get `304 Not Modified` until the agenda changes.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from scheduler.frab import FrabLinks, schedule_document, schedule_json, schedule_xml
from webapp.feed_data import Published, cached_response, session_page_url

bp = Blueprint("schedule_apps", __name__)


def _document(published: Published) -> dict:
    links = FrabLinks(base_url=request.url_root, session_url=session_page_url)
    return schedule_document(published.event, published.version, published.entries, links)


@bp.get("/schedule.xml")
def xml() -> Response:
    return cached_response(lambda p: schedule_xml(_document(p)), "application/xml")


@bp.get("/schedule.json")
def json() -> Response:
    return cached_response(lambda p: schedule_json(_document(p)), "application/json")
