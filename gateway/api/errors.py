"""Every error the API returns is JSON: {"error": {"code", "message", "fields"}} with a 4xx status."""

from __future__ import annotations

import logging

from flask import jsonify
from werkzeug.exceptions import HTTPException

from campaigns.errors import (
    AuthenticationFailed,
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from gateway.api import api
from gateway.api.context import finish_session

log = logging.getLogger(__name__)

STATUS_BY_ERROR = {
    ValidationError: 422,
    NotFound: 404,
    PermissionDenied: 403,
    Conflict: 409,
    AuthenticationFailed: 401,
}


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    response = jsonify({"error": {"code": code, "message": message, "fields": fields or {}}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="gridcast"'
    return response


@api.errorhandler(DomainError)
def domain_error(exc: DomainError):
    return error_response(STATUS_BY_ERROR.get(type(exc), 400), exc.code, exc.message, exc.fields)


@api.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    return error_response(exc.code or 400, (exc.name or "error").lower().replace(" ", "_"), exc.description or "")


@api.after_request
def commit_or_rollback(response):
    finish_session(response.status_code < 400)
    return response


@api.teardown_request
def close_session(exc):
    if exc is not None:
        log.error("request failed", exc_info=exc)
    finish_session(False)
