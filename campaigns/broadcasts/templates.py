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
        raise ValidationError(f"{field} is empty", fields={field: "required"})
    if len(text) > 1600:
        raise ValidationError(f"{field} is longer than 1600 characters", fields={field: "too long"})
    for match in _BRACED.finditer(text):
        if match.group(1) not in PLACEHOLDERS:
            raise ValidationError(
                f"{field}: unknown placeholder {{{match.group(1)}}}; use {{name}} or {{grid}}",
                fields={field: "unknown placeholder"},
            )
    if "{" in _BRACED.sub("", text) or "}" in _BRACED.sub("", text):
        raise ValidationError(
            f"{field}: a lone '{{' or '}}'; braces only go around name or grid", fields={field: "brace"}
        )
    return text


def render(template: str, *, name: str, grid: str) -> str:
    return template.replace("{name}", name).replace("{grid}", grid)


def has_placeholders(template: str) -> bool:
    return any(f"{{{key}}}" in template for key in PLACEHOLDERS)


def check_texts(raw: object, allowed: tuple[str, ...], field: str) -> dict[str, str]:
    """Texts per language ({"zh": "..."}) whose placeholders are all in `allowed`; ValidationError otherwise."""
    if not isinstance(raw, dict) or not raw:
        raise ValidationError(f'{field}: give a text per language, e.g. {{"zh": "..."}}', fields={field: "required"})
    texts = {}
    for language, text in raw.items():
        where = f"{field}.{language}"
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_NOTICE_TEXT:
            raise ValidationError(f"{where}: 1 to {MAX_NOTICE_TEXT} characters of text", fields={where: "bad"})
        for match in _BRACED.finditer(text):
            if match.group(1) not in allowed:
                known = ", ".join("{" + name + "}" for name in allowed)
                raise ValidationError(f"{where}: unknown placeholder {{{match.group(1)}}}; use {known}",
                                      fields={where: "unknown placeholder"})  # fmt: skip
        texts[normalize_language(language)] = text.strip()
    return texts
