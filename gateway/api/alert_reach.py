"""An alert's reach dashboard (campaigns/runs/alert_reach.py) and the visit list sent to a grid's liaison
(campaigns/runs/visit_lists.py)."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from pydantic import BaseModel, ConfigDict

from campaigns.models.base import utcnow
from campaigns.runs.alert_reach import alert_reach
from campaigns.runs.visit_lists import send_visit_list
from gateway.api import api
from gateway.api.context import ID, current_actor
from gateway.api.models.common import example
from gateway.api.schema import responses, validated
from gateway.web.session import db

COUNTS = {"people": 6, "sms_delivered": 3, "calls_answered": 0, "confirmed": 1, "reached": 4, "villages_played": 1}
REACH_EXAMPLE = {
    "campaign_id": 7,
    "name": "暴雪预警",
    "is_drill": False,
    "family": [
        {"id": 7, "name": "暴雪预警", "msg_type": "alert", "status": "cancelled"},
        {"id": 8, "name": "暴雪预警（更新）", "msg_type": "update", "status": "scheduled"},
    ],
    "as_of": "2026-11-23T02:15:00+00:00",
    "totals": COUNTS,
    "times": {
        "approved_at": "2026-11-23T02:00:00+00:00",
        "first_message_at": "2026-11-23T02:01:00+00:00",
        "first_loudspeaker_at": "2026-11-23T02:05:00+00:00",
        "ninety_percent_at": None,
        "to_first_message_seconds": 60.0,
        "to_first_loudspeaker_seconds": 300.0,
        "to_ninety_percent_seconds": None,
    },
    "grids": [
        {
            "grid_id": 2,
            "code": "623025101",
            "name": "齐哈玛镇",
            "level": "township",
            "counts": COUNTS,
            "total": 15,
            "nobody_reached": False,
            "children": [],
        }
    ],
    "villages_played": [{"grid_id": 3, "played_at": "2026-11-23T02:05:00+00:00"}],
    "nobody_reached": [
        {
            "grid_id": 12,
            "code": "62302510120202",
            "name": "萨合塘村二组",
            "people": [{"contact_id": 31, "name": "户主己", "phone": "+8613900000024", "role": "household_head"}],
        }
    ],
}
VISIT_EXAMPLE = {
    "run_id": 40,
    "grid_id": 12,
    "names": ["户主己"],
    "sent_to": [{"contact_id": 33, "name": "萨二联户长", "phone": "+86139****0030"}],
}


class ReachTimes(BaseModel):
    approved_at: str | None
    first_message_at: str | None
    first_loudspeaker_at: str | None
    ninety_percent_at: str | None
    to_first_message_seconds: float | None
    to_first_loudspeaker_seconds: float | None
    to_ninety_percent_seconds: float | None


class AlertReach(BaseModel):
    """Who an alert (with its updates and all-clear) reached, per grid rolled up, and where nobody was reached."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [REACH_EXAMPLE]})
    campaign_id: int
    name: str
    is_drill: bool
    family: list[dict[str, Any]]
    as_of: str
    totals: dict[str, int]
    times: ReachTimes
    grids: list[dict[str, Any]]
    villages_played: list[dict[str, Any]]
    nobody_reached: list[dict[str, Any]]


class VisitList(BaseModel):
    """The visit list sent: its run, the names and who was told (phones masked)."""

    model_config = example(VISIT_EXAMPLE)
    run_id: int
    grid_id: int
    names: list[str]
    sent_to: list[dict[str, Any]]


@api.get(f"/campaigns/<{ID}:campaign_id>/reach")
@validated(
    resp=responses((404, 422), HTTP_200=AlertReach),
    tags=("campaigns",),
    operation_id="getAlertReach",
    path_parameter_descriptions={"campaign_id": "the alert (or any of its updates or its all-clear)"},
)
def get_alert_reach(campaign_id: int):
    """Who the alert reached: per grid, the times to first message, first loudspeaker play and 90% reached"""
    return jsonify(alert_reach(db(), current_actor(), campaign_id, utcnow()))


@api.post(f"/campaigns/<{ID}:campaign_id>/reach/grids/<{ID}:grid_id>/visit-list")
@validated(
    resp=responses((403, 404, 409, 422), HTTP_201=VisitList),
    tags=("campaigns",),
    operation_id="sendVisitList",
    path_parameter_descriptions={"campaign_id": "the alert", "grid_id": "a grid nobody was reached in"},
)
def post_visit_list(campaign_id: int, grid_id: int):
    """Send the names of a grid's unreached people to its liaison (or grid leader) by SMS"""
    return jsonify(send_visit_list(db(), current_actor(), campaign_id, grid_id, utcnow())), 201
