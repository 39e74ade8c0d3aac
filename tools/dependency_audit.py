"""`make audit`: the locked dependencies checked against a vulnerability database, said honestly.

pip-audit reads the lock file as it is (`--disable-pip --no-deps`: the exact pinned versions, nothing
resolved again) and asks its vulnerability service about each. This wrapper reads pip-audit's JSON
and says one of three things, with its own exit status:

- 0: every locked package was checked and none has a known vulnerability;
- 1: some have (each listed with its advisories and the versions that fix it);
- 2: the check could not be made, wholly or for some packages (the database could not be reached,
  a package is unknown to it): it says so, and never "no known vulnerabilities".

    python -m tools.dependency_audit [LOCK_FILE ...]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LOCK_FILES = ("requirements.lock", "requirements-test.lock")
CLEAN, VULNERABLE, UNCHECKED = 0, 1, 2


def _pip_audit(lock: Path, report: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pip_audit", "--disable-pip", "--no-deps", "--progress-spinner", "off",
               "--format", "json", "--output", str(report), "--requirement", str(lock)]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _reason(stderr: str) -> str:
    """The last line pip-audit wrote that says what went wrong (its traceback's end)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return lines[-1] if lines else "pip-audit gave no reason"


def _fixes(vulnerability: dict[str, list[str]]) -> str:
    return ", ".join(vulnerability.get("fix_versions", [])) or "no release yet"


def audit(lock: Path) -> tuple[int, list[str]]:
    """(status, lines to print) for one lock file."""
    with tempfile.TemporaryDirectory() as folder:
        report_path = Path(folder) / "report.json"
        done = _pip_audit(lock, report_path)
        report = json.loads(report_path.read_text()) if report_path.is_file() else None
    if report is None:
        return UNCHECKED, [
            f"{lock.name}: NOT CHECKED: the vulnerability database could not be reached or pip-audit "
            f"failed ({_reason(done.stderr)}). Nothing is known about these dependencies' vulnerabilities."
        ]
    packages = report.get("dependencies", [])
    skipped = [p for p in packages if p.get("skip_reason")]
    found = [(p, v) for p in packages for v in p.get("vulns", [])]
    lines = [f"{lock.name}: {p['name']} {p['version']}: {v['id']} (fixed in {_fixes(v)})" for p, v in found]
    if skipped:
        lines.append(
            f"{lock.name}: NOT CHECKED: {len(skipped)} of {len(packages)} packages could not be checked "
            f"({'; '.join(sorted({p['skip_reason'].split(':')[0] for p in skipped}))}): "
            + ", ".join(p["name"] for p in skipped)
        )
    if found:
        return VULNERABLE, lines
    if skipped or not packages:
        return UNCHECKED, lines or [f"{lock.name}: NOT CHECKED: pip-audit listed no packages."]
    return CLEAN, [f"{lock.name}: no known vulnerabilities in the {len(packages)} locked packages."]


def main(arguments: list[str]) -> int:
    results = set()
    for name in arguments or LOCK_FILES:
        result, lines = audit(REPO / name)
        print("\n".join(lines))
        results.add(result)
    # A vulnerability found outranks a check that could not be made (both are printed).
    return next((s for s in (VULNERABLE, UNCHECKED) if s in results), CLEAN)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
