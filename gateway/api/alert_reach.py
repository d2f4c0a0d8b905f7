"""An alert's reach dashboard (campaigns/runs/alert_reach.py) and the visit list sent to a grid's liaison
(campaigns/runs/visit_lists.py)."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from campaigns.models.base import utcnow
from campaigns.runs.alert_reach import alert_reach
from campaigns.runs.visit_lists import send_visit_list
from gateway.api import api
from gateway.api.context import ID, current_actor
from gateway.api.spec import error_responses, json_response, path_id
from gateway.web.session import db


@api.get(f"/campaigns/<{ID}:campaign_id>/reach")
def get_alert_reach(campaign_id: int):
    return jsonify(alert_reach(db(), current_actor(), campaign_id, utcnow()))


@api.post(f"/campaigns/<{ID}:campaign_id>/reach/grids/<{ID}:grid_id>/visit-list")
def post_visit_list(campaign_id: int, grid_id: int):
    return jsonify(send_visit_list(db(), current_actor(), campaign_id, grid_id, utcnow())), 201


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
_COUNTS = {
    "type": "object",
    "additionalProperties": {"type": "integer"},
    "description": "people, sms_delivered, calls_answered, confirmed, reached, villages_played",
}
SCHEMAS: dict[str, Any] = {
    "AlertReach": {
        "type": "object",
        "required": list(REACH_EXAMPLE),
        "properties": {
            "campaign_id": {"type": "integer"},
            "name": {"type": "string"},
            "is_drill": {"type": "boolean"},
            "family": {
                "type": "array",
                "items": {"type": "object"},
                "description": "the alert, its updates and its cancel, oldest first",
            },
            "as_of": {"type": "string", "format": "date-time"},
            "totals": _COUNTS,
            "times": {"type": "object", "description": "instants (UTC) and seconds from approval; null until then"},
            "grids": {
                "type": "array",
                "items": {"type": "object"},
                "description": "township > village > group, each node with counts and nobody_reached",
            },
            "villages_played": {"type": "array", "items": {"type": "object"}},
            "nobody_reached": {
                "type": "array",
                "items": {"type": "object"},
                "description": "grids where nobody was reached, with the people to visit",
            },
        },
    },
    "VisitList": {
        "type": "object",
        "required": list(VISIT_EXAMPLE),
        "properties": {
            "run_id": {"type": "integer"},
            "grid_id": {"type": "integer"},
            "names": {"type": "array", "items": {"type": "string"}},
            "sent_to": {"type": "array", "items": {"type": "object"}, "description": "phones masked"},
        },
    },
}
PATHS: dict[str, Any] = {
    "/api/v1/campaigns/{campaign_id}/reach": {
        "parameters": [path_id("campaign_id", "an alert (or any of its updates)")],
        "get": {
            "tags": ["campaigns"],
            "operationId": "getAlertReach",
            "summary": "Who the alert (with its updates and all-clear) reached, per grid; villages whose loudspeaker "
            "played it; times from approval; the grids nobody reached with the people to visit",
            "responses": {
                "200": json_response("The dashboard", {"$ref": "#/components/schemas/AlertReach"}, REACH_EXAMPLE),
                **error_responses(404, 422),
            },
        },
    },
    "/api/v1/campaigns/{campaign_id}/reach/grids/{grid_id}/visit-list": {
        "parameters": [path_id("campaign_id", "an alert"), path_id("grid_id", "a grid nobody was reached in")],
        "post": {
            "tags": ["campaigns"],
            "operationId": "sendVisitList",
            "summary": "Send the names of the grid's unreached people to its liaison (else its grid leader) by SMS; "
            "audited",
            "responses": {
                "201": json_response("The list, queued", {"$ref": "#/components/schemas/VisitList"}, VISIT_EXAMPLE),
                **error_responses(403, 404, 409, 422),
            },
        },
    },
}
