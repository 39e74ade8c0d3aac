"""Messages benchmark: how long writing a publication's messages adds to publishing, and how fast a
worker sends the outbox to an SMTP server.

    python -m bench.messages_bench                   # 3000 sessions, results as Markdown
    python -m bench.messages_bench --sessions 300    # a quick look

1. A synthetic event (`bench.synthetic`, seed 7) gets an address for every speaker and is imported
   into a fresh SQLite database.
2. The first publication, then a re-plan (a tenth of the sessions swap places with a neighbour), each
   published and its messages written in one transaction, as `scheduler publish` and the console do:
   the publication alone and the messages alone are timed, and how many messages were written.
3. Every message is released and one worker (`outbox.deliver`, in this process) sends them to an SMTP
   server on loopback (aiosmtpd, which accepts and drops them) over one SMTP session: messages per
   second.

Not a test; needs the test extras (aiosmtpd).
"""

from __future__ import annotations

import argparse
import socket
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import select

from bench.synthetic import generate, swap_a_tenth
from scheduler import config, notifications, outbox
from scheduler.audit import Actor
from scheduler.db import make_engine, transaction
from scheduler.models import Event, OutboxMessage
from scheduler.schema import upgrade
from scheduler.store import import_problem
from scheduler.versions import publish_schedule

SETUP = Actor("bench", "system")


class Accept:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, _server: Any, _session: Any, _envelope: Any) -> str:  # noqa: N802
        self.count += 1
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(sessions: int, rooms: int) -> list[str]:
    problem, planted = generate(sessions, rooms, 5, seed=7)
    problem = replace(
        problem, speakers=tuple(replace(s, email=f"{s.id}@speakers.example.org") for s in problem.speakers)
    )
    engine = make_engine(f"sqlite:///{Path(tempfile.mkdtemp()) / 'agenda.db'}")
    upgrade(engine)
    settings = {**config.defaults(), "AGENDA_BASE_URL": "https://agenda.example.org"}
    mailing = notifications.Mailing.of(settings)
    with transaction(engine) as db:
        import_problem(db, problem, slug="bench", actor=SETUP)
    head = (
        f"| step ({sessions} sessions, {len(problem.speakers)} speakers) | publish s | messages s | written |"
    )
    rows = [head, "|---|---:|---:|---:|"]
    steps = (("first publication", planted), ("re-plan, a tenth swapped", swap_a_tenth(planted)))
    for name, schedule in steps:
        with transaction(engine) as db:
            event = db.scalars(select(Event)).one()
            started = time.perf_counter()
            version = publish_schedule(db, event, schedule, force=True, actor=SETUP)
            published = time.perf_counter()
            written = notifications.publication(db, event, version, mailing, actor=SETUP)
            done = time.perf_counter()
        rows.append(f"| {name} | {published - started:.2f} | {done - published:.2f} | {written.queued} |")
    handler = Accept()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        with transaction(engine) as db:
            every = db.scalars(select(OutboxMessage)).all()
            outbox.release(db, every, actor=SETUP)
            total = len(every)
        smtp = {
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": controller.port,
            "MAIL_DEFAULT_SENDER": "bench@example.org",
        }
        started = time.perf_counter()
        delivered = outbox.deliver(engine, {**settings, **smtp})
        seconds = time.perf_counter() - started
    finally:
        controller.stop()
    rows.append("")
    rate = delivered.sent / seconds
    rows.append(f"Sent {delivered.sent} of {total} (server: {handler.count}) in {seconds:.1f} s: "
                f"{rate:.0f} messages/s (one SMTP session, three short transactions a message).")  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=3000)
    parser.add_argument("--rooms", type=int, default=120)
    arguments = parser.parse_args()
    print("\n".join(run(arguments.sessions, arguments.rooms)))


if __name__ == "__main__":
    main()
