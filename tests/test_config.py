"""Settings are declared once (`scheduler.config.SETTINGS`) and read in one order: defaults, the
environment, then `instance/config.py`."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler import config
from scheduler.db import database_url

DOCS = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"


def test_every_setting_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    missing = [s.name for s in config.SETTINGS if f"`{s.name}`" not in text]
    assert missing == []


def test_the_environment_overrides_defaults_and_the_instance_file_overrides_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    environ = {"LIVE_TICK_SECONDS": "0.5", "SOCKETIO_CHANNEL": "from-env", "UNRELATED": "x"}
    (tmp_path / "config.py").write_text('SOCKETIO_CHANNEL = "from-file"\nlowercase = 1\n')
    values = config.load(environ=environ)
    assert values["LIVE_TICK_SECONDS"] == 0.5
    assert values["SOCKETIO_CHANNEL"] == "from-file"
    assert values["JOIN_OPENS_MINUTES_BEFORE"] == 15
    assert "UNRELATED" not in values and "lowercase" not in values
    assert config.load(environ=environ, instance_file=False)["SOCKETIO_CHANNEL"] == "from-env"


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [("LIVE_TICKER", "off", False), ("LIVE_TICKER", "Yes", True), ("JOIN_OPENS_MINUTES_BEFORE", "5", 5)],
)
def test_typed_settings_are_parsed(name: str, raw: str, expected: object) -> None:
    assert config.from_environment({name: raw})[name] == expected


def test_a_malformed_setting_names_itself() -> None:
    with pytest.raises(config.ConfigError, match="JOIN_OPENS_MINUTES_BEFORE"):
        config.from_environment({"JOIN_OPENS_MINUTES_BEFORE": "soon"})
    with pytest.raises(config.ConfigError, match="LIVE_TICKER"):
        config.from_environment({"LIVE_TICKER": "maybe"})


def test_a_broken_instance_file_names_its_path(tmp_path: Path) -> None:
    (tmp_path / "config.py").write_text("SECRET_KEY = \n")
    with pytest.raises(config.ConfigError, match="config.py"):
        config.from_instance_file(tmp_path)


def test_the_cli_and_the_web_app_read_the_database_from_the_same_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert database_url() == f"sqlite:///{tmp_path / 'agenda.db'}"
    (tmp_path / "config.py").write_text('DATABASE_URL = "postgresql://agenda@db.internal/agenda"\n')
    assert database_url() == "postgresql+psycopg://agenda@db.internal/agenda"


def test_the_example_instance_file_names_only_declared_settings(tmp_path: Path) -> None:
    example = DOCS.parent.parent / "instance" / "config.example.py"
    # Each example assignment is a commented `# NAME = value` line: switch them all on.
    assignments = [line.removeprefix("# ") for line in example.read_text().splitlines() if " = " in line]
    (tmp_path / "config.py").write_text("\n".join(assignments))
    named = config.from_instance_file(tmp_path)
    assert named and set(named) <= {s.name for s in config.SETTINGS}
