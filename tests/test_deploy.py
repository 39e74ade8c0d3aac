"""deploy/: the production configuration the guide quotes and the benchmark runs.

The guide (docs/deployment.md) quotes every file as it is; gunicorn accepts its settings; and
Debian's nginx, given deploy/nginx/ rendered for loopback as bench.production_bench renders it,
starts, serves the static files itself, and keeps each Socket.IO client on the process that
`ip_hash` picks for its address (the benchmark relies on that to split its viewers evenly).
"""

from __future__ import annotations

import http.client
import re
import runpy
import shutil
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench import stack

REPO = Path(__file__).resolve().parent.parent
DEPLOY_FILES = sorted(p for p in (REPO / "deploy").rglob("*") if p.is_file())
FENCED = re.compile(r"^```[a-z]*\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def test_the_deployment_guide_quotes_every_deploy_file_as_it_is() -> None:
    guide = (REPO / "docs" / "deployment.md").read_text()
    quoted = set(FENCED.findall(guide))
    assert DEPLOY_FILES
    for path in DEPLOY_FILES:
        name = path.relative_to(REPO).as_posix()
        assert f"`{name}`" in guide, f"docs/deployment.md does not name {name}"
        assert path.read_text() in quoted, f"docs/deployment.md quotes an old copy of {name}"


def test_gunicorn_takes_every_setting_of_the_config_file() -> None:
    from gunicorn.config import Config

    values = {k: v for k, v in runpy.run_path(str(stack.DEPLOY / "gunicorn.conf.py")).items() if k[0] != "_"}
    config = Config()
    unknown = sorted(set(values) - set(config.settings))
    assert not unknown, f"not gunicorn settings: {unknown}"
    for name, value in values.items():
        config.set(name, value)
    assert config.worker_class_str == "gevent"
    assert config.workers == 1


def test_the_benchmark_runs_the_units_command() -> None:
    assert stack.web_command(8123) == [
        str(REPO / ".venv" / "bin" / "gunicorn"),
        "--config",
        str(REPO / "deploy" / "gunicorn.conf.py"),
        "--bind",
        "127.0.0.1:8123",
        "webapp:create_app()",
    ]
    assert stack.upstream_ports() == [8001, 8002, 8003, 8004]


class _Answer(BaseHTTPRequestHandler):
    """Answers every GET with the port it listens on: which web process nginx chose."""

    def do_GET(self) -> None:
        body = str(self.server.server_address[1]).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def upstreams() -> Iterator[list[int]]:
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _Answer) for _ in range(2)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield [s.server_address[1] for s in servers]
    for server in servers:
        server.shutdown()
        server.server_close()


def _get(port: int, path: str, context: ssl.SSLContext, source: str = "127.0.0.1") -> tuple[int, bytes]:
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, source_address=(source, 0))
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


NginxRun = tuple[int, ssl.SSLContext, Path]
NEEDS_NGINX = pytest.mark.skipif(shutil.which("nginx") is None, reason="Debian's nginx is not installed")


@pytest.fixture
def running_nginx(tmp_path: Path, upstreams: list[int]) -> Iterator[NginxRun]:
    """deploy/nginx/ rendered for loopback and running: its port, a TLS context that trusts it, its config."""
    certificate, key = stack.self_signed_certificate(tmp_path)
    listen = stack.free_port()
    conf = stack.render_nginx(tmp_path, listen, upstreams, certificate, key)
    context = ssl.create_default_context(cafile=str(certificate))
    with stack.nginx(conf, listen, context):
        yield listen, context, conf


@pytest.mark.slow
@NEEDS_NGINX
def test_the_rendered_nginx_config_serves_and_keeps_each_socketio_client_on_its_process(
    running_nginx: NginxRun, upstreams: list[int]
) -> None:
    listen, context, _conf = running_nginx
    status, css = _get(listen, "/static/style.css", context)
    assert status == 200 and css == (REPO / "webapp" / "static" / "style.css").read_bytes()
    sources = stack.balanced_sources(2, 2)
    for source in sources:
        chosen = upstreams[stack.ip_hash_peer(source, 2)]
        for _ in range(3):
            assert _get(listen, "/socket.io/?EIO=4&transport=polling", context, source) == (
                200,
                str(chosen).encode(),
            )
    reached = {_get(listen, "/", context, source)[1] for source in sources for _ in range(4)}
    assert reached == {str(port).encode() for port in upstreams}


# --- what the shipped nginx adds: no capability token in its access log, HSTS, the health check --------

NGINX_MAIN = (REPO / "deploy" / "nginx" / "nginx.conf").read_text()
NGINX_SITE = (REPO / "deploy" / "nginx" / "agenda.conf").read_text()
TOKEN = "Zq3-x_9KmT0aLw8vYp2RcN5dFg7hJk1sUe4iOb6tXy"
ADDRESSES_WITH_TOKENS = [f"/my/{TOKEN}", f"/speaker/{TOKEN}", f"/calendar/my/{TOKEN}.ics",
                         f"/join/s-open?t={TOKEN}", f"/join/s-open?lang=fr&t={TOKEN}"]  # fmt: skip


def _logged_address(uri: str) -> str:
    """What the access log records for `uri`: the `$loggable_uri` map applied as nginx applies it
    (the first regex that matches; PCRE's `(?<name>` is Python's `(?P<name>`)."""
    block = re.search(r"map \$request_uri \$loggable_uri \{\n(.*?)\n\s*\}", NGINX_MAIN, re.DOTALL)
    assert block, "nginx.conf has no $loggable_uri map"
    for line in block.group(1).splitlines():
        if line.strip().startswith("default"):
            continue
        pattern, replacement = re.findall(r'"([^"]*)"', line)
        found = re.search(pattern.removeprefix("~").replace("(?<", "(?P<"), uri)
        if found:
            return found.expand(re.sub(r"\$(\w+)", r"\\g<\1>", replacement))
    return uri


@pytest.mark.parametrize("uri", ADDRESSES_WITH_TOKENS)
def test_the_access_log_never_records_a_capability_token(uri: str) -> None:
    logged = _logged_address(uri)
    assert TOKEN not in logged and logged.split("/")[1] == uri.split("/")[1], logged


def test_other_addresses_are_logged_as_they_are() -> None:
    for uri in ("/sessions?q=youth", "/day/2025-07-08", "/my", "/speakers/sp-1", "/calendar.ics"):
        assert _logged_address(uri) == uri


def test_the_log_format_takes_the_address_only_from_the_map() -> None:
    log_format = re.search(r"log_format agenda (.*?);", NGINX_MAIN, re.DOTALL)
    assert log_format and "access_log /var/log/nginx/access.log agenda;" in NGINX_MAIN
    assert "$loggable_uri" in log_format.group(1)
    for raw in ("$request ", "$request\"", "$request_uri", "$uri", "$args", "$query_string", "$http_referer"):
        assert raw not in log_format.group(1), raw


def test_the_site_sends_hsts_and_offers_the_health_check() -> None:
    assert 'add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;' in NGINX_SITE
    assert "location = /healthz {" in NGINX_SITE


@pytest.mark.slow
@NEEDS_NGINX
def test_the_running_nginx_logs_addresses_without_tokens_and_sends_hsts(running_nginx: NginxRun) -> None:
    listen, context, conf = running_nginx
    for uri in ADDRESSES_WITH_TOKENS:
        assert _get(listen, uri, context)[0] == 200
    connection = http.client.HTTPSConnection("127.0.0.1", listen, context=context)
    connection.request("GET", "/")
    hsts = connection.getresponse().getheader("Strict-Transport-Security")
    assert hsts == "max-age=63072000; includeSubDomains"
    connection.close()
    log = (conf.parent / "access.log").read_text()
    assert "/my/[token]" in log and "/join/s-open?[query]" in log
    assert TOKEN not in log
