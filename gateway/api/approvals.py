"""Campaign approvals over the API: read whether a campaign needs a second person's approval, and give it."""

from __future__ import annotations

from flask import jsonify

from campaigns.models.base import utcnow
from campaigns.runs import approvals
from gateway.api import api
from gateway.api.context import ID, current_actor
from gateway.api.models.campaigns import Approval
from gateway.api.schema import responses, validated
from gateway.runtime import current_runtime
from gateway.web.session import db

TAGS = ("campaigns",)


def _threshold() -> int:
    return current_runtime().settings.approval_threshold


@api.get(f"/campaigns/<{ID}:campaign_id>/approval")
@validated(resp=responses((404,), HTTP_200=Approval), tags=TAGS, operation_id="getCampaignApproval")
def get_approval(campaign_id: int):
    """Whether the campaign needs a second person's approval to launch, and who gave it"""
    return jsonify(approvals.approval_status(db(), current_actor(), campaign_id, _threshold()))


@api.post(f"/campaigns/<{ID}:campaign_id>/approval")
@validated(resp=responses((403, 404, 409), HTTP_200=Approval), tags=TAGS, operation_id="approveCampaign")
def approve(campaign_id: int):
    """Approve a draft campaign as it is now (not its creator); any later edit voids the approval"""
    return jsonify(approvals.approve_campaign(db(), current_actor(), campaign_id, utcnow(), _threshold()))
