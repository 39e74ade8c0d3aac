"""Signing in, choosing a new password, signing out."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from scheduler import accounts
from scheduler.models import User
from webapp.console import bp
from webapp.console.auth import actor, lockout, start_session
from webapp.db import get_db
from webapp.redirects import safe_next


def _next_page() -> str:
    """Where to go after signing in: a console page the request names, else the dashboard."""
    return safe_next(url_for("console.dashboard"), under="/console")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(_next_page())
        return render_template("console/login.html", next=safe_next("", under="/console"))
    db = get_db()
    email = request.form.get("email", "")
    try:
        user = accounts.sign_in(
            db, email, request.form.get("password", ""), lockout=lockout(current_app.config), via="console"
        )
    except accounts.SignInRefused as refused:
        db.commit()  # the failure counts towards the lockout
        if refused.retry_at is not None:
            message = _(
                "Too many failed attempts: try again after %(time)s UTC.", time=f"{refused.retry_at:%H:%M:%S}"
            )
        else:
            message = _("The email or the password is not right.")
        page = render_template(
            "console/login.html", error=message, email=email, next=safe_next("", under="/console")
        )
        return page, 401
    db.commit()
    start_session(user)
    if user.must_change_password:
        return redirect(url_for("console.password"))
    return redirect(_next_page())


@bp.route("/password", methods=["GET", "POST"])
def password() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("console/password.html")
    db = get_db()
    user = db.get(User, current_user.user_id)
    new = request.form.get("new_password", "")
    if new != request.form.get("repeat_password", ""):
        return render_template("console/password.html", error=_("The two new passwords differ.")), 400
    try:
        accounts.change_password(db, user, request.form.get("current_password", ""), new, actor=actor())
    except accounts.AccountError as error:
        db.rollback()
        return render_template("console/password.html", error=str(error)), 400
    db.commit()
    start_session(user)  # the new epoch: other browsers are signed out, this one stays in
    flash(_("Your password is changed."))
    return redirect(url_for("console.dashboard"))


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    logout_user()
    flash(_("You are signed out."))
    return redirect(url_for("console.login"))
