"""Accessibility checks with axe-core (npm, in tests/js) inside the pages a browser test opens.

axe-core is evaluated in the page through the browser's debugging protocol, not added as a script
tag, so the site's Content-Security-Policy need not allow it. The rules are WCAG 2.0, 2.1 and 2.2,
levels A and AA: the bar every page of the project meets.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

AXE_SCRIPT = Path(__file__).resolve().parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa")


@cache
def _source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


def violations(page: Any) -> list[dict[str, Any]]:
    """axe's violations of the WCAG A and AA rules on the page as it is now, each with its nodes."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_source())
    return page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then(r => r.violations)",
        list(WCAG_TAGS),
    )


def summary(found: list[dict[str, Any]]) -> str:
    """One line per violation and node, for an assertion message a person can act on."""
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {node['target']}" for v in found for node in v["nodes"]
    )


def assert_accessible(page: Any, where: str = "") -> None:
    """Fail with every violation listed, naming the page."""
    found = violations(page)
    assert not found, f"axe-core: {len(found)} rule(s) violated on {where or page.url}:\n{summary(found)}"
