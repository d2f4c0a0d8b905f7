"""A campaign's confirmation policy: when non-confirmers are reminded, and when their leaders are told.

    {"remind_after_minutes": 60, "max_reminders": 2, "reminder_channel": "sms",
     "escalate_after_minutes": 120, "escalate_up_after_minutes": 240, "escalate_to": ["grid_leader"],
     "escalation_texts": {"zh": "{name}：「{campaign}」还有{count}人未确认：{names}"}}   (texts optional)

The steps follow each other: the first reminder comes `remind_after_minutes` after the run's first message went
out, each further reminder that long after the previous one; the leaders of the non-confirmers' grids are told
`escalate_after_minutes` after the last reminder (or the first send, with no reminders), and the leaders one level
up `escalate_up_after_minutes` after that. A missing escalation delay means no escalation (at that level).

A reminder goes by SMS (the non-confirmer's own message again) or, with `reminder_channel` "voice", as a call
playing the campaign's announcement to those who can be called in a language with audio (the others get the SMS
again). The escalation goes to the roles in `escalate_to` (grid leaders by default; liaisons too for alerts).
An alert created without a policy gets ALERT_CONFIRMATION: an SMS, a call 15 minutes later to those who did not
confirm it, and after 30 more minutes the names go to their liaisons and grid leaders.
"""

from __future__ import annotations

from typing import Any

from campaigns.broadcasts.templates import check_texts
from campaigns.common.errors import ValidationError

ESCALATION_PLACEHOLDERS = ("name", "grid", "campaign", "count", "names")
DEFAULT_ESCALATION_TEXTS = {"zh": "{name}：「{campaign}」在{grid}还有{count}人未确认收到：{names}。请联系督促。"}
REMINDER_CHANNELS = ("sms", "voice")
ESCALATION_ROLES = ("grid_leader", "liaison", "grid_worker")
ALERT_CONFIRMATION = {"remind_after_minutes": 15, "max_reminders": 1, "reminder_channel": "voice",
                      "escalate_after_minutes": 30, "escalate_to": ["liaison", "grid_leader"]}  # fmt: skip
MAX_MINUTES = 7 * 24 * 60
MAX_REMINDERS = 5
KEYS = ("remind_after_minutes", "max_reminders", "reminder_channel", "escalate_after_minutes",
        "escalate_up_after_minutes", "escalate_to", "escalation_texts")  # fmt: skip


def _minutes(raw: dict[str, Any], key: str, default: int | None) -> int | None:
    value = raw.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_MINUTES:
        raise ValidationError.coded(
            "confirmation.bad_minutes",
            "confirmation.%(key)s: whole minutes from 1 to %(max_minutes)s",
            fields={f"confirmation.{key}": "out of range"},
            key=key,
            max_minutes=MAX_MINUTES,
        )
    return value


def check_confirmation(raw: Any, expects_reply: bool) -> dict[str, Any] | None:
    """Validate and normalize a confirmation policy (None or {} for none); it needs `expects_reply`."""
    if raw in (None, {}):
        return None
    if not isinstance(raw, dict):
        raise ValidationError.coded(
            "confirmation.not_object", "confirmation must be an object", fields={"confirmation": "bad"}
        )
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        raise ValidationError.coded(
            "confirmation.unknown_keys",
            "confirmation: unknown keys %(unknown)s",
            fields={"confirmation": "unknown key"},
            unknown=unknown,
        )
    if not expects_reply:
        raise ValidationError.coded(
            "confirmation.needs_reply",
            "a confirmation policy needs expects_reply: true",
            fields={"expects_reply": "required"},
        )
    reminders = raw.get("max_reminders", 2)
    if isinstance(reminders, bool) or not isinstance(reminders, int) or not 0 <= reminders <= MAX_REMINDERS:
        raise ValidationError.coded(
            "confirmation.bad_max_reminders",
            "confirmation.max_reminders: 0 to %(max_reminders)s",
            fields={"confirmation.max_reminders": "out of range"},
            max_reminders=MAX_REMINDERS,
        )
    channel = raw.get("reminder_channel", "sms")
    if channel not in REMINDER_CHANNELS:
        raise ValidationError.coded(
            "confirmation.bad_reminder_channel",
            "confirmation.reminder_channel: sms or voice",
            fields={"confirmation.reminder_channel": "unknown"},
        )
    escalate = _minutes(raw, "escalate_after_minutes", None)
    escalate_up = _minutes(raw, "escalate_up_after_minutes", None)
    if escalate_up is not None and escalate is None:
        raise ValidationError.coded(
            "confirmation.escalation_needs_delay",
            "escalating one level up needs escalate_after_minutes too",
            fields={"confirmation.escalate_after_minutes": "required"},
        )
    texts = raw.get("escalation_texts")
    return {
        "remind_after_minutes": _minutes(raw, "remind_after_minutes", 60),
        "max_reminders": reminders,
        "reminder_channel": channel,
        "escalate_after_minutes": escalate,
        "escalate_up_after_minutes": escalate_up,
        "escalate_to": _roles(raw.get("escalate_to", ["grid_leader"])),
        "escalation_texts": check_texts(texts, ESCALATION_PLACEHOLDERS, "confirmation.escalation_texts")
        if texts
        else None,
    }


def _roles(raw: Any) -> list[str]:
    if not isinstance(raw, list) or not raw or any(role not in ESCALATION_ROLES for role in raw):
        raise ValidationError.coded(
            "confirmation.bad_escalate_to",
            "confirmation.escalate_to: a list of %(roles)s",
            fields={"confirmation.escalate_to": "unknown"},
            roles=", ".join(ESCALATION_ROLES),
        )
    return list(dict.fromkeys(raw))
