"""Structured logging, configured once per process: JSON lines on standard error, never a token.

Web processes (`create_app`) and workers call `configure()`; every logger's records (Flask's
errors, werkzeug's requests, the audit trail of `scheduler/audit.py`) then go through one handler
that writes one JSON object a line (`time`, `level`, `logger`, `message`, and the record's
`extra` fields), which journald and log shippers read as they are. The handler's filter cuts
capability tokens out of everything it writes: personal and speaker links, join links' `t=`,
Bearer tokens, and any address segment long enough to be a token (docs/security.md, "Logging").
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import IO, Any

REDACTED = "[token]"
# Each (pattern, replacement): what a token looks like where one can appear in a log line.
_TOKENS = (
    (re.compile(r"(/(?:my|speaker|calendar/my)/)[A-Za-z0-9_\-]{8,}"), rf"\1{REDACTED}"),
    (re.compile(r"((?<![\w-])(?:t|token)=)[^&\s\"'#]+"), rf"\1{REDACTED}"),
    (re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=\-]+", re.IGNORECASE), rf"\1{REDACTED}"),
    # A long opaque address segment (secrets.token_urlsafe(32) is 43 characters) wherever it is.
    (re.compile(r"(?<=/)[A-Za-z0-9_\-]{32,}(?=[/?.#\s\"']|$)"), REDACTED),
)
# Attributes every LogRecord has: anything else on a record came from `extra=` and is logged too.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
_MARK = "_agenda_structured"


def redact(text: str) -> str:
    """`text` with every token-looking part replaced by REDACTED."""
    for pattern, replacement in _TOKENS:
        text = pattern.sub(replacement, text)
    return text


class RedactTokens(logging.Filter):
    """Rewrites a record's message and extra fields without tokens (the record is formatted here, so
    a token in an argument is caught as well as one in the format string)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        for key, value in vars(record).items():
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, redact(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line |= {key: value for key, value in vars(record).items() if key not in _STANDARD}
        if record.exc_text:
            line["error"] = record.exc_text
        return json.dumps(line, default=str, ensure_ascii=False)


def configure(level: int | str = logging.INFO, stream: IO[str] | None = None) -> logging.Handler:
    """Send every record of this process through one redacting JSON-lines handler (once: a second
    call returns the handler the first one installed)."""
    root = logging.getLogger()
    for handler in root.handlers:
        if getattr(handler, _MARK, False):
            return handler
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonLines())
    handler.addFilter(RedactTokens())
    setattr(handler, _MARK, True)
    root.addHandler(handler)
    root.setLevel(level)
    return handler
