"""Request plumbing of the console: the session cookie, the logged-in actor, CSRF, the language, security headers,
the audit helper and how domain errors become pages."""

from __future__ import annotations

import hmac
import logging
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import abort, g, redirect, request, url_for
from werkzeug.exceptions import HTTPException

from campaigns.common.errors import DomainError
from campaigns.identity import audit, staff_sessions
from campaigns.identity.access import Actor
from campaigns.models.base import utcnow
from gateway.console import audit_words, console, labels
from gateway.console.error_messages import field_label, form_field_errors, message_text
from gateway.console.error_pages import error_page, reject_ids_out_of_range
from gateway.console.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate, translate_markup, translate_plural
from gateway.runtime import current_runtime
from gateway.web.errors import STATUS_BY_ERROR
from gateway.web.session import db, finish_session

log = logging.getLogger(__name__)

SESSION_COOKIE = "gridcast_session"
LANGUAGE_COOKIE = "gridcast_lang"
PUBLIC_ENDPOINTS = {"console.login", "console.login_submit", "console.static", "console.set_language"}
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def login_policy() -> staff_sessions.LoginPolicy:
    settings = current_runtime().settings
    return staff_sessions.LoginPolicy(
        max_failures=settings.login_max_failures,
        window=timedelta(minutes=settings.login_window_minutes),
        max_delay=timedelta(seconds=settings.login_max_delay_seconds),
        idle=timedelta(minutes=settings.session_idle_minutes),
    )


def current_actor() -> Actor:
    return g.actor


def client_ip() -> str:
    """The caller's address as the WSGI server saw it (put a proxy's ProxyFix in front to trust X-Forwarded-For)."""
    return request.remote_addr or ""


def set_session_cookie(response, token: str) -> None:
    settings = current_runtime().settings
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="Lax",
        path="/console",
        max_age=12 * 3600,
    )


def clear_session_cookie(response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/console", httponly=True, samesite="Lax", secure=current_runtime().settings.secure_cookies
    )


def safe_next(raw: str | None) -> str:
    """A redirect target inside the console (never another site)."""
    if raw and raw.startswith("/console") and not urlsplit(raw).netloc and "\\" not in raw:
        return raw
    return url_for("console.dashboard")


@console.before_request
def authenticate():
    g.lang = request.cookies.get(LANGUAGE_COOKIE) if request.cookies.get(LANGUAGE_COOKIE) in LANGUAGES else None
    g.lang = g.lang or DEFAULT_LANGUAGE
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    live = staff_sessions.resume(db(), request.cookies.get(SESSION_COOKIE), utcnow(), login_policy())
    if live is None:
        db().commit()
        if request.method == "GET":
            return redirect(url_for("console.login", next=request.full_path.rstrip("?")))
        return redirect(url_for("console.login"))
    g.live, g.actor = live, live.actor
    reject_ids_out_of_range()
    if request.method == "POST":
        check_csrf(live.csrf_token)
    return None


def check_csrf(expected: str) -> None:
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, description="csrf")


@console.after_request
def finish(response):
    finish_session(response.status_code < 400)
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint != "console.static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@console.teardown_request
def close(exc):
    if exc is not None:
        log.error("console request failed", exc_info=exc)
    finish_session(False)


@console.app_context_processor
def template_helpers() -> dict[str, Any]:
    lang = g.get("lang", DEFAULT_LANGUAGE)
    live = g.get("live")
    return {
        "_": lambda text, **values: translate_markup(text, lang, **values),
        "_n": lambda singular, plural, n, **values: translate_plural(singular, plural, n, lang, **values),
        "_msg": lambda message: message_text(message, lang),
        "field_label": lambda path: field_label(path, lang),
        "lang": lang,
        "languages": LANGUAGES,
        "actor": g.get("actor"),
        "display_name": live.display_name if live else "",
        "csrf_token": live.csrf_token if live else "",
        "language_name": lambda code: labels.language_name(code, lang),
        "language_list": lambda codes: labels.language_names(codes, lang),
        "language_codes": list(labels.LANGUAGE_NAMES),
        "channel_name": lambda code: labels.channel_name(code, lang),
        "channel_names": lambda codes: labels.channel_names(codes, lang),
        "word_list": lambda codes: labels.word_list(codes, lang),
        "optout_source": lambda code: labels.optout_source(code, lang),
        "audit_action": lambda code: audit_words.audit_action(code, lang),
        "audit_reason": lambda code: audit_words.audit_reason(code, lang),
        "audit_target": lambda target: audit_words.audit_target(target, lang),
        "currency_name": lambda code: labels.currency_name(code, lang),
        "encoding_name": lambda code: labels.encoding_name(code, lang),
    }


def _(text: str, **values: Any) -> str:
    return translate(text, g.get("lang", DEFAULT_LANGUAGE), **values)


def _n(singular: str, plural: str, n: int, **values: Any) -> str:
    return translate_plural(singular, plural, n, g.get("lang", DEFAULT_LANGUAGE), **values)


def service_text(message: Any) -> str:
    """A message from the services (a domain error, a launch blocker, plain text) in the page's language."""
    return message_text(message, g.get("lang", DEFAULT_LANGUAGE))


def record(action: str, *, grid_id: int | None = None, target: str = "", **detail: Any) -> None:
    """Write an audit entry for the logged-in user, in the request's transaction."""
    audit.record_action(db(), g.actor, action, utcnow(), grid_id=grid_id, target=target, detail=detail)


def form_errors(exc: DomainError) -> dict[str, str]:
    """A domain error as messages per form field ("_" for the form as a whole), translated."""
    return form_field_errors(exc, g.get("lang", DEFAULT_LANGUAGE))


@console.errorhandler(DomainError)
def domain_error(exc: DomainError):
    return error_page(STATUS_BY_ERROR.get(type(exc), 400), service_text(exc))


@console.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    if exc.description == "csrf":
        return error_page(400, _("The form expired or was sent from elsewhere: reload the page and try again."))
    if exc.code in (404, 405, 500):
        return error_page(exc.code)
    return error_page(exc.code or 500, _(exc.name or "Error"))
