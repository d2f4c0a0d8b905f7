"""Per-request helpers for API routes: the session, the authenticated actor, query-string parsing."""

from __future__ import annotations

import json
from typing import Any

from flask import g, request
from sqlalchemy.orm import Session
from werkzeug.exceptions import BadRequest

from campaigns.common.errors import AuthenticationFailed, ValidationError
from campaigns.identity.access import Actor
from campaigns.identity.accounts import authenticate_token
from gateway.app import current_runtime
from gateway.auth_throttle import check_token

MAX_ID = 2**31 - 1
# Route converter for ids; gateway.api.errors answers 404 for ids above MAX_ID before any view runs.
ID = "int"


class MalformedBody(BadRequest):
    """The body is not JSON at all (as opposed to JSON with bad values, which is a ValidationError)."""

    name = "Malformed JSON"


def db() -> Session:
    """The request's session; committed after a successful response, rolled back otherwise."""
    if "db_session" not in g:
        g.db_session = current_runtime().session_factory()
    return g.db_session


def finish_session(response_ok: bool) -> None:
    session = g.pop("db_session", None)
    callbacks = g.pop("after_commit", [])
    if session is None:
        return
    try:
        if response_ok:
            session.commit()
        else:
            session.rollback()
            callbacks = []
    finally:
        session.close()
    for callback in callbacks:
        callback()


def after_commit(callback) -> None:
    """Run `callback` once the request's transaction has committed (to enqueue jobs that read its rows)."""
    g.setdefault("after_commit", []).append(callback)


def current_actor() -> Actor:
    """The actor behind the request's `Authorization: Bearer <token>` header; a refused token counts against the
    caller's address (gateway/auth_throttle.py)."""
    if "actor" not in g:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationFailed("send an API token as 'Authorization: Bearer <token>'")
        g.actor = check_token(lambda: authenticate_token(db(), token.strip()), AuthenticationFailed)
    return g.actor


def json_body(*, optional: bool = False) -> dict[str, Any]:
    """The request's JSON object (whatever the Content-Type); an empty body is `{}` when `optional`.

    Malformed JSON is a 400 (MalformedBody); valid JSON that is not an object, or that holds lone surrogates
    (text that cannot be stored), is a 422.
    """
    raw = request.get_data(cache=True)
    if optional and not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise MalformedBody(f"the request body is not valid JSON: {str(exc)[:200]}") from exc
    if not isinstance(data, dict):
        raise ValidationError("the request body must be a JSON object")
    if _holds_surrogates(data):
        raise ValidationError("the request body holds invalid Unicode text (lone surrogates)")
    return data


def _holds_surrogates(value: Any) -> bool:
    if isinstance(value, str):
        return any("\ud800" <= char <= "\udfff" for char in value)
    if isinstance(value, dict):
        return any(_holds_surrogates(key) or _holds_surrogates(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_surrogates(item) for item in value)
    return False


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
