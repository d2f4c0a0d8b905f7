"""Alert routes: update or cancel an alert that went out, and a county's rule for extreme alerts. Alerts themselves
are created, approved, launched and listed as campaigns (`kind: "alert"`)."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from campaigns.broadcasts import alert_rules
from campaigns.common.errors import ValidationError
from campaigns.models.base import utcnow
from campaigns.runs import alerts
from gateway.api import api
from gateway.api.context import ID, current_actor
from gateway.api.spec import error_responses, json_request, json_response, path_id
from gateway.web.bodies import json_body
from gateway.web.session import db


@api.post(f"/campaigns/<{ID}:campaign_id>/update-alert")
def update_alert(campaign_id: int):
    return jsonify(alerts.update_alert(db(), current_actor(), campaign_id, json_body(), utcnow())), 201


@api.post(f"/campaigns/<{ID}:campaign_id>/cancel-alert")
def cancel_alert(campaign_id: int):
    body = json_body()
    unknown = sorted(set(body) - {"all_clear", "texts"})
    if unknown:
        raise ValidationError(f"unknown fields: {', '.join(unknown)}", fields=dict.fromkeys(unknown, "unknown"))
    texts = body.get("texts")
    if texts is not None and not isinstance(texts, dict):
        raise ValidationError('texts: give the text per language, e.g. {"zh": "..."}', fields={"texts": "invalid"})
    cancel = alerts.cancel_alert(db(), current_actor(), campaign_id, body.get("all_clear"), texts, utcnow())
    return jsonify(cancel), 201


@api.get(f"/grids/<{ID}:grid_id>/alert-rule")
def get_alert_rule(grid_id: int):
    return jsonify(alert_rules.county_rule(db(), current_actor(), grid_id))


@api.put(f"/grids/<{ID}:grid_id>/alert-rule")
def set_alert_rule(grid_id: int):
    allow = json_body().get("skip_approval_for_extreme")
    return jsonify(alert_rules.set_county_rule(db(), current_actor(), grid_id, allow, utcnow()))


ALERT_EXAMPLE = {
    "event_type": "暴雪",
    "severity": "severe",
    "severity_zh": "重大",
    "severity_cap": "Severe",
    "valid_from": "2026-11-23T02:00:00+00:00",
    "expires_at": "2026-11-24T02:00:00+00:00",
    "is_drill": False,
    "msg_type": "update",
    "references_id": 7,
}
UPDATED_EXAMPLE = {"id": 9, "name": "暴雪预警（更新）", "status": "draft", "kind": "alert", "alert": ALERT_EXAMPLE}
RULE_EXAMPLE = {"grid_id": 1, "code": "623025", "name": "玛曲县", "skip_approval_for_extreme": True}
SCHEMAS: dict[str, Any] = {
    "AlertFields": {
        "type": "object",
        "nullable": True,
        "description": "a campaign's alert part (null for a routine campaign)",
        "properties": {
            "event_type": {"type": "string"},
            "severity": {"type": "string", "enum": ["extreme", "severe", "moderate", "minor"]},
            "severity_zh": {"type": "string", "description": "特别重大, 重大, 较大, 一般"},
            "severity_cap": {"type": "string", "enum": ["Extreme", "Severe", "Moderate", "Minor"]},
            "valid_from": {"type": "string", "format": "date-time"},
            "expires_at": {"type": "string", "format": "date-time"},
            "is_drill": {"type": "boolean"},
            "msg_type": {"type": "string", "enum": ["alert", "update", "cancel"]},
            "references_id": {"type": "integer", "nullable": True},
        },
    },
    "AlertCampaign": {
        "type": "object",
        "required": ["id", "name", "status", "kind", "alert"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "status": {"type": "string"},
            "kind": {"type": "string", "enum": ["routine", "alert"]},
            "alert": {"$ref": "#/components/schemas/AlertFields"},
        },
    },
    "AlertRule": {
        "type": "object",
        "required": list(RULE_EXAMPLE),
        "properties": {
            "grid_id": {"type": "integer"},
            "code": {"type": "string"},
            "name": {"type": "string"},
            "skip_approval_for_extreme": {"type": "boolean"},
        },
    },
}
_ALERT = {"$ref": "#/components/schemas/AlertCampaign"}
_RULE = {"$ref": "#/components/schemas/AlertRule"}
_TEXTS = {"type": "object", "additionalProperties": {"type": "string"}}
PATHS: dict[str, Any] = {
    "/api/v1/campaigns/{campaign_id}/update-alert": {
        "parameters": [path_id("campaign_id", "the launched alert (or its latest update)")],
        "post": {
            "tags": ["campaigns"],
            "operationId": "updateAlert",
            "summary": "A draft update of the alert (msg_type update); launched after approval, it replaces the "
            "alert's unsent messages and reaches everyone",
            "requestBody": json_request(
                {
                    "type": "object",
                    "properties": {
                        "texts": _TEXTS,
                        "expires_at": {"type": "string"},
                        "severity": {"type": "string"},
                        "name": {"type": "string"},
                    },
                },
                {"texts": {"zh": "暴雪预警更新：明晨起降雪加大，请转移牲畜。"}, "expires_at": "2026-11-25T08:00+08:00"},
            ),
            "responses": {
                "201": json_response("The update, a draft", _ALERT, UPDATED_EXAMPLE),
                **error_responses(403, 404, 409, 422),
            },
        },
    },
    "/api/v1/campaigns/{campaign_id}/cancel-alert": {
        "parameters": [path_id("campaign_id", "the launched alert (or its latest update)")],
        "post": {
            "tags": ["campaigns"],
            "operationId": "cancelAlert",
            "summary": "A draft cancel of the alert (msg_type cancel); launched after approval, it stops every unsent "
            "message of the alert and its updates and, with all_clear, sends the all-clear (解除)",
            "requestBody": json_request(
                {
                    "type": "object",
                    "required": ["all_clear"],
                    "properties": {"all_clear": {"type": "boolean"}, "texts": _TEXTS},
                },
                {"all_clear": True, "texts": {"zh": "【解除】暴雪预警解除，道路已恢复通行。"}},
            ),
            "responses": {
                "201": json_response(
                    "The cancel, a draft",
                    _ALERT,
                    {**UPDATED_EXAMPLE, "name": "暴雪预警（解除）", "alert": {**ALERT_EXAMPLE, "msg_type": "cancel"}},
                ),
                **error_responses(403, 404, 409, 422),
            },
        },
    },
    "/api/v1/grids/{grid_id}/alert-rule": {
        "parameters": [path_id("grid_id", "a county grid")],
        "get": {
            "tags": ["grids"],
            "operationId": "getAlertRule",
            "summary": "Whether the county's admins may launch an extreme alert without a second person's approval",
            "responses": {"200": json_response("The rule", _RULE, RULE_EXAMPLE), **error_responses(404, 422)},
        },
        "put": {
            "tags": ["grids"],
            "operationId": "setAlertRule",
            "summary": "Allow or forbid (admins) skipping approval of extreme alerts in the county; audited",
            "requestBody": json_request(
                {
                    "type": "object",
                    "required": ["skip_approval_for_extreme"],
                    "properties": {"skip_approval_for_extreme": {"type": "boolean"}},
                },
                {"skip_approval_for_extreme": True},
            ),
            "responses": {
                "200": json_response("The rule", _RULE, RULE_EXAMPLE),
                **error_responses(403, 404, 422),
            },
        },
    },
}
