"""Every error the API returns is JSON: {"error": {"code", "message", "fields"}} with a 4xx status.

A domain error raised with a message id adds `message_id` (a stable key such as "grid.not_found", to look the
message up in a client's own translations) and `params` (the values filled into its English template).

Domain errors map to 422/404/403/409/401. HTTP errors under /api/ (an unknown path, a wrong method, a body too
large) are JSON too, even when no API route matched. An unexpected exception stays a 500 (logged, never hidden);
under /api/ its body is JSON as well.
"""

from __future__ import annotations

import logging

from flask import request
from werkzeug.exceptions import HTTPException, InternalServerError

from campaigns.common.errors import (
    DomainError,
    NotFound,
)
from gateway.api import api
from gateway.api.audit_trail import audit_api_write
from gateway.web.errors import (
    MAX_ID,
    STATUS_BY_ERROR,
    error_response,
    http_error_outside_routes,
    http_error_response,
)
from gateway.web.session import finish_session

log = logging.getLogger(__name__)


@api.errorhandler(DomainError)
def domain_error(exc: DomainError):
    return error_response(STATUS_BY_ERROR.get(type(exc), 400), exc.code, exc.message, exc.fields, exc)


api.register_error_handler(HTTPException, http_error_response)
api.app_errorhandler(HTTPException)(http_error_outside_routes)


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
