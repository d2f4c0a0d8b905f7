"""Four eyes on large campaigns and on every alert: a campaign to more people than a threshold (a setting), and any
alert whatever its size, launches only after a second person approved it.

The threshold is compared with the people the campaign reaches by SMS or call, the number its preview shows as
`people`. The approver must be allowed to write in the campaign's grid and must not be the one who created it. An
approval holds for the content it was given for: any later change to the audience, texts, channels or schedule voids it
(a fingerprint of those is stored with it). The check runs inside `launch_campaign`, so the console, the API and
any other caller obey it; only the system actor (code, not staff) is exempt, and an admin launching an extreme alert
in a county whose rule allows it (campaigns.broadcasts.alert_rules; the skip is written to the audit log).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.broadcasts.alert_fields import ALERT
from campaigns.broadcasts.alert_rules import may_skip_approval
from campaigns.broadcasts.campaign_service import load_campaign
from campaigns.common.errors import Conflict, PermissionDenied
from campaigns.identity.access import Actor, require_write
from campaigns.identity.audit import record_action
from campaigns.models import Campaign, CampaignApproval, User
from campaigns.models.base import utcnow
from campaigns.runs.reach import people_reached

DEFAULT_APPROVAL_THRESHOLD = 1000
ALERT_COVERED = ("event_type", "severity", "valid_from", "expires_at", "is_drill", "msg_type", "references_id")


def approval_required(campaign: Campaign, recipients: int, threshold: int) -> bool:
    """An alert always needs a second person's approval; a routine campaign above the threshold does."""
    return campaign.kind == ALERT or recipients > threshold


def campaign_fingerprint(campaign: Campaign) -> str:
    """A digest of what an approval covers: audience, texts, fallback, channels, schedule and send window (and an
    alert's event, severity, validity window and drill flag)."""
    content = {
        key: getattr(campaign, key)
        for key in ("audience", "texts", "fallback_language", "channels", "schedule", "send_window")
    }
    if campaign.kind == ALERT:
        content.update({key: str(getattr(campaign, key)) for key in ALERT_COVERED})
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def audience_size(session: Session, campaign: Campaign) -> int:
    """The people the campaign reaches by SMS or call: the preview's `people` (campaigns.runs.reach)."""
    return people_reached(session, campaign)


def _valid_approval(session: Session, campaign: Campaign) -> CampaignApproval | None:
    approval = session.scalar(select(CampaignApproval).where(CampaignApproval.campaign_id == campaign.id))
    if approval is None or approval.fingerprint != campaign_fingerprint(campaign):
        return None
    return approval


class ApprovalStatus(TypedDict):
    """Whether a campaign needs an approval, whether it has a valid one, who gave it, and whether the caller may."""

    required: bool
    recipients: int
    threshold: int
    approved: bool
    approved_by: str | None
    approved_at: str | None
    may_approve: bool
    may_skip: bool


def approval_status(
    session: Session, actor: Actor, campaign_id: int, threshold: int = DEFAULT_APPROVAL_THRESHOLD
) -> ApprovalStatus:
    """Whether the campaign needs an approval, whether it has a valid one, and who gave it."""
    campaign = load_campaign(session, actor, campaign_id)
    recipients = audience_size(session, campaign)
    approval = _valid_approval(session, campaign)
    approver = session.get(User, approval.approved_by) if approval and approval.approved_by else None
    return {
        "required": approval_required(campaign, recipients, threshold),
        "recipients": recipients,
        "threshold": threshold,
        "approved": approval is not None,
        "approved_by": approver.username if approver else None,
        "approved_at": approval.approved_at.isoformat() if approval else None,
        "may_approve": actor.can_write and (actor.user_id is None or actor.user_id != campaign.created_by),
        "may_skip": may_skip_approval(session, actor, campaign),
    }


def approve_campaign(
    session: Session, actor: Actor, campaign_id: int, now: datetime, threshold: int = DEFAULT_APPROVAL_THRESHOLD
) -> ApprovalStatus:
    """Approve a draft campaign as it is now (the creator cannot approve their own); returns the approval status."""
    require_write(actor)
    campaign = load_campaign(session, actor, campaign_id)
    if campaign.status != "draft":
        raise Conflict.coded("approval.not_needed", "a %(status)s campaign needs no approval", status=campaign.status)
    if actor.user_id is not None and actor.user_id == campaign.created_by:
        raise PermissionDenied.coded("approval.own_campaign", "a second person must approve: you created this campaign")
    recipients, fingerprint = audience_size(session, campaign), campaign_fingerprint(campaign)
    approval = session.scalar(select(CampaignApproval).where(CampaignApproval.campaign_id == campaign.id))
    if approval is None:
        approval = CampaignApproval(campaign_id=campaign.id)
        session.add(approval)
    approval.approved_by, approval.approved_at = actor.user_id, now
    approval.recipients, approval.fingerprint = recipients, fingerprint
    session.flush()
    return approval_status(session, actor, campaign_id, threshold)


def require_approval(
    session: Session, actor: Actor, campaign: Campaign, threshold: int, now: datetime | None = None
) -> None:
    """Raise Conflict when a staff member launches an alert, or a campaign above the threshold, without a valid
    approval; an allowed skip (an admin, an extreme alert, the county's rule) is written to the audit log."""
    if actor.user_id is None:
        return
    recipients = audience_size(session, campaign)
    if not approval_required(campaign, recipients, threshold) or _valid_approval(session, campaign) is not None:
        return
    if may_skip_approval(session, actor, campaign):
        detail = {"severity": campaign.severity, "recipients": recipients}
        record_action(session, actor, "alert.approval_skipped", now or utcnow(), grid_id=campaign.scope_grid_id,
                      target=f"campaign {campaign.id}", detail=detail)  # fmt: skip
        return
    if campaign.kind == ALERT:
        raise Conflict.coded(
            "approval.alert_required",
            "an alert always needs a second person's approval before it launches",
            fields={"approval": "required"},
        )
    raise Conflict.coded(
        "approval.required",
        "this campaign reaches %(recipients)s people (more than %(threshold)s): a second person must approve it "
        "before it launches",
        fields={"approval": "required"},
        recipients=recipients,
        threshold=threshold,
    )
