"""Campaign approvals over the API: read whether a campaign needs a second person's approval, and give it."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from campaigns.models.base import utcnow
from campaigns.runs import approvals
from gateway.api import api
from gateway.api.context import ID, current_actor
from gateway.api.spec import error_responses, json_response, path_id
from gateway.runtime import current_runtime
from gateway.web.session import db


def _threshold() -> int:
    return current_runtime().settings.approval_threshold


@api.get(f"/campaigns/<{ID}:campaign_id>/approval")
def get_approval(campaign_id: int):
    return jsonify(approvals.approval_status(db(), current_actor(), campaign_id, _threshold()))


@api.post(f"/campaigns/<{ID}:campaign_id>/approval")
def approve(campaign_id: int):
    return jsonify(approvals.approve_campaign(db(), current_actor(), campaign_id, utcnow(), _threshold()))


APPROVAL_EXAMPLE = {
    "required": True,
    "recipients": 2941,
    "threshold": 1000,
    "approved": True,
    "approved_by": "lamu",
    "approved_at": "2026-11-23T01:30:00+00:00",
    "may_approve": True,
}
SCHEMAS: dict[str, Any] = {
    "Approval": {
        "type": "object",
        "required": list(APPROVAL_EXAMPLE),
        "properties": {
            "required": {"type": "boolean", "description": "more people than the threshold: an approval is needed"},
            "recipients": {"type": "integer", "description": "people in the audience (opted-out excluded)"},
            "threshold": {"type": "integer", "description": "GRIDCAST_APPROVAL_THRESHOLD"},
            "approved": {"type": "boolean", "description": "a valid approval exists for the campaign as it is now"},
            "approved_by": {"type": "string", "nullable": True},
            "approved_at": {"type": "string", "format": "date-time", "nullable": True},
            "may_approve": {"type": "boolean", "description": "the caller may approve it (a writer, not its creator)"},
        },
    }
}
_APPROVAL = {"$ref": "#/components/schemas/Approval"}
PATHS: dict[str, Any] = {
    "/api/v1/campaigns/{campaign_id}/approval": {
        "parameters": [path_id("campaign_id", "the campaign's id")],
        "get": {
            "tags": ["campaigns"],
            "operationId": "getCampaignApproval",
            "summary": "Whether the campaign needs a second person's approval to launch, and who gave it",
            "responses": {
                "200": json_response("The approval status", _APPROVAL, APPROVAL_EXAMPLE),
                **error_responses(404),
            },
        },
        "post": {
            "tags": ["campaigns"],
            "operationId": "approveCampaign",
            "summary": "Approve a draft campaign as it is now (not its creator); any later edit voids the approval",
            "responses": {
                "200": json_response("The approval status", _APPROVAL, APPROVAL_EXAMPLE),
                **error_responses(403, 404, 409),
            },
        },
    }
}
