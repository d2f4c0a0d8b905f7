"""What makes a campaign an emergency alert: its event type, severity, validity window and drill flag, checked with
the rest of the campaign (campaign_service._clean), and the drill mark every drill text carries.

Severities are the four levels of Chinese emergency plans, 特别重大/重大/较大/一般, i.e. CAP Extreme, Severe, Moderate,
Minor; staff may give the key, the Chinese word or the CAP word. Times are ISO 8601 with an offset and stored in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from campaigns.common.errors import ValidationError
from campaigns.models import Campaign

ROUTINE, ALERT = "routine", "alert"
KINDS = (ROUTINE, ALERT)
# key: (Chinese word, CAP 1.2 severity), from the most severe down
SEVERITIES: dict[str, tuple[str, str]] = {
    "extreme": ("特别重大", "Extreme"),
    "severe": ("重大", "Severe"),
    "moderate": ("较大", "Moderate"),
    "minor": ("一般", "Minor"),
}
HIGHEST_SEVERITY = "extreme"
MSG_TYPES = ("alert", "update", "cancel")
ALERT_FIELDS = ("kind", "event_type", "severity", "valid_from", "expires_at", "is_drill")
DRILL_MARKS = {"zh": "【演练】", "yue": "【演练】"}
OTHER_DRILL_MARK = "[TEST] "


def drill_mark(language: str) -> str:
    """The mark a drill text starts with: 【演练】 in Chinese, "[TEST] " in any other language."""
    return DRILL_MARKS.get(language, OTHER_DRILL_MARK)


def mark_drill(texts: dict[str, str], is_drill: bool) -> dict[str, str]:
    """Texts with the drill mark in front (once) for a drill, without it otherwise."""
    marked = {}
    for language, text in texts.items():
        mark = drill_mark(language)
        bare = text[len(mark) :] if text.startswith(mark) else text
        marked[language] = mark + bare if is_drill else bare
    return marked


def severity_key(raw: Any) -> str:
    """The severity key for a key, a Chinese word (特别重大...) or a CAP word (Extreme...)."""
    text = str(raw or "").strip()
    for key, (chinese, cap) in SEVERITIES.items():
        if text.lower() in (key, cap.lower()) or text == chinese:
            return key
    choices = ", ".join(f"{key} ({chinese})" for key, (chinese, _) in SEVERITIES.items())
    raise ValidationError.coded(
        "alert.severity_required_alert",
        "severity is required for an alert: one of %(choices)s",
        fields={"severity": "unknown"},
        choices=choices,
    )


def parse_moment(raw: Any, field: str) -> datetime:
    """An ISO 8601 time with an offset (e.g. 2026-11-23T18:00+08:00 or ...Z), in UTC."""
    if isinstance(raw, datetime):
        moment = raw
    else:
        try:
            moment = datetime.fromisoformat(str(raw or "").strip().replace("Z", "+00:00"))
        except ValueError as exc:
            raise ValidationError.coded(
                "alert.time_required",
                "%(field)s is required for an alert: an ISO 8601 time such as 2026-11-23T18:00+08:00",
                fields={field: "required"},
                field=field,
            ) from exc
    if moment.tzinfo is None:
        raise ValidationError.coded(
            "alert.time_without_offset",
            "%(field)s needs a UTC offset, e.g. +08:00 or Z",
            fields={field: "no offset"},
            field=field,
        )
    return moment.astimezone(UTC)


def check_alert_fields(merged: dict[str, Any], now: datetime, check_expiry: bool) -> dict[str, Any]:
    """The alert columns of a campaign being saved: for a routine campaign none may be set; an alert needs an event
    type, a severity and a validity window that ends after it starts (and, when `check_expiry`, after now)."""
    kind = merged.get("kind") or ROUTINE
    if kind not in KINDS:
        raise ValidationError.coded(
            "alert.kind_routine_alert", 'kind must be "routine" or "alert"', fields={"kind": "unknown"}
        )
    if kind == ROUTINE:
        given = [key for key in ALERT_FIELDS[1:] if merged.get(key) not in (None, False, "")]
        if given:
            raise ValidationError.coded(
                "alert.fields_of_alerts_only",
                '%(items)s: only an alert has these (give kind "alert")',
                fields=dict.fromkeys(given, "alerts only"),
                items=", ".join(given),
            )
        return {"kind": ROUTINE, "event_type": None, "severity": None, "valid_from": None, "expires_at": None,
                "is_drill": False}  # fmt: skip
    event_type = str(merged.get("event_type") or "").strip()
    if not event_type or len(event_type) > 100:
        raise ValidationError.coded(
            "alert.event_type_required_alert",
            "event_type is required for an alert (at most 100 characters), e.g. 暴雪",
            fields={"event_type": "required"},
        )
    severity = severity_key(merged.get("severity"))
    valid_from = parse_moment(merged.get("valid_from"), "valid_from")
    expires_at = parse_moment(merged.get("expires_at"), "expires_at")
    if expires_at <= valid_from:
        raise ValidationError.coded(
            "alert.expires_at_after_valid",
            "expires_at must be after valid_from",
            fields={"expires_at": "before valid_from"},
        )
    if check_expiry and expires_at <= now:
        raise ValidationError.coded(
            "alert.expires_at_has_already",
            "expires_at has already passed: an alert must still be valid",
            fields={"expires_at": "in the past"},
        )
    is_drill = merged.get("is_drill", False)
    if not isinstance(is_drill, bool):
        raise ValidationError.coded(
            "alert.drill_true_false", "is_drill must be true or false", fields={"is_drill": "not a boolean"}
        )
    return {"kind": ALERT, "event_type": event_type, "severity": severity, "valid_from": valid_from,
            "expires_at": expires_at, "is_drill": is_drill}  # fmt: skip


def alert_to_dict(campaign: Campaign) -> dict[str, Any] | None:
    """The alert part of a campaign's dict (None for a routine campaign)."""
    if campaign.kind != ALERT:
        return None
    severity = campaign.severity or ""
    chinese, cap = SEVERITIES.get(severity, ("", ""))
    return {
        "event_type": campaign.event_type,
        "severity": severity,
        "severity_zh": chinese,
        "severity_cap": cap,
        "valid_from": campaign.valid_from.isoformat() if campaign.valid_from else None,
        "expires_at": campaign.expires_at.isoformat() if campaign.expires_at else None,
        "is_drill": campaign.is_drill,
        "msg_type": campaign.msg_type or "alert",
        "references_id": campaign.references_id,
    }
