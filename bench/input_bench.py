"""Input benchmark: what the largest legitimate problem costs to read, and what a decompression bomb costs.

    python -m bench.input_bench                 # results as Markdown
    python -m bench.input_bench --bomb-mb 1200  # the issue's 1.2 GB bomb (the default)

The largest legitimate problem is the 3,000-session synthetic event (`bench.synthetic`, 120 rooms,
5 days) with every text a programme team might fill in at its longest plausible: a 1,500-character
abstract for every session, French and Spanish translations of every title and abstract, and an
affiliation and a 600-character biography for every speaker. It is written as JSON and as a workbook;
each file is then validated (`read_problem_file`, as `scheduler validate` does) in a fresh process,
whose peak RSS is reported, next to the limits in scheduler/limits.py.

The bomb is that workbook with its sessions sheet padded with rows that each name a session "x"
until it inflates to --bomb-mb (as small a file as the issue's 1.2 MB one); it is refused before any
of it is parsed. A second bomb unpacks to just under the limit, so it is parsed, until the sheet row
limit stops it: the most time and memory a file small enough to be read can cost. Timings and
memory are noisy on shared machines: compare within a run.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.synthetic import generate
from scheduler.limits import MAX_FILE_BYTES, MAX_INFLATED_BYTES
from scheduler.problem_file import dump_problem
from scheduler.workbook import write_workbook
from solver.domain import Problem

# A bomb this size unpacks to just under MAX_INFLATED_BYTES, so it is parsed until a limit stops it.
NEAR_LIMIT_MB = 125
WORDS = ("digital", "inclusion", "connectivity", "policy", "skills", "governance", "data", "network",
         "access", "review", "partnership", "youth", "capacity", "community", "security", "open")  # fmt: skip


def _text(length: int, seed: int) -> str:
    """Plain sentences of about `length` characters, in two paragraphs."""
    words = [WORDS[(seed * 7 + n * 3) % len(WORDS)] for n in range(length // 7)]
    sentences = [" ".join(words[i : i + 12]).capitalize() + "." for i in range(0, len(words), 12)]
    half = len(sentences) // 2
    return (" ".join(sentences[:half]) + "\n\n" + " ".join(sentences[half:]))[:length].rstrip()


def largest_problem() -> Problem:
    problem, _ = generate(3000, 120, 5, seed=1)
    sessions = tuple(
        replace(
            s,
            abstract=_text(1_500, n),
            translations={
                language: {"title": f"{s.title} ({language})", "abstract": _text(1_500, n + 1)}
                for language in ("fr", "es")
            },
        )
        for n, s in enumerate(problem.sessions)
    )
    speakers = tuple(
        replace(p, affiliation=f"Organisation {n} for digital development", bio=_text(600, n))
        for n, p in enumerate(problem.speakers)
    )
    return replace(problem, sessions=sessions, speakers=speakers)


def _inflated(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        return sum(part.file_size for part in archive.infolist())


def _measure(path: Path) -> dict[str, Any]:
    """Validate `path` in a fresh process: outcome, seconds and peak RSS.

    The peak is the process's VmHWM, which starts afresh at exec (ru_maxrss would count the memory
    of this process, which the child shares until it execs).
    """
    code = (
        "import json, resource, sys, time\n"
        "from scheduler.problem_file import ProblemFileError\n"
        "from scheduler.workbook import read_problem_file\n"
        "start = time.perf_counter()\n"
        "try:\n"
        "    problem = read_problem_file(sys.argv[1]); outcome = f'valid, {len(problem.sessions)} sessions'\n"
        "except ProblemFileError as error:\n"
        "    outcome = 'refused: ' + str(error.issues[0])[:110]\n"
        "seconds = time.perf_counter() - start\n"
        "status = open('/proc/self/status').read()\n"
        "peak = int(status.split('VmHWM:')[1].split()[0]) / 1024\n"
        "print(json.dumps({'outcome': outcome, 'seconds': seconds, 'peak_mib': peak}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def _sheet_part(parts: dict[str, bytes], name: str) -> str:
    """The archive path of the sheet called `name`, found through the workbook and its relations."""
    rid = re.search(rf'<sheet [^>]*name="{name}"[^>]*r:id="([^"]+)"', parts["xl/workbook.xml"].decode())
    assert rid is not None
    target = re.search(rf'Id="{rid.group(1)}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{rid.group(1)}"',
                       parts["xl/_rels/workbook.xml.rels"].decode())  # fmt: skip
    assert target is not None
    return "xl/" + (target.group(1) or target.group(2)).removeprefix("/xl/")


def _bomb(path: Path, source: Path, megabytes: int) -> None:
    """`source` with its sessions sheet padded with rows of one short id to about `megabytes`.

    A sheet that is read, not a part nothing refers to: without the check, every row would be read.
    """
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    with zipfile.ZipFile(source) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    sessions = _sheet_part(parts, "sessions")
    head, tail = parts[sessions].split(b"</sheetData>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            if name != sessions:
                archive.writestr(name, data)
        with archive.open(sessions, "w", force_zip64=True) as sheet:
            sheet.write(head)
            block = row * (2**20 // len(row))
            for _ in range(megabytes):
                sheet.write(block)
            sheet.write(b"</sheetData>" + tail)


def _mb(size: float) -> str:
    return f"{size / 2**20:.1f} MB"


def run(bomb_mb: int) -> str:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        started = time.perf_counter()
        problem = largest_problem()
        json_path, xlsx_path = work / "largest.json", work / "largest.xlsx"
        dump_problem(problem, json_path)
        write_workbook(problem, xlsx_path)
        files = [("largest problem, JSON", json_path), ("largest problem, workbook", xlsx_path)]
        # The bomb, and the worst a bomb can do once it is small enough to be read at all.
        for megabytes in (bomb_mb, NEAR_LIMIT_MB):
            _bomb(work / f"bomb-{megabytes}.xlsx", xlsx_path, megabytes)
            files.append((f"bomb padded with {megabytes} MB of rows", work / f"bomb-{megabytes}.xlsx"))
        built = time.perf_counter() - started
        rows = []
        for label, path in files:
            inflated = _inflated(path) if path.suffix == ".xlsx" else path.stat().st_size
            measured = _measure(path)
            rows.append(
                f"| {label} | {_mb(path.stat().st_size)} | {_mb(inflated)} | {measured['outcome']} | "
                f"{measured['seconds']:.1f} s | {measured['peak_mib']:.0f} MiB |"
            )
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return "\n".join(
        [
            f"Limits: file {_mb(MAX_FILE_BYTES)}, workbook unpacked {_mb(MAX_INFLATED_BYTES)}. "
            f"Building the files took {built:.0f} s (peak {peak_self:.0f} MiB in the builder).",
            "",
            "| file | size | unpacked | outcome | time | peak RSS |",
            "|---|---|---|---|---|---|",
            *rows,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bomb-mb", type=int, default=1200, help="what the bomb inflates to, in MB")
    args = parser.parse_args()
    print(run(args.bomb_mb))


if __name__ == "__main__":
    main()
