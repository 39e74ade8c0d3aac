"""Throughput of every family of public GETs beside a static file on the same server (wrk).

    python -m bench.http_bench                 # the WSIS+20 sample on one web process, SQLite
    python -m bench.http_bench --postgres postgresql://postgres@127.0.0.1:5432/test
    python -m bench.http_bench --url http://127.0.0.1:5000   # a server already running

Without --url it loads data/wsis20-2025.problem.json into a database of its own, plans and
publishes it, and starts one web process as production runs it (`deploy/agenda@.service`:
gunicorn with deploy/gunicorn.conf.py) on a free loopback port. Then, for each row below, wrk
(`-t THREADS -c CONNECTIONS -d SECONDS`, bench/wrk_paths.lua) GETs the row's paths in turn:

- the static file `/static/style.css` (the yardstick: `vs static` is each row's throughput over it);
- pages, calendar feeds, exports, `schedule.json`/`.xml`, the JSON API: every public GET family,
  each a mix of its paths, plus the heaviest single paths on their own rows;
- the 304 path: every path that sent an ETag, asked again with `If-None-Match`;
- the static file and each family again with `Accept-Encoding: gzip`, as browsers ask (compared
  with the static file asked the same way): the app sends the compressed bytes it keeps, nginx
  compresses the static file itself.

Before the timed runs, each path is fetched once with `Accept-Encoding: gzip` (as a browser does;
nginx's gzip turns an ETag weak), then again with its ETag: the table says how many paths of each
family answered 304. Errors are socket errors and timeouts plus every status other than the one
expected (200, or 304 on the 304 row); they must be 0.

The issue's target: each family within a factor of 1.5 of the static file (`vs static` >= 0.67).
`bench.production_bench` runs the same rows through nginx. Loopback only; every run is bounded
by --seconds. Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import stack
from bench.solver_bench import machine

WRK_SCRIPT = Path(__file__).with_name("wrk_paths.lua")
STATIC = "/static/style.css"
PROBE = "/api/v1/event"  # a cheap GET the app answers itself
TARGET_RATIO = 1 / 1.5


@dataclass(frozen=True, slots=True)
class Row:
    """One wrk run: a name, the GET family it belongs to, the paths it cycles through."""

    name: str
    family: str
    paths: tuple[str, ...]
    conditional: bool = False  # send If-None-Match with each path's ETag, expect 304
    gzip: bool = False  # send Accept-Encoding: gzip, as browsers do


def _get(url: str, context: ssl.SSLContext | None, headers: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        return urllib.request.urlopen(request, timeout=30, context=context)
    except urllib.error.HTTPError as answer:  # 304 and errors are answers here
        return answer


def _timed(base: str, path: str, context: ssl.SSLContext | None) -> float:
    start = time.monotonic()
    with _get(base + path, context) as response:
        response.read()
    return time.monotonic() - start


def get_json(base: str, path: str, context: ssl.SSLContext | None) -> Any:
    return request_json(base, path, context)


def request_json(
    base: str,
    path: str,
    context: ssl.SSLContext | None,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> Any:
    """The JSON answer to a GET (a POST with `body`); an error status raises urllib's HTTPError."""
    request = urllib.request.Request(base + path, data=body, headers=headers or {})
    with urllib.request.urlopen(request, timeout=30, context=context) as response:
        return json.load(response)


def public_paths(base: str, context: ssl.SSLContext | None) -> dict[str, list[str]]:
    """Every public GET family's paths for the event `base` serves, found through its API."""
    sessions = get_json(base, "/api/v1/sessions", context)
    quote = lambda text: urllib.parse.quote(text, safe="")  # noqa: E731
    keys = [s["id"] for s in sessions][:: max(1, len(sessions) // 8)][:8]
    days = sorted({s["day"] for s in sessions})
    rooms = sorted({s["room"]["id"] for s in sessions})[:3]
    tracks = sorted({t for s in sessions for t in s["tracks"]})[:3]
    speakers = sorted({p["id"] for s in sessions for p in s["speakers"]})[:3]
    return {
        "pages": [
            "/",
            "/sessions",
            *(f"/sessions/{k}" for k in keys),
            *(f"/day/{d}" for d in days[:2]),
            "/rooms",
            *(f"/rooms/{r}" for r in rooms),
            "/tracks",
            *(f"/tracks/{quote(t)}" for t in tracks),
            "/speakers",
            *(f"/speakers/{p}" for p in speakers),
            "/changes",
            "/now",
        ],
        "feeds": [
            "/calendar/agenda.ics",
            *(f"/calendar/day/{d}.ics" for d in days[:2]),
            *(f"/calendar/room/{r}.ics" for r in rooms),
            *(f"/calendar/track/{quote(t)}.ics" for t in tracks),
            *(f"/calendar/speaker/{p}.ics" for p in speakers),
            *(f"/sessions/{k}.ics" for k in keys[:3]),
            "/changes.atom",
        ],
        "exports": ["/export/agenda.csv", "/export/agenda.xlsx"],
        "schedule": ["/schedule.json", "/schedule.xml"],
        "api": [
            "/api/v1/event",
            "/api/v1/days",
            "/api/v1/rooms",
            "/api/v1/tracks",
            "/api/v1/speakers",
            "/api/v1/versions",
            "/api/v1/sessions",
            *(f"/api/v1/sessions/{k}" for k in keys[:3]),
            *(f"/api/v1/speakers/{p}" for p in speakers),
        ],
    }


def rows_for(families: dict[str, list[str]]) -> list[Row]:
    rows = [Row("static file", "static", (STATIC,))]
    singles = {"pages": "/sessions", "feeds": "/calendar/agenda.ics", "api": "/api/v1/sessions"}
    for family, paths in families.items():
        rows.append(Row(f"{family} (mix of {len(paths)})", family, tuple(paths)))
        if family in singles:
            rows.append(Row(singles[family], family, (singles[family],)))
    # As browsers ask: gzip accepted (nginx compresses the static file, the app sends its own).
    rows.append(Row("static file, gzip", "static", (STATIC,), gzip=True))
    rows += [Row(f"{family} (mix of {len(paths)}), gzip", family, tuple(paths), gzip=True)
             for family, paths in families.items()]  # fmt: skip
    return rows


@dataclass(frozen=True, slots=True)
class Revalidation:
    """A path's ETag (as a gzip-accepting browser gets it), and the status of asking again with it."""

    path: str
    etag: str | None
    status: int | None


def revalidate(base: str, paths: Sequence[str], context: ssl.SSLContext | None) -> list[Revalidation]:
    found = []
    for path in paths:
        gzip = {"Accept-Encoding": "gzip"}
        with _get(base + path, context, gzip) as first:
            if first.status != 200:
                raise stack.StackError(f"GET {path} answered {first.status}")
            first.read()
            etag = first.headers.get("ETag")
        status = None
        if etag:
            with _get(base + path, context, {**gzip, "If-None-Match": etag}) as again:
                again.read()
                status = again.status
        found.append(Revalidation(path, etag, status))
    return found


def plain_etags(base: str, paths: Sequence[str], context: ssl.SSLContext | None) -> dict[str, str]:
    """Each path's ETag as wrk gets it (no Accept-Encoding), for the 304 row."""
    etags = {}
    for path in paths:
        with _get(base + path, context) as response:
            response.read()
            if response.headers.get("ETag"):
                etags[path] = response.headers["ETag"]
    return etags


@dataclass(frozen=True, slots=True)
class Load:
    seconds: float = 10.0
    connections: int = 20
    threads: int = 2


def wrk(base: str, lines: Sequence[str], load: Load, workdir: Path, gzip: bool = False) -> dict[str, Any]:
    """One wrk run over `lines` ("PATH" or "PATH<TAB>ETAG"), accepting gzip or not; wrk_paths.lua's
    JSON summary."""
    listing = workdir / "wrk-paths.tsv"
    listing.write_text("".join(line + "\n" for line in lines))
    command = [
        "wrk",
        f"-t{load.threads}",
        f"-c{load.connections}",
        f"-d{load.seconds:g}s",
        "--timeout",
        "10s",
        "-s",
        str(WRK_SCRIPT),
        base,
        "--",
        str(listing),
        *(["gzip"] if gzip else []),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=load.seconds + 60)
    found = re.search(r"^WRK_JSON (.*)$", done.stdout, re.MULTILINE)
    if done.returncode != 0 or found is None:
        raise stack.StackError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return json.loads(found.group(1))


@contextmanager
def wrk_in_background(base: str, lines: Sequence[str], load: Load, workdir: Path) -> Iterator[list[dict]]:
    """A wrk run beside other work: yields a list that holds wrk's summary once the block ends."""
    import threading

    result: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            result.append(wrk(base, lines, load, workdir))
        except BaseException as error:  # reported by the caller's thread
            errors.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield result
    finally:
        thread.join(timeout=load.seconds + 90)
        if errors:
            raise errors[0]


def settle(base: str, context: ssl.SSLContext | None, quiet: float, limit: float = 60.0) -> float:
    """Wait until the server is idle again (a cheap GET answers within `quiet` s twice running),
    so the requests a run left in flight do not slow the next one. Returns the seconds waited."""
    start = time.monotonic()
    fast = 0
    while fast < 2 and time.monotonic() - start < limit:
        before = time.monotonic()
        with _get(base + PROBE, context) as response:
            response.read()
        fast = fast + 1 if time.monotonic() - before < quiet else 0
        time.sleep(0.2)
    return time.monotonic() - start


def measured(row: Row, summary: dict[str, Any]) -> dict[str, Any]:
    expected = "304" if row.conditional else "200"
    statuses = summary["statuses"]
    unexpected = sum(count for status, count in statuses.items() if status != expected)
    sockets = sum(summary[k] for k in ("connect", "read", "write", "timeout"))
    return {
        "row": row.name,
        "family": row.family,
        "paths": len(row.paths),
        "path_list": row.paths,
        "requests": summary["requests"],
        "rps": summary["requests"] / summary["seconds"],
        "p50_ms": summary["p50_us"] / 1000,
        "p99_ms": summary["p99_us"] / 1000,
        "errors": sockets + unexpected,
        "statuses": statuses,
    }


def run_rows(
    base: str, context: ssl.SSLContext | None, load: Load, workdir: Path, log: Any = sys.stderr
) -> dict[str, Any]:
    """Every row against `base`: the revalidation check, then one wrk run per row."""
    families = public_paths(base, context)
    checks = {family: revalidate(base, paths, context) for family, paths in families.items()}
    everything = [path for paths in families.values() for path in paths]
    etags = plain_etags(base, everything, context)
    rows = rows_for(families)
    if etags:
        rows.append(Row("304 with If-None-Match", "304", tuple(etags), conditional=True))
    quiet = max(0.1, 3 * min(_timed(base, PROBE, context) for _ in range(5)))
    results = []
    for row in rows:
        settle(base, context, quiet)
        lines = [f"{p}\t{etags[p]}" if row.conditional else p for p in row.paths]
        results.append(measured(row, wrk(base, lines, load, workdir, row.gzip)))
        print(json.dumps(results[-1]), file=log, flush=True)
    # Each row against the static file fetched the same way (gzip accepted or not).
    pairs = list(zip(rows, results, strict=True))
    static = {row.gzip: result["rps"] for row, result in pairs if row.family == "static"}
    for row, result in pairs:
        result["vs_static"] = result["rps"] / static[row.gzip]
    return {
        "base": base,
        "load": asdict(load),
        "rows": results,
        "not_modified": {r.path: r.status == 304 for found in checks.values() for r in found},
        "without_304": {
            family: [r.path for r in found if r.status != 304]
            for family, found in checks.items()
            if any(r.status != 304 for r in found)
        },
    }


def markdown(result: dict[str, Any]) -> str:
    not_modified = result["not_modified"]
    lines = [
        "| GET | paths | req/s | vs static | p50 | p99 | errors | 304 on If-None-Match |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in result["rows"]:
        if r["family"] == "304":
            answered = f"{r['statuses'].get('304', 0)}/{r['requests']} requests"
        elif r["family"] == "static":
            answered = "-"
        else:
            answered = f"{sum(not_modified[p] for p in r['path_list'])}/{r['paths']} paths"
        lines.append(
            f"| {r['row']} | {r['paths']} | {r['rps']:,.0f} | {r['vs_static']:.2f} | {r['p50_ms']:.1f} ms "
            f"| {r['p99_ms']:.1f} ms | {r['errors']} | {answered} |"
        )
    return "\n".join(lines)


def targets(result: dict[str, Any]) -> list[str]:
    """The issue's two HTTP targets, met or not, by how much."""
    lines = []
    for r in result["rows"]:
        if r["family"] in ("304", "static"):
            continue
        verdict = (
            "met"
            if r["vs_static"] >= TARGET_RATIO
            else f"NOT met: {r['vs_static']:.3f}, the target is {TARGET_RATIO:.2f} (1/1.5)"
        )
        lines.append(f"- {r['row']}: {r['vs_static']:.2f} of the static file's throughput ({verdict})")
    for family, paths in result["without_304"].items():
        lines.append(f"- no 304 on If-None-Match for {family}: {', '.join(paths)}")
    if not result["without_304"]:
        lines.append("- every path answered 304 on If-None-Match: met")
    return lines


def load_average() -> str:
    """What else ran: the machine's load average (1, 5, 15 min) now."""
    return "/".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="measure this running server instead of starting one")
    parser.add_argument(
        "--postgres", metavar="ADMIN_URL", help="load the sample into a new PostgreSQL database"
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="per wrk run (default 10)")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    load = Load(args.seconds, args.connections, args.threads)
    started_load = load_average()
    with tempfile.TemporaryDirectory(prefix="http-bench-") as tmp, ExitStack() as started:
        workdir = Path(tmp)
        base = args.url
        if base is None:
            env = stack.bench_env(workdir, started, args.postgres)
            stack.load_sample(env)
            base = started.enter_context(stack.web_process(env, stack.free_port(), workdir / "web.log"))
        result = run_rows(base.rstrip("/"), None, load, workdir)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    print(f"{machine()}; load average {started_load} at the start, {load_average()} at the end.")
    print(f"\n    python -m bench.http_bench {' '.join(sys.argv[1:])}\n")
    print(markdown(result))
    print()
    print("\n".join(targets(result)))


if __name__ == "__main__":
    main()
