"""Mandarin text prepared for espeak-ng's `cmn-latn-pinyin` voice: numbers and times as Chinese words, then pinyin
with tone numbers (pypinyin), Chinese punctuation as ASCII pauses. (espeak-ng 1.51's `cmn` voice reads tone digits
aloud; the pinyin voice speaks them as tones.)"""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

_DIGITS = "零一二三四五六七八九"
_PUNCTUATION = str.maketrans({"，": ", ", "、": ", ", "。": ". ", "！": "! ", "？": "? ", "；": "; ", "：": ": "})
_TIME = re.compile(r"(\d{1,2})[:：](\d{2})")
_NUMBER = re.compile(r"\d+")


def chinese_number(value: int) -> str:
    """0-99,999,999 in Chinese words (三百零五); longer numbers digit by digit."""
    if value == 0:
        return _DIGITS[0]
    if value >= 100_000_000:
        return "".join(_DIGITS[int(digit)] for digit in str(value))
    if value >= 10_000:
        high, low = divmod(value, 10_000)
        return chinese_number(high) + "万" + (("零" if low < 1000 else "") + chinese_number(low) if low else "")
    words, pending_zero = "", False
    for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = value // unit_value % 10
        if digit == 0:
            pending_zero = bool(words)
            continue
        if pending_zero:
            words += "零"
            pending_zero = False
        words += ("" if unit == "十" and digit == 1 and not words else _DIGITS[digit]) + unit
    return words


def _time(match: re.Match) -> str:
    hours, minutes = int(match.group(1)), int(match.group(2))
    return chinese_number(hours) + "点" + (chinese_number(minutes) + "分" if minutes else "")


def mandarin_to_pinyin(text: str) -> str:
    """`明天9:00接种。` -> `ming2 tian1 jiu3 dian3 jie1 zhong4. `"""
    spelled = _NUMBER.sub(lambda match: chinese_number(int(match.group())), _TIME.sub(_time, text))
    syllables = lazy_pinyin(spelled, style=Style.TONE3, neutral_tone_with_five=True)
    return " ".join(syllable.translate(_PUNCTUATION).strip() for syllable in syllables if syllable.strip())
