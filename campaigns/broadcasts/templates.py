"""Message templates: plain text with `{name}` and `{grid}` placeholders, checked when a campaign is saved; and
notice texts per language (`check_texts`), whose placeholders the caller names."""

from __future__ import annotations

import re

from campaigns.common.errors import ValidationError
from campaigns.common.languages import normalize_language

PLACEHOLDERS = ("name", "grid")
_BRACED = re.compile(r"\{([^{}]*)\}")
MAX_NOTICE_TEXT = 1000


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


def check_texts(raw: object, allowed: tuple[str, ...], field: str) -> dict[str, str]:
    """Texts per language ({"zh": "..."}) whose placeholders are all in `allowed`; ValidationError otherwise."""
    if not isinstance(raw, dict) or not raw:
        raise ValidationError.coded(
            "notice.bad_texts",
            '%(field)s: give a text per language, e.g. {"zh": "..."}',
            fields={field: "required"},
            field=field,
        )
    texts = {}
    for language, text in raw.items():
        where = f"{field}.{language}"
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_NOTICE_TEXT:
            raise ValidationError.coded(
                "notice.bad_text_length",
                "%(where)s: 1 to %(max_notice_text)s characters of text",
                fields={where: "bad"},
                where=where,
                max_notice_text=MAX_NOTICE_TEXT,
            )
        for match in _BRACED.finditer(text):
            if match.group(1) not in allowed:
                known = ", ".join("{" + name + "}" for name in allowed)
                raise ValidationError.coded(
                    "notice.unknown_placeholder",
                    "%(where)s: unknown placeholder {%(value)s}; use %(known)s",
                    fields={where: "unknown placeholder"},
                    where=where,
                    value=match.group(1),
                    known=known,
                )
        texts[normalize_language(language)] = text.strip()
    return texts
