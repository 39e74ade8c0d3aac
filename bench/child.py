"""Measuring on a shared machine: each measurement in a fresh process, so that its peak memory is its
own (and so is its hash seed), and a record of the load and what else ran meanwhile."""

from __future__ import annotations

import multiprocessing
import os
import resource
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def in_child(task: Callable[..., T], *args: object) -> T:
    """Run `task(*args)` in a fresh process and return what it returns."""
    with multiprocessing.get_context("spawn").Pool(1, maxtasksperchild=1) as pool:
        return pool.apply(task, args)


def peak_mib() -> float:
    """This process's peak resident memory so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class LoadWatch:
    """Samples the machine's load and the busy processes outside this one's tree while a run lasts."""

    def __init__(self, every: float = 30.0) -> None:
        self.every = every
        self.loads: list[float] = []
        self.seen: dict[str, int] = {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> LoadWatch:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.done.set()
        self.thread.join()

    def _watch(self) -> None:
        while True:
            self.loads.append(float(Path("/proc/loadavg").read_text().split()[0]))
            for name in _busy_others():
                self.seen[name] = self.seen.get(name, 0) + 1
            if self.done.wait(self.every):
                return

    def describe(self) -> str:
        """' (load average 2.1-9.8, 6.0 on average; beside it: pytest, mutmut)' or ''."""
        if not self.loads:
            return ""
        busy = ", ".join(name for name, _ in sorted(self.seen.items(), key=lambda item: -item[1])[:6])
        return (f" (1-minute load average {min(self.loads):.1f}-{max(self.loads):.1f}, "
                f"{sum(self.loads) / len(self.loads):.1f} on average over {len(self.loads)} samples"
                + (f"; busy beside it: {busy}" if busy else "") + ")")


def _busy_others(threshold: float = 10.0) -> list[str]:
    """Commands using at least `threshold` % CPU that are not this process or its children."""
    table = subprocess.run(["ps", "-eo", "pid=,ppid=,pcpu=,comm="], capture_output=True, text=True,
                           check=False).stdout
    rows = [line.split(None, 3) for line in table.splitlines() if len(line.split(None, 3)) == 4]
    parent = {int(pid): int(ppid) for pid, ppid, _, _ in rows}
    mine = os.getpid()

    def ours(pid: int) -> bool:
        while pid > 1:
            if pid == mine:
                return True
            pid = parent.get(pid, 1)
        return False

    return sorted({name for pid, _, cpu, name in rows if float(cpu) >= threshold and not ours(int(pid))})
