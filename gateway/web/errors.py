"""How domain errors map to HTTP statuses, and errors as JSON: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

from flask import jsonify, request
from werkzeug.exceptions import HTTPException

from campaigns.common.errors import (
    AuthenticationFailed,
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationError,
)

MAX_ID = 2**31 - 1  # ids in a path above this are simply not found (the database cannot hold them)
STATUS_BY_ERROR = {
    ValidationError: 422,
    NotFound: 404,
    PermissionDenied: 403,
    Conflict: 409,
    AuthenticationFailed: 401,
}


def error_response(status: int, code: str, message: str, fields: dict | None = None, exc: DomainError | None = None):
    """An API error as JSON; a coded domain error adds its `message_id` and `params` (docs/api.md)."""
    body: dict = {"code": code, "message": message, "fields": fields or {}}
    if exc is not None and exc.message_id is not None:
        details = exc.details()
        body.update(message_id=details["message_id"], params=details["params"])
    response = jsonify({"error": body})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="gridcast"'
    return response


def http_error_response(exc: HTTPException):
    response = error_response(exc.code or 500, (exc.name or "error").lower().replace(" ", "_"), exc.description or "")
    for name, value in exc.get_headers():
        if name.lower() in ("allow", "retry-after"):
            response.headers[name] = value
    return response


def http_error_outside_routes(exc: HTTPException):
    """404/405 for /api/ paths no API route matched: JSON like every other API error; other paths keep HTML."""
    if request.path.startswith("/api/"):
        return http_error_response(exc)
    return exc
