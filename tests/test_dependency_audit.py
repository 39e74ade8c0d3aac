"""`make audit` (tools/dependency_audit.py): never "no known vulnerabilities" unless every locked
package was checked (issue 14)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tools import dependency_audit

REPO = Path(__file__).resolve().parent.parent


def _fake_report(monkeypatch: pytest.MonkeyPatch, report: dict[str, Any] | None, stderr: str = "") -> None:
    def run(lock: Path, path: Path) -> subprocess.CompletedProcess[str]:
        if report is not None:
            path.write_text(json.dumps(report))
        return subprocess.CompletedProcess([], 1 if report is None else 0, "", stderr)

    monkeypatch.setattr(dependency_audit, "_pip_audit", run)


def _package(name: str, **fields: object) -> dict[str, object]:
    return {"name": name, "version": "1.0", "vulns": [], **fields}


def test_all_checked_and_clean_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_report(monkeypatch, {"dependencies": [_package("flask"), _package("redis")]})
    assert dependency_audit.audit(REPO / "requirements.lock") == (
        0, ["requirements.lock: no known vulnerabilities in the 2 locked packages."])  # fmt: skip


def test_packages_that_could_not_be_checked_are_never_called_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    unknown = _package("ortools", skip_reason="Dependency not found on PyPI")
    _fake_report(monkeypatch, {"dependencies": [_package("flask"), unknown]})
    status, lines = dependency_audit.audit(REPO / "requirements.lock")
    assert status == 2 and "no known vulnerabilities" not in " ".join(lines)
    assert lines == ["requirements.lock: NOT CHECKED: 1 of 2 packages could not be checked "
                     "(Dependency not found on PyPI): ortools"]  # fmt: skip


def test_vulnerabilities_are_listed_with_their_fixes(monkeypatch: pytest.MonkeyPatch) -> None:
    vulnerable = _package("jinja2", vulns=[{"id": "GHSA-xxxx", "fix_versions": ["3.1.7"]}])
    _fake_report(monkeypatch, {"dependencies": [vulnerable, _package("flask")]})
    assert dependency_audit.audit(REPO / "requirements.lock") == (
        1, ["requirements.lock: jinja2 1.0: GHSA-xxxx (fixed in 3.1.7)"])  # fmt: skip


@pytest.mark.slow
def test_with_the_database_unreachable_it_says_it_could_not_check() -> None:
    """The real pip-audit, its vulnerability service behind a proxy that does not exist."""
    proxy = "http://127.0.0.1:9"
    env = {**os.environ, "HTTPS_PROXY": proxy, "https_proxy": proxy, "HTTP_PROXY": proxy, "http_proxy": proxy}
    env.pop("NO_PROXY", None)
    env.pop("no_proxy", None)
    done = subprocess.run(
        [sys.executable, "-m", "tools.dependency_audit", "requirements.lock"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "NOT CHECKED" in done.stdout and "could not be reached" in done.stdout
    assert "no known vulnerabilities" not in done.stdout.lower()
