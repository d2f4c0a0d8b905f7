"""Domain errors in the console's language: the error's message id, English template and parameters rendered
through the gettext catalog (`pgettext(message_id, template) % params`, `npgettext` when it has a plural).

Parameters are put into words first: a field name or path ("texts.bo") becomes the field's name (藏语文本), a
language code its name, a status, intent, role or channel its word, a list is joined the language's way and a nested
error is rendered the same way. An error raised without a message id (or one the catalog lacks) shows its English.
"""

from __future__ import annotations

from typing import Any

from campaigns.common.errors import DomainError
from gateway.console.catalogs import translations
from gateway.console.i18n import translate, translate_in_context
from gateway.console.labels import language_name

FIELD_PARAMS = {"field", "label", "where", "name", "missing", "unknown", "keys"}
LANGUAGE_PARAMS = {"lang", "language"}
WORD_PARAMS = {"status", "intent", "intents", "keyword_intents", "reply_intents", "roles", "contact_roles", "role",
               "channels", "kinds", "report_kinds", "what", "key", "key2", "level"}  # fmt: skip
WALL_CLOCK_PARAMS = {"at"}
FIELD_CONTEXT = "field"


def field_label(path: str, language: str) -> str:
    """A field name or path in words: "texts.bo" -> 藏语文本, "escalation_delays.1" -> 升级等待时间第 2 项; the path
    itself in English or when the catalog does not know it."""
    whole = translate_in_context(FIELD_CONTEXT, path, language)
    if whole != path or language == "en" or "." not in path:
        return whole
    head, _, rest = path.partition(".")
    label = translate_in_context(FIELD_CONTEXT, head, language)
    if rest.isdigit():
        return translate("{field} item {n}", language, field=label, n=int(rest) + 1)
    named = language_name(rest, language)
    if named != rest:
        return f"{named}{label}"
    return translate("{field}: {part}", language, field=label, part=field_label(rest, language))


def _joined(items: list[str], language: str, errors: bool) -> str:
    if language == "en":
        return ("; " if errors else ", ").join(items)
    return ("；" if errors else "、").join(items)


def param_text(name: str, value: Any, language: str) -> Any:
    """One parameter of an error in words of `language`."""
    if isinstance(value, DomainError):
        return error_text(value, language)
    if isinstance(value, (list, tuple)):
        items = [param_text(name, item, language) for item in value]
        return _joined([str(item) for item in items], language, any(isinstance(v, DomainError) for v in value))
    if not isinstance(value, str):
        return value
    if name in FIELD_PARAMS:
        return field_label(value, language)
    if name in LANGUAGE_PARAMS:
        return language_name(value, language)
    if name in WORD_PARAMS:
        return translate(value, language)
    if name in WALL_CLOCK_PARAMS:
        return value.replace("T", " ")  # a schedule's local time as staff typed it: "2026-11-23 09:00"
    return value


def error_text(error: DomainError, language: str) -> str:
    """`error` in `language`: its catalog translation with its parameters in words, else its English message."""
    if error.message_id is None or error.template is None:
        return translate(error.message, language)
    catalog = translations(language)
    if error.plural is not None:
        template = catalog.npgettext(error.message_id, error.template, error.plural, error.params.get("n", 0))
    else:
        template = catalog.pgettext(error.message_id, error.template)
    values = {name: param_text(name, value, language) for name, value in error.params.items()}
    try:
        return template % values if values else template
    except (KeyError, TypeError, ValueError):
        return error.message


def message_text(message: Any, language: str) -> str:
    """A message from the services in `language`: a domain error, its `details()` (a preview's launch blocker), a
    rejected import row (`details` of its problems, else its `error`), or plain English text."""
    if isinstance(message, DomainError):
        return error_text(message, language)
    if isinstance(message, dict) and "params" in message and "message_id" in message:
        return error_text(DomainError.from_details(message), language)
    if isinstance(message, dict) and "row" in message:
        details = message.get("details") or []
        if not details:
            return str(message.get("error") or "")
        return _joined([message_text(item, language) for item in details], language, True)
    return translate(str(message), language)


def form_field_errors(error: DomainError, language: str) -> dict[str, str]:
    """Messages per form field ("_" for the form as a whole): a field whose message is a nested error's gets that
    error rendered, any other field's short English reason ("required") its catalog word."""
    nested = {value.message: value for value in error.params.values() if isinstance(value, DomainError)}
    errors = {
        name: error_text(nested[reason], language) if reason in nested else translate(reason, language)
        for name, reason in error.fields.items()
    }
    errors["_"] = error_text(error, language)
    return errors
