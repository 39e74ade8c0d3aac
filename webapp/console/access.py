"""Who may open what in the console: one table, consulted before every console request.

Every endpoint of the console blueprint (pages and API) has exactly one row here: the least role
that may use it, or PUBLIC. A request to an endpoint without a row is refused, and
`tests/test_console_access.py` walks `app.url_map` so that a new route without a row fails the suite.
`verdict` applies the table to one request; the blueprint's guard turns its answer into a page or
a JSON refusal (kept apart so that the rules themselves hold no Flask and are mutation-tested).
"""

from __future__ import annotations

from enum import Enum
from typing import Final, Protocol

PUBLIC: Final = "public"
# A signed-in person of any role, even one who must still replace a one-time password.
SIGNED_IN: Final = "signed-in"

RULES: dict[str, str] = {
    # signing in and out
    "console.login": PUBLIC,
    "console.logout": SIGNED_IN,
    "console.password": SIGNED_IN,
    # reading
    "console.dashboard": "viewer",
    "console.problem": "viewer",
    "console.solve_page": "viewer",
    "console.job_page": "viewer",
    "console.versions": "viewer",
    "console.version": "viewer",
    "console.editor": "viewer",
    "console.day": "viewer",
    "console.reports": "viewer",
    "console.figures_page": "viewer",
    "console.figures_export": "viewer",
    "console.audit": "viewer",
    "console.outbox": "viewer",
    "console.outbox_message": "viewer",
    "console.upload_form": "editor",
    "console.upload_preview": "editor",
    # the team's writes
    "console.upload": "editor",
    "console.upload_apply": "editor",
    "console.solve_start": "editor",
    "console.job_stop": "editor",
    "console.publish": "editor",
    "console.editor_action": "editor",
    "console.editor_replan": "editor",
    "console.day_action": "editor",
    "console.report_settle": "editor",
    "console.outbox_edit": "editor",
    "console.outbox_send": "editor",
    "console.outbox_hold": "editor",
    "console.outbox_discard": "editor",
    "console.outbox_speaker_links": "editor",
    # accounts
    "console.accounts": "admin",
    "console.account_add": "admin",
    "console.account_change": "admin",
    # the API (same rules as the pages it mirrors)
    "console.api.openapi": PUBLIC,
    "console.api.me": SIGNED_IN,
    "console.api.dashboard": "viewer",
    "console.api.imports_create": "editor",
    "console.api.imports_get": "editor",
    "console.api.imports_apply": "editor",
    "console.api.jobs_list": "viewer",
    "console.api.jobs_create": "editor",
    "console.api.jobs_get": "viewer",
    "console.api.jobs_stop": "editor",
    "console.api.versions_list": "viewer",
    "console.api.versions_get": "viewer",
    "console.api.versions_publish": "editor",
    "console.api.draft_get": "viewer",
    "console.api.draft_edit": "editor",
    "console.api.draft_replan": "editor",
    "console.api.live_get": "viewer",
    "console.api.live_change": "editor",
    "console.api.reports_list": "viewer",
    "console.api.reports_settle": "editor",
    "console.api.figures": "viewer",
    "console.api.audit": "viewer",
    "console.api.outbox_list": "viewer",
    "console.api.outbox_get": "viewer",
    "console.api.outbox_edit": "editor",
    "console.api.outbox_send": "editor",
    "console.api.outbox_hold": "editor",
    "console.api.outbox_discard": "editor",
    "console.api.speaker_links": "editor",
    "console.api.users_list": "admin",
    "console.api.users_create": "admin",
    "console.api.users_change": "admin",
}


class Verdict(Enum):
    """What the console does with a request, before it looks at the request's content."""

    OPEN = "open"
    NO_RULE = "no rule"
    SIGN_IN = "sign in"
    CHANGE_PASSWORD = "change password"
    ROLE_TOO_LOW = "role too low"


class Person(Protocol):
    """Whoever sent the request: a signed-in account, an API token's owner, or anonymous."""

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def must_change_password(self) -> bool: ...

    def may(self, role: str) -> bool: ...


def verdict(endpoint: str, person: Person) -> Verdict:
    """Whether `person` may use `endpoint`, and if not, what stands in the way first."""
    rule = RULES.get(endpoint)
    if rule is None:
        # Fail closed: an endpoint nobody gave a rule is open to nobody (and the tests catch it).
        return Verdict.NO_RULE
    if rule == PUBLIC:
        return Verdict.OPEN
    if not person.is_authenticated:
        return Verdict.SIGN_IN
    # Someone with a one-time password may only sign out or choose a new one.
    if person.must_change_password and rule != SIGNED_IN:
        return Verdict.CHANGE_PASSWORD
    if rule != SIGNED_IN and not person.may(rule):
        return Verdict.ROLE_TOO_LOW
    return Verdict.OPEN
