"""Segment counts that must match Twilio's calculator."""

from __future__ import annotations

import pytest

from campaigns.common.sms_segments import count_segments


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "GSM-7", 0, 1),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),
        ("€" * 81, "GSM-7", 162, 2),
        ("a" * 152 + "€" + "a" * 7, "GSM-7", 161, 2),
        ("a" * 152 + "€" + "a" * 152, "GSM-7", 306, 3),  # the escape pair is never split: 152 | 153 | 1
        ("明天九点在乡卫生院接种疫苗", "UCS-2", 13, 1),
        ("汉" * 70, "UCS-2", 70, 1),
        ("汉" * 71, "UCS-2", 71, 2),
        ("汉" * 134, "UCS-2", 134, 2),
        ("汉" * 135, "UCS-2", 135, 3),
        ("བཀྲ་ཤིས་བདེ་ལེགས།", "UCS-2", 17, 1),
        ("😀" * 35, "UCS-2", 70, 1),
        ("a" * 66 + "😀" + "a", "UCS-2", 69, 1),
        ("a" * 66 + "😀" + "a" * 5, "UCS-2", 73, 2),  # the pair does not fit in unit 67 of the first segment
        ("Hello 你好", "UCS-2", 8, 1),
    ],
)
def test_counts(text, encoding, units, segments):
    count = count_segments(text)
    assert (count.encoding, count.units, count.segments) == (encoding, units, segments)
