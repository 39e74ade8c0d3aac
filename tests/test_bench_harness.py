"""The benchmarks' bookkeeping: what counts as an HTTP error, and as a viewer's receipt of a change."""

from __future__ import annotations

import json
import time
from pathlib import Path

from bench.http_bench import Row, measured
from bench.sio_fleet import _Viewers, delay_key, version_key


def _summary(statuses: dict[str, int], **errors: int) -> dict[str, object]:
    counts = {"connect": 0, "read": 0, "write": 0, "timeout": 0, **errors}
    total = sum(statuses.values())
    return {"requests": total, "seconds": 2.0, "p50_us": 1500, "p99_us": 9000, "statuses": statuses, **counts}


def test_every_status_but_the_expected_one_and_every_socket_error_is_an_error() -> None:
    page = Row("pages", "pages", ("/", "/sessions"))
    assert measured(page, _summary({"200": 100}))["errors"] == 0
    assert measured(page, _summary({"200": 90, "304": 4, "502": 6}, timeout=3))["errors"] == 13
    revalidated = Row("304", "304", ("/",), conditional=True)
    result = measured(revalidated, _summary({"304": 95, "200": 5}))
    assert result["errors"] == 5
    assert result["rps"] == 50.0 and result["p50_ms"] == 1.5


def test_a_viewer_counts_each_change_once_and_ignores_what_it_does_not_follow(tmp_path: Path) -> None:
    viewers = _Viewers(2, tmp_path / "out.json")
    first, second = set(), set()
    sent = time.time() - 0.25
    delayed = {"session": "s-1", "delay_minutes": 5, "sent_at": sent}
    viewers.heard(first, "session_state", delayed)
    viewers.heard(first, "session_state", delayed)
    viewers.heard(second, "session_state", delayed)
    viewers.heard(first, "session_state", {"session": "s-1", "delay_minutes": 0, "sent_at": sent})
    viewers.heard(second, "agenda_changed", {"version": 7, "changes": [], "sent_at": sent})
    viewers.report()
    report = json.loads((tmp_path / "out.json").read_text())
    assert sorted(report["received"]) == sorted([delay_key("s-1", 5), version_key(7)])
    assert len(report["received"][delay_key("s-1", 5)]) == 2
    assert report["duplicates"] == 1
    assert all(0.2 < latency < 5 for latency in report["received"][version_key(7)])
