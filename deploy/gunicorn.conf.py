"""gunicorn settings of one agenda web process (docs/deployment.md):

    gunicorn --config deploy/gunicorn.conf.py --bind 127.0.0.1:8001 "webapp:create_app()"

One process per port, several ports behind nginx: Socket.IO keeps each client's session in the
process that accepted it, so nginx, not gunicorn, must choose the process for every request.
"""

# One gevent worker: it monkey-patches the process before the app loads, so database, Redis and
# socket calls yield, and one core holds thousands of WebSockets.
worker_class = "gevent"
workers = 1
# Concurrent connections per process (each WebSocket is one); the open-file limit must exceed it.
worker_connections = 10000
timeout = 60
graceful_timeout = 30
# Longer than nginx's upstream keepalive (60 s), so nginx never reuses a connection gunicorn
# is closing.
keepalive = 75
# gunicorn's control socket has one default path per user: several processes would take it
# from each other.
control_socket_disable = True


def on_starting(server: object) -> None:
    """Refuse to start, in one sentence and before any worker, without a SECRET_KEY of 32 bytes or
    more or with a DATABASE_URL that names no database this process can open."""
    import sys

    from scheduler import config
    from scheduler.db import DatabaseUnavailable, open_engine

    try:
        settings = config.load()
        config.check_secret_key(settings)
        open_engine(settings["DATABASE_URL"]).dispose()
    except (config.ConfigError, DatabaseUnavailable) as error:
        print(f"Not starting: {error}", file=sys.stderr)
        sys.exit(2)
