"""`scheduler --help` and `scheduler COMMAND --help` start in a fraction of a second: building the
command line loads none of OR-Tools, pandas, Flask, gevent, SQLAlchemy or the web app; each
command loads what it needs when it runs (issue 15; timings in docs/benchmarks.md)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("ortools", "pandas", "numpy", "flask", "gevent", "sqlalchemy", "webapp", "openpyxl", "alembic")

# In a fresh interpreter: this test process has loaded everything already.
PROBE = """
import contextlib, io, json, sys
from scheduler.cli import main
with contextlib.redirect_stdout(io.StringIO()) as shown, contextlib.suppress(SystemExit):
    main(sys.argv[1:], prog_name="scheduler")
loaded = sorted({name.split(".")[0] for name in sys.modules} & set(json.loads(sys.stdin.read())))
print(json.dumps({"loaded": loaded, "help": shown.getvalue()}))
"""


def help_of(*args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args, "--help"],
        input=json.dumps(HEAVY),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    "command",
    [(), ("solve",), ("plan",), ("publish",), ("live", "delay"), ("live",), ("users", "add"), ("demo",),
     ("serve",), ("worker",), ("validate",), ("check",), ("figures",), ("speaker-links",)],
    ids=lambda command: " ".join(command) or "scheduler",
)
def test_help_loads_nothing_heavy(command: tuple[str, ...]) -> None:
    shown = help_of(*command)
    assert shown["loaded"] == [], shown["loaded"]
    assert "Usage: scheduler" in str(shown["help"])


def test_the_overview_still_lists_every_command_with_its_summary() -> None:
    shown = str(help_of()["help"])
    for name in ("import", "plan", "publish", "live", "users", "worker", "demo", "serve", "solve"):
        assert f"  {name} " in shown, name
    assert "Delay, cancel, start or end a session today" in shown
