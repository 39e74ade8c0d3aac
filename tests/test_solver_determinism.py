"""`--deterministic`: the same problem, seed and limit give the same schedule file, byte for byte
(but for `solve_seconds`, the wall-clock time it took), in two separate processes with different
hash seeds, so that nothing may hang on the order of a set or on how long anything took."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.synthetic import Messy, generate
from scheduler.problem_file import dump_problem

REPO = Path(__file__).resolve().parent.parent
# Big enough for both halves of the whole-model search (above 80 sessions) and for chains.
SHAPE = Messy(grid=1, chains=3, chain_length=8, never=0.3, tracks=4)


def _child(args: list[str], hash_seed: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONHASHSEED": hash_seed}
    return subprocess.run([sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=300, check=False)


def _without_time(text: str) -> str:
    data = json.loads(text)
    assert data.pop("solve_seconds") is not None
    return json.dumps(data, sort_keys=True)


def test_the_cli_writes_the_same_agenda_twice(tmp_path: Path) -> None:
    problem, _ = generate(90, 6, 3, 5, SHAPE)
    dump_problem(problem, tmp_path / "p.json")
    written = []
    for run, hash_seed in enumerate(("1", "2")):
        output = tmp_path / f"s{run}.json"
        done = _child(["-m", "scheduler", "solve", str(tmp_path / "p.json"), "-o", str(output),
                       "--time-limit", "3", "--seed", "4", "--deterministic"], hash_seed)
        assert done.returncode == 0, done.stderr
        written.append(_without_time(output.read_text()))
    assert written[0] == written[1]
    assert json.loads(written[0])["status"] in ("optimal", "feasible")


SOLVE = """
import json
from bench.synthetic import Messy, generate
from scheduler.schedule_file import schedule_to_data
from solver import SolveOptions, solve
problem, _ = generate(90, 6, 3, 6, Messy(grid=1, chains=3, chain_length=8, never=0.3, tracks=4))
options = SolveOptions(time_limit=3, workers=2, seed=9, deterministic=True, lns_above=40)
print(json.dumps(schedule_to_data(solve(problem, options))))
"""


def test_the_neighbourhood_search_gives_the_same_agenda_twice() -> None:
    printed = []
    for hash_seed in ("3", "4"):
        done = _child(["-c", SOLVE], hash_seed)
        assert done.returncode == 0, done.stderr
        printed.append(_without_time(done.stdout))
    assert printed[0] == printed[1]
    assert json.loads(printed[0])["status"] in ("optimal", "feasible")
