"""The production layout of docs/deployment.md, run for real on this machine.

    python -m bench.production_bench                               # 5,000 viewers per web process
    python -m bench.production_bench --viewers 500 --seconds 3     # a quick look

It starts, from the files in deploy/ (see bench.stack), and stops whatever happens (failure,
Ctrl-C, SIGTERM):

- a new PostgreSQL database on the server of --postgres (dropped at the end), a Redis channel of
  its own, the event clock at a busy moment of the sample event (8 July 2025, 10:55);
- the WSIS+20 sample (data/wsis20-2025.problem.json): imported, planned and published, plus two
  more drafts (other seeds) to publish while viewers watch;
- two web processes as `agenda@PORT` runs them (gunicorn -k gevent -w 1, deploy/gunicorn.conf.py);
- the job queue's worker, `scheduler worker` on RQ (bench.stack.job_worker);
- Debian's nginx with deploy/nginx/ (TLS with a certificate made for the run).

Then, all through nginx:

1. HTTP with no viewer: bench.http_bench's rows (each public GET family, a static file, the 304
   path), wrk -t THREADS -c CONNECTIONS for --seconds each: req/s, p50/p99, errors. Then one
   solve started through the console API, which the job worker runs: from the POST to its draft.
2. Viewers: --viewers Socket.IO clients per web process (bench.sio_fleet, in --client-processes
   processes), watching the event as Now & Next does. They connect from loopback addresses chosen
   so that nginx's ip_hash splits them evenly (real viewers come from many networks); every
   --polling-every-th starts with long-polling and upgrades, as browsers do, which only works if
   nginx keeps the client on one process. Memory per viewer: each web process's RSS growth over
   the viewers it holds (nginx's growth is reported beside it).
3. Changes with the viewers idle: `scheduler live delay` --changes times, then `scheduler publish`.
   Each change must reach every viewer: how many got it, and the fan-out latency from the send
   (a server's tick for a delay; the CLI, through Redis, for a publication) to each receipt.
4. The same changes again while wrk GETs every public path mixed (--load-seconds).

Prints the report as Markdown (and --json the raw numbers). Loopback only, bounded in time.
Not a test.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from bench import http_bench, stack
from bench.sio_fleet import Fleet, delay_key, percentile, raise_file_limit, version_key
from bench.solver_bench import machine
from scheduler import accounts
from scheduler.audit import Actor
from scheduler.db import make_engine, transaction
from tests.test_live_data import redis_available

FAN_OUT_TARGET = 1.0  # seconds, p99
JOB_ACCOUNT = "bench@example.org"
MEMORY_TARGET = 80.0  # KiB per viewer
SOURCES_PER_PROCESS = 4


@dataclass(frozen=True, slots=True)
class Change:
    """One change the team made while viewers watched, and how it reached them."""

    key: str
    command: str
    command_seconds: float
    received: int
    p50: float | None
    p99: float | None
    last: float | None  # the slowest receipt


def _delay_session(base: str, context: ssl.SSLContext) -> str:
    """A session later on the clock's day (so a delay changes only its times): the first after 14:00."""
    day = stack.DEMO_CLOCK[:10]
    later = [
        s
        for s in http_bench.get_json(base, "/api/v1/sessions", context)
        if s["day"] == day and s["start"][11:16] >= "14:00"
    ]
    return min(later, key=lambda s: s["start"])["id"]


def _change(
    fleet: Fleet, expected: int, key: str, env: dict[str, str], args: Sequence[str], wait: float
) -> Change:
    start = time.monotonic()
    said = stack.scheduler(env, *args)
    ran = time.monotonic() - start
    if key == "publish":
        found = re.search(r"published version (\d+)", said)
        if found is None:
            raise stack.StackError(f"`scheduler publish` said no version:\n{said}")
        key = version_key(int(found.group(1)))
    fleet.wait_for(key, expected, wait)
    latencies = [v for p in fleet.reports() for v in p["received"].get(key, [])]
    return Change(
        key,
        "scheduler " + " ".join(args),
        ran,
        len(latencies),
        percentile(latencies, 0.5) if latencies else None,
        percentile(latencies, 0.99) if latencies else None,
        max(latencies) if latencies else None,
    )


def _changes(
    fleet: Fleet, expected: int, env: dict[str, str], session: str, minutes: range, draft: int, wait: float
) -> list[Change]:
    made = [
        _change(fleet, expected, delay_key(session, m), env, ["live", "delay", session, str(m)], wait)
        for m in minutes
    ]
    made.append(_change(fleet, expected, "publish", env, ["publish", "--draft", str(draft)], wait))
    return made


def _group(fleet: Fleet, changes: Sequence[Change], prefix: str) -> dict[str, Any]:
    """Latency over all receipts of the changes whose key starts with `prefix`."""
    keys = [c.key for c in changes if c.key.startswith(prefix)]
    summary = fleet.summary(keys)
    return {"changes": len(keys), "p50": summary["latency_p50"], "p99": summary["latency_p99"]}


def _api_token(database: str) -> str:
    """An editor's API token, the account's one-time password changed as the console requires first."""
    engine = make_engine(database)
    try:
        with transaction(engine) as db:
            actor = Actor.os_user()
            user, once = accounts.add_user(db, JOB_ACCOUNT, "editor", actor=actor)
            accounts.change_password(db, user, once, secrets.token_urlsafe(16), actor=actor)
            return accounts.issue_token(db, user, actor=actor)
    finally:
        engine.dispose()


def _solve_job(base: str, context: ssl.SSLContext, env: dict[str, str], limit: float) -> dict[str, Any]:
    """A solve POSTed to the console API through nginx, as the programme team's scripts do, run by the
    job worker: its runner, its end state and the seconds from the POST to that state."""
    token = _api_token(env["DATABASE_URL"])
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    start = time.monotonic()
    body = json.dumps({"time_limit": limit, "note": "production bench"}).encode()
    job = http_bench.request_json(base, "/console/api/v1/jobs", context, headers, body)
    while job["state"] in ("queued", "running") and time.monotonic() - start < 10 * limit + 60:
        time.sleep(0.5)
        job = http_bench.request_json(base, f"/console/api/v1/jobs/{job['id']}", context, headers)
    return {
        "runner": job["runner"],
        "state": job["state"],
        "seconds": time.monotonic() - start,
        "limit": limit,
        "draft": job["draft"],
        "error": job["error"],
    }


def _open_files(pid: int) -> int:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            return int(line.split()[3])
    return 0


def _version(command: Sequence[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True)
    return (done.stdout + done.stderr).strip().splitlines()[0]


def _interrupted(signum: int, _frame: object) -> NoReturn:
    # SIGTERM stops the benchmark like Ctrl-C: the `with` blocks stop what they started.
    raise KeyboardInterrupt(f"signal {signum}")


def run(args: argparse.Namespace, workdir: Path, started: ExitStack) -> dict[str, Any]:
    report: dict[str, Any] = {"load_start": http_bench.load_average()}
    env = stack.bench_env(workdir, started, args.postgres, queue=True)
    first, second = stack.load_sample(env, drafts=2)
    ports = [stack.free_port() for _ in range(args.web_processes)]
    webs = [started.enter_context(stack.web_process(env, p, workdir / f"web-{p}.log")) for p in ports]
    worker = started.enter_context(stack.job_worker(env, workdir / "worker.log"))
    certificate, key = stack.self_signed_certificate(workdir)
    context = ssl.create_default_context(cafile=str(certificate))
    listen = stack.free_port()
    conf = stack.render_nginx(workdir, listen, ports, certificate, key)
    front = started.enter_context(stack.nginx(conf, listen, context))
    nginx_workers = front.pids()[1:]
    gunicorn_workers = [stack.worker_pid(web.pid) for web in webs]
    report["layout"] = {
        "nginx": _version(["nginx", "-v"]),
        "nginx_workers": len(nginx_workers),
        "nginx_open_files": _open_files(nginx_workers[0]),
        "web_processes": len(webs),
        "gunicorn": _version([stack.web_command(0)[0], "--version"]),
        "web_open_files": _open_files(gunicorn_workers[0]),
        "job_worker": f"`scheduler worker` (pid {worker.pid}) on RQ",
    }
    print(json.dumps(report["layout"]), file=sys.stderr)

    load = http_bench.Load(args.seconds, args.connections, args.threads)
    report["http"] = http_bench.run_rows(front, context, load, workdir)
    report["job"] = _solve_job(front, context, env, args.job_seconds)
    print(json.dumps(report["job"]), file=sys.stderr)

    session = _delay_session(front, context)
    baseline = [stack.established(p) for p in ports]
    rss_before = [stack.rss_kib(pid) for pid in gunicorn_workers]
    nginx_before = sum(stack.rss_kib(pid) for pid in nginx_workers)
    viewers = args.viewers * len(webs)
    fleet = started.enter_context(
        Fleet(
            workdir,
            "viewers",
            [front],
            viewers,
            args.client_processes,
            env,
            sources=stack.balanced_sources(len(webs), SOURCES_PER_PROCESS),
            cafile=certificate,
            polling_every=args.polling_every,
            concurrency=args.concurrency,
            max_seconds=args.max_seconds,
            connect_timeout=args.connect_timeout,
        )
    )
    clock = time.monotonic()
    connected = fleet.wait_connected()
    connect_seconds = time.monotonic() - clock
    time.sleep(3)  # the servers settle after the burst
    held = [max(0, stack.established(p) - b) for p, b in zip(ports, baseline, strict=True)]
    # gunicorn replaces a worker that misses its heartbeat for `timeout` s (a starved process): its
    # viewers are gone, and its memory says nothing of theirs.
    replaced = [pid != stack.worker_pid(web.pid) for pid, web in zip(gunicorn_workers, webs, strict=True)]
    growth = [
        0 if gone else stack.rss_kib(pid) - before
        for pid, before, gone in zip(gunicorn_workers, rss_before, replaced, strict=True)
    ]
    nginx_growth = sum(stack.rss_kib(pid) for pid in nginx_workers) - nginx_before
    report["viewers"] = {
        "asked": viewers,
        "connected": connected,
        "connect_seconds": connect_seconds,
        "per_process": held,
        "rss_growth_kib": growth,
        "workers_replaced": sum(replaced),
        "kib_per_viewer": [g / max(1, n) for g, n in zip(growth, held, strict=True)],
        "nginx_rss_growth_kib": nginx_growth,
        "nginx_kib_per_viewer": nginx_growth / max(1, connected),
    }
    print(json.dumps(report["viewers"]), file=sys.stderr)

    idle = _changes(fleet, connected, env, session, range(1, args.changes + 1), first, args.trial_timeout)
    mixed = [path for row in report["http"]["rows"] if "mix" in row["row"] for path in row["path_list"]]
    under_load = http_bench.Load(args.load_seconds, args.connections, args.threads)
    with http_bench.wrk_in_background(front, mixed, under_load, workdir) as background:
        time.sleep(min(5.0, args.load_seconds / 4))
        loaded = _changes(
            fleet,
            connected,
            env,
            session,
            range(args.changes + 1, 2 * args.changes + 1),
            second,
            args.trial_timeout,
        )
    everything = fleet.summary([c.key for c in idle + loaded])
    report["changes"] = {
        "session": session,
        "idle": [asdict(c) for c in idle],
        "loaded": [asdict(c) for c in loaded],
        "idle_delays": _group(fleet, idle, "delay"),
        "loaded_delays": _group(fleet, loaded, "delay"),
        "publications": _group(fleet, [c for c in idle + loaded if c.key.startswith("version")], "version"),
        "background": http_bench.measured(
            http_bench.Row("every public GET, mixed", "mix", tuple(mixed)), background[0]
        ),
        "held_at_end": everything["held"],
        "dropped": everything["dropped"],
        "duplicates": everything["duplicates"],
        "missed": everything["missed"],
        "retries": everything["retries"],
        "errors": everything["errors"],
    }
    report["load_end"] = http_bench.load_average()
    return report


# --- the report ----------------------------------------------------------------------------------


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def _change_rows(changes: Sequence[dict[str, Any]], expected: int) -> list[str]:
    return [
        f"| `{c['command']}` | {c['command_seconds']:.1f} s | {c['received']}/{expected} "
        f"| {_seconds(c['p50'])} | {_seconds(c['p99'])} | {_seconds(c['last'])} |"
        for c in changes
    ]


def markdown(report: dict[str, Any], command: str) -> str:
    layout, viewers, changes, http = report["layout"], report["viewers"], report["changes"], report["http"]
    job = report["job"]
    expected = viewers["connected"]
    per_process = ", ".join(f"{n:,}" for n in viewers["per_process"])
    kib = ", ".join(f"{k:.1f}" for k in viewers["kib_per_viewer"])
    growth = ", ".join(f"{g / 1024:.0f}" for g in viewers["rss_growth_kib"])
    background = changes["background"]
    lines = [
        f"Measured {date.today():%Y-%m-%d} on {machine()}; load average (1/5/15 min) "
        f"{report['load_start']} at the start and {report['load_end']} at the end.",
        "",
        f"    {command}",
        "",
        f"Layout: {layout['nginx']} ({layout['nginx_workers']} workers, {layout['nginx_open_files']:,} "
        f"open files each), {layout['web_processes']} x {layout['gunicorn']} (`-k gevent -w 1`, "
        f"{layout['web_open_files']:,} open files), PostgreSQL, Redis; job worker: {layout['job_worker']}.",
        "",
        f"HTTP through nginx, no viewer connected (wrk -t{http['load']['threads']} "
        f"-c{http['load']['connections']}, {http['load']['seconds']:g} s a row):",
        "",
        http_bench.markdown(http),
        "",
        f"A solve started through the console API ({job['limit']:g} s limit): run by "
        f"{'the job worker (RQ)' if job['runner'] == 'rq' else job['runner']}, {job['state']} "
        f"{job['seconds']:.1f} s after the POST, draft {job['draft']}"
        f"{', ' + job['error'] if job['error'] else ''}.",
        "",
        f"Viewers through nginx: {expected:,} of {viewers['asked']:,} connected in "
        f"{viewers['connect_seconds']:.0f} s, {per_process} per web process; web process RSS growth "
        f"{growth} MiB = {kib} KiB per viewer; nginx {viewers['nginx_kib_per_viewer']:.1f} KiB per viewer; "
        f"web workers replaced by gunicorn (heartbeat timeout): {viewers['workers_replaced']}. "
        f"Held at the end: {changes['held_at_end']:,}; dropped "
        f"{sum(changes['dropped'].values())} {changes['dropped'] or ''}, "
        f"duplicates {changes['duplicates']}, connection retries {changes['retries']}, "
        f"errors {sum(changes['errors'].values())} {changes['errors'] or ''}.",
        "",
        f"Changes (session `{changes['session']}`), viewers idle, then while wrk GETs every public "
        f"path mixed ({background['rps']:,.0f} req/s, p50 {background['p50_ms']:.0f} ms, "
        f"p99 {background['p99_ms']:.0f} ms, {background['errors']} errors):",
        "",
        "| change | command took | viewers reached | fan-out p50 | fan-out p99 | slowest |",
        "|---|---|---|---|---|---|",
        *_change_rows(changes["idle"], expected),
        "| *under HTTP load:* | | | | | |",
        *_change_rows(changes["loaded"], expected),
    ]
    return "\n".join(lines)


def targets(report: dict[str, Any]) -> list[str]:
    viewers, changes = report["viewers"], report["changes"]
    everyone = all(c["received"] == viewers["connected"] for c in changes["idle"] + changes["loaded"])
    held = changes["held_at_end"]
    p99 = changes["idle_delays"]["p99"]
    fast = p99 is not None and p99 < FAN_OUT_TARGET
    measured = zip(viewers["kib_per_viewer"], viewers["rss_growth_kib"], strict=True)
    worst_memory = max((kib for kib, growth in measured if growth), default=0.0)
    http_errors = sum(r["errors"] for r in report["http"]["rows"]) + changes["background"]["errors"]
    lines = [
        f"- every viewer received every change: {'met' if everyone else 'NOT met'} ({held:,} of "
        f"{viewers['connected']:,} still connected at the end; those missed {changes['missed']} changes)",
        f"- HTTP errors: {http_errors} ({'met' if http_errors == 0 else 'NOT met'})",
        f"- Now & Next fan-out p99 under {FAN_OUT_TARGET:g} s at {min(viewers['per_process']):,}+ "
        f"viewers per process: {_seconds(p99)} ({'met' if fast else 'NOT met'})",
        f"- memory per viewer under {MEMORY_TARGET:g} KiB: {worst_memory:.1f} KiB in the web process "
        f"({'met' if worst_memory < MEMORY_TARGET else 'NOT met'}); "
        f"nginx adds {viewers['nginx_kib_per_viewer']:.1f} KiB",
    ]
    return lines + http_bench.targets(report["http"])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--viewers", type=int, default=5000, help="Socket.IO viewers per web process")
    parser.add_argument("--web-processes", type=int, default=2)
    parser.add_argument("--client-processes", type=int, default=4, help="processes the viewers run in")
    parser.add_argument("--polling-every", type=int, default=10, help="every Nth viewer starts with polling")
    parser.add_argument("--concurrency", type=int, default=25, help="handshakes in flight per client process")
    parser.add_argument("--changes", type=int, default=3, help="delays per phase (then one publication)")
    parser.add_argument("--seconds", type=float, default=10.0, help="per wrk row")
    parser.add_argument("--load-seconds", type=float, default=30.0, help="wrk run beside the changes")
    parser.add_argument("--job-seconds", type=float, default=10.0, help="the console solve's time limit")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--postgres", default="postgresql://postgres@127.0.0.1:5432/test", metavar="ADMIN_URL"
    )
    parser.add_argument("--connect-timeout", type=float, default=600.0)
    parser.add_argument("--trial-timeout", type=float, default=30.0)
    parser.add_argument(
        "--max-seconds", type=float, default=1800.0, help="viewers exit by themselves after this"
    )
    parser.add_argument("--json", type=Path, help="also write the raw numbers here")
    parser.add_argument(
        "--keep", type=Path, help="work in this folder and keep it (logs) instead of a temporary one"
    )
    args = parser.parse_args()
    for tool, install in (
        ("nginx", "apt-get install nginx"),
        ("wrk", "apt-get install wrk"),
        ("openssl", ""),
    ):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing: {install or 'apt-get install ' + tool}")
    if not redis_available():
        sys.exit("the benchmark needs Redis on 127.0.0.1:6379")
    limit = raise_file_limit()
    per_client_process = args.viewers * args.web_processes // args.client_processes
    if max(per_client_process, args.viewers) + 200 > limit:
        sys.exit(f"open-file limit {limit} is too low for {args.viewers} viewers per process")
    signal.signal(signal.SIGTERM, _interrupted)
    with ExitStack() as started:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
        workdir = args.keep or Path(
            started.enter_context(tempfile.TemporaryDirectory(prefix="production-bench-"))
        )
        report = run(args, workdir, started)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    command = "python -m bench.production_bench " + " ".join(sys.argv[1:])
    print(markdown(report, command.strip()))
    print()
    print("\n".join(targets(report)))


if __name__ == "__main__":
    main()
