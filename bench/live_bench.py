"""Live-update benchmark: many Socket.IO clients on one gevent server process, then on two behind Redis.

    python -m bench.live_bench --clients 5000            # both layouts, results as Markdown
    python -m bench.live_bench --clients 500 --trials 3  # a quick look

For each layout it starts real `scheduler serve` processes on loopback (sharing Redis through a
channel of its own), connects N python-socketio clients from separate processes (`bench.sio_fleet`),
and measures:

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
import json
import os
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.sio_fleet import Fleet, delay_key, raise_file_limit
from bench.stack import rss_kib
from scheduler.db import make_engine
from scheduler.schema import upgrade
from tests.test_live_data import REDIS_URL, cli, redis_available, seed, server

SESSION = "s-open"
CLOCK = "2025-07-08T12:00"


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
        fleet = stack.enter_context(
            Fleet(
                workdir,
                layout.replace(" ", "-"),
                servers,
                args.clients,
                args.client_processes,
                env,
                max_seconds=args.max_seconds,
                connect_timeout=args.connect_timeout,
            )
        )
        connected = fleet.wait_connected()
        time.sleep(2)  # let the servers settle after the connection burst
        after = sum(rss_kib(s.pid) for s in servers)
        keys = [delay_key(SESSION, trial) for trial in range(1, args.trials + 1)]
        for trial, key in enumerate(keys, start=1):
            result = cli(env, "live", "delay", SESSION, str(trial))
            if result.returncode != 0:
                raise RuntimeError(result.stderr)
            fleet.wait_for(key, connected, args.trial_timeout)
        summary = fleet.summary(keys)
    return {
        "layout": layout,
        "clients": args.clients,
        "connected": connected,
        "held": summary["held"],
        "rss_delta_mib": (after - before) / 1024,
        "kib_per_connection": (after - before) / max(1, connected),
        "state_delivered": f"{sum(summary['per_change'].values())}/{connected * args.trials}",
        "state_p50": summary["latency_p50"],
        "state_p99": summary["latency_p99"],
        "retries": summary["retries"],
        "errors": summary["errors"],
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
