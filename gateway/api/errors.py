"""Every error the API returns is JSON: {"error": {"code", "message", "fields"}} with a 4xx status.

A domain error raised with a message id adds `message_id` (a stable key such as "grid.not_found", to look the
message up in a client's own translations) and `params` (the values filled into its English template).

Domain errors map to 422/404/403/409/401. HTTP errors under /api/ (an unknown path, a wrong method, a body too
large) are JSON too, even when no API route matched. An unexpected exception stays a 500 (logged, never hidden);
under /api/ its body is JSON as well.
"""

from __future__ import annotations

import logging

from flask import jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError

from campaigns.common.errors import (
    AuthenticationFailed,
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from gateway.api import api
from gateway.api.audit_trail import audit_api_write
from gateway.api.context import MAX_ID, finish_session

log = logging.getLogger(__name__)

STATUS_BY_ERROR = {
    ValidationError: 422,
    NotFound: 404,
    PermissionDenied: 403,
    Conflict: 409,
    AuthenticationFailed: 401,
}


def error_response(status: int, code: str, message: str, fields: dict | None = None, exc: DomainError | None = None):
    body: dict = {"code": code, "message": message, "fields": fields or {}}
    if exc is not None and exc.message_id is not None:
        details = exc.details()
        body.update(message_id=details["message_id"], params=details["params"])
    response = jsonify({"error": body})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="gridcast"'
    return response


@api.errorhandler(DomainError)
def domain_error(exc: DomainError):
    return error_response(STATUS_BY_ERROR.get(type(exc), 400), exc.code, exc.message, exc.fields, exc)


def _http_error_response(exc: HTTPException):
    response = error_response(exc.code or 500, (exc.name or "error").lower().replace(" ", "_"), exc.description or "")
    for name, value in exc.get_headers():
        if name.lower() in ("allow", "retry-after"):
            response.headers[name] = value
    return response


@api.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    return _http_error_response(exc)


@api.app_errorhandler(HTTPException)
def http_error_outside_routes(exc: HTTPException):
    """404/405 for /api/ paths no API route matched: JSON like every other API error; other paths keep HTML."""
    if request.path.startswith("/api/"):
        return _http_error_response(exc)
    return exc


@api.app_errorhandler(InternalServerError)
def server_error(exc: InternalServerError):
    if request.path.startswith("/api/"):
        return error_response(500, "server_error", "an unexpected error happened; it has been logged")
    return exc


@api.url_value_preprocessor
def ids_in_range(endpoint, values):
    """An id in the path above what the database can hold is simply not found (SQLite would overflow)."""
    for value in (values or {}).values():
        if isinstance(value, int) and value > MAX_ID:
            raise NotFound("not found")


@api.after_request
def commit_or_rollback(response):
    audit_api_write(response.status_code)
    finish_session(response.status_code < 400)
    return response


@api.teardown_request
def close_session(exc):
    if exc is not None:
        log.error("request failed", exc_info=exc)
    finish_session(False)
