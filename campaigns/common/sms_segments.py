"""SMS encoding and segment counts, as Twilio counts them.

GSM-7 text fits 160 septets in one segment, 153 per segment once concatenated; characters of the extension table
take two septets and are never split across segments. Anything else is UCS-2: 70 UTF-16 code units in one
segment, 67 per segment once concatenated, and a surrogate pair is never split. Chinese and Tibetan are UCS-2.
"""

from __future__ import annotations

from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")


@dataclass(frozen=True)
class SegmentCount:
    """How a text travels: its encoding, its length in units of that encoding, and the number of segments."""

    encoding: str
    units: int
    segments: int
    per_segment: int


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def count_segments(text: str) -> SegmentCount:
    """Encoding and segments of `text`; an empty text is one (empty) segment."""
    if is_gsm7(text):
        sizes = [2 if char in GSM7_EXTENSION else 1 for char in text]
        return _fill("GSM-7", sizes, single=160, multi=153)
    sizes = [2 if ord(char) > 0xFFFF else 1 for char in text]
    return _fill("UCS-2", sizes, single=70, multi=67)


def _fill(encoding: str, sizes: list[int], *, single: int, multi: int) -> SegmentCount:
    total = sum(sizes)
    if total <= single:
        return SegmentCount(encoding, total, 1, single)
    segments, used = 1, 0
    for size in sizes:
        if used + size > multi:
            segments += 1
            used = 0
        used += size
    return SegmentCount(encoding, total, segments, multi)
