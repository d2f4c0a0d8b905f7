"""Keep the console's gettext catalogs in step with the code: `python -m gateway.console.catalog_tool <command>`.

- `extract`: every translatable text into `translations/messages.pot`: `_()`, `_n()`, `translate()` calls in the
  console and the templates (babel.cfg), every domain error's id and English template (`coded`, `coded_plural`,
  `broken`), the short reasons of errors' `fields`, the run-time words of gateway.console.field_words and the
  code words of gateway.console.labels and gateway.console.audit_words (each under its context).
- `update`: extract, then merge into each locale's `messages.po` (new texts empty, vanished ones dropped).
- `check`: list what is wrong: a Chinese text missing, a placeholder lost, a `.po` out of step with the code.
- `compile`: write the `.mo` files (the console also does that itself on first use).
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from gateway.console import audit_words, labels
from gateway.console.catalogs import LOCALES, TRANSLATIONS_DIR, compile_catalog, po_path
from gateway.console.field_words import FIELD_NAMES, code_words

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {
    "_": None,
    "gettext": None,
    "translate": None,
    "ngettext": (1, 2),
    "_n": (1, 2),
    "translate_plural": (1, 2),
    "pgettext": ((1, "c"), 2),
    "translate_in_context": ((1, "c"), 2),
    "coded": ((1, "c"), 2),
    "coded_plural": ((1, "c"), 2, 3),
    "broken": ((4, "c"), 5),
}
FIELD_CONTEXT = "field"
SOURCE_DIRS = ("campaigns", "gateway")


def _field_reasons() -> Iterator[tuple[str, str]]:
    """The short English reasons in errors' `fields={...: "required"}` (shown next to a form field)."""
    for folder in SOURCE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                for keyword in node.keywords:
                    values = []
                    if keyword.arg == "fields" and isinstance(keyword.value, ast.Dict):
                        values = keyword.value.values
                    elif keyword.arg == "fields" and isinstance(keyword.value, ast.DictComp):
                        values = [keyword.value.value]
                    for value in values:
                        if isinstance(value, ast.Constant) and isinstance(value.value, str):
                            yield value.value, f"{path.relative_to(ROOT)}:{node.lineno}"


def extract() -> Catalog:
    """The template catalog of every translatable text (no translations)."""
    template = Catalog(project="gridcast", charset="utf-8", fuzzy=False)
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    noise = io.StringIO()  # Babel notes every f-string among a call's other arguments (fields={f"..."}): not texts
    with contextlib.redirect_stderr(noise):
        found = list(extract_from_dir(str(ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True))
    for filename, lineno, message, comments, context in found:
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    for reason, location in _field_reasons():
        template.add(reason, None, [tuple(location.rsplit(":", 1))])
    for word in code_words():
        template.add(word, None, [("gateway/console/field_words.py", 0)])
    for name in FIELD_NAMES:
        template.add(name, None, [("gateway/console/field_words.py", 0)], context=FIELD_CONTEXT)
    for module in (labels, audit_words):
        location = (f"gateway/console/{module.__name__.rsplit('.', 1)[1]}.py", 0)
        for context, words in module.words_by_context().items():
            for word in words:
                template.add(word, None, [location], context=context)
    return template


def read_locale(locale: str) -> Catalog:
    with po_path(locale).open("rb") as source:
        return read_po(source, locale=locale)


def write_locale(catalog: Catalog, locale: str) -> None:
    with po_path(locale).open("wb") as target:
        write_po(target, catalog, width=120, ignore_obsolete=True, omit_header=False, include_lineno=False)


def update() -> None:
    """Extract, then merge the template into every locale's catalog."""
    template = extract()
    with (TRANSLATIONS_DIR / "messages.pot").open("wb") as target:
        write_po(target, template, width=120, include_lineno=False)
    for locale in LOCALES.values():
        catalog = read_locale(locale)
        catalog.update(template, no_fuzzy_matching=True)
        write_locale(catalog, locale)


def _key(message) -> tuple[str, str | None]:
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return msgid, message.context


def problems(locale: str = "zh_Hans") -> list[str]:
    """What is wrong with `locale`'s catalog: texts of the code it lacks or leaves untranslated, texts it has that
    the code no longer uses, and translations whose placeholders differ from the English."""
    template = extract()
    catalog = read_locale(locale)
    wanted = {_key(message) for message in template if message.id}
    have = {_key(message): message for message in catalog if message.id}
    found = [f"missing: {key}" for key in sorted(wanted - set(have), key=str)]
    found += [f"not used by the code: {key}" for key in sorted(set(have) - wanted, key=str)]
    for key, message in have.items():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            found.append(f"untranslated: {key}")
        for checked, errors in [(message, message.check(catalog))]:
            found += [f"{checked.id!r}: {error}" for error in errors]
        english = message.id if isinstance(message.id, tuple) else (message.id,)
        for text in strings:
            if text and message.context in (None, FIELD_CONTEXT) and _braces(text) != _braces(english[-1]):
                found.append(f"placeholders differ: {key}")
    return found


def _braces(text: str) -> set[str]:
    return set(re.findall(r"{(\w+)}", text))


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "extract":
        with (TRANSLATIONS_DIR / "messages.pot").open("wb") as target:
            write_po(target, extract(), width=120, include_lineno=False)
    elif command == "update":
        update()
    elif command == "compile":
        for locale in LOCALES.values():
            compile_catalog(locale)
    elif command == "check":
        found = problems()
        print("\n".join(found) or "the zh_Hans catalog covers every text")
        return 1 if found else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
