"""The end of a campaign's life on the list: a draft nobody wants is deleted; a campaign that is done (or never
launched) is archived, hidden from the default list and shown again by the "archived" filter, and can be restored.
A campaign that may still send (scheduled, sending, paused) is never archived: cancel it or let it finish first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from campaigns.broadcasts.campaign_service import CampaignAnswer, campaign_to_dict, load_campaign, shown_status
from campaigns.common.errors import Conflict
from campaigns.identity.access import Actor, require_write
from campaigns.models import Campaign, CampaignApproval, CampaignAudio

ARCHIVABLE = ("draft", "finished", "cancelled")


def delete_draft(session: Session, actor: Actor, campaign_id: int) -> CampaignAnswer:
    """Delete a draft (never launched, so it has no runs) with its approval and audio choices; returns what it
    was. Conflict for any other campaign: those are archived instead, their history kept."""
    require_write(actor)
    campaign = load_campaign(session, actor, campaign_id)
    if campaign.status != "draft":
        raise Conflict.coded(
            "campaign.delete_not_draft",
            "only a draft can be deleted; a %(value1)s campaign can be archived instead",
            value1=shown_status(campaign),
        )
    gone = campaign_to_dict(campaign)
    session.execute(delete(CampaignApproval).where(CampaignApproval.campaign_id == campaign.id))
    session.execute(delete(CampaignAudio).where(CampaignAudio.campaign_id == campaign.id))
    session.delete(campaign)
    session.flush()
    return gone


def archive_campaign(session: Session, actor: Actor, campaign_id: int, now: datetime) -> CampaignAnswer:
    """Hide a draft, finished or cancelled campaign from the default list (archiving twice keeps the first time)."""
    require_write(actor)
    campaign = load_campaign(session, actor, campaign_id)
    status = shown_status(campaign)
    if status not in ARCHIVABLE:
        raise Conflict.coded(
            "campaign.campaign_cannot_archived_cancel",
            "a %(status)s campaign cannot be archived: cancel it or let it finish first",
            status=status,
        )
    campaign.archived_at = campaign.archived_at or now
    session.flush()
    return campaign_to_dict(campaign)


def restore_campaign(session: Session, actor: Actor, campaign_id: int) -> CampaignAnswer:
    """Show an archived campaign on the default list again."""
    require_write(actor)
    campaign: Campaign = load_campaign(session, actor, campaign_id)
    campaign.archived_at = None
    session.flush()
    return campaign_to_dict(campaign)
