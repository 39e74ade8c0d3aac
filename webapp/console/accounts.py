"""Accounts (admins only): add people, change roles, disable, reset passwords, issue API tokens."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from scheduler import accounts as domain
from scheduler.roles import ROLE_HELP, ROLES
from webapp.console import bp, operations
from webapp.db import get_db


def _page(status: int = 200, **shown: object) -> ResponseReturnValue:
    users = domain.users(get_db())
    return render_template(
        "console/accounts.html", users=users, roles=ROLES, role_help=ROLE_HELP, **shown
    ), status


@bp.get("/accounts")
def accounts() -> ResponseReturnValue:
    return _page()


@bp.post("/accounts")
def account_add() -> ResponseReturnValue:
    try:
        user, password = operations.add_account(
            request.form.get("email", ""), request.form.get("role", "viewer"), request.form.get("name", "")
        )
    except operations.ActionRefused as refused:
        return _page(refused.status, refused=refused)
    return _page(secret=(_("One-time password for %(email)s", email=user.email), password))


@bp.post("/accounts/<int:user_id>")
def account_change(user_id: int) -> ResponseReturnValue:
    change = request.form.get("change", "")
    try:
        user, secret = operations.change_account(
            user_id, change, request.form.get("role", ""), request.form.get("label", "")
        )
    except operations.ActionRefused as refused:
        if refused.status == 404:
            raise
        return _page(refused.status, refused=refused)
    if secret is None:
        return _page(done=_("%(email)s is updated.", email=user.email))
    label = (
        _("API token for %(email)s", email=user.email)
        if change == "token"
        else _("One-time password for %(email)s", email=user.email)
    )
    return _page(secret=(label, secret))
