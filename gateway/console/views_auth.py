"""Log in, log out and choose the language."""

from __future__ import annotations

import hmac
import secrets

from flask import g, make_response, redirect, render_template, request, url_for

from campaigns.common.errors import AuthenticationFailed
from campaigns.identity import audit, staff_sessions
from campaigns.models.base import utcnow
from gateway.console import console
from gateway.console.i18n import LANGUAGES
from gateway.console.web import (
    LANGUAGE_COOKIE,
    SESSION_COOKIE,
    _,
    clear_session_cookie,
    client_ip,
    login_policy,
    safe_next,
    set_session_cookie,
)
from gateway.runtime import current_runtime
from gateway.web.session import db

LOGIN_CSRF_COOKIE = "gridcast_login_csrf"


def _login_page(status: int = 200, error: str = "", username: str = ""):
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    page = render_template(
        "console/login.html",
        error=error,
        username=username,
        login_csrf=token,
        next=safe_next(request.values.get("next")),
    )
    response = make_response(page, status)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        path="/console/login",
        secure=current_runtime().settings.secure_cookies,
    )
    return response


@console.get("/login")
def login():
    return _login_page()


@console.post("/login")
def login_submit():
    """Check the login form's own CSRF token (there is no session yet), then the password; a new session replaces
    whatever session cookie the browser had."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    sent = request.form.get("csrf_token") or ""
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        return _login_page(400, _("The form expired or was sent from elsewhere: reload the page and try again."))
    username = request.form.get("username", "")
    now = utcnow()
    staff_sessions.log_out(db(), request.cookies.get(SESSION_COOKIE), now, reason="new_login")
    try:
        started = staff_sessions.log_in(
            db(), username, request.form.get("password", ""), client_ip(), now, login_policy()
        )
    except staff_sessions.TooManyAttempts as exc:
        db().commit()
        message = _("Too many failed logins: try again in {seconds} seconds.", seconds=exc.retry_after)
        response = _login_page(429, message, username)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except AuthenticationFailed as exc:
        db().commit()
        return _login_page(401, _(exc.message), username)
    g.actor = started.actor
    audit.record_action(db(), started.actor, "session.login", now, target=started.actor.username)
    response = redirect(safe_next(request.form.get("next")))
    set_session_cookie(response, started.token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/console/login")
    return response


@console.post("/logout")
def logout():
    staff_sessions.log_out(db(), request.cookies.get(SESSION_COOKIE), utcnow())
    response = redirect(url_for("console.login"))
    clear_session_cookie(response)
    return response


@console.get("/language/<code>")
def set_language(code: str):
    """Remember the chosen language in a cookie and go back where the user was."""
    response = redirect(safe_next(request.args.get("next")))
    if code in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE,
            code,
            max_age=365 * 86400,
            samesite="Lax",
            path="/",
            secure=current_runtime().settings.secure_cookies,
        )
    return response
