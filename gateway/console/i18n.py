"""The console's languages and texts: Simplified Chinese (the default) and English, through gettext catalogs.

Templates and views call `_` with an English text and values; the text is looked up in the language's catalog
(`gateway/console/translations/<locale>/LC_MESSAGES/messages.po`, see gateway.console.catalogs) and then formatted
with `str.format`. `_n` picks a plural form (English: "1 incident", "2 incidents"; Chinese has one form). English
needs no translations: its texts are the msgids. A test checks that every text has a Chinese translation.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from gateway.console.catalogs import translations

DEFAULT_LANGUAGE = "zh-Hans"
LANGUAGES = {"zh-Hans": "中文", "en": "English"}


def _formatted(translated: str, fallback: str, values: dict[str, Any]) -> str:
    if not values:
        return translated
    try:
        return translated.format(**values)
    except (KeyError, IndexError, ValueError):
        return fallback.format(**values)


def translate(text: str, language: str, **values: Any) -> str:
    """`text` in `language` (the English text itself when the catalog lacks it), with `values` filled in."""
    return _formatted(translations(language).gettext(text), text, values)


def translate_plural(singular: str, plural: str, n: int, language: str, **values: Any) -> str:
    """The form of `singular`/`plural` for `n` in `language`, with `n` and `values` filled in."""
    english = singular if n == 1 else plural
    return _formatted(translations(language).ngettext(singular, plural, n), english, {"n": n, **values})


def translate_in_context(context: str, text: str, language: str) -> str:
    """`text` in `language` as the catalog gives it under `context` (a field name, a message id)."""
    return translations(language).pgettext(context, text)


def translate_markup(text: str, language: str, **values: Any) -> str | Markup:
    """Like `translate`, but when a value is markup (a `<time>` element) the result is markup too, with the text and
    every other value escaped."""
    if not any(isinstance(value, Markup) for value in values.values()):
        return translate(text, language, **values)
    translated = translations(language).gettext(text)
    try:
        return Markup(escape(translated)).format(**values)
    except (KeyError, IndexError, ValueError):
        return Markup(escape(text)).format(**values)
