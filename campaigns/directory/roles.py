"""Contact roles and the channels that can reach a contact, with the Chinese words used on lists."""

from __future__ import annotations

import re
import unicodedata

from campaigns.common.errors import ValidationError
from campaigns.common.text import has_forbidden_characters
from campaigns.models import Channel, ContactRole

CONTACT_ROLES: dict[str, tuple[str, str]] = {
    ContactRole.HOUSEHOLD_HEAD: ("户主", "household head"),
    ContactRole.LIAISON: ("联户长", "household liaison"),
    ContactRole.GRID_WORKER: ("网格员", "grid worker"),
    ContactRole.GRID_LEADER: ("网格长", "grid leader"),
}
LEADER_ROLES = (ContactRole.GRID_LEADER,)

_ROLE_ALIASES = {
    "户主": ContactRole.HOUSEHOLD_HEAD,
    "household head": ContactRole.HOUSEHOLD_HEAD,
    "head": ContactRole.HOUSEHOLD_HEAD,
    "联户长": ContactRole.LIAISON,
    "联户": ContactRole.LIAISON,
    "household liaison": ContactRole.LIAISON,
    "网格员": ContactRole.GRID_WORKER,
    "grid worker": ContactRole.GRID_WORKER,
    "worker": ContactRole.GRID_WORKER,
    "网格长": ContactRole.GRID_LEADER,
    "grid leader": ContactRole.GRID_LEADER,
    "leader": ContactRole.GRID_LEADER,
}

CHANNELS = (Channel.SMS, Channel.VOICE)
_CHANNEL_ALIASES = {"短信": Channel.SMS, "电话": Channel.VOICE, "语音": Channel.VOICE, "call": Channel.VOICE}


def normalize_role(raw: str) -> str:
    """Return a role key for a key or a Chinese/English name; ValidationError otherwise."""
    text = unicodedata.normalize("NFKC", str(raw or "")).strip().lower().replace("-", "_")
    if not text:
        return ContactRole.HOUSEHOLD_HEAD
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
