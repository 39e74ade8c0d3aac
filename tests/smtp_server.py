"""A real SMTP server on loopback (aiosmtpd) that keeps what arrives, for the message tests.

`replies` scripts the server's answer to each DATA in turn ("451 4.3.0 Try again later", ...);
once it runs out, every message is accepted with 250. `received` holds the parsed messages.
"""

from __future__ import annotations

import email
import email.policy
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.test_live_data import free_port


@dataclass
class Mailbox:
    replies: list[str] = field(default_factory=list)
    received: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        with self.lock:
            if self.replies:
                reply = self.replies.pop(0)
                if not reply.startswith("250"):
                    return reply
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.received.append(message)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.received if address in str(m["To"])]


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    mailbox: Mailbox

    def settings(self) -> dict[str, Any]:
        return {
            "MAIL_SERVER": self.host,
            "MAIL_PORT": self.port,
            "MAIL_DEFAULT_SENDER": "Programme team <agenda@example.org>",
            "MAIL_RETRY_SECONDS": 0.2,
            "MAIL_MAX_ATTEMPTS": 3,
        }

    def arrived(self, count: int, timeout: float = 20.0) -> list[EmailMessage]:
        """What a worker (another process) delivered, once `count` messages are in, and no more
        than that after a moment's grace for a second copy that should not come."""
        deadline = time.monotonic() + timeout
        while len(self.mailbox.received) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.3)
        assert len(self.mailbox.received) == count, self.mailbox.received
        return list(self.mailbox.received)

    def environment(self) -> dict[str, str]:
        return {name: str(value) for name, value in self.settings().items()}


@contextmanager
def smtp_server() -> Iterator[SmtpServer]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", controller.port, mailbox)
    finally:
        controller.stop()
