"""The console's translation catalog: English source texts mapped to Simplified Chinese (the default language).

Templates and views call `_` with an English text and values; the text is looked up in the catalog of the chosen
language (`gateway/console/catalog_zh.py`) and then formatted with `str.format`. English needs no catalog for its
sentences (they are the keys), only words for codes (`gateway/console/catalog_en.py`). A test checks that every
text the templates and views use has a Chinese translation.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from gateway.console.catalog_en import EN_CODES
from gateway.console.catalog_zh import ZH_HANS

DEFAULT_LANGUAGE = "zh-Hans"
LANGUAGES = {"zh-Hans": "中文", "en": "English"}
CATALOGS: dict[str, dict[str, str]] = {"zh-Hans": ZH_HANS, "en": EN_CODES}


def translate(text: str, language: str, **values: Any) -> str:
    """`text` in `language` (the English text itself when the catalog lacks it), with `values` filled in."""
    translated = CATALOGS.get(language, {}).get(text, text)
    if not values:
        return translated
    try:
        return translated.format(**values)
    except (KeyError, IndexError, ValueError):
        return text.format(**values)


def translate_markup(text: str, language: str, **values: Any) -> str | Markup:
    """Like `translate`, but when a value is markup (a `<time>` element) the result is markup too, with the text and
    every other value escaped."""
    if not any(isinstance(value, Markup) for value in values.values()):
        return translate(text, language, **values)
    translated = CATALOGS.get(language, {}).get(text, text)
    try:
        return Markup(escape(translated)).format(**values)
    except (KeyError, IndexError, ValueError):
        return Markup(escape(text)).format(**values)
