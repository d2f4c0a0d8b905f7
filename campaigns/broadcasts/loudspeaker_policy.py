"""A campaign's loudspeaker section: when village loudspeakers play its announcement, and how often.

    {"play_at": ["08:00", "19:30"], "times": 2, "valid_hours": 24}

Each run of a campaign whose channels include "loudspeaker" is an announcement. It is valid from the run's start
(`valid_from`, the run's occurrence) for `valid_hours` (1-720, default 24); while valid, every loudspeaker in the
campaign's audience grids or below plays it at each `play_at` time (local to the campaign's time zone, at most 12
times; empty: the speaker's own play slots) `times` times in a row (1-10, default 1). A campaign without the
loudspeaker channel has no loudspeaker section (one sent along is dropped).
"""

from __future__ import annotations

import re
from typing import Any

from campaigns.common.errors import ValidationError
from campaigns.models import Channel

CHANNEL = Channel.LOUDSPEAKER
KEYS = ("play_at", "times", "valid_hours")
DEFAULTS = {"play_at": [], "times": 1, "valid_hours": 24}
MAX_TIMES = 10
MAX_VALID_HOURS = 720
MAX_PLAY_TIMES = 12
TIME_OF_DAY = re.compile(r"(\d{1,2}):(\d{2})")


def check_play_times(raw: Any, field: str) -> list[str]:
    """A sorted list of distinct local times of day ("08:00"), at most MAX_PLAY_TIMES of them."""
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > MAX_PLAY_TIMES:
        raise ValidationError.coded(
            "loudspeaker.bad_times",
            "%(field)s: a list of at most %(max_play_times)s times like 08:00",
            fields={field: "bad"},
            field=field,
            max_play_times=MAX_PLAY_TIMES,
        )
    times = set()
    for item in raw:
        found = TIME_OF_DAY.fullmatch(item.strip()) if isinstance(item, str) else None
        if found is None or int(found[1]) > 23 or int(found[2]) > 59:
            raise ValidationError.coded(
                "loudspeaker.bad_time",
                "%(field)s: '%(item)s' is not a time like 08:00",
                fields={field: "not a time"},
                field=field,
                item=item,
            )
        times.add(f"{int(found[1]):02d}:{found[2]}")
    return sorted(times)


def _whole(raw: dict[str, Any], key: str, high: int) -> int:
    value = raw.get(key, DEFAULTS[key])
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
        raise ValidationError.coded(
            "loudspeaker.bad_number",
            "loudspeaker.%(key)s: a whole number from 1 to %(high)s",
            fields={f"loudspeaker.{key}": "out of range"},
            key=key,
            high=high,
        )
    return value


def check_loudspeaker(raw: Any, channels: list[str]) -> dict[str, Any] | None:
    """Validate and normalize the loudspeaker section; defaults fill a missing one when the channel is chosen."""
    if CHANNEL not in channels:
        return None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ValidationError.coded(
            "loudspeaker.not_object", "loudspeaker must be an object", fields={"loudspeaker": "bad"}
        )
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        raise ValidationError.coded(
            "loudspeaker.unknown_keys",
            "loudspeaker: unknown keys %(keys)s",
            fields={"loudspeaker": "unknown key"},
            keys=[str(key) for key in unknown],
        )
    return {
        "play_at": check_play_times(raw.get("play_at"), "loudspeaker.play_at"),
        "times": _whole(raw, "times", MAX_TIMES),
        "valid_hours": _whole(raw, "valid_hours", MAX_VALID_HOURS),
    }
