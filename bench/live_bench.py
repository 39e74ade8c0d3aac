"""Live-update benchmark: many Socket.IO clients on one gevent server process, then on two behind Redis.

    python -m bench.live_bench --clients 5000            # both layouts, results as Markdown
    python -m bench.live_bench --clients 500 --trials 3  # a quick look

For each layout it starts real `scheduler serve` processes on loopback (sharing Redis through a
channel of its own), connects N python-socketio clients from separate processes, and measures:

- connections held (clients connected and still connected at the end);
- memory per connection: the servers' RSS growth while the clients connected, divided by N;
- fan-out latency of a state change: `scheduler live delay` runs T times; each server process sees
  the change at its next tick (at most LIVE_TICK_SECONDS, 1 s, later) and pushes the new
  `session_state`, announcement included, to all its clients; each client notes how long after the
  server's send it arrived. p50/p99 over all clients and changes. (Clients watch the whole event,
  as Now & Next does; the CLI's own `notice` goes only to a session's followers.)

Everything is bounded: connecting stops after --connect-timeout, each trial after --trial-timeout,
and the clients exit by themselves after --max-seconds. Only loopback addresses are used. Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import Any

from scheduler.db import make_engine
from scheduler.schema import upgrade
from tests.test_live_data import REDIS_URL, cli, redis_available, seed, server

SESSION = "s-open"
CLOCK = "2025-07-08T12:00"


# --- the client side (separate processes: asyncio python-socketio clients, thousands per process) ----


def run_clients(urls: list[str], count: int, out: Path, max_seconds: float, connect_timeout: float) -> None:
    asyncio.run(_clients(urls, count, out, max_seconds, connect_timeout))


async def _clients(
    urls: list[str], count: int, out: Path, max_seconds: float, connect_timeout: float
) -> None:
    import socketio

    received: dict[int, list[float]] = {}
    clients: list[socketio.AsyncClient] = []
    errors: dict[str, int] = {}
    retries = 0

    def client_for() -> socketio.AsyncClient:
        client = socketio.AsyncClient(reconnection=False)

        @client.on("session_state", namespace="/live")
        def state(data: dict[str, Any]) -> None:
            if data["session"] == SESSION and data["delay_minutes"]:
                arrived = time.time() - float(data["sent_at"])
                received.setdefault(int(data["delay_minutes"]), []).append(arrived)

        return client

    gate = asyncio.Semaphore(100)

    async def connect(index: int) -> None:
        nonlocal retries
        async with gate:
            # Like a browser's Socket.IO client: a refused or dropped attempt is retried, twice here.
            for attempt in range(3):
                client = client_for()
                try:
                    await client.connect(
                        urls[index % len(urls)],
                        namespaces=["/live"],
                        auth={"watch": ["event"]},
                        transports=["websocket"],
                        wait_timeout=60,
                    )
                    clients.append(client)
                    return
                except Exception as error:  # counted and reported: a refused client is a result
                    reason = f"{type(error).__name__}: {str(error)[:80]}"
                    errors[reason] = errors.get(reason, 0) + 1
                    retries += attempt < 2
                    await asyncio.sleep(1 + attempt)

    with suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*(connect(i) for i in range(count))), connect_timeout)

    def report() -> None:
        data = {
            "connected": len(clients),
            "failed": count - len(clients),
            "retries": retries,
            "errors": errors,
            "held": sum(1 for c in clients if c.connected),
            "state": received,
        }
        tmp = out.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        tmp.replace(out)

    stop = out.with_suffix(".stop")
    end = time.monotonic() + max_seconds
    while time.monotonic() < end and not stop.exists():
        report()
        await asyncio.sleep(0.5)
    report()
    # Closing thousands of clients one by one takes minutes; the kernel closes their sockets at once.
    os._exit(0)


# --- the driver -----------------------------------------------------------------------------------


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def raise_file_limit() -> int:
    """Each connection is a file descriptor in the server and in a client: raise the soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _read(paths: list[Path]) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in paths if p.exists()]


def _merged(parts: list[dict[str, Any]], kind: str) -> dict[int, list[float]]:
    merged: dict[int, list[float]] = {}
    for part in parts:
        for trial, values in part[kind].items():
            merged.setdefault(int(trial), []).extend(values)
    return merged


def measure(layout: str, processes: int, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    database = workdir / f"{layout}.db"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "INSTANCE_PATH": str(workdir),
        "SOCKETIO_MESSAGE_QUEUE": REDIS_URL,
        "SOCKETIO_CHANNEL": f"bench-live-{uuid.uuid4().hex}",
        "LIVE_TICK_SECONDS": "1",
    }
    engine = make_engine(env["DATABASE_URL"])
    upgrade(engine)
    seed(engine)
    engine.dispose()
    with ExitStack() as stack:
        servers = [
            stack.enter_context(server(env, CLOCK, workdir / f"{layout}-{i}.log")) for i in range(processes)
        ]
        before = sum(rss_kib(s.pid) for s in servers)
        outs = [workdir / f"{layout}-clients-{i}.json" for i in range(args.client_processes)]
        share = [
            args.clients // args.client_processes + (i < args.clients % args.client_processes)
            for i in range(len(outs))
        ]
        children = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "bench.live_bench",
                    "--role",
                    "clients",
                    "--count",
                    str(n),
                    "--out",
                    str(out),
                    "--max-seconds",
                    str(args.max_seconds),
                    "--connect-timeout",
                    str(args.connect_timeout),
                    *(arg for s in servers for arg in ("--url", str(s))),
                ],
                env=env,
            )
            for n, out in zip(share, outs, strict=True)
        ]
        try:
            deadline = time.monotonic() + args.connect_timeout + 60
            while time.monotonic() < deadline:
                parts = _read(outs)
                if (
                    len(parts) == len(outs)
                    and sum(p["connected"] + p["failed"] for p in parts) >= args.clients
                ):
                    break
                time.sleep(1)
            time.sleep(2)  # let the servers settle after the connection burst
            after = sum(rss_kib(s.pid) for s in servers)
            connected = sum(p["connected"] for p in _read(outs))
            for trial in range(1, args.trials + 1):
                result = cli(env, "live", "delay", SESSION, str(trial))
                if result.returncode != 0:
                    raise RuntimeError(result.stderr)
                end = time.monotonic() + args.trial_timeout
                while time.monotonic() < end:
                    parts = _read(outs)
                    got = sum(len(p["state"].get(str(trial), [])) for p in parts)
                    if got >= connected:
                        break
                    time.sleep(0.5)
            for out in outs:
                out.with_suffix(".stop").touch()
            for child in children:
                child.wait(timeout=120)
        finally:
            for child in children:
                if child.poll() is None:
                    child.kill()
        parts = _read(outs)
    states = [v for values in _merged(parts, "state").values() for v in values]
    expected = connected * args.trials
    return {
        "layout": layout,
        "clients": args.clients,
        "connected": connected,
        "held": sum(p["held"] for p in parts),
        "rss_delta_mib": (after - before) / 1024,
        "kib_per_connection": (after - before) / max(1, connected),
        "state_delivered": f"{len(states)}/{expected}",
        "state_p50": percentile(states, 0.5) if states else None,
        "state_p99": percentile(states, 0.99) if states else None,
        "retries": sum(p["retries"] for p in parts),
        "errors": {k: v for p in parts for k, v in p["errors"].items()},
    }


def markdown(rows: list[dict[str, Any]]) -> str:
    seconds = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
    lines = [
        "| layout | clients | connected | held at end | server RSS growth | per connection "
        "| changes delivered | fan-out p50 | fan-out p99 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['layout']} | {r['clients']} | {r['connected']} | {r['held']} "
            f"| {r['rss_delta_mib']:.1f} MiB "
            f"| {r['kib_per_connection']:.1f} KiB | {r['state_delivered']} | {seconds(r['state_p50'])} s "
            f"| {seconds(r['state_p99'])} s |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--role", choices=["driver", "clients"], default="driver", help=argparse.SUPPRESS)
    parser.add_argument("--url", action="append", default=[], help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--clients", type=int, default=5000, help="Socket.IO clients per layout (default 5000)"
    )
    parser.add_argument("--client-processes", type=int, default=4, help="processes the clients run in")
    parser.add_argument("--trials", type=int, default=5, help="state changes to time per layout")
    parser.add_argument("--layouts", default="one,two", help="one (1 process), two (2 behind Redis), or both")
    parser.add_argument("--connect-timeout", type=float, default=300.0)
    parser.add_argument("--trial-timeout", type=float, default=30.0)
    parser.add_argument(
        "--max-seconds", type=float, default=900.0, help="clients exit by themselves after this"
    )
    args = parser.parse_args()
    limit = raise_file_limit()
    if args.role == "clients":
        run_clients(args.url, args.count, args.out, args.max_seconds, args.connect_timeout)
        return
    if not redis_available():
        sys.exit("the benchmark needs Redis on 127.0.0.1:6379")
    if args.clients + 100 > limit:
        sys.exit(f"open-file limit {limit} is too low for {args.clients} clients")
    rows = []
    with tempfile.TemporaryDirectory(prefix="live-bench-") as tmp:
        for layout in args.layouts.split(","):
            processes = {"one": 1, "two": 2}[layout]
            rows.append(
                measure(f"{processes} process{'es' if processes > 1 else ''}", processes, args, Path(tmp))
            )
            print(json.dumps(rows[-1]), file=sys.stderr)
    print(
        f"{os.cpu_count()} cores, {args.clients} clients in {args.client_processes} client processes, "
        f"{args.trials} state changes per layout\n"
    )
    print(markdown(rows))


if __name__ == "__main__":
    main()
