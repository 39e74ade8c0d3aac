"""`make demo` on a fresh clone: seconds from the command to the agenda being served.

    python -m bench.demo_bench                # pip's cache as it is (what a developer sees again)
    python -m bench.demo_bench --no-cache     # nothing cached: every package downloaded

Clones this repository's committed HEAD into a temporary folder (nothing of this worktree's venv,
instance folder or database comes along), runs `make demo PORT=...` there and polls the agenda's
home page until it answers 200. Reports when each step's banner appeared: the virtual environment
made, the packages installed (pip), the sample solved and published, the first 200. The issue's
target: serving within 60 s. Stops the demo (SIGTERM to its process group) and removes the clone.
Not a test.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.http_bench import load_average
from bench.solver_bench import machine
from tests.test_live_data import free_port

REPO = Path(__file__).resolve().parent.parent
TARGET = 60.0
# Lines of `make demo`'s output that mark the end of a step, in order.
STEPS = (
    ("virtual environment made", "==> Installing the service"),
    ("packages installed", "==> Starting the demo"),
    ("sample solved and published", "Published version"),
    ("banner printed", "Press Ctrl+C to stop."),
)


def _serving(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def run(no_cache: bool, timeout: float) -> dict[str, float | None]:
    """Seconds from `make demo` to each step, and to the first 200 ("serving")."""
    with tempfile.TemporaryDirectory(prefix="demo-bench-") as folder:
        clone = Path(folder) / "agenda"
        subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
        port = free_port()
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("DATABASE_URL", None)
        env.pop("VIRTUAL_ENV", None)
        if no_cache:
            env["PIP_NO_CACHE_DIR"] = "1"
        log = Path(folder) / "make.log"
        with log.open("w") as output:
            start = time.monotonic()
            demo = subprocess.Popen(
                ["make", "demo", f"PORT={port}"], cwd=clone, env=env, stdout=output,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        seen: dict[str, float | None] = {name: None for name, _ in STEPS}
        try:
            while time.monotonic() - start < timeout and demo.poll() is None:
                text = log.read_text(errors="replace")
                for name, marker in STEPS:
                    if seen[name] is None and marker in text:
                        seen[name] = time.monotonic() - start
                if _serving(f"http://127.0.0.1:{port}/"):
                    seen["serving"] = time.monotonic() - start
                    break
                time.sleep(0.2)
            else:
                sys.exit(f"make demo did not serve within {timeout:g} s:\n{log.read_text()[-3000:]}")
        finally:
            os.killpg(demo.pid, signal.SIGTERM)
            demo.wait(30)
        return seen


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="pip downloads every package (PIP_NO_CACHE_DIR)"
    )
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args()
    load_start = load_average()
    seen = run(args.no_cache, args.timeout)
    print(f"Measured on {machine()}; load average {load_start} at the start, {load_average()} at the end.")
    cache = "none (every package downloaded)" if args.no_cache else "as left by earlier installs"
    print(f"pip cache: {cache}")
    for name, seconds in seen.items():
        print(f"- {name}: {'-' if seconds is None else f'{seconds:.1f} s'}")
    served = seen.get("serving")
    met = served is not None and served <= TARGET
    print(f"- serving within {TARGET:g} s: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
