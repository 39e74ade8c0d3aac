# Copy to instance/config.py and edit. Every setting is listed in docs/configuration.md; values here
# override the environment. Keep this file out of version control once it holds secrets.

# PostgreSQL in production; without it, SQLite `agenda.db` in this folder.
# DATABASE_URL = "postgresql://agenda@db.internal/agenda"

# Long and random, the same for every web process: signs session cookies.
# SECRET_KEY = "paste the output of: python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"

# The event to serve (id or slug) when the database holds several.
# AGENDA_EVENT = "wsis-20-high-level-event-2025"

# Redis, shared by every web process and the CLI, so announcements reach every viewer.
# SOCKETIO_MESSAGE_QUEUE = "redis://127.0.0.1:6379/0"
# SOCKETIO_CHANNEL = "wsis20-agenda"

# Join links: one meeting room per agenda room (see docs/remote-participation.md).
# JOIN_PROVIDER = "template"
# JOIN_URL_TEMPLATE = "https://meet.jit.si/wsis20-{room}"

# A rehearsal: run the event clock from a moment during the event.
# AGENDA_CLOCK = "2025-07-08T10:55"
