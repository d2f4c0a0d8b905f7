"""OpenAPI description of the campaign and run routes, with examples."""

from __future__ import annotations

from typing import Any

from gateway.api.preview_spec import PREVIEW_EXAMPLE, PREVIEW_SCHEMA, RUN_PROGRESS_SCHEMA
from gateway.api.spec import PAGE_PARAMS, error_responses, json_request, json_response, page_of, path_id, query_param

CAMPAIGN_EXAMPLE = {
    "id": 7,
    "name": "疫苗接种提醒",
    "status": "draft",
    "channels": ["sms"],
    "audience": {"grid_ids": [2], "roles": ["household_head"], "tags": [], "contact_ids": []},
    "texts": {"zh": "{name}，明天9:00在乡卫生院接种疫苗。", "bo": "{name} སང་ཉིན་ཆུ་ཚོད་9ལ་ཁྱབ་སྣོན།"},
    "fallback_language": "zh",
    "schedule": {"kind": "now"},
    "timezone": "Asia/Shanghai",
    "send_window": {"start": "08:00", "end": "21:00"},
    "expects_reply": False,
    "next_run_at": None,
    "archived_at": None,
    "scope_grid_id": 2,
}
CREATE_EXAMPLE = {
    key: CAMPAIGN_EXAMPLE[key] for key in ("name", "audience", "texts", "fallback_language", "schedule", "send_window")
}

_OBJECT = {"type": "object"}
SCHEMAS: dict[str, Any] = {
    "Campaign": {
        "type": "object",
        "required": ["id", "name", "status", "channels", "audience", "texts", "schedule", "timezone"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "status": {
                "type": "string",
                "enum": ["draft", "scheduled", "sending", "paused", "cancelled", "finished"],
                "description": "sending: a run of the campaign is sending now; paused: a run or the schedule is held",
            },
            "channels": {"type": "array", "items": {"type": "string", "enum": ["sms", "voice", "loudspeaker"]}},
            "audience": {"$ref": "#/components/schemas/Audience"},
            "texts": {"type": "object", "additionalProperties": {"type": "string"}},
            "fallback_language": {"type": "string", "nullable": True},
            "schedule": _OBJECT,
            "timezone": {"type": "string"},
            "send_window": {"type": "object", "nullable": True},
            "expects_reply": {"type": "boolean"},
            "confirmation": {"$ref": "#/components/schemas/ConfirmationPolicy"},
            "loudspeaker": {"$ref": "#/components/schemas/LoudspeakerPolicy"},
            "next_run_at": {"type": "string", "nullable": True},
            "archived_at": {"type": "string", "nullable": True, "description": "set while the campaign is archived"},
            "scope_grid_id": {"type": "integer", "nullable": True},
        },
    },
    "Audience": {
        "type": "object",
        "description": "contacts in any of the grid subtrees, narrowed by roles and tags, plus explicit contacts",
        "properties": {
            "grid_ids": {"type": "array", "items": {"type": "integer"}},
            "roles": {"type": "array", "items": {"type": "string"}},
            "tags": {"type": "array", "items": {"type": "string"}},
            "contact_ids": {"type": "array", "items": {"type": "integer"}},
        },
    },
    "CampaignInput": {
        "type": "object",
        "description": "schedule: {kind: now} | {kind: once, at} | {kind: daily, time, until} | "
        "{kind: weekly, days, time, until} | {kind: cron, cron, until}; times are local to `timezone`",
        "properties": {
            "name": {"type": "string"},
            "channels": {"type": "array", "items": {"type": "string"}},
            "audience": {"$ref": "#/components/schemas/Audience"},
            "texts": {"type": "object", "additionalProperties": {"type": "string"}},
            "fallback_language": {"type": "string", "nullable": True},
            "schedule": _OBJECT,
            "timezone": {"type": "string"},
            "send_window": {"type": "object", "nullable": True},
            "expects_reply": {"type": "boolean"},
            "confirmation": {"$ref": "#/components/schemas/ConfirmationPolicy"},
            "loudspeaker": {"$ref": "#/components/schemas/LoudspeakerPolicy"},
        },
    },
    "ConfirmationPolicy": {
        "type": "object",
        "nullable": True,
        "description": "needs expects_reply; non-confirmers are reminded remind_after_minutes after the first send "
        "and after each reminder (max_reminders times), their grid's leaders get the list of names "
        "escalate_after_minutes after the last reminder, the leaders one level up escalate_up_after_minutes later; "
        "a voice reminder calls those who can be called (the others get the SMS again); escalate_to names the roles "
        "told (grid_leader by default). An alert created without a policy gets: a call after 15 minutes, liaisons "
        "and grid leaders after 30 more",
        "properties": {
            "remind_after_minutes": {"type": "integer", "minimum": 1},
            "max_reminders": {"type": "integer", "minimum": 0, "maximum": 5},
            "reminder_channel": {"type": "string", "enum": ["sms", "voice"]},
            "escalate_after_minutes": {"type": "integer", "nullable": True},
            "escalate_up_after_minutes": {"type": "integer", "nullable": True},
            "escalate_to": {
                "type": "array",
                "items": {"type": "string", "enum": ["grid_leader", "liaison", "grid_worker"]},
            },
            "escalation_texts": {"type": "object", "nullable": True, "additionalProperties": {"type": "string"}},
        },
    },
    "Preview": PREVIEW_SCHEMA,
    "Run": _OBJECT,
    "RunProgress": RUN_PROGRESS_SCHEMA,
}

RUN_EXAMPLE = {
    "id": 3,
    "campaign_id": 7,
    "occurrence_at": "2026-11-23T01:00:00+00:00",
    "status": "sending",
    "planned": 812,
    "alert": None,
    "finished_at": None,
}
PROGRESS_EXAMPLE = {
    "run": RUN_EXAMPLE,
    "total": 812,
    "by_status": {
        "queued": 300,
        "sending": 12,
        "sent": 80,
        "delivered": 410,
        "undelivered": 4,
        "failed": 6,
        "unknown": 0,
        "cancelled": 0,
        "skipped": 0,
        "expired": 0,
    },
    "by_language": {"bo": {"delivered": 260, "queued": 270}, "zh": {"delivered": 150, "queued": 30}},
    "by_grid": [{"grid_id": 5, "code": "623025101201", "name": "秀玛村", "counts": {"delivered": 120}}],
    "rate_per_second": 9.8,
    "remaining": 312,
    "estimated_seconds_left": 31.8,
    "segments": {"estimated": 1624, "actual": 1000},
    "estimated_cost": 81.2,
    "actual_cost": 50.0,
    "currency": "CNY",
    "problems": [
        {"outbox_id": 91, "to": "+8613800000091", "status": "failed", "error_code": "21211", "error": "invalid number"}
    ],
}

_CAMPAIGN = {"$ref": "#/components/schemas/Campaign"}
_CID = path_id("campaign_id", "the campaign's id")
_RID = path_id("run_id", "the run's id")


_RETRY_RESULT = {
    "type": "object",
    "required": ["requeued", "by_status", "reason", "opted_out", "unknown_left"],
    "properties": {
        "requeued": {"type": "integer", "description": "messages queued again"},
        "by_status": {"type": "object", "additionalProperties": {"type": "integer"},
                      "description": "messages queued again, by the status they had (failed, undelivered, unknown)"},
        "reason": {"type": "string", "nullable": True,
                   "description": "why nothing was queued again (null when some were)"},
        "opted_out": {"type": "integer", "description": "failed messages to contacts who opted out: never retried"},
        "unknown_left": {"type": "integer",
                         "description": "messages with an unknown outcome left alone (without include_unknown)"},
    },
}  # fmt: skip
_PAUSED = {
    "type": "object",
    "required": ["runs", "requeued", "with_provider"],
    "properties": {
        "runs": {"type": "array", "items": {"type": "integer"}, "description": "the runs that were sending"},
        "requeued": {"type": "integer", "description": "claimed messages given back to the queue, never sent"},
        "with_provider": {"type": "integer", "description": "messages already handed to the provider"},
    },
}
_RETRY_EXAMPLE = {"requeued": 6, "by_status": {"failed": 2, "undelivered": 4}, "reason": None, "opted_out": 0,
                  "unknown_left": 1}  # fmt: skip


_STATUS_FILTER = query_param(
    "status", "only this status; archived: only archived campaigns (hidden otherwise)", {"type": "string"}, "scheduled"
)


def _action(summary: str, example: dict, statuses=(403, 404, 409)) -> dict[str, Any]:
    return {
        "tags": ["campaigns"],
        "summary": summary,
        "responses": {
            "200": json_response("The campaign after the action", _CAMPAIGN, example),
            **error_responses(*statuses),
        },
    }


PATHS: dict[str, Any] = {
    "/api/v1/campaigns": {
        "get": {
            "tags": ["campaigns"],
            "summary": "List campaigns whose grid is in your scope",
            "parameters": [
                query_param(
                    "status",
                    "only this status (archived: only archived campaigns, hidden otherwise)",
                    {"type": "string"},
                    "scheduled",
                ),
                *PAGE_PARAMS,
            ],
            "responses": {
                "200": json_response(
                    "A page of campaigns",
                    page_of("#/components/schemas/Campaign"),
                    {"items": [CAMPAIGN_EXAMPLE], "total": 1, "page": 1, "per_page": 50},
                ),
                **error_responses(422),
            },
        },
        "post": {
            "tags": ["campaigns"],
            "summary": "Save a draft campaign (audience, texts per language, schedule, send window)",
            "requestBody": json_request({"$ref": "#/components/schemas/CampaignInput"}, CREATE_EXAMPLE),
            "responses": {
                "201": json_response("The draft", _CAMPAIGN, CAMPAIGN_EXAMPLE),
                **error_responses(403, 404, 422),
            },
        },
    },
    "/api/v1/campaigns/{campaign_id}": {
        "parameters": [_CID],
        "get": {
            "tags": ["campaigns"],
            "summary": "One campaign",
            "responses": {"200": json_response("The campaign", _CAMPAIGN, CAMPAIGN_EXAMPLE), **error_responses(404)},
        },
        "patch": {
            "tags": ["campaigns"],
            "summary": "Edit a draft, scheduled or paused campaign",
            "requestBody": json_request({"$ref": "#/components/schemas/CampaignInput"}, {"name": "疫苗接种提醒（改）"}),
            "responses": {
                "200": json_response("The campaign", _CAMPAIGN, CAMPAIGN_EXAMPLE),
                **error_responses(403, 404, 409, 422),
            },
        },
        "delete": {
            "tags": ["campaigns"],
            "summary": "Delete a draft (any other campaign is archived instead: 409)",
            "responses": {"204": {"description": "Deleted"}, **error_responses(403, 404, 409)},
        },
    },
    "/api/v1/campaigns/{campaign_id}/preview": {
        "parameters": [_CID],
        "get": {
            "tags": ["campaigns"],
            "summary": "Per channel: SMS recipients, segments and cost; people called, call minutes and cost; grids "
            "and speakers reached by loudspeaker; the people reached, and what blocks a launch",
            "responses": {
                "200": json_response("The preview", {"$ref": "#/components/schemas/Preview"}, PREVIEW_EXAMPLE),
                **error_responses(404),
            },
        },
    },
    "/api/v1/campaigns/{campaign_id}/launch": {
        "parameters": [_CID],
        "post": {
            "tags": ["campaigns"],
            "summary": "Launch: 'now' plans a run at once; other schedules wait for their first occurrence. Above "
            "GRIDCAST_APPROVAL_THRESHOLD people a second person must approve it first (in the console), else 409",
            "responses": {
                "202": json_response(
                    "Launched",
                    _CAMPAIGN,
                    {**CAMPAIGN_EXAMPLE, "status": "sending", "run": {"id": 3, "planned": 812}},
                ),
                **error_responses(403, 404, 409, 422),
            },
        },
    },
    "/api/v1/campaigns/{campaign_id}/pause": {
        "parameters": [_CID],
        "post": {
            "tags": ["campaigns"],
            "summary": "Pause: no new runs, and sending runs stop at once. Messages a worker had claimed but not yet "
            "handed to the provider go back to the queue (`paused.requeued`); those already with the provider "
            "(`paused.with_provider`) are not recalled, their outcome is still recorded",
            "responses": {
                "200": json_response(
                    "The campaign after the pause, with what became of its claimed messages",
                    {"allOf": [_CAMPAIGN, {"type": "object", "properties": {"paused": _PAUSED}}]},
                    {
                        **CAMPAIGN_EXAMPLE,
                        "status": "paused",
                        "paused": {"runs": [3], "requeued": 92, "with_provider": 8},
                    },
                ),
                **error_responses(403, 404, 409),
            },
        },
    },
    "/api/v1/campaigns/{campaign_id}/resume": {
        "parameters": [_CID],
        "post": _action(
            "Resume paused runs (their sending is enqueued at once) and the schedule",
            {**CAMPAIGN_EXAMPLE, "status": "scheduled"},
        ),
    },
    "/api/v1/campaigns/{campaign_id}/cancel": {
        "parameters": [_CID],
        "post": _action(
            "Cancel the campaign; unsent messages are cancelled", {**CAMPAIGN_EXAMPLE, "status": "cancelled"}
        ),
    },
    "/api/v1/campaigns/{campaign_id}/archive": {
        "parameters": [_CID],
        "post": _action(
            "Archive a draft, finished or cancelled campaign: hidden from the list unless status=archived",
            {**CAMPAIGN_EXAMPLE, "status": "finished", "archived_at": "2026-11-24T02:00:00+00:00"},
        ),
    },
    "/api/v1/campaigns/{campaign_id}/restore": {
        "parameters": [_CID],
        "post": _action("Put an archived campaign back on the list", {**CAMPAIGN_EXAMPLE, "status": "finished"}),
    },
    "/api/v1/campaigns/{campaign_id}/runs": {
        "parameters": [_CID],
        "get": {
            "tags": ["runs"],
            "summary": "The campaign's runs, newest first",
            "responses": {
                "200": json_response("The runs", {"type": "object"}, {"items": [RUN_EXAMPLE]}),
                **error_responses(404),
            },
        },
    },
    "/api/v1/runs/{run_id}": {
        "parameters": [_RID],
        "get": {
            "tags": ["runs"],
            "summary": "Progress: counts by status, grid and language, rate, time left, segments and cost, problems",
            "responses": {
                "200": json_response("The progress", {"$ref": "#/components/schemas/RunProgress"}, PROGRESS_EXAMPLE),
                **error_responses(404),
            },
        },
    },
    "/api/v1/runs/{run_id}/retry-failed": {
        "parameters": [_RID],
        "post": {
            "tags": ["runs"],
            "summary": "Queue the failed and undelivered messages again (and `unknown` ones with include_unknown: "
            "true); contacts who opted out are never retried. The answer counts what was queued by status, or says "
            "why nothing was (`reason`, with `opted_out` and `unknown_left`)",
            "requestBody": {
                "required": False,
                "content": {
                    "application/json": {
                        "schema": {"type": "object", "properties": {"include_unknown": {"type": "boolean"}}},
                        "example": {"include_unknown": False},
                    }
                },
            },
            "responses": {
                "200": json_response("What was queued again", _RETRY_RESULT, _RETRY_EXAMPLE),
                **error_responses(403, 404, 422),
            },
        },
    },
    "/api/v1/runs/{run_id}/cancel": {
        "parameters": [_RID],
        "post": {
            "tags": ["runs"],
            "summary": "Cancel one run; messages not yet sent are cancelled",
            "responses": {
                "200": json_response(
                    "The run", {"$ref": "#/components/schemas/Run"}, {**RUN_EXAMPLE, "status": "cancelled"}
                ),
                **error_responses(403, 404, 409),
            },
        },
    },
}
