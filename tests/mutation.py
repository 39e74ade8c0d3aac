"""Mutation testing with mutmut 3: `make mutation`, or `make mutation MODULE=scheduler/check.py`.

Each module listed in pyproject.toml's `[tool.mutation.lanes]` is mutated on its own, in
`.mutation/<module>/`, against the fast tests listed with it (browser and slow tests left out):
mutmut first records which of those tests reach each function, then runs every mutant against just
those tests, `[tool.mutation] workers` at a time. The work folder holds links to the sources and a
pyproject.toml with the module's `[tool.mutmut]` settings added; mutmut copies the tree into
`mutants/` and the tests run there, subprocesses (`python -m scheduler ...`, started from the
tree the test file sits in) included, so the mutated code is what every test process runs.

Each run writes `report.json` in its folder, and docs/testing.md is rewritten (between its
mutation-report markers) from every module's latest report: the scores, and each mutant not killed
with, when `tests/mutation_equivalents.toml` explains it as equivalent, the reason. A module with no
report in this checkout (run in another one, whose ignored `.mutation/` this one lacks) keeps its
lines as they stand. A module run below `[tool.mutation] target` makes the command fail.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / ".mutation"
DOCS = REPO / "docs" / "testing.md"
EQUIVALENTS = REPO / "tests" / "mutation_equivalents.toml"
# What the tests need beside the packages: the test suite itself (mutmut copies tests/ anyway),
# the sample event and the benchmarks' generators.
LINKED = ("scheduler", "solver", "webapp", "tests", "data", "bench")
PACKAGES = ["scheduler", "solver", "webapp"]
BEGIN, END = "<!-- mutation-report:begin -->", "<!-- mutation-report:end -->"
KILLED = {"killed", "timeout", "caught by type check"}


@dataclass
class Survivor:
    name: str
    status: str
    diff: str
    reason: str | None = None


@dataclass
class Report:
    module: str
    seconds: float
    counts: dict[str, int]
    survivors: list[Survivor] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def killed(self) -> int:
        return sum(n for status, n in self.counts.items() if status in KILLED)

    @property
    def score(self) -> float:
        return self.killed / self.total if self.total else 1.0

    @property
    def explained(self) -> int:
        return sum(1 for s in self.survivors if s.reason)


def settings() -> dict[str, Any]:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mutation"]


def _toml(value: object) -> str:
    """A TOML value for the strings, numbers, booleans and lists of them that mutmut's settings use."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    return str(value)


def prepare(module: str, tests: list[str], config: dict[str, Any], keep: bool) -> Path:
    """The module's work folder: links to the sources and tests, and its own mutmut settings."""
    work = WORK / module.removesuffix(".py").replace("/", ".")
    if work.exists() and not keep:
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    for name in LINKED:
        link = work / name
        if not link.exists():
            link.symlink_to(REPO / name)
    # Tests find the shared reference data (Frab schemas) beside the checkout: beside mutants/ here.
    shared = REPO.parent / "shared"
    if shared.is_dir() and not (work / "shared").exists():
        (work / "shared").symlink_to(shared)
    mutmut = {
        "source_paths": PACKAGES,
        "only_mutate": [module],
        "also_copy": ["data", "bench"],
        "pytest_add_cli_args_test_selection": tests,
        "pytest_add_cli_args": config["pytest_args"],
        "use_git_change_detection": False,
        **config.get("mutmut", {}),
    }
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    text += "\n# Added by tests/mutation.py for this module only.\n[tool.mutmut]\n"
    text += "".join(f"{key} = {_toml(value)}\n" for key, value in mutmut.items())
    (work / "pyproject.toml").write_text(text, encoding="utf-8")
    return work


def mutmut_run(work: Path, workers: int) -> int:
    """`mutmut run` in the work folder, its progress written to mutmut.log as it goes."""
    command = [str(Path(sys.executable).parent / "mutmut"), "run", "--max-children", str(workers)]
    with (work / "mutmut.log").open("w", encoding="utf-8") as log:
        return subprocess.run(command, cwd=work, stdout=log, stderr=subprocess.STDOUT,
                              env=os.environ | {"NO_COLOR": "1"}).returncode


def statuses(work: Path, module: str) -> dict[str, str]:
    """Every mutant of the module and its status, from mutmut's record of the run."""
    from mutmut.stats import status_by_exit_code

    meta = json.loads((work / "mutants" / f"{module}.meta").read_text(encoding="utf-8"))
    return {name: status_by_exit_code[code] for name, code in meta["exit_code_by_key"].items()}


def diffs(work: Path, module: str, names: list[str]) -> dict[str, str]:
    """What each mutant changes, as `mutmut show` prints it (read in this process: much faster)."""
    from mutmut.configuration import reset_config
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    here = Path.cwd()
    os.chdir(work)
    reset_config()
    try:
        return {name: get_diff_for_mutant(name, path=module) for name in names}
    finally:
        os.chdir(here)


def equivalents() -> list[dict[str, str]]:
    return tomllib.loads(EQUIVALENTS.read_text(encoding="utf-8"))["equivalent"]


def _changed_lines(diff: str) -> tuple[str, str]:
    """The removed and the added lines of a mutant's diff, each stripped and joined."""
    lines = [line for line in diff.splitlines() if not line.startswith(("---", "+++", "@@"))]
    removed = " ".join(line[1:].strip() for line in lines if line.startswith("-"))
    added = " ".join(line[1:].strip() for line in lines if line.startswith("+"))
    return removed, added


def function_of(mutant: str) -> str:
    """`scheduler.check.x__duration__mutmut_3` -> `_duration`; methods as `Class.method`."""
    name = mutant.rpartition(".")[2].rsplit("__mutmut_", 1)[0]
    if name.startswith("xǁ"):
        return ".".join(part for part in name[2:].split("ǁ") if part)
    return name.removeprefix("x_")


def reason_for(module: str, survivor: Survivor, known: list[dict[str, str]]) -> str | None:
    """The documented reason a surviving mutant is equivalent, matched on what it changes."""
    removed, added = _changed_lines(survivor.diff)
    for entry in known:
        if (entry["module"] == module and entry["function"] == function_of(survivor.name)
                and entry["from"] == removed and entry["to"] == added):
            return entry["reason"]
    return None


def run(module: str, tests: list[str], config: dict[str, Any], keep: bool) -> Report:
    work = prepare(module, tests, config, keep)
    print(f"{module}: mutating, against {' '.join(tests)} (progress: {work / 'mutmut.log'})", flush=True)
    began = time.monotonic()
    code = mutmut_run(work, config["workers"])
    seconds = time.monotonic() - began
    if code != 0:
        log = work / "mutmut.log"
        tail = "\n".join(log.read_text(encoding="utf-8").replace("\r", "\n").splitlines()[-30:])
        raise SystemExit(f"{module}: mutmut failed (exit {code}); {log}:\n{tail}")
    found = statuses(work, module)
    counts: dict[str, int] = {}
    for status in found.values():
        counts[status] = counts.get(status, 0) + 1
    known = equivalents()
    not_killed = sorted(name for name, status in found.items() if status not in KILLED)
    survivors = [Survivor(name, found[name], diff) for name, diff in diffs(work, module, not_killed).items()]
    for survivor in survivors:
        survivor.reason = reason_for(module, survivor, known)
    report = Report(module, round(seconds, 1), counts, survivors)
    data = json.dumps(asdict(report), indent=1, ensure_ascii=False)
    (work / "report.json").write_text(data, encoding="utf-8")
    print(f"{module}: {report.killed}/{report.total} killed ({report.score:.1%}), {len(survivors)} not "
          f"killed ({report.explained} explained as equivalent), {seconds:.0f} s", flush=True)
    return report


def load_reports(modules: list[str]) -> list[Report]:
    """Each module's latest report, its survivors matched against the reasons as they are now."""
    known = equivalents()
    reports = []
    for module in modules:
        path = WORK / module.removesuffix(".py").replace("/", ".") / "report.json"
        if path.exists():
            data = json.loads(path.read_text(encoding="utf-8"))
            data["survivors"] = [Survivor(**s) for s in data["survivors"]]
            report = Report(**data)
            for survivor in report.survivors:
                survivor.reason = reason_for(module, survivor, known)
            reports.append(report)
    return reports


def _inline(text: str) -> str:
    return text.replace("|", "\\|").replace("`", "'")


def markdown(modules: list[str], reports: list[Report], target: float, earlier: str = "") -> str:
    """The block for docs/testing.md: each module's latest run here, else its lines in `earlier`
    (the block as it stands: runs made in other checkouts, whose work folders this one lacks)."""
    lines = [
        f"Scores from `make mutation` (mutmut {_mutmut_version()}, {_workers()} workers); "
        f"target {target:.0%} per module.",
        "",
        "The score counts killed mutants (timeouts included) out of all; the next column leaves out the "
        "mutants listed below as equivalent.",
        "",
        "| module | mutants | killed | survived | no tests | timeouts | score | equivalent | score without "
        "them | minutes |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    by_module = {r.module: r for r in reports}
    kept = _earlier_lines(earlier)
    for module in modules:
        r = by_module.get(module)
        if r is None:
            row, _ = kept.get(module, (None, []))
            lines.append(row or f"| `{module}` | not run yet | | | | | | | | |")
            continue
        c = r.counts
        lines.append(
            f"| `{r.module}` | {r.total} | {c.get('killed', 0)} | {c.get('survived', 0)} | "
            f"{c.get('no tests', 0)} | {c.get('timeout', 0)} | {r.score:.1%} | {r.explained} | "
            f"{r.killed / max(1, r.total - r.explained):.1%} | {r.seconds / 60:.1f} |"
        )
    lines += ["", "Mutants not killed, and why each is harmless where it is:", ""]
    for module in modules:
        r = by_module.get(module)
        if r is None:
            lines += kept.get(module, (None, []))[1]
            continue
        for s in r.survivors:
            removed, added = _changed_lines(s.diff)
            why = s.reason or "**not explained: add a test or a reason**"
            lines.append(f"- `{r.module}` `{function_of(s.name)}` ({s.status}): "
                         f"`{_inline(removed)}` → `{_inline(added)}`: {why}")
    return "\n".join(lines)


def _earlier_lines(block: str) -> dict[str, tuple[str | None, list[str]]]:
    """Per module, its table row (unless "not run yet") and its survivor lines in `block`."""
    kept: dict[str, tuple[str | None, list[str]]] = {}
    for line in block.splitlines():
        if line.startswith("| `") and "not run yet" not in line:
            module = line.split("`")[1]
            kept[module] = (line, kept.get(module, (None, []))[1])
        elif line.startswith("- `"):
            module = line.split("`")[1]
            row, survivors = kept.get(module, (None, []))
            kept[module] = (row, [*survivors, line])
    return kept


def _mutmut_version() -> str:
    from importlib.metadata import version

    return version("mutmut")


def _workers() -> int:
    return int(settings()["workers"])


def write_docs(modules: list[str], reports: list[Report], target: float) -> None:
    text = DOCS.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    earlier, _, tail = rest.partition(END)
    block = markdown(modules, reports, target, earlier)
    DOCS.write_text(f"{head}{BEGIN}\n{block}\n{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="modules of [tool.mutation.lanes] (default: all)")
    parser.add_argument("--keep", action="store_true", help="reuse the work folders: rerun what changed")
    parser.add_argument("--report", action="store_true", help="only rewrite docs/testing.md from past runs")
    args = parser.parse_args(argv)
    config = settings()
    lanes: dict[str, list[str]] = config["lanes"]
    unknown = [m for m in args.modules if m not in lanes]
    if unknown:
        parser.error(f"not in [tool.mutation.lanes]: {', '.join(unknown)}; choose from {', '.join(lanes)}")
    modules = args.modules or list(lanes)
    if not args.report:
        for module in modules:
            run(module, lanes[module], config, args.keep)
    # docs/testing.md shows each module's latest run, whether it ran now or before.
    reports = load_reports(list(lanes))
    write_docs(list(lanes), reports, config["target"])
    ran = [r for r in reports if r.module in modules]
    low = [r for r in ran if r.score < config["target"]]
    for r in low:
        print(f"{r.module}: {r.score:.1%} is below the target of {config['target']:.0%}", file=sys.stderr)
    unexplained = sum(1 for r in ran for s in r.survivors if not s.reason)
    if unexplained:
        print(f"{unexplained} surviving mutants have no reason given (docs/testing.md)", file=sys.stderr)
    return 1 if low else 0


if __name__ == "__main__":
    raise SystemExit(main())
