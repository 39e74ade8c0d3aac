"""Sending one outbox message over SMTP (smtplib), configured by the Flask-Mail settings.

`build` turns a stored message into an `email.message.EmailMessage` under the SMTP policy: names
and subjects are reduced to one line first, and the policy refuses any header value that still
holds CR or LF, so nothing a speaker's name or an edited subject contains can add a header.

`send` reports what happened as an `Outcome`: sent, a temporary failure (a 4xx reply, or no
connection: try again later) or a permanent one (a 5xx reply: the address or the message is
refused, retrying cannot help).
"""

from __future__ import annotations

import base64
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

from scheduler.models import OutboxMessage
from scheduler.plaintext import one_line

SMTP_TIMEOUT = 30.0


class MailNotConfigured(RuntimeError):
    """MAIL_SERVER or MAIL_DEFAULT_SENDER is not set: messages stay in the outbox."""


@dataclass(frozen=True, slots=True)
class Outcome:
    sent: bool
    temporary: bool = False
    error: str = ""


SENT = Outcome(True)


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    server: str
    port: int
    use_tls: bool
    use_ssl: bool
    username: str | None
    password: str | None
    sender: str

    @classmethod
    def of(cls, settings: Mapping[str, Any]) -> SmtpSettings:
        if not settings.get("MAIL_SERVER") or not settings.get("MAIL_DEFAULT_SENDER"):
            raise MailNotConfigured("set MAIL_SERVER and MAIL_DEFAULT_SENDER to send messages")
        return cls(
            server=settings["MAIL_SERVER"],
            port=int(settings.get("MAIL_PORT") or 25),
            use_tls=bool(settings.get("MAIL_USE_TLS")),
            use_ssl=bool(settings.get("MAIL_USE_SSL")),
            username=settings.get("MAIL_USERNAME"),
            password=settings.get("MAIL_PASSWORD"),
            sender=settings["MAIL_DEFAULT_SENDER"],
        )


def _address(display: str, email: str) -> Address:
    user, _, domain = email.rpartition("@")
    return Address(display_name=one_line(display).strip(), username=user, domain=domain)


def sender_address(sender: str) -> Address:
    """`Name <address>` or a bare address, as MAIL_DEFAULT_SENDER gives it."""
    name, email = parseaddr(one_line(sender))
    return _address(name, email)


def build(message: OutboxMessage, sender: str) -> EmailMessage:
    """The email of `message`: a text part, an HTML alternative when there is one, its attachments."""
    mail = EmailMessage(policy=SMTP)
    from_address = sender_address(sender)
    mail["From"] = from_address
    mail["To"] = _address(message.recipient_name, message.recipient_email)
    mail["Subject"] = one_line(message.subject).strip()
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}", domain=from_address.domain or None)
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(message.text)
    if message.html:
        mail.add_alternative(message.html, subtype="html")
    for attachment in message.attachments:
        maintype, _, subtype = attachment["mime"].partition("/")
        params = {"method": "PUBLISH"} if attachment["mime"] == "text/calendar" else {}
        mail.add_attachment(
            base64.b64decode(attachment["data"]),
            maintype=maintype,
            subtype=subtype,
            filename=attachment["name"],
            params=params,
        )
    return mail


def _reply_outcome(code: int, text: bytes | str) -> Outcome:
    said = text.decode(errors="replace") if isinstance(text, bytes) else text
    return Outcome(False, temporary=400 <= code < 500, error=f"{code} {said}".strip())


class Connection:
    """One SMTP session for a worker's batch of messages, opened at the first send and opened again
    after the server drops it: a connection and a login per message would cost more than the
    message. Use as a context manager; `send` never raises for what the server or network does."""

    def __init__(self, smtp: SmtpSettings) -> None:
        self.smtp = smtp
        self._open: smtplib.SMTP | None = None

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *_: object) -> None:
        self._close()

    def _connection(self) -> smtplib.SMTP:
        if self._open is None:
            smtp = self.smtp
            if smtp.use_ssl:
                context = ssl.create_default_context()
                connection = smtplib.SMTP_SSL(smtp.server, smtp.port, timeout=SMTP_TIMEOUT, context=context)
            else:
                connection = smtplib.SMTP(smtp.server, smtp.port, timeout=SMTP_TIMEOUT)
                if smtp.use_tls:
                    connection.starttls(context=ssl.create_default_context())
            if smtp.username:
                connection.login(smtp.username, smtp.password or "")
            self._open = connection
        return self._open

    def _close(self) -> None:
        if self._open is not None:
            try:
                self._open.quit()
            except (smtplib.SMTPException, OSError):
                self._open.close()
            self._open = None

    def send(self, mail: EmailMessage) -> Outcome:
        try:
            self._connection().send_message(mail)
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            return self._refused(_reply_outcome(code, text))
        except smtplib.SMTPResponseException as error:
            return self._refused(_reply_outcome(error.smtp_code, error.smtp_error))
        except (smtplib.SMTPException, OSError) as error:
            # No connection, a dropped one, a TLS failure: the server may be back soon.
            self._close()
            return Outcome(False, temporary=True, error=f"{type(error).__name__}: {error}")
        return SENT

    def _refused(self, outcome: Outcome) -> Outcome:
        """The server refused this message; the session goes on only if a reset is accepted."""
        try:
            if self._open is not None:
                self._open.rset()
        except (smtplib.SMTPException, OSError):
            self._close()
        return outcome
