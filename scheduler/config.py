"""Every setting of the service, declared once: its name, default, how the environment spells it, and
what it does.

Settings are read in one place, in this order, each overriding the one before:

1. the defaults declared here;
2. the environment (`SECRET_KEY=... scheduler serve`), parsed by the setting's type;
3. `instance/config.py` (a Python file of UPPER_CASE assignments; `INSTANCE_PATH` moves the folder).

The web app (`create_app`) and every `scheduler` command read them through `load()`, so a command and
the server processes it talks to agree on the database, the message queue and the event clock.
`docs/configuration.md` lists them all; a test keeps it in step with `SETTINGS`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scheduler.limits import MAX_FILE_BYTES

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_FILE = "config.py"
# The key `scheduler serve` and `demo` make when none is configured, beside instance/config.py.
INSTANCE_KEY_FILE = "secret_key"
# The shortest secret any setting may hold (SECRET_KEY, JITSI_APP_SECRET): 256 bits.
MIN_SECRET_BYTES = 32


class ConfigError(ValueError):
    """A setting that cannot be read: which one, from where, and what was wrong."""


def _text(value: str) -> str | None:
    return value or None


def _integer(value: str) -> int:
    return int(value)


def _number(value: str) -> float:
    return float(value)


def _paths(value: str) -> tuple[str, ...]:
    return tuple(part for part in value.split(os.pathsep) if part)


def _flag(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"{value!r} is not one of 1/0, true/false, yes/no, on/off")


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: Any
    doc: str
    parse: Callable[[str], Any] = _text


SETTINGS: tuple[Setting, ...] = (
    # --- the site and its data ---
    Setting(
        "DATABASE_URL",
        None,
        "Database URL; PostgreSQL in production "
        "(`postgresql://user@host/db`). Default: SQLite `agenda.db` in the instance folder.",
    ),
    Setting("AGENDA_EVENT", None, "The event to serve, by id or slug; unset serves the only event."),
    Setting(
        "SECRET_KEY",
        None,
        "Signs session cookies; shared by every web process; at least 32 bytes. A server refuses to start "
        "without one; `scheduler serve` and `demo` then make and keep `secret_key` in the instance folder.",
    ),
    # --- browser and network protections (docs/security.md) ---
    Setting(
        "TRUSTED_PROXIES",
        0,
        "How many proxies in front of the web processes set `X-Forwarded-For` and `X-Forwarded-Proto` "
        "(1 behind the documented nginx): the client address and HTTPS are taken from them. 0 trusts none.",
        _integer,
    ),
    Setting(
        "RATELIMIT_STORAGE_URI",
        None,
        "Where the rate limits count requests: a Redis URL shared by every web process. Unset: the "
        "message queue's Redis (`SOCKETIO_MESSAGE_QUEUE`) when there is one, else each process's memory.",
    ),
    Setting(
        "RATELIMIT_REGISTRATION",
        "20 per minute; 200 per hour",
        "Registrations (`POST /register`) one client address may make (Flask-Limiter's notation).",
    ),
    Setting(
        "RATELIMIT_SPEAKER_REPORTS",
        "20 per hour",
        "\"I cannot make this time\" reports (`POST /speaker/<token>`) one client address may send.",
    ),
    Setting(
        "RATELIMIT_CONSOLE_LOGIN",
        "10 per minute",
        "Console sign-in attempts (`POST /console/login`) one client address may make, whatever the "
        "account (each account also locks after `LOGIN_LOCKOUT_FAILURES`).",
    ),
    Setting(
        "RATELIMIT_JOIN",
        "120 per minute",
        "Join requests (`/join/<session>`) one client address may make.",
    ),
    Setting("RATELIMIT_ENABLED", True, "Apply the rate limits (turn off only for load tests).", _flag),
    Setting(
        "SESSION_COOKIE_SECURE",
        False,
        "Mark the session cookie `Secure` always; otherwise it is `Secure` whenever the request came "
        "over HTTPS (directly, or as the trusted proxy says).",
        _flag,
    ),
    # `.invalid` (RFC 2606) can never be a real host, so default UIDs cannot collide with anyone's.
    Setting(
        "AGENDA_UID_HOST",
        "agenda.invalid",
        "Host part of calendar UIDs (`<session>@<event slug>.<host>`): a constant, never the request's host.",
    ),
    Setting("AGENDA_BASE_URL", None, "The public site's address, for links the CLI prints or sends."),
    Setting(
        "MAX_CONTENT_LENGTH",
        MAX_FILE_BYTES,
        "Request bodies (uploads) over this many bytes are refused (413) before they are read; "
        "the default is the command line's limit for problem files, 32 MB (`scheduler/limits.py`).",
        _integer,
    ),
    Setting(
        "RESPONSE_CACHE_MB",
        64,
        "Memory (MB) each server process may keep built pages, feeds and API responses in.",
        _integer,
    ),
    Setting(
        "EXTRA_TRANSLATIONS",
        (),
        "More folders of interface catalogues (`<lang>/LC_MESSAGES/messages.po` beside a `messages.pot`), "
        "separated by `:`; a complete one adds its language (docs/languages.md).",
        _paths,
    ),
    # --- the programme team's console (docs/console.md) ---
    Setting(
        "CONSOLE_SESSION_MINUTES",
        480,
        "Minutes of inactivity after which a console sign-in expires.",
        _integer,
    ),
    Setting(
        "LOGIN_LOCKOUT_FAILURES",
        5,
        "Failed sign-ins in a row that lock an account for a while.",
        _integer,
    ),
    Setting(
        "LOGIN_LOCKOUT_MINUTES",
        1.0,
        "How long the first lockout lasts; each further failure doubles it (up to a day).",
        _number,
    ),
    Setting(
        "JOB_QUEUE_URL",
        None,
        "Redis URL of the job queue (RQ) that `scheduler worker` processes serve; unset runs each "
        "solve in a child process of the web server.",
    ),
    Setting("JOB_QUEUE_NAME", "agenda", "Name of the RQ queue; the same for the web app and the workers."),
    Setting(
        "JOB_HEARTBEAT_SECONDS",
        2.0,
        "How often a running job writes its progress and checks for a stop request.",
        _number,
    ),
    Setting(
        "JOB_HEARTBEAT_TIMEOUT",
        30.0,
        "Seconds without a heartbeat after which a running job is marked failed (its worker died).",
        _number,
    ),
    # --- the day ---
    Setting(
        "AGENDA_CLOCK",
        None,
        "Run the event clock from this venue time (`2025-07-08T10:55`) "
        "for demos and rehearsals; unset is the real time. `2025-07-08T10:55@2026-03-02T09:00:00+00:00` "
        "pins it to a real instant, so every process shows the same time.",
    ),
    Setting(
        "JOIN_OPENS_MINUTES_BEFORE", 15, "Minutes before a session starts that its join link opens.", _integer
    ),
    Setting(
        "LIVE_TICK_SECONDS",
        1.0,
        "How often each server process re-derives session states and pushes changes.",
        _number,
    ),
    Setting("LIVE_TICKER", True, "Run the live-update background task (tests turn it off).", _flag),
    Setting(
        "SOCKETIO_MESSAGE_QUEUE",
        None,
        "Redis URL of the Socket.IO message queue shared by every web process and the CLI.",
    ),
    Setting(
        "SOCKETIO_CHANNEL",
        "flask-socketio",
        "Channel on the message queue; the same for the web processes and the CLI.",
    ),
    # --- messages (docs/messages.md): SMTP by the Flask-Mail convention ---
    Setting(
        "MAIL_SERVER", None, "SMTP server that sends the outbox; unset keeps every message in the outbox."
    ),
    Setting("MAIL_PORT", 25, "SMTP port (587 with `MAIL_USE_TLS`, 465 with `MAIL_USE_SSL`).", _integer),
    Setting("MAIL_USE_TLS", False, "Upgrade the SMTP connection with STARTTLS.", _flag),
    Setting("MAIL_USE_SSL", False, "Connect to the SMTP server over TLS from the start.", _flag),
    Setting("MAIL_USERNAME", None, "SMTP login, when the relay asks for one."),
    Setting("MAIL_PASSWORD", None, "SMTP password."),
    Setting(
        "MAIL_DEFAULT_SENDER",
        None,
        "The From of every message (`Programme team <agenda@example.org>`); required to send.",
    ),
    Setting(
        "MAIL_HOLD_KINDS",
        "speaker-links,publication",
        "Kinds of message held in the outbox until the team releases them (comma-separated: "
        "`speaker-links`, `publication`, `live`, `registration`); the others are sent at once.",
    ),
    Setting(
        "MAIL_MAX_ATTEMPTS",
        5,
        "Tries per message on temporary SMTP errors (4xx, no connection) before it is marked failed.",
        _integer,
    ),
    Setting(
        "MAIL_RETRY_SECONDS",
        30.0,
        "Wait before the first retry of a temporary SMTP error; each further retry waits twice as long.",
        _number,
    ),
    Setting(
        "LIVE_NOTICE_MINUTES",
        15,
        "A delay longer than this many minutes emails the session's speakers and bookmarkers "
        "(a cancellation always does).",
        _integer,
    ),
    # --- join links (see docs/remote-participation.md) ---
    Setting("JOIN_PROVIDER", None, "`template` (default) or `jitsi`."),
    Setting(
        "JOIN_URL_TEMPLATE",
        None,
        "Join URL template for every session, e.g. `https://meet.example.org/wsis-{room}`.",
    ),
    Setting("JOIN_URL_TEMPLATE_ROOMS", None, "Per-room join URL templates (JSON object)."),
    Setting("JOIN_URL_TEMPLATE_SESSIONS", None, "Per-session join URL templates (JSON object)."),
    Setting("JITSI_URL", None, "Base URL of the Jitsi Meet deployment."),
    Setting("JITSI_APP_ID", None, "Jitsi token issuer (Prosody `app_id`)."),
    Setting("JITSI_APP_SECRET", None, "Jitsi token secret, at least 32 bytes."),
    Setting("JITSI_AUDIENCE", "jitsi", "Jitsi token audience."),
    Setting("JITSI_ROOMS", None, "Per-room Jitsi room names (JSON object)."),
    Setting("JITSI_SESSIONS", None, "Per-session Jitsi room names (JSON object)."),
)
_BY_NAME = {s.name: s for s in SETTINGS}


def instance_path() -> Path:
    """Flask's instance folder: local config and the SQLite database (`INSTANCE_PATH` overrides).

    The one setting read before all others, since it says where the others' file is.
    """
    return Path(os.environ.get("INSTANCE_PATH") or PROJECT_ROOT / "instance")


def defaults() -> dict[str, Any]:
    return {s.name: s.default for s in SETTINGS}


def default(name: str) -> Any:
    """One setting's declared default, for code that needs it without a loaded configuration."""
    return _BY_NAME[name].default


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """The declared settings the environment sets, each parsed by its type."""
    values: dict[str, Any] = {}
    for name, raw in environ.items():
        setting = _BY_NAME.get(name)
        if setting is None:
            continue
        try:
            values[name] = setting.parse(raw)
        except ValueError as error:
            raise ConfigError(f"environment variable {name}: {error}") from None
    return values


def from_instance_file(folder: Path) -> dict[str, Any]:
    """The UPPER_CASE names `config.py` in `folder` assigns (nothing when there is no such file)."""
    path = folder / INSTANCE_FILE
    if not path.is_file():
        return {}
    namespace: dict[str, Any] = {"__file__": str(path)}
    try:
        exec(compile(path.read_bytes(), str(path), "exec"), namespace)
    except Exception as error:
        raise ConfigError(f"{path}: {type(error).__name__}: {error}") from None
    return {key: value for key, value in namespace.items() if key.isupper()}


def load(*, instance_file: bool = True, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every setting: defaults, then the environment, then the instance file (when `instance_file`);
    without a SECRET_KEY, the instance folder's key file if there is one."""
    values = defaults()
    values.update(from_environment(os.environ if environ is None else environ))
    if instance_file:
        values.update(from_instance_file(instance_path()))
        if not values["SECRET_KEY"]:
            values["SECRET_KEY"] = instance_key(instance_path())
    return values


def instance_key(folder: Path, create: bool = False) -> str | None:
    """The key kept in `folder`'s key file; with `create`, a new random one if there is none,
    written readable by its owner only (0600) before anything is in it."""
    path = folder / INSTANCE_KEY_FILE
    if path.is_file():
        return path.read_text().strip() or None
    if not create:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(key + "\n")
    return key


def check_secret_key(values: Mapping[str, Any]) -> None:
    """Refuse, in one sentence, a server without a SECRET_KEY of at least MIN_SECRET_BYTES bytes."""
    key = values.get("SECRET_KEY")
    advice = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
    if not key:
        raise ConfigError(
            f"SECRET_KEY is not set: a server signs its cookies with it, so set one of at least "
            f"{MIN_SECRET_BYTES} random bytes (for example the output of {advice})."
        )
    length = len(key if isinstance(key, bytes) else str(key).encode())
    if length < MIN_SECRET_BYTES:
        raise ConfigError(
            f"SECRET_KEY is {length} bytes long, too short to sign cookies safely: set one of at least "
            f"{MIN_SECRET_BYTES} random bytes (for example the output of {advice})."
        )
