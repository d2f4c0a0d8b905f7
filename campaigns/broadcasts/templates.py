"""Message templates: plain text with `{name}` and `{grid}` placeholders, checked when a campaign is saved."""

from __future__ import annotations

import re

from campaigns.common.errors import ValidationError

PLACEHOLDERS = ("name", "grid")
_BRACED = re.compile(r"\{([^{}]*)\}")


def check_template(text: str, field: str = "text") -> str:
    """Return the stripped template, or raise ValidationError naming the bad placeholder or brace."""
    text = (text or "").strip()
    if not text:
        raise ValidationError.coded("template.empty", "%(field)s is empty", fields={field: "required"}, field=field)
    if len(text) > 1600:
        raise ValidationError.coded(
            "template.too_long", "%(field)s is longer than 1600 characters", fields={field: "too long"}, field=field
        )
    for match in _BRACED.finditer(text):
        if match.group(1) not in PLACEHOLDERS:
            raise ValidationError.coded(
                "template.unknown_placeholder",
                "%(field)s: unknown placeholder {%(value)s}; use {name} or {grid}",
                fields={field: "unknown placeholder"},
                field=field,
                value=match.group(1),
            )
    if "{" in _BRACED.sub("", text) or "}" in _BRACED.sub("", text):
        raise ValidationError.coded(
            "template.lone_brace",
            "%(field)s: a lone '{' or '}'; braces only go around name or grid",
            fields={field: "brace"},
            field=field,
        )
    return text


def render(template: str, *, name: str, grid: str) -> str:
    return template.replace("{name}", name).replace("{grid}", grid)


def has_placeholders(template: str) -> bool:
    return any(f"{{{key}}}" in template for key in PLACEHOLDERS)
