"""Updating and cancelling an alert that went out.

An update is a new alert (msg_type "update") referring to the one it replaces, with new texts, expiry or severity,
sent to the whole audience: when it launches (after a second person's approval, like any alert), the unsent rows of
the alert it replaces and of that alert's earlier updates are cancelled, so those not yet reached get the new text
instead of the old, and those already reached get it as an update. A cancel (msg_type "cancel") stops every unsent
row of the alert and its updates at once (stopping needs no approval, as cancelling any campaign) and, when staff
chose an all-clear (解除), the all-clear is a draft sent once a second person approved it; without one the cancel
is a finished record (no channels, no run) that the CAP export carries as msgType Cancel.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.broadcasts.alert_fields import ALERT, mark_drill
from campaigns.broadcasts.campaign_service import CampaignAnswer, campaign_to_dict, create_campaign, load_campaign
from campaigns.common.errors import Conflict, ValidationError
from campaigns.identity.access import Actor, require_write
from campaigns.models import Campaign
from campaigns.runs.run_control import cancel_campaign

UPDATE_FIELDS = ("texts", "expires_at", "severity", "name")
CANCEL_VALIDITY = timedelta(hours=1)  # how long an all-clear stays valid when the alert has already expired
ALL_CLEAR_TEXTS = {"zh": "【解除】{event}预警解除。", "yue": "【解除】{event}预警解除。"}
OTHER_ALL_CLEAR = "ALL CLEAR: the {event} alert is over."
COPIED = ("channels", "audience", "fallback_language", "timezone", "send_window", "expects_reply", "confirmation",
          "loudspeaker", "event_type", "severity", "is_drill")  # fmt: skip


def _replaceable(session: Session, actor: Actor, campaign_id: int, doing: str) -> Campaign:
    require_write(actor)
    original = load_campaign(session, actor, campaign_id)
    if original.kind != ALERT:
        raise ValidationError.coded(
            "alert_change.not_an_alert",
            "only an alert can be %(doing)sd: campaign %(campaign_id)s is a routine campaign",
            doing=doing,
            campaign_id=campaign_id,
        )
    if original.msg_type == "cancel":
        raise Conflict.coded(
            "alert_change.campaign_cancel_alert_cancelled",
            "campaign %(campaign_id)s is a cancel: %(doing)s the alert it cancelled instead",
            campaign_id=campaign_id,
            doing=doing,
        )
    if original.status == "draft":
        raise Conflict.coded(
            "alert_change.alert_was_never_launched", "this alert was never launched: edit or cancel the draft instead"
        )
    if original.status == "cancelled":
        raise Conflict.coded(
            "alert_change.alert_cancelled_replaced_by",
            "this alert is cancelled (or replaced by an update): %(doing)s its latest update instead",
            doing=doing,
        )
    return original


def _bare_texts(campaign: Campaign) -> dict[str, str]:
    return mark_drill(campaign.texts, False)


def _base(original: Campaign, now: datetime) -> dict[str, Any]:
    data = {key: getattr(original, key) for key in COPIED}
    data.update(kind=ALERT, schedule={"kind": "now"}, texts=_bare_texts(original),
                valid_from=max(original.valid_from or now, now), expires_at=original.expires_at)  # fmt: skip
    return data


def _created(session: Session, actor: Actor, data: dict, now: datetime, msg_type: str, original: Campaign) -> Campaign:
    created = create_campaign(session, actor, data, now)
    campaign = session.get_one(Campaign, created["id"])
    campaign.msg_type, campaign.references_id = msg_type, original.id
    session.flush()
    return campaign


def update_alert(
    session: Session, actor: Actor, campaign_id: int, data: dict[str, Any], now: datetime
) -> CampaignAnswer:
    """A draft update of a launched alert (new texts, expiry, severity or name); launching it, once approved,
    replaces the alert for everyone not yet reached and reaches the others as an update."""
    original = _replaceable(session, actor, campaign_id, "update")
    unknown = sorted(set(data) - set(UPDATE_FIELDS))
    if unknown:
        raise ValidationError.coded(
            "alert_change.update_takes_unknown",
            "an update takes %(fields_taken)s; unknown: %(unknown)s",
            fields=dict.fromkeys(unknown, "unknown"),
            fields_taken=", ".join(UPDATE_FIELDS),
            unknown=", ".join(unknown),
        )
    if not data:
        raise ValidationError.coded(
            "alert_change.give_new_texts_expires",
            "give new texts, expires_at, severity or name",
            fields={"texts": "required"},
        )
    fields = _base(original, now)
    fields["name"] = data.get("name") or f"{original.name}（更新）"
    fields.update({key: data[key] for key in ("texts", "expires_at", "severity") if key in data})
    return campaign_to_dict(_created(session, actor, fields, now, "update", original))


def cancel_alert(
    session: Session, actor: Actor, campaign_id: int, all_clear: bool, texts: dict[str, str] | None, now: datetime
) -> CampaignAnswer:
    """Cancel a launched alert: every unsent row of the alert and its updates stops now, and the cancel is kept as a
    record referring to it. With `all_clear`, the record is a draft all-clear (the texts given, or a plain 解除
    message per language) that is sent once a second person approved it; without, it is finished at once."""
    original = _replaceable(session, actor, campaign_id, "cancel")
    if not isinstance(all_clear, bool):
        raise ValidationError.coded(
            "alert_change.all_clear_true_false",
            "all_clear must be true or false",
            fields={"all_clear": "not a boolean"},
        )
    if texts is not None and not all_clear:
        raise ValidationError.coded(
            "alert_change.texts_are_all_clear",
            "texts are the all-clear message: give all_clear true too",
            fields={"texts": "unused"},
        )
    fields = _base(original, now)
    fields["name"] = f"{original.name}（解除）"
    fields["texts"] = texts if texts is not None else _all_clear_texts(original)
    fields["expires_at"] = max(original.expires_at or now, now + CANCEL_VALIDITY)
    fields["expects_reply"], fields["confirmation"] = False, None  # nobody is chased to confirm an all-clear
    campaign = _created(session, actor, fields, now, "cancel", original)
    _stop_family(session, actor, campaign, now)
    if not all_clear:
        campaign.channels = []
        campaign.status = "finished"
        session.flush()
    return campaign_to_dict(campaign)


def _all_clear_texts(original: Campaign) -> dict[str, str]:
    return {
        language: ALL_CLEAR_TEXTS.get(language, OTHER_ALL_CLEAR).format(event=original.event_type)
        for language in original.texts
    }


def alert_family(session: Session, campaign: Campaign) -> list[Campaign]:
    """The alert the campaign refers to (followed up to the first alert) and every update or cancel below it,
    the campaign itself excluded."""
    root = campaign
    while root.references_id is not None:
        parent = session.get(Campaign, root.references_id)
        if parent is None:
            break
        root = parent
    family, frontier = [root], [root.id]
    while frontier:
        children = list(session.scalars(select(Campaign).where(Campaign.references_id.in_(frontier))))
        family += children
        frontier = [child.id for child in children]
    return [member for member in family if member.id != campaign.id]


def prepare_alert_launch(session: Session, actor: Actor, campaign: Campaign, now: datetime) -> None:
    """Refuse to launch an expired alert; for an update or cancel, cancel the unsent rows of the alert it refers to
    and of that alert's other updates (through run_control's cancel) before it is sent."""
    if campaign.kind != ALERT:
        return
    if campaign.expires_at is not None and campaign.expires_at <= now:
        raise Conflict.coded(
            "alert_change.expired",
            "the alert expired at %(value1)s: it can no longer be launched",
            value1=campaign.expires_at.isoformat(),
        )
    if campaign.msg_type in ("update", "cancel"):
        _stop_family(session, actor, campaign, now)


def _stop_family(session: Session, actor: Actor, campaign: Campaign, now: datetime) -> None:
    for member in alert_family(session, campaign):
        if member.status == "cancelled" or (member.status == "draft" and campaign.msg_type == "update"):
            continue
        cancel_campaign(session, actor, member.id, now)
