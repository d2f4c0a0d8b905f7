"""JSON request bodies: an object, or a 400 (not JSON) or 422 (not an object, or text that cannot be stored)."""

from __future__ import annotations

import json
from typing import Any

from flask import request
from werkzeug.exceptions import BadRequest

from campaigns.common.errors import ValidationError


class MalformedBody(BadRequest):
    """The body is not JSON at all (as opposed to JSON with bad values, which is a ValidationError)."""

    name = "Malformed JSON"


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
