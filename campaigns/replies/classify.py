"""Classifying an SMS reply: confirm, zero report, incident (with counts), opt-out, opt-in, help or unknown.

`classify_reply` is a pure function of the text, the keyword lists and the report's fields. The text is normalized
first (NFKC folds full-width digits and punctuation, Tibetan digits ༠-༩ become 0-9, case is folded, spaces are
collapsed). Then, in this order:

1. The whole message equals a keyword (punctuation and spaces ignored): opt_out, opt_in, help, zero_report, confirm,
   incident, in that priority when a word is in several lists. Opt-out, opt-in and help only ever match this way
   (as carriers do), so "不要退订" never opts anyone out. A message of only question marks is help.
2. The message holds counts: named ("返乡2人 发热1人", "returnees 2 fever 1", "2人返乡") or positional ("2 1",
   mapped onto the fields in order). Names map to a field's key when the field's key or one of its names is in
   the name. Dates and clock times are ignored. Counts that are all zero make a zero report, any other an incident.
   A single number other than 0 or 1 is positional only when fields are given (otherwise it stays unknown).
   A field named as absent ("无发热", "没有返乡", "no fever", "ཚ་བ་མེད") counts 0 unless the message gives it a
   number, so "返乡1人 无发热" is {returnees: 1, fever: 0} and "无发热" alone a zero report with {fever: 0}: the
   reporter's fever count is corrected to zero (campaigns/reports/daily_reports.py).
3. Keywords inside the message: a multi-character Chinese keyword anywhere, a Latin or Tibetan keyword as a whole
   word. A longer match swallows a shorter one it overlaps ("无异常" beats "异常"). A negated keyword (不/没/未/无,
   "not", མ/མི before it) flips: a negated confirmation ("没收到") makes the message unknown, a negated zero word
   ("不正常") an incident, a negated incident word ("没有发热") is ignored. Incident beats zero report beats confirm.
4. Anything else is unknown.

So "0" alone is a zero report and "1" alone a confirmation; what they then do depends on the contact (see
campaigns/replies/processing.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from campaigns.models import Intent

EXACT_ONLY = (Intent.OPT_OUT, Intent.OPT_IN, Intent.HELP)
EXACT_PRIORITY = (Intent.OPT_OUT, Intent.OPT_IN, Intent.HELP, Intent.ZERO_REPORT, Intent.CONFIRM, Intent.INCIDENT)
FOUND_PRIORITY = (Intent.INCIDENT, Intent.ZERO_REPORT, Intent.CONFIRM)
MAX_COUNT = 99_999

_TIBETAN_DIGITS = str.maketrans("༠༡༢༣༤༥༦༧༨༩", "0123456789")
_TSHEG = "\u0f0b\u0f0c"
_PUNCTUATION = re.compile(r"[\s\u0f0b-\u0f14\u3000-\u303f!-/:-@\[-`{-~，。、；：？！…—·“”‘’（）【】《》]+")
_TIBETAN_LETTER = "\u0f40-\u0fbc"
_LATIN = re.compile(r"[a-z0-9 '\-]+")
_DATES = re.compile(
    r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}[日号]?|\d{1,2}月\d{1,2}[日号]?|\d{1,2}[:：点时]\d{2}分?|\d{1,2}[日号]"
)
_TOKEN = re.compile(r"\d+|[^\d\s,;:=.!?()\[\]、，；：=。！？（）\u0f0d-\u0f14]+")
_UNITS = ("人员", "人", "个", "名", "头", "只", "例", "户", "匹", "口", "位", "起", "处", "people", "persons", "person")
_NEGATIONS_CJK = ("没有", "并未", "不", "没", "沒", "未", "无", "無", "冇", "非")
_NEGATIONS_LATIN = ("not", "no", "never", "didn't", "didnt", "haven't", "havent", "don't", "dont")
_NEGATIONS_TIBETAN = ("མ", "མི")
_ABSENT_AFTER_TIBETAN = ("མེད",)


@dataclass(frozen=True)
class Classification:
    """What a reply means: its intent, any counts keyed by report field, and the normalized text."""

    intent: str
    counts: dict[str, int] = field(default_factory=dict)
    normalized: str = ""


def normalize_text(text: str) -> str:
    """NFKC, Tibetan digits to 0-9, case folded, runs of spaces collapsed, trimmed; trailing tsheg dropped."""
    folded = unicodedata.normalize("NFKC", str(text or "")).translate(_TIBETAN_DIGITS).casefold()
    return re.sub(r"\s+", " ", folded).strip().rstrip(_TSHEG + " ")


def _core(text: str) -> str:
    """The text without punctuation or spaces, for whole-message comparison."""
    return _PUNCTUATION.sub("", text)


def classify_reply(
    text: str, keywords: Mapping[str, Iterable[str]], fields: Sequence[Mapping[str, Any]] | None = None
) -> Classification:
    """Classify one reply given `keywords` (intent -> words) and the report's `fields` ([{key, names}], optional)."""
    normalized = normalize_text(text)
    if not normalized:
        return Classification(Intent.UNKNOWN, {}, normalized)
    words = {intent: sorted({normalize_text(word) for word in items} - {""}) for intent, items in keywords.items()}
    exact = _exact(normalized, words)
    if exact:
        return Classification(exact, {}, normalized)
    counts = extract_counts(
        normalized, fields, ignore=[*words.get(Intent.CONFIRM, ()), *words.get(Intent.ZERO_REPORT, ())]
    )
    for key in negated_fields(normalized, fields):
        counts.setdefault(key, 0)
    if counts:
        intent = Intent.INCIDENT if any(counts.values()) else Intent.ZERO_REPORT
        return Classification(intent, counts, normalized)
    return Classification(_found(normalized, words), {}, normalized)


def _exact(normalized: str, words: dict[str, list[str]]) -> str | None:
    core = _core(normalized)
    for intent in EXACT_PRIORITY:
        for word in words.get(intent, ()):
            if normalized == word or (core and core == _core(word)):
                return intent
    if not core and "?" in normalized:
        return Intent.HELP
    return None


def _found(normalized: str, words: dict[str, list[str]]) -> str:
    matches = []
    for intent, items in words.items():
        if intent in EXACT_ONLY:
            continue
        for word in items:
            pattern = _contained_pattern(word)
            if pattern is not None:
                matches += [(m.start(), m.end(), intent, word) for m in pattern.finditer(normalized)]
    kept = [m for m in matches if not any(_swallows(other, m) for other in matches)]
    intents = set()
    for start, _end, intent, _word in kept:
        if not _negated(normalized, start):
            intents.add(intent)
        elif intent == Intent.CONFIRM:
            return Intent.UNKNOWN
        elif intent == Intent.ZERO_REPORT:
            intents.add(Intent.INCIDENT)
    return next((intent for intent in FOUND_PRIORITY if intent in intents), Intent.UNKNOWN)


def _swallows(other, match) -> bool:
    return (
        other is not match
        and other[0] <= match[0]
        and match[1] <= other[1]
        and other[1] - other[0] > match[1] - match[0]
    )


def _contained_pattern(word: str) -> re.Pattern | None:
    """How `word` may be found inside a longer message, or None when it only counts as the whole message."""
    if not word or word.isdigit():
        return None
    escaped = re.escape(word)
    if _LATIN.fullmatch(word):
        return re.compile(rf"(?<![a-z0-9]){escaped}(?![a-z0-9])") if len(word) >= 2 else None
    if any("\u0f00" <= char <= "\u0fff" for char in word):
        return re.compile(rf"(?<![{_TIBETAN_LETTER}]){escaped}(?![{_TIBETAN_LETTER}])")
    return re.compile(escaped) if len(word) >= 2 else None


def _negated(text: str, start: int) -> bool:
    before = text[:start].rstrip(" " + _TSHEG)
    if any(before.endswith(word) for word in _NEGATIONS_CJK):
        return True
    last_word = re.split(r"[\s,.;!?]+", before)[-1] if before else ""
    if last_word in _NEGATIONS_LATIN:
        return True
    syllables = re.split(rf"[\s{_TSHEG}]+", before)
    return bool(syllables) and syllables[-1] in _NEGATIONS_TIBETAN


def negated_fields(normalized: str, fields: Sequence[Mapping[str, Any]] | None) -> list[str]:
    """Keys of the fields a normalized reply names as absent: a negation before the field's name ("无发热",
    "没有返乡", "no fever") or Tibetan མེད after it ("ཚ་བ་མེད")."""
    keys = []
    for item in fields or []:
        key = str(item.get("key") or "")
        names = {normalize_text(name) for name in [key, item.get("label") or "", *(item.get("names") or [])]}
        for name in sorted(names - {""}):
            pattern = _contained_pattern(name)
            found = pattern.finditer(normalized) if pattern is not None else ()
            if key not in keys and any(_negated(normalized, m.start()) or _absent_after(normalized, m.end())
                                       for m in found):  # fmt: skip
                keys.append(key)
    return keys


def _absent_after(text: str, end: int) -> bool:
    after = text[end:].lstrip(" " + _TSHEG)
    return any(after.startswith(word) for word in _ABSENT_AFTER_TIBETAN)


def extract_counts(
    normalized: str, fields: Sequence[Mapping[str, Any]] | None = None, ignore: Iterable[str] = ()
) -> dict[str, int]:
    """Counts in a normalized reply, keyed by field key (or by the name used, or by position "1", "2"...).

    Named counts may come name-first ("返乡2人") or number-first ("2 returnees"); names that are in `ignore`
    (confirmation and zero-report words such as 收到) are not counts.
    """
    tokens = _TOKEN.findall(_DATES.sub(" ", normalized))
    if not tokens:
        return {}
    numbers = [token for token in tokens if token.isdigit()]
    if not numbers or any(len(number) > len(str(MAX_COUNT)) for number in numbers):
        return {}
    if len(numbers) == len(tokens):
        if len(numbers) == 1 and not fields:
            return {}
        keys = [str(f.get("key")) for f in fields or []]
        return {keys[i] if i < len(keys) else str(i + 1): int(number) for i, number in enumerate(numbers)}
    ignored = {_core(normalize_text(word)) for word in ignore}
    counts: dict[str, int] = {}
    for name, number in _pairs(tokens):
        name = _core(_strip_unit(name))
        if name and name not in ignored and not _is_unit(name):
            key = _field_key(name, fields)
            counts[key] = counts.get(key, 0) + int(number)
    return counts


def _pairs(tokens: list[str]) -> list[tuple[str, str]]:
    """(name, number) pairs: the name after the number when the text starts with a number ("2 returnees"), or
    after "有 N <unit>" ("有3头牛死了"); otherwise the name before the number ("返乡2人")."""
    number_first = tokens[0].isdigit()
    pairs = []
    for index, token in enumerate(tokens):
        if not token.isdigit():
            continue
        before = tokens[index - 1] if index > 0 and not tokens[index - 1].isdigit() else None
        after = tokens[index + 1] if index + 1 < len(tokens) and not tokens[index + 1].isdigit() else None
        label = before
        if number_first or (before and before.endswith("有") and after and _strip_unit(after) != after):
            label = after
        if label:
            pairs.append((label, token))
    return pairs


def _strip_unit(name: str) -> str:
    for unit in _UNITS:
        if name.startswith(unit) and len(name) > len(unit):
            return name[len(unit) :]
    return name


def _is_unit(name: str) -> bool:
    return name in _UNITS


def _field_key(name: str, fields: Sequence[Mapping[str, Any]] | None) -> str:
    best, best_length = None, 0
    for item in fields or []:
        key = str(item.get("key") or "")
        for candidate in [key, item.get("label") or "", *(item.get("names") or [])]:
            candidate = _core(normalize_text(candidate))
            if len(candidate) < 2:
                continue
            matches = candidate in name or (len(name) >= 3 and name in candidate)
            if matches and len(candidate) > best_length:
                best, best_length = key, len(candidate)
    return best or name[:32]
