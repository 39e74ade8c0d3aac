"""Thousands of Socket.IO viewers in a few processes, for the live benchmarks (not a test).

Each client process runs asyncio python-socketio clients (aiohttp) that connect to the `/live`
namespace watching the whole event, as Now & Next does, and note for every change they hear of
how long after the server's send it arrived. The driver side (`Fleet`) starts the processes, waits
for them to connect, tells how many clients have received each change, and stops them all when
its `with` block ends, however it ends.

A change is named by `change_key`: a session's delay (`session_state` with `delay_minutes`, pushed
by each server process at its next tick) or a publication (`agenda_changed`, sent once by the CLI
through Redis). Each client counts a change once; a second copy is counted as a duplicate.

Options for the production layout: `sources` (loopback addresses the clients connect from, as
viewers come from many addresses to nginx's `ip_hash`), `cafile` (trust the benchmark's own TLS
certificate), `polling_every` (every Nth client starts with HTTP long-polling and upgrades to a
WebSocket, as a browser does; the others open a WebSocket at once).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import ssl
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from pathlib import Path
from types import TracebackType
from typing import Any

from scheduler.live import NAMESPACE

REPORT_SECONDS = 1.0


def change_key(name: str, data: Mapping[str, Any]) -> str | None:
    """The change a message announces, or None for one the benchmarks do not follow."""
    if name == "session_state" and data.get("delay_minutes"):
        return f"delay {data['session']} {data['delay_minutes']}"
    if name == "agenda_changed":
        return f"version {data['version']}"
    return None


def delay_key(session: str, minutes: int) -> str:
    return change_key("session_state", {"session": session, "delay_minutes": minutes}) or ""


def version_key(number: int) -> str:
    return change_key("agenda_changed", {"version": number}) or ""


def raise_file_limit() -> int:
    """Each connection is a file descriptor in the server and in a client: raise the soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# --- the client side (separate processes: asyncio python-socketio clients, thousands per process) ----


class _Viewers:
    """The clients of one process and what they heard; written to `out` as JSON for the driver."""

    def __init__(self, count: int, out: Path) -> None:
        self.count = count
        self.out = out
        self.clients: list[Any] = []
        self.seen: dict[int, set[str]] = {}  # per connected client (by id), the changes it received
        self.received: dict[str, list[float]] = {}
        self.duplicates = 0
        self.dropped: dict[str, int] = {}
        self.errors: dict[str, int] = {}
        self.retries = 0
        self.dirty = True

    def heard(self, seen: set[str], name: str, data: Mapping[str, Any]) -> None:
        key = change_key(name, data)
        if key is None:
            return
        if key in seen:
            self.duplicates += 1
            return
        seen.add(key)
        self.received.setdefault(key, []).append(time.time() - float(data["sent_at"]))
        self.dirty = True

    def missed(self) -> int:
        """Changes that a client still connected did not receive, though another client here did."""
        heard = set(self.received)
        return sum(len(heard - self.seen.get(id(c), set())) for c in self.clients if c.connected)

    def report(self) -> None:
        data = {
            "connected": len(self.clients),
            "failed": self.count - len(self.clients),
            "retries": self.retries,
            "errors": self.errors,
            "held": sum(1 for c in self.clients if c.connected),
            "dropped": self.dropped,
            "duplicates": self.duplicates,
            "missed": self.missed(),
            "received": self.received,
        }
        tmp = self.out.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        tmp.replace(self.out)
        self.dirty = False


async def _run_clients(args: argparse.Namespace) -> None:
    import aiohttp
    import socketio

    viewers = _Viewers(args.count, args.out)
    context = ssl.create_default_context(cafile=args.cafile) if args.cafile else None
    sessions: dict[str | None, aiohttp.ClientSession] = {}

    def session_for(source: str | None) -> aiohttp.ClientSession:
        # One HTTP session per source address, shared by its clients; no cookie jar, so no client
        # sends another's cookies.
        if source not in sessions:
            connector = aiohttp.TCPConnector(
                limit=0,
                local_addr=(source, 0) if source else None,
                ssl=context if context is not None else True,
            )
            sessions[source] = aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar())
        return sessions[source]

    def client_for(source: str | None) -> Any:
        client = socketio.AsyncClient(reconnection=False, http_session=session_for(source))
        seen = viewers.seen.setdefault(id(client), set())
        for name in ("session_state", "agenda_changed"):
            client.on(name, lambda data, name=name: viewers.heard(seen, name, data), namespace=NAMESPACE)

        @client.on("disconnect", namespace=NAMESPACE)
        def dropped(reason: object = "unknown") -> None:
            viewers.dropped[str(reason)] = viewers.dropped.get(str(reason), 0) + 1
            viewers.dirty = True

        return client

    gate = asyncio.Semaphore(args.concurrency)

    async def connect(index: int) -> None:
        url = args.url[index % len(args.url)]
        source = args.source[index % len(args.source)] if args.source else None
        polling = args.polling_every > 0 and index % args.polling_every == 0
        async with gate:
            # Like a browser's Socket.IO client: a refused or dropped attempt is retried, twice here.
            for attempt in range(3):
                client = client_for(source)
                try:
                    await client.connect(
                        url,
                        namespaces=[NAMESPACE],
                        auth={"watch": ["event"]},
                        transports=["polling", "websocket"] if polling else ["websocket"],
                        wait_timeout=60,
                    )
                    viewers.clients.append(client)
                    return
                except Exception as error:  # counted and reported: a refused client is a result
                    reason = f"{type(error).__name__}: {str(error)[:80]}"
                    viewers.errors[reason] = viewers.errors.get(reason, 0) + 1
                    viewers.retries += attempt < 2
                    await asyncio.sleep(1 + attempt)

    first = args.first
    connecting = asyncio.gather(*(connect(first + i) for i in range(args.count)))
    with suppress(TimeoutError):
        await asyncio.wait_for(connecting, args.connect_timeout)
    viewers.dirty = True
    stop = args.out.with_suffix(".stop")
    end = time.monotonic() + args.max_seconds
    while time.monotonic() < end and not stop.exists():
        if viewers.dirty:
            viewers.report()
        await asyncio.sleep(REPORT_SECONDS)
    viewers.report()
    # Closing thousands of clients one by one takes minutes; the kernel closes their sockets at once.
    os._exit(0)


def client_main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="One process of Socket.IO viewers (started by Fleet).")
    parser.add_argument("--url", action="append", required=True)
    parser.add_argument("--source", action="append", default=[])
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--first", type=int, default=0, help="global index of this process's first client")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--cafile")
    parser.add_argument("--polling-every", type=int, default=0)
    parser.add_argument("--concurrency", type=int, default=100, help="handshakes in flight at once")
    parser.add_argument("--max-seconds", type=float, required=True)
    parser.add_argument("--connect-timeout", type=float, required=True)
    args = parser.parse_args(argv)
    raise_file_limit()
    asyncio.run(_run_clients(args))


def _added(counts: Iterable[dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for count in counts:
        for reason, n in count.items():
            total[reason] = total.get(reason, 0) + n
    return total


# --- the driver side ------------------------------------------------------------------------------


class Fleet:
    """`clients` viewers in `processes` client processes; `with Fleet(...) as fleet:` stops them all."""

    def __init__(
        self,
        workdir: Path,
        name: str,
        urls: Sequence[str],
        clients: int,
        processes: int,
        env: Mapping[str, str],
        *,
        sources: Sequence[str] = (),
        cafile: Path | None = None,
        polling_every: int = 0,
        concurrency: int = 100,
        max_seconds: float = 900.0,
        connect_timeout: float = 300.0,
    ) -> None:
        self.clients = clients
        self.connect_timeout = connect_timeout
        self.outs = [workdir / f"{name}-clients-{i}.json" for i in range(processes)]
        shares = [clients // processes + (i < clients % processes) for i in range(processes)]
        firsts = [sum(shares[:i]) for i in range(processes)]
        common = [
            *(arg for url in urls for arg in ("--url", url)),
            *(arg for source in sources for arg in ("--source", source)),
            *(("--cafile", str(cafile)) if cafile else ()),
            *("--polling-every", str(polling_every)),
            *("--concurrency", str(concurrency)),
            *("--max-seconds", str(max_seconds)),
            *("--connect-timeout", str(connect_timeout)),
        ]
        self._commands = [
            [sys.executable, "-m", "bench.sio_fleet", "--count", str(n), "--first", str(first)]
            + ["--out", str(out), *common]
            for n, first, out in zip(shares, firsts, self.outs, strict=True)
        ]
        self._env = dict(env)
        self.children: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Fleet:
        for command in self._commands:
            self.children.append(subprocess.Popen(command, env=self._env))
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        for out in self.outs:
            out.with_suffix(".stop").touch()
        deadline = time.monotonic() + (30 if kind is None else 5)
        for child in self.children:
            with suppress(subprocess.TimeoutExpired):
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
        for child in self.children:
            if child.poll() is None:
                child.kill()
                child.wait()

    def reports(self) -> list[dict[str, Any]]:
        return [json.loads(p.read_text()) for p in self.outs if p.exists()]

    def wait_connected(self) -> int:
        """Wait until every client has connected or given up; the number connected."""
        deadline = time.monotonic() + self.connect_timeout + 60
        while time.monotonic() < deadline:
            parts = self.reports()
            if (
                len(parts) == len(self.outs)
                and sum(p["connected"] + p["failed"] for p in parts) >= self.clients
            ):
                break
            if any(child.poll() is not None for child in self.children):
                raise RuntimeError("a client process exited before its clients connected")
            time.sleep(1)
        return sum(p["connected"] for p in self.reports())

    def received(self, key: str) -> int:
        return sum(len(p["received"].get(key, [])) for p in self.reports())

    def wait_for(self, key: str, expected: int, timeout: float) -> float | None:
        """Wait until `expected` clients have `key`; seconds it took (None: not all within `timeout`)."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.received(key) >= expected:
                return time.monotonic() - start
            time.sleep(0.25)
        return None

    def summary(self, keys: Sequence[str]) -> dict[str, Any]:
        """Connections, and per change how many clients got it; latencies over all of `keys`."""
        parts = self.reports()
        latencies = [v for p in parts for key in keys for v in p["received"].get(key, [])]
        errors, dropped = _added(p["errors"] for p in parts), _added(p["dropped"] for p in parts)
        return {
            "connected": sum(p["connected"] for p in parts),
            "held": sum(p["held"] for p in parts),
            "dropped": dropped,
            "retries": sum(p["retries"] for p in parts),
            "duplicates": sum(p["duplicates"] for p in parts),
            "missed": sum(p["missed"] for p in parts),
            "errors": errors,
            "per_change": {key: sum(len(p["received"].get(key, [])) for p in parts) for key in keys},
            "latency_p50": percentile(latencies, 0.5) if latencies else None,
            "latency_p99": percentile(latencies, 0.99) if latencies else None,
            "latency_max": max(latencies) if latencies else None,
        }


if __name__ == "__main__":
    client_main()
