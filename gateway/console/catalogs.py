"""The console's gettext catalogs: `translations/<locale>/LC_MESSAGES/messages.po`, compiled to `.mo` on first use.

The `.po` files are the source (in git); the `.mo` next to each is built from it whenever it is missing or older
than its `.po` (so a fresh clone, `make run` and `make test` need no build step; `.mo` files are not committed). When
the package directory is read-only the catalog is compiled in memory instead. Flask-Babel is set up on the app with
the same directory, so templates can use its `gettext`/`ngettext` too. `python -m gateway.console.catalog_tool`
extracts and updates the catalogs (see docs/translations.md).
"""

from __future__ import annotations

import io
import logging
import os
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from flask import Flask, g
from flask_babel import Babel

log = logging.getLogger(__name__)

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"
# The console's language codes (cookie, <html lang>) and the gettext locale of each.
LOCALES = {"zh-Hans": "zh_Hans", "en": "en"}


def po_path(locale: str) -> Path:
    return TRANSLATIONS_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_catalog(locale: str) -> bytes:
    """The compiled `.mo` of `locale`, written next to its `.po` when missing or out of date (if writable)."""
    po = po_path(locale)
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        return mo.read_bytes()
    with po.open("rb") as source:
        catalog = read_po(source, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    data = buffer.getvalue()
    try:
        partial = mo.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(data)
        os.replace(partial, mo)  # atomic: parallel test workers never read half a file
    except OSError:
        log.info("catalog %s compiled in memory: %s is not writable", locale, mo.parent)
    return data


@cache
def translations(language: str) -> Translations:
    """The gettext catalog of console language `language` ("zh-Hans", "en"); English texts are the msgids."""
    locale = LOCALES.get(language, LOCALES["en"])
    return Translations(io.BytesIO(compile_catalog(locale)), domain=DOMAIN)


def init_babel(app: Flask) -> None:
    """Flask-Babel on `app`, reading the console's catalogs, in the language the console chose for the request."""
    for locale in LOCALES.values():
        compile_catalog(locale)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    Babel(app, locale_selector=lambda: LOCALES.get(g.get("lang", "zh-Hans"), "zh_Hans"))
