"""`scheduler` start-up: `--help` and `COMMAND --help` beside a bare `python -c pass` (hyperfine).

    python -m bench.cli_bench                      # this checkout
    python -m bench.cli_bench --before adfde5c     # and a commit before, for the comparison

Each command runs --runs times after --warmup runs (hyperfine, from Debian: `apt-get install
hyperfine`), in this venv's Python; `--before REV` also runs REV's code (`git archive`, on
PYTHONPATH, so the same interpreter and packages) for `--help`. Prints the mean, the spread and
peak memory.
The issue's target: every `--help` under 0.2 s on this machine. Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

from bench.http_bench import load_average
from bench.solver_bench import machine

REPO = Path(__file__).resolve().parent.parent
TARGET = 0.2
COMMANDS = ("--help", "live delay --help", "plan --help", "solve --help", "users add --help")


def _peak_mib(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    """Peak resident memory of one run of `argv`, by GNU time (Linux counts a child's memory from
    before its exec, so this process's own size would show in its rusage)."""
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *argv], env=env, cwd=cwd, capture_output=True, text=True, check=True
    )
    return int(done.stderr.strip().splitlines()[-1]) / 1024


def _hyperfine(commands: dict[str, str], runs: int, warmup: int, workdir: Path) -> dict[str, dict]:
    out = workdir / "hyperfine.json"
    argv = ["hyperfine", "-N", "--runs", str(runs), "--warmup", str(warmup), "--export-json", str(out)]
    for name, command in commands.items():
        argv += ["-n", name, command]
    # Run from elsewhere: `python -m` puts the working directory first on sys.path, before PYTHONPATH.
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, cwd=workdir)
    return {r["command"]: r for r in json.loads(out.read_text())["results"]}


def _checkout(rev: str, into: Path) -> Path:
    archive = subprocess.run(["git", "archive", rev], cwd=REPO, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", metavar="REV", help="also time this commit's code")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("hyperfine") is None:
        sys.exit("hyperfine is missing: apt-get install hyperfine")
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="cli-bench-") as folder:
        workdir = Path(folder)
        trees = {"now": REPO}
        if args.before:
            trees[f"before ({args.before})"] = _checkout(args.before, workdir / "before")
        commands = {"python -c pass": f"{python} -c pass"}
        memory = {"python -c pass": _peak_mib([python, "-c", "pass"], dict(os.environ), workdir)}
        for label, tree in trees.items():
            env = {**os.environ, "PYTHONPATH": str(tree)}
            # The code before loads everything for every command: --help alone says how long.
            for command in COMMANDS if tree == REPO else COMMANDS[:1]:
                name = f"{label}: scheduler {command}"
                # hyperfine -N runs without a shell: PYTHONPATH goes in through `env`.
                commands[name] = f"env PYTHONPATH={tree} {python} -m scheduler {command}"
                memory[name] = _peak_mib([python, "-m", "scheduler", *command.split()], env, workdir)
        load_start = load_average()
        results = _hyperfine(commands, args.runs, args.warmup, workdir)
    print(f"Measured on {machine()}; load average {load_start} at the start, {load_average()} at the end.")
    print(f"hyperfine -N --runs {args.runs} --warmup {args.warmup} (the minimum: the least disturbed run)\n")
    print("| command | mean | min-max | peak memory |\n|---|---|---|---|")
    for name, result in results.items():
        print(
            f"| `{name}` | {result['mean'] * 1000:.0f} ms | {result['min'] * 1000:.0f}-"
            f"{result['max'] * 1000:.0f} ms | {memory[name]:.0f} MiB |"
        )
    slowest = max(r["mean"] for n, r in results.items() if n.startswith("now:"))
    print(f"\n- every --help under {TARGET:g} s: {'met' if slowest < TARGET else 'NOT met'} "
          f"(slowest mean {slowest * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
