"""Per-request helpers for API routes: the authenticated actor and query-string parsing (the session and JSON bodies
are in gateway/web/)."""

from __future__ import annotations

from typing import Any

from flask import g, request

from campaigns.common.errors import AuthenticationFailed, ValidationError
from campaigns.identity.access import Actor
from campaigns.identity.accounts import authenticate_token
from gateway.web.auth_throttle import check_token
from gateway.web.errors import MAX_ID
from gateway.web.session import db

# Route converter for ids; gateway.api.errors answers 404 for ids above MAX_ID before any view runs.
ID = "int"


def current_actor() -> Actor:
    """The actor behind the request's `Authorization: Bearer <token>` header; a refused token counts against the
    caller's address (gateway/web/auth_throttle.py)."""
    if "actor" not in g:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationFailed("send an API token as 'Authorization: Bearer <token>'")
        g.actor = check_token(lambda: authenticate_token(db(), token.strip()), AuthenticationFailed)
    return g.actor


def _in_id_range(name: str, value: int) -> int:
    if not -MAX_ID <= value <= MAX_ID:
        raise ValidationError(f"{name} is out of range", fields={name: "out of range"})
    return value


def int_arg(name: str, default: int | None = None) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return _in_id_range(name, int(raw))
    except ValueError as exc:
        raise ValidationError(f"{name} must be a whole number", fields={name: "not a number"}) from exc


def bool_arg(name: str) -> bool | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    lowered = raw.strip().lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise ValidationError(f"{name} must be true or false", fields={name: "not a boolean"})


def page_args() -> dict[str, int]:
    return {"page": int_arg("page", 1), "per_page": int_arg("per_page", 50)}


def optional_int(body: dict[str, Any], name: str) -> int | None:
    """An integer field of a JSON body, or None when absent or null; booleans and strings are refused."""
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{name} must be an integer", fields={name: "not an integer"})
    return _in_id_range(name, value)
