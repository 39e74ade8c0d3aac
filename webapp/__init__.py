"""The public agenda, calendar feeds, speaker pages and remote participation, as a Flask app."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from scheduler.db import database_url, instance_path
from scheduler.ical import DEFAULT_UID_HOST
from webapp import (
    agenda,
    api,
    calendar_feeds,
    console,
    db,
    exports,
    live,
    participation,
    schedule_apps,
    speakers,
)
from webapp.extensions import socketio


def _default_config() -> dict[str, Any]:
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY", "dev"),
        "DATABASE_URL": database_url(),
        # The event to serve, by id or slug; None serves the only event in the database.
        "AGENDA_EVENT": os.environ.get("AGENDA_EVENT"),
        "SOCKETIO_MESSAGE_QUEUE": os.environ.get("SOCKETIO_MESSAGE_QUEUE"),
        # The host part of calendar UIDs (`<session>@<event slug>.<host>`): a constant, never the request's.
        "AGENDA_UID_HOST": os.environ.get("AGENDA_UID_HOST", DEFAULT_UID_HOST),
        **participation.config_defaults(),
    }


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(instance_path()), instance_relative_config=True)
    app.config.from_mapping(_default_config())
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)

    db.init_app(app)
    socketio.init_app(
        app, message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"], channel=app.config["SOCKETIO_CHANNEL"]
    )
    app.register_blueprint(agenda.bp)
    app.register_blueprint(speakers.bp)
    app.register_blueprint(calendar_feeds.bp)
    app.register_blueprint(schedule_apps.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(exports.bp)
    participation.init_app(app)
    live.init_app(app)
    app.register_blueprint(console.bp)
    return app
