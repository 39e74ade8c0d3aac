"""The production layout of docs/deployment.md, started on loopback for the benchmarks.

Every piece runs from the files in `deploy/`, the ones a server is set up from:

- `web_process`: the systemd unit's `ExecStart` (`gunicorn --config deploy/gunicorn.conf.py ...`),
  with only the install path and the port (`%i`) filled in;
- `nginx`: `deploy/nginx/` rendered by `render_nginx` for an unprivileged nginx in a temporary
  folder: the listening port, the upstream ports, and paths (logs, pid, temp files, the TLS
  certificate, the static files) change; nothing else does;
- `postgres_database`: a database of its own on the running PostgreSQL, dropped afterwards;
- `job_worker`: the hook for the job queue's worker process (`scheduler worker`), started once
  the command exists.

Each is a context manager that stops what it started, however the block ends.
"""

from __future__ import annotations

import os
import pwd
import re
import secrets
import shlex
import ssl
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

from scheduler.cli.site import DEMO_CLOCK, SAMPLE_PROBLEM
from tests.test_live_data import REDIS_URL, cli
from tests.test_live_data import free_port as free_port  # re-exported for the benchmarks

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
NGINX_MAIN = DEPLOY / "nginx" / "nginx.conf"
NGINX_SITE = DEPLOY / "nginx" / "agenda.conf"
NGINX_SERVERS = DEPLOY / "nginx" / "agenda-servers.conf"
UNIT = DEPLOY / "agenda@.service"
INSTALL_PATH = "/srv/agenda"  # where docs/deployment.md installs the code
SERVER_LINE = re.compile(r"^server 127\.0\.0\.1:(\d+);$", re.MULTILINE)


class StackError(RuntimeError):
    """A piece of the layout that would not start, with what it said."""


# --- processes and what they use -----------------------------------------------------------------


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    found.append(int(entry.name))
    return found


def established(port: int) -> int:
    """TCP connections established to a local listening `port` (IPv4, this network namespace)."""
    wanted = f":{port:04X}"
    count = 0
    with open("/proc/net/tcp") as table:
        next(table)
        for line in table:
            fields = line.split()
            if fields[1].endswith(wanted) and fields[3] == "01":
                count += 1
    return count


def stop(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_up(
    url: str, process: subprocess.Popen[bytes], log: Path, context: ssl.SSLContext | None
) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StackError(f"{process.args!r} exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2, context=context):
                return
        except OSError:
            time.sleep(0.2)
    raise StackError(f"{url} did not answer within 60 s:\n{log.read_text()}")


# --- the web processes ---------------------------------------------------------------------------


def web_command(port: int) -> list[str]:
    """The systemd unit's command for one web process on `port`, installed here instead of /srv."""
    lines = [line for line in UNIT.read_text().splitlines() if line.startswith("ExecStart=")]
    if len(lines) != 1:
        raise StackError(f"{UNIT} must have one ExecStart line")
    words = shlex.split(lines[0].removeprefix("ExecStart="))
    return [w.replace(INSTALL_PATH, str(REPO)).replace("%i", str(port)) for w in words]


class Process(str):
    """A started server's base URL, which also knows its process id and port."""

    pid: int
    port: int


@contextmanager
def web_process(env: dict[str, str], port: int, log: Path) -> Iterator[Process]:
    """One gunicorn web process, as `agenda@PORT` runs it; yields its base URL."""
    command = web_command(port)
    if not Path(command[0]).exists():
        raise StackError(f"{command[0]} is missing: pip install -e '.[production]'")
    with log.open("w") as output:
        process = subprocess.Popen(command, env=env, cwd=REPO, stdout=output, stderr=subprocess.STDOUT)
    try:
        base = Process(f"http://127.0.0.1:{port}")
        base.pid, base.port = process.pid, port
        wait_until_up(base + "/api/v1/event", process, log, None)
        yield base
    finally:
        stop(process, grace=35)  # gunicorn's graceful_timeout is 30 s


def worker_pid(master: int) -> int:
    """The single gevent worker of a gunicorn master (it holds the connections)."""
    workers = children_of(master)
    if len(workers) != 1:
        raise StackError(f"gunicorn {master} has {len(workers)} workers, not 1")
    return workers[0]


@contextmanager
def job_worker(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """The job queue's worker (`scheduler worker` on RQ), as `agenda-worker@.service` runs it beside
    the web processes: solves started from the console run in it."""
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "scheduler", "worker"], env=env, cwd=REPO, stdout=output, stderr=output
        )
    try:
        time.sleep(1)
        if process.poll() is not None:
            raise StackError(f"`scheduler worker` exited with {process.returncode}:\n{log.read_text()}")
        yield process
    finally:
        stop(process)


# --- nginx ---------------------------------------------------------------------------------------


def substitute(text: str, replacements: dict[str, str], name: str) -> str:
    """`text` with each key replaced; a key that is not there is an error (the file changed)."""
    for old, new in replacements.items():
        if old not in text:
            raise StackError(f"{name} no longer contains {old!r}: update bench/stack.py")
        text = text.replace(old, new)
    return text


def upstream_ports() -> list[int]:
    """The ports the shipped configuration lists (8001, 8002, ...)."""
    return [int(port) for port in SERVER_LINE.findall(NGINX_SERVERS.read_text())]


def render_nginx(
    workdir: Path, listen: int, ports: Sequence[int], certificate: Path, key: Path, user: str | None = None
) -> Path:
    """deploy/nginx/ for an nginx run from `workdir` by this user: returns the main file's path.

    Only ports and paths change (and the user the workers run as): the limits, upstreams,
    stickiness, proxy headers, TLS and timeouts are the shipped ones.
    """
    conf = workdir / "nginx"
    (conf / "sites-enabled").mkdir(parents=True, exist_ok=True)
    (conf / "conf.d").mkdir(exist_ok=True)
    temp = conf / "temp"
    temp.mkdir(exist_ok=True)
    servers = conf / "agenda-servers.conf"
    lines = NGINX_SERVERS.read_text()
    if not upstream_ports():
        raise StackError(f"{NGINX_SERVERS} lists no `server 127.0.0.1:PORT;` line")
    comments = "".join(line + "\n" for line in lines.splitlines() if line.startswith("#"))
    servers.write_text(comments + "".join(f"server 127.0.0.1:{port};\n" for port in ports))
    site = substitute(
        NGINX_SITE.read_text(),
        {
            "/etc/nginx/agenda-servers.conf": str(servers),
            "listen 443 ": f"listen 127.0.0.1:{listen} ",
            "/etc/letsencrypt/live/agenda.example.org/fullchain.pem": str(certificate),
            "/etc/letsencrypt/live/agenda.example.org/privkey.pem": str(key),
            f"{INSTALL_PATH}/": f"{REPO}/",
        },
        NGINX_SITE.name,
    )
    (conf / "sites-enabled" / "agenda").write_text(site)
    temp_paths = "".join(
        f"    {kind}_temp_path {temp / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = substitute(
        NGINX_MAIN.read_text(),
        {
            "user www-data;": f"user {user or pwd.getpwuid(os.geteuid()).pw_name};",
            "/run/nginx.pid": str(conf / "nginx.pid"),
            "/var/log/nginx/": f"{conf}/",
            "/etc/nginx/conf.d/": f"{conf / 'conf.d'}/",
            "/etc/nginx/sites-enabled/": f"{conf / 'sites-enabled'}/",
            "http {\n": "http {\n" + temp_paths,
        },
        NGINX_MAIN.name,
    )
    path = conf / "nginx.conf"
    path.write_text(main)
    return path


def nginx_command(conf: Path) -> list[str]:
    """nginx in the foreground (so the benchmark holds it), prefix and early error log in `conf`'s folder."""
    folder = conf.parent
    return [
        "nginx",
        "-p",
        f"{folder}/",
        "-c",
        str(conf),
        "-e",
        str(folder / "error.log"),
        "-g",
        "daemon off;",
    ]


def check_nginx(conf: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*nginx_command(conf)[:-2], "-t"], capture_output=True, text=True, timeout=30)


class Nginx(str):
    """The running nginx's base URL; knows its master's process id."""

    pid: int

    def pids(self) -> list[int]:
        return [self.pid, *children_of(self.pid)]


@contextmanager
def nginx(conf: Path, listen: int, context: ssl.SSLContext) -> Iterator[Nginx]:
    checked = check_nginx(conf)
    if checked.returncode != 0:
        raise StackError(f"nginx -t refused {conf}:\n{checked.stderr}")
    log = conf.parent / "stdout.log"
    with log.open("w") as output:
        process = subprocess.Popen(nginx_command(conf), stdout=output, stderr=subprocess.STDOUT)
    try:
        base = Nginx(f"https://127.0.0.1:{listen}")
        base.pid = process.pid
        wait_until_up(base + "/api/v1/event", process, conf.parent / "error.log", context)
        yield base
    finally:
        stop(process)  # SIGTERM: nginx's fast shutdown, workers included


def self_signed_certificate(workdir: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (nginx's TLS, as in production); clients trust it by name."""
    certificate, key = workdir / "tls.crt", workdir / "tls.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        + ["-keyout", str(key), "-out", str(certificate), "-days", "2", "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    return certificate, key


def ip_hash_peer(address: str, peers: int) -> int:
    """The upstream (0-based) nginx's `ip_hash` picks for an IPv4 client among `peers` equal ones:
    ngx_http_upstream_get_ip_hash_peer hashes the first three octets."""
    value = 89
    for octet in address.split(".")[:3]:
        value = (value * 113 + int(octet)) % 6271
    return value % peers


def balanced_sources(peers: int, per_peer: int) -> list[str]:
    """Loopback addresses to connect from, `per_peer` of them for each upstream under `ip_hash`,
    interleaved: viewers come from many networks, and these spread as evenly as they would."""
    chosen: list[list[str]] = [[] for _ in range(peers)]
    for third in range(1, 256):
        for second in range(0, 256):
            address = f"127.{second}.{third}.1"
            peer = chosen[ip_hash_peer(address, peers)]
            if len(peer) < per_peer:
                peer.append(address)
            if all(len(c) == per_peer for c in chosen):
                return [a for group in zip(*chosen, strict=True) for a in group]
    raise StackError("not enough loopback networks")


# --- the database and the event ------------------------------------------------------------------


def bench_env(workdir: Path, started: ExitStack, postgres: str | None, queue: bool = False) -> dict[str, str]:
    """Settings shared by the web processes and the CLI: a database of the benchmark's own
    (SQLite in `workdir`, or a new PostgreSQL database on the server of the admin URL `postgres`,
    dropped when `started` closes), the event clock at a busy moment of the sample event, and with
    `queue` a Redis channel of its own."""
    database = (
        started.enter_context(postgres_database(postgres))
        if postgres
        else f"sqlite:///{workdir / 'agenda.db'}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "INSTANCE_PATH": str(workdir),
        "SECRET_KEY": secrets.token_hex(32),
        "AGENDA_CLOCK": DEMO_CLOCK,
    }
    if queue:
        env["SOCKETIO_MESSAGE_QUEUE"] = REDIS_URL
        env["SOCKETIO_CHANNEL"] = f"bench-{uuid.uuid4().hex}"
        # Solves started from the console go to the `scheduler worker` beside the web processes.
        env["JOB_QUEUE_URL"] = REDIS_URL
        env["JOB_QUEUE_NAME"] = f"bench-{uuid.uuid4().hex}"
    return env


def scheduler(env: dict[str, str], *args: str) -> str:
    """`scheduler ARGS` as the programme team runs it; its output, or StackError if it failed."""
    done = cli(env, *args)
    if done.returncode != 0:
        raise StackError(
            f"scheduler {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )
    return done.stdout


def load_sample(env: dict[str, str], drafts: int = 0) -> list[int]:
    """Import the WSIS+20 sample event, plan it and publish the agenda; then plan `drafts` more
    drafts (other seeds) for the benchmark to publish later. Returns their version numbers."""
    scheduler(env, "import", str(SAMPLE_PROBLEM))
    scheduler(env, "plan", "--time-limit", "3")
    scheduler(env, "publish")
    numbers = []
    for seed in range(1, drafts + 1):
        planned = scheduler(env, "plan", "--time-limit", "3", "--seed", str(seed))
        found = re.match(r"draft version (\d+):", planned)
        if found is None:
            raise StackError(f"`scheduler plan` said no draft number:\n{planned}")
        numbers.append(int(found.group(1)))
    return numbers


# --- PostgreSQL ----------------------------------------------------------------------------------


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A new database on the server of `admin_url`, dropped afterwards; yields its URL."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"agenda_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
