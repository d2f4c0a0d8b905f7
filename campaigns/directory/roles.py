"""Contact roles and the channels that can reach a contact, with the Chinese words used on lists."""

from __future__ import annotations

import re
import unicodedata

from campaigns.common.errors import ValidationError
from campaigns.common.text import has_forbidden_characters

CONTACT_ROLES: dict[str, tuple[str, str]] = {
    "household_head": ("户主", "household head"),
    "liaison": ("联户长", "household liaison"),
    "grid_worker": ("网格员", "grid worker"),
    "grid_leader": ("网格长", "grid leader"),
}
LEADER_ROLES = ("grid_leader",)

_ROLE_ALIASES = {
    "户主": "household_head",
    "household head": "household_head",
    "head": "household_head",
    "联户长": "liaison",
    "联户": "liaison",
    "household liaison": "liaison",
    "网格员": "grid_worker",
    "grid worker": "grid_worker",
    "worker": "grid_worker",
    "网格长": "grid_leader",
    "grid leader": "grid_leader",
    "leader": "grid_leader",
}

CHANNELS = ("sms", "voice")
_CHANNEL_ALIASES = {"短信": "sms", "电话": "voice", "语音": "voice", "call": "voice"}


def normalize_role(raw: str) -> str:
    """Return a role key for a key or a Chinese/English name; ValidationError otherwise."""
    text = unicodedata.normalize("NFKC", str(raw or "")).strip().lower().replace("-", "_")
    if not text:
        return "household_head"
    if text in CONTACT_ROLES:
        return text
    if text in _ROLE_ALIASES:
        return _ROLE_ALIASES[text]
    if text.replace("_", " ") in _ROLE_ALIASES:
        return _ROLE_ALIASES[text.replace("_", " ")]
    raise ValidationError.coded(
        "contact.unknown_role",
        "unknown role '%(raw)s' (known: %(contact_roles)s, 户主, 联户长, 网格员, 网格长)",
        raw=raw,
        contact_roles=CONTACT_ROLES,
    )


def normalize_channels(raw: str | list[str] | None) -> list[str]:
    """Parse "sms,voice" / "短信 电话" / a list into the ordered channel keys; empty means both."""
    if raw is None or raw == "" or raw == []:
        return list(CHANNELS)
    parts = raw if isinstance(raw, list) else re.split(r"[,;，；、/\s|]+", unicodedata.normalize("NFKC", str(raw)))
    found: set[str] = set()
    for part in parts:
        key = str(part).strip().lower()
        if not key:
            continue
        key = _CHANNEL_ALIASES.get(key, key)
        if key not in CHANNELS:
            raise ValidationError.coded(
                "contact.unknown_channel", "unknown channel '%(part)s' (known: sms, voice, 短信, 电话)", part=part
            )
        found.add(key)
    return [channel for channel in CHANNELS if channel in found] or list(CHANNELS)


def normalize_tags(raw: str | list[str] | None) -> list[str]:
    """Parse tags separated by commas, semicolons or spaces; each at most 40 characters."""
    if raw is None:
        return []
    parts = raw if isinstance(raw, list) else re.split(r"[,;，；、|]+", unicodedata.normalize("NFKC", str(raw)))
    tags = sorted({str(part).strip() for part in parts if str(part).strip()})
    for tag in tags:
        if len(tag) > 40:
            raise ValidationError.coded(
                "contact.tag_too_long", "tag '%(tag)s'... is longer than 40 characters", tag=tag[:20]
            )
        if has_forbidden_characters(tag):
            raise ValidationError.coded(
                "contact.tag_control_characters", "tag '%(tag)s' contains control characters", tag=tag[:20]
            )
    return tags
