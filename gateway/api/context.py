"""Per-request helpers for API routes: the session, the authenticated actor, query-string parsing."""

from __future__ import annotations

from typing import Any

from flask import g, request
from sqlalchemy.orm import Session

from campaigns.access import Actor
from campaigns.accounts import authenticate_token
from campaigns.errors import AuthenticationFailed, ValidationError
from gateway.app import current_runtime


def db() -> Session:
    """The request's session; committed after a successful response, rolled back otherwise."""
    if "db_session" not in g:
        g.db_session = current_runtime().session_factory()
    return g.db_session


def finish_session(response_ok: bool) -> None:
    session = g.pop("db_session", None)
    if session is None:
        return
    try:
        if response_ok:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


def current_actor() -> Actor:
    """The actor behind the request's `Authorization: Bearer <token>` header."""
    if "actor" not in g:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationFailed("send an API token as 'Authorization: Bearer <token>'")
        g.actor = authenticate_token(db(), token.strip())
    return g.actor


def json_body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError("the request body must be a JSON object")
    return data


def int_arg(name: str, default: int | None = None) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
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
    return value
