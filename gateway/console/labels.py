"""Codes as words: languages, channels, opt-out sources, currencies, SMS encodings and "done" messages in the
console's language (audit entries are in gateway.console.audit_words).

Pages never show a raw code ("bo", "sms", "sms_stop"): templates call `language_name`, `channel_name`,
`optout_source` and the rest (registered as template globals in gateway.console.web), and views `done_message`.
Statuses and schedule kinds are catalog entries (`_(status)`). The words are English gettext texts under a context
per kind of code ("channel"); the catalogs hold the Chinese (`make i18n`). Language names are the domain's own
(campaigns.common.languages). An unknown code is shown as it is.
"""

from __future__ import annotations

from collections.abc import Iterable

from campaigns.common.languages import LANGUAGES
from campaigns.models import Channel, OptOutSource
from gateway.console.i18n import translate, translate_in_context

# The domain's names, with Mandarin named as staff read it on a page.
LANGUAGE_NAMES = {**LANGUAGES, "zh": ("中文（普通话）", "Mandarin Chinese")}
CHANNEL_CONTEXT, OPTOUT_CONTEXT, CURRENCY_CONTEXT, DONE_CONTEXT = "channel", "opt-out source", "currency", "done"
CHANNELS = {Channel.SMS: "SMS", Channel.VOICE: "voice call", Channel.LOUDSPEAKER: "loudspeaker"}
OPTOUT_SOURCES = {
    OptOutSource.SMS_STOP: "opted out by SMS",
    "sms": "opted out by SMS",
    OptOutSource.CARRIER_STOP: "opted out at the carrier",
    OptOutSource.STAFF: "by staff",
    "import": "marked in an import",
    "api": "through the API",
}
# Currencies as staff say them; others are shown as their ISO code.
CURRENCIES = {"CNY": "yuan"}
# An SMS encoding as the composer names it (campaigns/common/sms_segments.py); the composer's script shows the
# same texts.
ENCODING_NAMES = {"GSM-7": "Latin letters only", "UCS-2": "Chinese or Tibetan characters"}
DONE_MESSAGES = {
    "launch": "Launched.",
    "approve": "Approved.",
    "pause": "Paused.",
    "resume": "Resumed.",
    "cancel": "Cancelled.",
    "delete": "Draft deleted.",
    "archive": "Archived.",
    "restore": "Back on the list.",
    "end": "Ended.",
}


def _word(context: str, words: dict, code: str | None, lang: str) -> str:
    return translate_in_context(context, words[code], lang) if code in words else code or ""


def _list(names: Iterable[str], lang: str) -> str:
    return ("、" if lang == "zh-Hans" else ", ").join(names)


def word_list(codes: Iterable[str] | None, lang: str) -> str:
    """Codes translated through the catalog (`_(code)`: speech engines, statuses), as a list in words."""
    return _list((translate(code, lang) for code in codes or []), lang)


def language_name(code: str | None, lang: str) -> str:
    """The name of language `code` ("bo" -> 藏语 / Tibetan)."""
    if code not in LANGUAGE_NAMES:
        return code or ""
    chinese, english = LANGUAGE_NAMES[code]
    return chinese if lang == "zh-Hans" else english


def language_names(codes: Iterable[str] | None, lang: str) -> str:
    return _list((language_name(code, lang) for code in codes or []), lang)


def channel_name(code: str | None, lang: str) -> str:
    """The name of channel `code` ("loudspeaker" -> 大喇叭)."""
    return _word(CHANNEL_CONTEXT, CHANNELS, code, lang)


def channel_names(codes: Iterable[str] | None, lang: str) -> str:
    return _list((channel_name(code, lang) for code in codes or []), lang)


def optout_source(code: str | None, lang: str) -> str:
    """How a contact was opted out ("sms_stop" -> 短信退订)."""
    return _word(OPTOUT_CONTEXT, OPTOUT_SOURCES, code, lang)


def currency_name(code: str | None, lang: str) -> str:
    """A currency as staff say it ("CNY" -> 元 / yuan)."""
    return _word(CURRENCY_CONTEXT, CURRENCIES, code, lang)


def encoding_name(code: str, lang: str) -> str:
    """An SMS encoding in words ("UCS-2" -> 含中文或藏文)."""
    return translate(ENCODING_NAMES[code], lang) if code in ENCODING_NAMES else code


def done_message(action: str, lang: str) -> str:
    """What a finished action says ("launch" -> 已发布)."""
    if action in DONE_MESSAGES:
        return translate_in_context(DONE_CONTEXT, DONE_MESSAGES[action], lang)
    return translate("Done: {action}.", lang, action=translate(action, lang))


def words_by_context() -> dict[str, list[str]]:
    """Every English word above with a context of its own, by that context (for the catalog tool)."""
    return {CHANNEL_CONTEXT: list(CHANNELS.values()), OPTOUT_CONTEXT: list(OPTOUT_SOURCES.values()),
            CURRENCY_CONTEXT: list(CURRENCIES.values()), DONE_CONTEXT: list(DONE_MESSAGES.values())}  # fmt: skip
