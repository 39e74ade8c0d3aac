"""Problem in, schedule out: CP-SAT placement of every session (see docs/solver.md).

`solve` and `greedy_schedule` load on first use, so importing `solver.domain` (as every layer does)
does not pull in OR-Tools.
"""

from solver.options import Progress, SolveOptions, Weights

__all__ = ["Progress", "SolveOptions", "Weights", "greedy_schedule", "solve"]


def __getattr__(name: str) -> object:
    if name in ("solve", "greedy_schedule"):
        from solver import api

        return getattr(api, name)
    raise AttributeError(f"module 'solver' has no attribute {name!r}")
