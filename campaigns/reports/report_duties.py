"""Report duties: which grids report every day (a level under a root grid), who may report for a grid, by when,
with which fields, when the missing ones are reminded and escalated, and in which words.

A duty's reminder and escalation runs are its own (kind "duty_reminder"/"duty_escalation", `duty_id`); they hang
on a hidden campaign row (status "system", never shown or operable as a campaign) that holds the duty's send window
and time zone, which is what the sender reads. A duty is active, paused or ended (campaigns/reports/duty_control.py); an
ended duty cannot change any more. Staff manage duties within their
scope: a coordinator only for a root grid in their subtree. Staff of a grid under a duty's root see the duty too
(and its board for their part of the tree), but may not change it.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from campaigns.broadcasts.schedules import check_timezone, check_window
from campaigns.broadcasts.templates import check_texts
from campaigns.common.errors import Conflict, NotFound, ValidationError
from campaigns.common.text import clean_text
from campaigns.directory.grids import load_grid, resolve_level
from campaigns.directory.roles import normalize_role
from campaigns.identity.access import Actor, require_write, scope_condition
from campaigns.models import Campaign, Channel, ContactRole, Grid, GridLevel, ReportDuty
from campaigns.models.base import utcnow
from campaigns.models.campaign import SYSTEM_STATUS
from campaigns.models.grid import path_ids
from campaigns.reports.duty_runs import withdraw_unsent

REMINDER_PLACEHOLDERS = ("name", "grid", "duty", "deadline", "date")
ESCALATION_PLACEHOLDERS = ("name", "grid", "duty", "deadline", "date", "count", "missing")
DEFAULT_TEXTS = {
    "reminder": {"zh": "{name}：{duty}，请在今天{deadline}前报告{grid}的情况。无事回复0，有情况请回复情况和人数。"},
    "escalation": {"zh": "{name}：{duty}，{date} {deadline}前{grid}下{count}个网格未报告：{missing}。请督促上报。"},
}
DEFAULT_WINDOW = {"start": "08:00", "end": "21:00"}
EDITABLE = ("name", "root_grid_id", "level", "reporter_roles", "fields", "timezone", "deadline", "reminder_times",
            "escalation_delays", "texts", "send_window", "active")  # fmt: skip
FIELD_KEY = re.compile(r"[a-z][a-z0-9_]{0,31}")
MAX_FIELDS, MAX_REMINDERS, MAX_ESCALATIONS, MAX_DELAY = 20, 6, 5, 24 * 60
MAX_ID = 2**31 - 1


def duty_to_dict(session: Session, duty: ReportDuty) -> dict[str, Any]:
    root = session.get(Grid, duty.root_grid_id)
    campaign = duty_campaign(session, duty)
    return {
        "id": duty.id,
        "name": duty.name,
        "root_grid_id": duty.root_grid_id,
        "root_grid_code": root.code,
        "root_grid_name": root.name,
        "level": session.get(GridLevel, duty.level_id).key,
        "reporter_roles": duty.reporter_roles,
        "fields": duty.fields,
        "timezone": duty.timezone,
        "deadline": duty.deadline,
        "reminder_times": duty.reminder_times,
        "escalation_delays": duty.escalation_delays,
        "texts": duty.texts,
        "send_window": campaign.send_window,
        "active": duty.active,
        "status": duty_status(duty),
        "ended_at": duty.ended_at.isoformat() if duty.ended_at else None,
    }


class DutyStatus(StrEnum):
    """A duty's state: reminders go out while it is active; a paused duty can resume, an ended one cannot."""

    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


def duty_status(duty: ReportDuty) -> DutyStatus:
    """The duty's state: "ended" once ended, else "active" or "paused"."""
    if duty.ended_at is not None:
        return DutyStatus.ENDED
    return DutyStatus.ACTIVE if duty.active else DutyStatus.PAUSED


def require_not_ended(duty: ReportDuty) -> None:
    if duty.ended_at is not None:
        raise Conflict.coded("duty.ended", "the duty has ended: it cannot change or resume any more")


def duty_campaign(session: Session, duty: ReportDuty) -> Campaign:
    """The duty's hidden campaign row (made on first use): it carries the duty's runs and holds the send window."""
    for campaign in session.scalars(select(Campaign).where(Campaign.status == SYSTEM_STATUS)):
        if campaign.schedule.get("kind") == "duty" and campaign.schedule.get("duty_id") == duty.id:
            return campaign
    campaign = Campaign(status=SYSTEM_STATUS, schedule={"kind": "duty", "duty_id": duty.id}, send_window=DEFAULT_WINDOW)
    _sync_campaign(campaign, duty)
    session.add(campaign)
    session.flush()
    return campaign


def _sync_campaign(campaign: Campaign, duty: ReportDuty) -> None:
    campaign.name = f"{duty.name}（提醒与上报）"[:200]
    campaign.scope_grid_id = duty.root_grid_id
    campaign.channels = [Channel.SMS]
    campaign.audience = {"grid_ids": [duty.root_grid_id], "roles": duty.reporter_roles, "tags": [], "contact_ids": []}
    campaign.texts = duty.texts["reminder"]
    campaign.fallback_language = "zh" if "zh" in duty.texts["reminder"] else None
    campaign.timezone = duty.timezone
    campaign.expects_reply = False


def _clean(session: Session, actor: Actor, data: dict[str, Any], current: ReportDuty | None) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValidationError.coded("duty.not_object", "the duty must be an object")
    unknown = sorted(set(data) - set(EDITABLE))
    if unknown:
        raise ValidationError.coded(
            "input.unknown_fields",
            "unknown fields: %(unknown)s",
            fields={name: "unknown" for name in unknown},
            unknown=unknown,
        )
    merged: dict[str, Any] = {}
    if current is not None:
        merged = {key: getattr(current, key) for key in EDITABLE if hasattr(current, key)}
        merged["level"] = session.get(GridLevel, current.level_id).key
        merged["send_window"] = duty_campaign(session, current).send_window
    merged.update(data)
    root = _root_grid(session, actor, merged.get("root_grid_id"))
    level = resolve_level(session, merged.get("level"))
    if level.rank <= root.level.rank:
        raise ValidationError.coded(
            "duty.bad_level", "the reporting level must lie below the root grid's level", fields={"level": "too high"}
        )
    deadline = _clock(merged.get("deadline") or "10:00", "deadline")
    timezone = str(merged.get("timezone") or "Asia/Shanghai")
    check_timezone(timezone)
    active = merged.get("active", True)
    if not isinstance(active, bool):
        raise ValidationError.coded(
            "duty.bad_active", "active must be true or false", fields={"active": "not a boolean"}
        )
    return {
        "name": clean_text(merged.get("name"), "name", max_length=200),
        "root_grid_id": root.id,
        "level_id": level.id,
        "reporter_roles": _roles(merged.get("reporter_roles")),
        "fields": _fields(merged.get("fields")),
        "timezone": timezone,
        "deadline": deadline,
        "reminder_times": _reminder_times(merged.get("reminder_times"), deadline),
        "escalation_delays": _delays(merged.get("escalation_delays")),
        "texts": _texts(merged.get("texts")),
        "active": active,
        "send_window": check_window(merged.get("send_window", DEFAULT_WINDOW)),
    }


def _root_grid(session: Session, actor: Actor, raw: Any) -> Grid:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= MAX_ID:
        raise ValidationError.coded(
            "duty.bad_root_grid",
            "root_grid_id: the id of the grid whose subtree reports",
            fields={"root_grid_id": "bad"},
        )
    grid = load_grid(session, actor, raw)
    return grid


def _clock(raw: Any, field: str) -> str:
    try:
        return time.fromisoformat(str(raw)).isoformat(timespec="minutes")
    except ValueError as exc:
        raise ValidationError.coded(
            "duty.bad_time", "%(field)s must be a time like 10:00", fields={field: "not a time"}, field=field
        ) from exc


def _roles(raw: Any) -> list[str]:
    raw = [ContactRole.GRID_LEADER, ContactRole.LIAISON] if raw is None else raw
    if not isinstance(raw, list) or not raw:
        raise ValidationError.coded(
            "duty.bad_reporter_roles", "reporter_roles: a list of roles", fields={"reporter_roles": "bad"}
        )
    return sorted({normalize_role(role) for role in raw})


def _fields(raw: Any) -> list[dict[str, Any]]:
    """[{key, label, names}]: `names` are the words (Chinese, Tibetan...) the classifier maps onto the key; a
    {language: [words]} object is accepted and flattened."""
    raw = [] if raw is None else raw
    if not isinstance(raw, list) or len(raw) > MAX_FIELDS:
        raise ValidationError.coded(
            "duty.too_many_fields",
            "fields: a list of at most %(max_fields)s fields",
            fields={"fields": "bad"},
            max_fields=MAX_FIELDS,
        )
    fields, keys = [], set()
    for index, item in enumerate(raw):
        where = f"fields.{index}"
        if not isinstance(item, dict) or not FIELD_KEY.fullmatch(str(item.get("key", ""))) or item["key"] in keys:
            raise ValidationError.coded(
                "duty.bad_field_key",
                "%(where)s.key: a unique lower-case key like returnees",
                fields={where: "bad key"},
                where=where,
            )
        keys.add(item["key"])
        names = item.get("names") or []
        if isinstance(names, dict):
            names = [word for words in names.values() for word in ([words] if isinstance(words, str) else words)]
        if not isinstance(names, list):
            raise ValidationError.coded(
                "duty.bad_field_names",
                "%(where)s.names: a list of words",
                fields={f"{where}.names": "bad"},
                where=where,
            )
        words = list(dict.fromkeys(clean_text(word, f"{where}.names", max_length=32) for word in names))
        label = clean_text(item.get("label") or next(iter(words), item["key"]), f"{where}.label", max_length=40)
        fields.append({"key": item["key"], "label": label, "names": words})
    return fields


def _reminder_times(raw: Any, deadline: str) -> list[str]:
    raw = [] if raw is None else raw
    if not isinstance(raw, list) or len(raw) > MAX_REMINDERS:
        raise ValidationError.coded(
            "duty.too_many_reminders",
            "reminder_times: at most %(max_reminders)s times",
            fields={"reminder_times": "bad"},
            max_reminders=MAX_REMINDERS,
        )
    times = sorted({_clock(item, "reminder_times") for item in raw})
    if any(item >= deadline for item in times):
        raise ValidationError.coded(
            "duty.reminder_after_deadline",
            "reminders come before the deadline",
            fields={"reminder_times": "after the deadline"},
        )
    return times


def _delays(raw: Any) -> list[int]:
    raw = [0, 120] if raw is None else raw
    if not isinstance(raw, list) or len(raw) > MAX_ESCALATIONS:
        raise ValidationError.coded(
            "duty.too_many_escalations",
            "escalation_delays: a list of at most %(max_escalations)s delays in minutes",
            fields={"escalation_delays": "bad"},
            max_escalations=MAX_ESCALATIONS,
        )
    for index, item in enumerate(raw):
        low = 0 if index == 0 else 1
        if isinstance(item, bool) or not isinstance(item, int) or not low <= item <= MAX_DELAY:
            raise ValidationError.coded(
                "duty.bad_escalation_delay",
                "escalation_delays.%(index)s: minutes from %(low)s to %(max_delay)s",
                fields={"escalation_delays": "out of range"},
                index=index,
                low=low,
                max_delay=MAX_DELAY,
            )
    return list(raw)


def _texts(raw: Any) -> dict[str, dict[str, str]]:
    raw = {} if raw is None else raw
    if not isinstance(raw, dict) or set(raw) - {"reminder", "escalation"}:
        raise ValidationError.coded(
            "duty.bad_texts", 'texts: {"reminder": {...}, "escalation": {...}}', fields={"texts": "bad"}
        )
    return {
        "reminder": check_texts(raw.get("reminder") or DEFAULT_TEXTS["reminder"], REMINDER_PLACEHOLDERS,
                                "texts.reminder"),
        "escalation": check_texts(raw.get("escalation") or DEFAULT_TEXTS["escalation"], ESCALATION_PLACEHOLDERS,
                                  "texts.escalation"),
    }  # fmt: skip


def create_duty(session: Session, actor: Actor, data: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
    """Create a report duty for a root grid in the caller's scope, with its system campaign.

    Days whose deadline passed before `now` (the creation time) are never escalated.
    """
    require_write(actor)
    cleaned = _clean(session, actor, data, None)
    window = cleaned.pop("send_window")
    duty = ReportDuty(**cleaned, created_at=now or utcnow())
    session.add(duty)
    session.flush()
    duty_campaign(session, duty).send_window = window
    session.flush()
    return duty_to_dict(session, duty)


def load_duty(session: Session, actor: Actor, duty_id: int, *, write: bool = False) -> ReportDuty:
    """A duty the caller may see (its root in their scope, or above it); for `write`, its root must be in scope."""
    duty = session.get(ReportDuty, duty_id)
    if duty is None:
        raise NotFound.coded("duty.not_found", "report duty not found")
    root_path = session.get(Grid, duty.root_grid_id).path
    covers_scope = actor.scope_path is not None and actor.scope_path.startswith(root_path)
    if not actor.sees_path(root_path) and (write or not covers_scope):
        raise NotFound.coded("duty.not_found", "report duty not found")
    return duty


def get_duty(session: Session, actor: Actor, duty_id: int) -> dict[str, Any]:
    return duty_to_dict(session, load_duty(session, actor, duty_id))


def list_duties(session: Session, actor: Actor, *, active: bool | None = None) -> list[dict[str, Any]]:
    """The duties whose root grid is in the caller's scope or above it."""
    query = select(ReportDuty).join(Grid, Grid.id == ReportDuty.root_grid_id).order_by(ReportDuty.id)
    if actor.scope_path is not None:
        query = query.where(or_(scope_condition(actor, Grid.path), Grid.id.in_(path_ids(actor.scope_path))))
    if active is not None:
        query = query.where(ReportDuty.active.is_(active))
    return [duty_to_dict(session, duty) for duty in session.scalars(query)]


def update_duty(session: Session, actor: Actor, duty_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """Change a duty that has not ended (any field); reports already recorded stay as they are. Setting `active`
    false pauses it like `pause_duty`."""
    require_write(actor)
    duty = load_duty(session, actor, duty_id, write=True)
    require_not_ended(duty)
    cleaned = _clean(session, actor, data, duty)
    if duty.active and not cleaned["active"]:
        withdraw_unsent(session, duty.id, utcnow())
    window = cleaned.pop("send_window")
    for key, value in cleaned.items():
        setattr(duty, key, value)
    campaign = duty_campaign(session, duty)
    _sync_campaign(campaign, duty)
    campaign.send_window = window
    session.flush()
    return duty_to_dict(session, duty)
