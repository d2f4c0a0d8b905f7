"""Campaign services: create, edit, read and list campaigns; launch, pause, resume and cancel them.

A campaign belongs to the deepest grid that holds its whole audience; staff see it when that grid is in their
scope. Launching a campaign scheduled "now" creates its run at once; other schedules set `next_run_at`, and the
periodic tick creates each run when it is due.
"""

from __future__ import annotations

import posixpath
from datetime import datetime
from typing import Any, TypedDict

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, object_session

from campaigns.broadcasts.alert_fields import ALERT, ALERT_FIELDS, alert_to_dict, check_alert_fields, mark_drill
from campaigns.broadcasts.audiences import check_audience
from campaigns.broadcasts.confirmation_policy import ALERT_CONFIRMATION, check_confirmation
from campaigns.broadcasts.loudspeaker_policy import check_loudspeaker
from campaigns.broadcasts.schedules import ScheduleKind, check_schedule, check_timezone, check_window, next_occurrence
from campaigns.broadcasts.templates import check_template
from campaigns.common.errors import Conflict, NotFound, ValidationError
from campaigns.common.languages import normalize_language
from campaigns.common.pagination import Page, paginate
from campaigns.identity.access import Actor, require_write, scope_condition
from campaigns.models import Campaign, CampaignStatus, Channel, Contact, Grid, Run, RunStatus
from campaigns.models.base import utcnow
from campaigns.models.campaign import SYSTEM_STATUS

CHANNELS = tuple(Channel)
DEFAULT_TIMEZONE = "Asia/Shanghai"  # a campaign's zone unless it names one: its schedule and window are read there
ARCHIVED = "archived"  # the list filter that shows archived campaigns (they are hidden otherwise)
NOT_A_STAFF_CAMPAIGN = (
    "not a staff campaign: automatic runs (a report duty's reminders and escalations, auto-replies) are shown on "
    "their report duty and in the inbox"
)

EDITABLE = ("name", "channels", "audience", "texts", "fallback_language", "schedule", "timezone", "send_window",
            "expects_reply", "confirmation", "loudspeaker", *ALERT_FIELDS)  # fmt: skip


def shown_status(campaign: Campaign) -> str:
    """The status staff see: `sending` while a run of a scheduled or finished campaign sends (a "now" campaign is
    finished as soon as its only run is planned), `paused` while a finished campaign's run is held."""
    session = object_session(campaign)
    if (
        campaign.status not in (CampaignStatus.SCHEDULED, CampaignStatus.FINISHED)
        or session is None
        or campaign.id is None
    ):
        return campaign.status
    held = set(
        session.scalars(
            select(Run.status)
            .where(Run.campaign_id == campaign.id, Run.status.in_((RunStatus.SENDING, RunStatus.PAUSED)))
            .distinct()
        )
    )
    if RunStatus.SENDING in held:
        return CampaignStatus.SENDING
    if RunStatus.PAUSED in held and campaign.status == CampaignStatus.FINISHED:
        return CampaignStatus.PAUSED
    return campaign.status


class CampaignAnswer(TypedDict):
    """A campaign as the API shows it (its shown status: `sending` while a run sends)."""

    id: int
    name: str
    status: str
    channels: list[str]
    audience: dict[str, Any]
    texts: dict[str, str]
    fallback_language: str | None
    schedule: dict[str, Any]
    timezone: str
    send_window: dict[str, Any] | None
    expects_reply: bool
    confirmation: dict[str, Any] | None
    loudspeaker: dict[str, Any] | None
    next_run_at: str | None
    archived_at: str | None
    scope_grid_id: int | None
    kind: str
    alert: dict[str, Any] | None


def campaign_to_dict(campaign: Campaign) -> CampaignAnswer:
    return {
        "id": campaign.id,
        "name": campaign.name,
        "status": shown_status(campaign),
        "channels": campaign.channels,
        "audience": campaign.audience,
        "texts": campaign.texts,
        "fallback_language": campaign.fallback_language,
        "schedule": campaign.schedule,
        "timezone": campaign.timezone,
        "send_window": campaign.send_window,
        "expects_reply": campaign.expects_reply,
        "confirmation": campaign.confirmation,
        "loudspeaker": campaign.loudspeaker,
        "next_run_at": campaign.next_run_at.isoformat() if campaign.next_run_at else None,
        "archived_at": campaign.archived_at.isoformat() if campaign.archived_at else None,
        "scope_grid_id": campaign.scope_grid_id,
        "kind": campaign.kind or "routine",
        "alert": alert_to_dict(campaign),
    }


def _clean(
    session: Session, actor: Actor, data: dict[str, Any], current: Campaign | None, now: datetime
) -> dict[str, Any]:
    unknown = sorted(set(data) - set(EDITABLE))
    if unknown:
        raise ValidationError.coded(
            "input.unknown_fields",
            "unknown fields: %(unknown)s",
            fields={name: "unknown" for name in unknown},
            unknown=unknown,
        )
    merged = {key: getattr(current, key) for key in EDITABLE} if current else {}
    merged.update(data)
    name = str(merged.get("name") or "").strip()
    if not name or len(name) > 200:
        raise ValidationError.coded(
            "campaign.name_required", "name is required (at most 200 characters)", fields={"name": "required"}
        )
    channels = merged.get("channels") or [Channel.SMS]
    if not isinstance(channels, list) or any(channel not in CHANNELS for channel in channels):
        raise ValidationError.coded(
            "campaign.bad_channels",
            "channels must be a list of %(channels)s",
            fields={"channels": "unknown"},
            channels=CHANNELS,
        )
    texts_raw = merged.get("texts")
    if not isinstance(texts_raw, dict) or not texts_raw:
        raise ValidationError.coded(
            "campaign.bad_texts", 'texts: give the text per language, e.g. {"zh": "..."}', fields={"texts": "required"}
        )
    texts = {normalize_language(lang): check_template(text, f"texts.{lang}") for lang, text in texts_raw.items()}
    fallback = merged.get("fallback_language")
    fallback = normalize_language(fallback) if fallback else None
    if fallback and fallback not in texts:
        raise ValidationError.coded(
            "campaign.fallback_without_text",
            "the fallback language needs a text too",
            fields={"fallback_language": "no text"},
        )
    timezone = str(merged.get("timezone") or DEFAULT_TIMEZONE)
    check_timezone(timezone)
    new_alert = current is None and merged.get("kind") == ALERT
    expects_reply = bool(merged.get("expects_reply", new_alert))
    alert_default = new_alert and "confirmation" not in data
    schedule = check_schedule(merged.get("schedule") or {"kind": ScheduleKind.NOW})
    if current is None or current.status == CampaignStatus.DRAFT or {"schedule", "timezone"} & set(data):
        require_future(schedule, timezone, now)
    alert = check_alert_fields(merged, now, check_expiry=current is None or bool({"expires_at", "kind"} & set(data)))
    return {
        **alert,
        "name": name,
        "channels": list(dict.fromkeys(channels)),
        "audience": check_audience(session, actor, merged.get("audience")),
        "texts": mark_drill(texts, alert["is_drill"]) if alert["kind"] == ALERT else texts,
        "fallback_language": fallback,
        "schedule": schedule,
        "timezone": timezone,
        "send_window": check_window(merged.get("send_window")),
        "expects_reply": expects_reply,
        "confirmation": check_confirmation(
            ALERT_CONFIRMATION if alert_default and expects_reply else merged.get("confirmation"), expects_reply
        ),
        "loudspeaker": check_loudspeaker(merged.get("loudspeaker"), channels),
    }


def require_future(schedule: dict[str, Any], timezone: str, now: datetime) -> None:
    """Refuse a schedule with no occurrence after `now`: a past "once", or a recurrence whose `until` has passed."""
    if schedule["kind"] == ScheduleKind.NOW or next_occurrence(schedule, timezone, now) is not None:
        return
    if schedule["kind"] == "once":
        raise ValidationError.coded(
            "schedule.at_passed",
            "the schedule's time %(at)s (%(timezone)s) has already passed: choose a time in the future",
            fields={"schedule": "in the past"},
            at=schedule["at"],
            timezone=timezone,
        )
    raise ValidationError.coded(
        "schedule.until_passed",
        "the schedule ends on %(until)s, which has passed: it would never run again",
        fields={"schedule": "in the past"},
        until=schedule["until"],
    )


def _common_scope(session: Session, audience: dict[str, list]) -> int | None:
    paths = list(session.scalars(select(Grid.path).where(Grid.id.in_(audience["grid_ids"]))))
    if audience["contact_ids"]:
        query = select(Grid.path).join(Contact, Contact.grid_id == Grid.id)
        paths += list(session.scalars(query.where(Contact.id.in_(audience["contact_ids"]))))
    ids = [part for part in posixpath.commonpath(paths).strip("/").split("/") if part]
    return int(ids[-1]) if ids else None


def create_campaign(
    session: Session, actor: Actor, data: dict[str, Any], now: datetime | None = None
) -> CampaignAnswer:
    """Save a draft campaign after checking audience scope, texts, templates, schedule (not in the past) and
    window."""
    require_write(actor)
    cleaned = _clean(session, actor, data, None, now or utcnow())
    campaign = Campaign(**cleaned, status=CampaignStatus.DRAFT, created_by=actor.user_id)
    campaign.scope_grid_id = _common_scope(session, cleaned["audience"])
    session.add(campaign)
    session.flush()
    return campaign_to_dict(campaign)


def load_campaign(session: Session, actor: Actor, campaign_id: int) -> Campaign:
    """A staff campaign the caller may see; NotFound for any other (the rows that carry automatic runs too)."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound.coded("campaign.not_found", "campaign not found")
    require_staff_campaign(campaign)
    if campaign.scope_grid_id is None:
        visible = actor.scope_path is None
    else:
        visible = actor.sees_path(session.get_one(Grid, campaign.scope_grid_id).path)
    if not visible:
        raise NotFound.coded("campaign.not_found", "campaign not found")
    return campaign


def require_staff_campaign(campaign: Campaign | None) -> None:
    """NotFound when `campaign` is a hidden row that carries automatic runs (status "system"): no campaign page
    or operation applies to it."""
    if campaign is not None and campaign.status == SYSTEM_STATUS:
        raise NotFound.coded(
            "campaign.system",
            "not a staff campaign: automatic runs (a report duty's reminders and escalations, auto-replies) are "
            "shown on their report duty and in the inbox",
        )


def require_not_archived(campaign: Campaign) -> None:
    """Conflict for an archived campaign: it is restored before it is edited or launched."""
    if campaign.archived_at is not None:
        raise Conflict.coded("campaign.campaign_archived_restore_first", "the campaign is archived: restore it first")


def get_campaign(session: Session, actor: Actor, campaign_id: int) -> CampaignAnswer:
    return campaign_to_dict(load_campaign(session, actor, campaign_id))


def list_campaigns(
    session: Session,
    actor: Actor,
    *,
    status: str | None = None,
    kind: str | None = None,
    drill: bool | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """A page of the campaigns in the caller's scope, newest first: archived ones only with status "archived";
    `kind` ("routine"/"alert") and `drill` (alerts that are drills, or not) narrow the list."""
    query = select(Campaign).outerjoin(Grid, Campaign.scope_grid_id == Grid.id)
    query = query.where(Campaign.status != SYSTEM_STATUS)
    if kind:
        query = query.where(Campaign.kind == kind)
    if drill is not None:
        query = query.where(Campaign.kind == ALERT, Campaign.is_drill.is_(drill))
    if actor.scope_path is not None:
        query = query.where(scope_condition(actor, Grid.path))
    if status == ARCHIVED:
        query = query.where(Campaign.archived_at.is_not(None))
    else:
        query = query.where(Campaign.archived_at.is_(None))
    if status == CampaignStatus.SENDING:
        sending_run = exists().where(Run.campaign_id == Campaign.id, Run.status == RunStatus.SENDING)
        query = query.where(Campaign.status.in_((CampaignStatus.SCHEDULED, CampaignStatus.FINISHED)), sending_run)
    elif status and status != ARCHIVED:
        query = query.where(Campaign.status == status)
    return paginate(session, query.order_by(Campaign.id.desc()), page, per_page, campaign_to_dict)


def update_campaign(
    session: Session, actor: Actor, campaign_id: int, data: dict[str, Any], now: datetime | None = None
) -> CampaignAnswer:
    """Edit a draft, scheduled or paused campaign; runs already planned keep the texts they were planned with. A
    new schedule or time zone moves a launched campaign's next run (the old one no longer fires)."""
    require_write(actor)
    now = now or utcnow()
    campaign = load_campaign(session, actor, campaign_id)
    if campaign.status in ("cancelled", "finished"):
        raise Conflict.coded("campaign.cannot_edit", "a %(status)s campaign cannot be edited", status=campaign.status)
    require_not_archived(campaign)
    timing = (campaign.schedule, campaign.timezone)
    for key, value in _clean(session, actor, data, campaign, now).items():
        setattr(campaign, key, value)
    if (
        campaign.status in (CampaignStatus.SCHEDULED, CampaignStatus.PAUSED)
        and (campaign.schedule, campaign.timezone) != timing
    ):
        campaign.next_run_at = (
            now
            if campaign.schedule["kind"] == ScheduleKind.NOW
            else next_occurrence(campaign.schedule, campaign.timezone, now)
        )
    campaign.scope_grid_id = _common_scope(session, campaign.audience)
    session.flush()
    return campaign_to_dict(campaign)


def activate_campaign(session: Session, actor: Actor, campaign_id: int, now: datetime) -> Campaign:
    """Mark a draft campaign scheduled and set when its first run is due (now, for the 'now' schedule)."""
    require_write(actor)
    campaign = load_campaign(session, actor, campaign_id)
    if campaign.status != "draft":
        raise Conflict.coded(
            "campaign.cannot_launch_again",
            "a %(status)s campaign cannot be launched again; resume it if it is paused",
            status=campaign.status,
        )
    require_not_archived(campaign)
    if campaign.schedule["kind"] == ScheduleKind.NOW:
        campaign.next_run_at = now
    else:
        campaign.next_run_at = next_occurrence(campaign.schedule, campaign.timezone, now)
        if campaign.next_run_at is None:
            raise ValidationError.coded(
                "schedule.no_future_occurrence",
                "the schedule has no occurrence in the future",
                fields={"schedule": "in the past"},
            )
    campaign.status = "scheduled"
    session.flush()
    return campaign
