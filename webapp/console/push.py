"""Live job progress and draft edits over Socket.IO: the console's `/console` namespace.

A signed-in team member's page joins the room of the job it shows; the worker (another process,
perhaps another machine) emits each progress beat to that room through the message queue
(`scheduler.jobs.notify_progress`). Without a message queue the page polls the API instead.
"""

from __future__ import annotations

from flask_login import current_user
from flask_socketio import ConnectionRefusedError, Namespace, join_room

from scheduler.jobs import CONSOLE_NAMESPACE, job_room
from webapp.extensions import socketio


class ConsoleNamespace(Namespace):
    def on_connect(self, auth: object = None) -> None:
        if not current_user.is_authenticated or current_user.must_change_password:
            raise ConnectionRefusedError("sign in to the console first")

    def on_watch(self, data: object) -> None:
        """Follow one job's progress (`{"job": ID}`) or one draft's edits (`{"draft": NUMBER}`)."""
        for key, room in (("job", job_room), ("draft", draft_room)):
            value = data.get(key) if isinstance(data, dict) else None
            if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
                join_room(room(int(value)))


def draft_room(number: int) -> str:
    """The room of the editors of one draft: each edit is sent there (`operations.notify_editors`)."""
    return f"draft:{number}"


socketio.on_namespace(ConsoleNamespace(CONSOLE_NAMESPACE))
