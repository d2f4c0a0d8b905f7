"""Reading console forms and query strings into the plain data the services take."""

from __future__ import annotations

from typing import Any

from flask import request

from campaigns.common.errors import ValidationError


def int_param(name: str, source: Any = None) -> int | None:
    """An integer from the query string (or `source`), None when absent; a 422 when it is not a number."""
    raw = (source if source is not None else request.args).get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(str(raw).strip())
    except ValueError as exc:
        raise ValidationError.coded(
            "input.not_whole_number", "%(name)s must be a whole number", fields={name: "not a number"}, name=name
        ) from exc
    if not -(2**31) < value < 2**31:
        raise ValidationError.coded(
            "input.out_of_range", "%(name)s is out of range", fields={name: "out of range"}, name=name
        )
    return value


def page_param(name: str = "page") -> int:
    return max(int_param(name) or 1, 1)


def checked(name: str) -> bool:
    return request.form.get(name) in ("on", "true", "1", "yes")


def split_words(raw: str | None) -> list[str]:
    """Comma, '，' or space separated words."""
    return [word for word in (raw or "").replace("，", ",").replace(" ", ",").split(",") if word.strip()]
