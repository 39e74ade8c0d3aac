"""One database session per request, closed when the request ends."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from scheduler.db import open_engine, session_factory


def engine() -> Engine:
    return current_app.extensions["agenda_engine"]


def get_db() -> Session:
    if "db" not in g:
        g.db = current_app.extensions["agenda_sessions"]()
    return g.db


def close_db(_error: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_app(app: Flask) -> None:
    # A wrong DATABASE_URL stops the server at start-up, not with a 500 on every request.
    engine = open_engine(app.config["DATABASE_URL"])
    app.extensions["agenda_engine"] = engine
    app.extensions["agenda_sessions"] = session_factory(engine)
    app.teardown_appcontext(close_db)
