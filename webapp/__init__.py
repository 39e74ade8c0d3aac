"""The public agenda, calendar feeds, speaker pages and remote participation, as a Flask app."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from flask import Flask

from scheduler import config, logs
from scheduler.db import database_url, instance_path
from webapp import (
    agenda,
    api,
    calendar_feeds,
    console,
    db,
    exports,
    health,
    i18n,
    live,
    messages,
    participation,
    ratelimits,
    schedule_apps,
    security,
    speakers,
)
from webapp.extensions import socketio


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The app, configured by `scheduler.config` (defaults, environment, `instance/config.py`), or,
    for tests, by the defaults and environment overlaid with `test_config`."""
    logs.configure()  # before Flask's logger exists, so it adds no handler of its own
    app = Flask(__name__, instance_path=str(instance_path()), instance_relative_config=True)
    app.config.from_mapping(config.load(instance_file=test_config is None))
    app.config.from_mapping(test_config or {})
    if test_config is None:
        config.check_secret_key(app.config)  # a server: never a guessable or missing key
    elif not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = secrets.token_urlsafe(32)  # a test's app: a key of its own
    app.config["DATABASE_URL"] = database_url(app.config["DATABASE_URL"])

    db.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    socketio.init_app(
        app, message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"], channel=app.config["SOCKETIO_CHANNEL"]
    )
    app.register_blueprint(agenda.bp)
    app.register_blueprint(speakers.bp)
    app.register_blueprint(calendar_feeds.bp)
    app.register_blueprint(schedule_apps.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(exports.bp)
    messages.init_app(app)
    app.register_blueprint(health.bp)
    participation.init_app(app)
    live.init_app(app)
    console.init_app(app)
    ratelimits.init_app(app)
    return app
