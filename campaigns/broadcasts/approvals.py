"""Four eyes on large campaigns: a campaign to more people than a threshold (a setting) launches only after a
second person approved it.

The threshold is compared with the people the campaign reaches by SMS or call, the number its preview shows as
`people`. The approver must be allowed to write in the campaign's grid and must not be the one who created it. An
approval holds for the content it was given for: any later change to the audience, texts, channels or schedule voids it
(a fingerprint of those is stored with it). The check runs inside `launch_campaign`, so the console, the API and
any other caller obey it; only the system actor (code, not staff) is exempt.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.broadcasts.campaign_service import load_campaign
from campaigns.common.errors import Conflict, PermissionDenied
from campaigns.identity.access import Actor, require_write
from campaigns.models import Campaign, CampaignApproval, User
from campaigns.runs.reach import people_reached

DEFAULT_APPROVAL_THRESHOLD = 1000


def campaign_fingerprint(campaign: Campaign) -> str:
    """A digest of what an approval covers: audience, texts, fallback, channels, schedule and send window."""
    content = {
        key: getattr(campaign, key)
        for key in ("audience", "texts", "fallback_language", "channels", "schedule", "send_window")
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def audience_size(session: Session, campaign: Campaign) -> int:
    """The people the campaign reaches by SMS or call: the preview's `people` (campaigns.runs.reach)."""
    return people_reached(session, campaign)


def _valid_approval(session: Session, campaign: Campaign) -> CampaignApproval | None:
    approval = session.scalar(select(CampaignApproval).where(CampaignApproval.campaign_id == campaign.id))
    if approval is None or approval.fingerprint != campaign_fingerprint(campaign):
        return None
    return approval


def approval_status(
    session: Session, actor: Actor, campaign_id: int, threshold: int = DEFAULT_APPROVAL_THRESHOLD
) -> dict[str, Any]:
    """Whether the campaign needs an approval, whether it has a valid one, and who gave it."""
    campaign = load_campaign(session, actor, campaign_id)
    recipients = audience_size(session, campaign)
    approval = _valid_approval(session, campaign)
    approver = session.get(User, approval.approved_by) if approval and approval.approved_by else None
    return {
        "required": recipients > threshold,
        "recipients": recipients,
        "threshold": threshold,
        "approved": approval is not None,
        "approved_by": approver.username if approver else None,
        "approved_at": approval.approved_at.isoformat() if approval else None,
        "may_approve": actor.can_write and (actor.user_id is None or actor.user_id != campaign.created_by),
    }


def approve_campaign(
    session: Session, actor: Actor, campaign_id: int, now: datetime, threshold: int = DEFAULT_APPROVAL_THRESHOLD
) -> dict[str, Any]:
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


def require_approval(session: Session, actor: Actor, campaign: Campaign, threshold: int) -> None:
    """Raise Conflict when a staff member launches a campaign above the threshold without a valid approval."""
    if actor.user_id is None:
        return
    recipients = audience_size(session, campaign)
    if recipients > threshold and _valid_approval(session, campaign) is None:
        raise Conflict.coded(
            "approval.required",
            "this campaign reaches %(recipients)s people (more than %(threshold)s): a second person must approve it "
            "before it launches",
            fields={"approval": "required"},
            recipients=recipients,
            threshold=threshold,
        )
