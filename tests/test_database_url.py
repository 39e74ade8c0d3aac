"""A DATABASE_URL that names no usable database (issue 14): one plain sentence, exit 2, no server.

Before, each of the seven forms gave a 41-138-line traceback, and `scheduler serve` started anyway
and answered 500 to every request.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.cli import main
from scheduler.db import DatabaseUnavailable, open_engine
from tests.test_live_data import free_port

REPO = Path(__file__).resolve().parent.parent

# (the URL, what the sentence must say)
BAD_URLS = [
    ("garbage", "'garbage' is not a database URL"),
    ("mongodb://db.internal/agenda", "names a kind of database this service does not know ('mongodb'"),
    ("postgresql://agenda@no-such-host.invalid/agenda", "failed to resolve host 'no-such-host.invalid'"),
    ("postgresql://agenda@127.0.0.1:1/agenda", 'port 1 failed: Connection refused'),
    ("postgresql+pg8000://agenda@127.0.0.1/agenda", "needs the Python driver 'pg8000'"),
    ("  ", "'' is not a database URL"),
    ("sqlite:////proc/no-such-folder/agenda.db", "No such file or directory: /proc/no-such-folder"),
]  # fmt: skip


@pytest.mark.parametrize(("url", "said"), BAD_URLS)
def test_a_bad_database_url_is_one_sentence_and_exit_2(
    url: str, said: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", url)
    result = CliRunner().invoke(main, ["versions"])
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and said in lines[0], result.output
    assert "Traceback" not in result.output


def test_a_database_that_is_not_there_is_named_without_its_password() -> None:
    url = "postgresql://agenda:s3cret-pass@127.0.0.1:1/no_such_database"
    with pytest.raises(DatabaseUnavailable) as refused:
        open_engine(url)
    message = str(refused.value)
    assert "s3cret-pass" not in message and "agenda:***@127.0.0.1:1/no_such_database" in message
    with pytest.raises(DatabaseUnavailable) as unparsed:
        open_engine("postgres ql://agenda:s3cret-pass@host/db")
    assert "s3cret-pass" not in str(unparsed.value)


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs a PostgreSQL server"
)
def test_a_database_name_the_server_does_not_have_is_named() -> None:
    base = os.environ["DATABASE_URL"].split("?")[0].rsplit("/", 1)[0]
    with pytest.raises(DatabaseUnavailable, match='database "no_such_database_zz" does not exist'):
        open_engine(f"{base}/no_such_database_zz")


@pytest.mark.slow
def test_serve_refuses_to_start_on_a_bad_database_url(tmp_path: Path) -> None:
    env = {**os.environ, "INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "postgresql://agenda@127.0.0.1:1/x"}
    done = subprocess.run(
        [sys.executable, "-m", "scheduler", "serve", "--port", str(free_port())],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("Error: Cannot open the database"), done.stderr
    assert "Traceback" not in done.stderr
