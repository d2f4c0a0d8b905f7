"""Free text from staff, spreadsheets and query strings: one line, no control characters, bounded length; grid
codes (`clean_code`)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from campaigns.common.errors import ValidationError

# Cc: control characters (NUL breaks PostgreSQL text); Cs: lone surrogates, which cannot be stored as UTF-8.
_FORBIDDEN_CATEGORIES = ("Cc", "Cs")
CODE_PATTERN = re.compile(r"[0-9A-Za-z][0-9A-Za-z_.\-]{0,63}")


def has_forbidden_characters(text: str) -> bool:
    return any(unicodedata.category(char) in _FORBIDDEN_CATEGORIES for char in text)


def clean_text(raw: Any, field: str, *, max_length: int, required: bool = True, label: str | None = None) -> str:
    """One line of text for `field`: numbers are accepted (spreadsheets), lists, objects and booleans are not.

    The text is NFC-normalized and stripped; control characters and lone surrogates are refused.
    """
    label = label or field
    if isinstance(raw, bool | dict | list | tuple | set):
        raise ValidationError.coded("text.not_text", "%(label)s must be text", fields={field: "not text"}, label=label)
    text = unicodedata.normalize("NFC", "" if raw is None else str(raw)).strip()
    if not text and required:
        raise ValidationError.coded("text.empty", "%(label)s is empty", fields={field: "required"}, label=label)
    if len(text) > max_length:
        raise ValidationError.coded(
            "text.too_long",
            "%(label)s is longer than %(max_length)s characters",
            fields={field: "too long"},
            label=label,
            max_length=max_length,
        )
    if has_forbidden_characters(text):
        raise ValidationError.coded(
            "text.control_characters",
            "%(label)s contains control characters",
            fields={field: "control characters"},
            label=label,
        )
    return text


def search_text(raw: str | None, field: str = "q", max_length: int = 200) -> str | None:
    """A search term from a query string (stripped, NFC, no control characters); None when blank."""
    if raw is None:
        return None
    if has_forbidden_characters(str(raw)):
        raise ValidationError.coded(
            "text.search_control_characters",
            "%(field)s contains control characters (is non-ASCII text percent-encoded as UTF-8?)",
            fields={field: "control characters"},
            field=field,
        )
    return clean_text(raw, field, max_length=max_length, required=False) or None


def clean_code(raw: Any) -> str:
    """A grid code: letters, digits, '_', '.', '-'; full-width digits are folded; spreadsheets' '623025.0' too."""
    code = unicodedata.normalize("NFKC", str(raw if raw is not None else "")).strip()
    if re.fullmatch(r"\d+\.0", code):
        code = code[:-2]
    if not code:
        raise ValidationError.coded("grid.code_empty", "grid code is empty", fields={"code": "required"})
    if not CODE_PATTERN.fullmatch(code):
        raise ValidationError.coded(
            "grid.bad_code",
            "grid code '%(code)s' may only hold letters, digits, '_', '.' and '-' (at most 64)",
            fields={"code": "invalid characters"},
            code=code,
        )
    return code
