"""OpenAPI description of automatic work: a report duty's controls (pause, resume, end) and runs, and the
auto-replies in the inbox, with examples."""

from __future__ import annotations

from typing import Any

from gateway.api.reports_spec import DUTY_EXAMPLE
from gateway.api.spec import PAGE_PARAMS, error_responses, json_response, page_of, path_id, query_param

_DUTY = {"$ref": "#/components/schemas/ReportDuty"}
_TAGS = ["reports"]
DUTY_RUN_EXAMPLE = {
    "id": 31,
    "kind": "duty_reminder",
    "key": "2026-11-23 reminder 08:00",
    "day": "2026-11-23",
    "occurrence_at": "2026-11-23T00:00:00+00:00",
    "status": "done",
    "planned": 5,
    "messages": {"delivered": 4, "failed": 1},
    "confirmed": 3,
    "alert": None,
    "created_at": "2026-11-23T00:00:04+00:00",
    "finished_at": "2026-11-23T00:01:10+00:00",
}
SENT_REPLY_EXAMPLE = {
    "id": 812,
    "run_id": 40,
    "to": "+8613900000002",
    "contact_id": 2,
    "grid_id": 5,
    "language": "zh",
    "body": "今日零报告已收到，谢谢！",
    "status": "delivered",
    "sent_at": "2026-11-23T00:31:02+00:00",
    "finished_at": "2026-11-23T00:31:09+00:00",
}
SCHEMAS: dict[str, Any] = {
    "SentAutoReply": {
        "type": "object",
        "required": ["id", "run_id", "to", "language", "body", "status"],
        "properties": {
            "id": {"type": "integer"},
            "run_id": {"type": "integer"},
            "to": {"type": "string"},
            "contact_id": {"type": "integer", "nullable": True},
            "grid_id": {"type": "integer", "nullable": True},
            "language": {"type": "string"},
            "body": {"type": "string"},
            "status": {"type": "string"},
            "sent_at": {"type": "string", "format": "date-time", "nullable": True},
            "finished_at": {"type": "string", "format": "date-time", "nullable": True},
        },
    },
    "DutyRun": {
        "type": "object",
        "required": ["id", "kind", "key", "day", "occurrence_at", "status", "planned", "messages", "confirmed"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": ["duty_reminder", "duty_escalation"]},
            "key": {"type": "string", "description": "day and step, unique per duty and kind"},
            "day": {"type": "string", "format": "date"},
            "occurrence_at": {"type": "string", "format": "date-time"},
            "status": {"type": "string"},
            "planned": {"type": "integer"},
            "messages": {"type": "object", "additionalProperties": {"type": "integer"}},
            "confirmed": {"type": "integer", "description": "reporters whose daily report answered this reminder"},
            "alert": {"type": "string", "nullable": True},
            "created_at": {"type": "string", "format": "date-time"},
            "finished_at": {"type": "string", "format": "date-time", "nullable": True},
        },
    },
}


def _action(operation: str, summary: str, example: dict[str, Any]) -> dict[str, Any]:
    return {
        "parameters": [path_id("duty_id", "the duty's id")],
        "post": {
            "tags": _TAGS,
            "operationId": operation,
            "summary": summary,
            "responses": {"200": json_response("The duty", _DUTY, example), **error_responses(403, 404, 409)},
        },
    }


PATHS: dict[str, Any] = {
    "/api/v1/reports/duties/{duty_id}/pause": _action(
        "pauseReportDuty",
        "Pause a duty: no reports, reminders or escalations until resumed; unsent reminders are withdrawn",
        {**DUTY_EXAMPLE, "active": False, "status": "paused"},
    ),
    "/api/v1/reports/duties/{duty_id}/resume": _action("resumeReportDuty", "Resume a paused duty", DUTY_EXAMPLE),
    "/api/v1/reports/duties/{duty_id}/end": _action(
        "endReportDuty",
        "End a duty for good (it can no longer change or resume); unsent reminders are withdrawn",
        {**DUTY_EXAMPLE, "active": False, "status": "ended", "ended_at": "2026-11-30T02:00:00+00:00"},
    ),
    "/api/v1/reports/duties/{duty_id}/runs": {
        "parameters": [path_id("duty_id", "the duty's id")],
        "get": {
            "tags": _TAGS,
            "operationId": "listReportDutyRuns",
            "summary": "The duty's reminder and escalation runs, newest first (at most 200)",
            "parameters": [
                query_param("date", "only the runs of this day", {"type": "string", "format": "date"}, "2026-11-23")
            ],
            "responses": {
                "200": json_response(
                    "The runs",
                    {
                        "type": "object",
                        "properties": {
                            "duty_id": {"type": "integer"},
                            "items": {"type": "array", "items": {"$ref": "#/components/schemas/DutyRun"}},
                        },
                    },
                    {"duty_id": 1, "items": [DUTY_RUN_EXAMPLE]},
                ),
                **error_responses(404, 422),
            },
        },
    },
    "/api/v1/inbox/auto-replies": {
        "get": {
            "tags": ["inbox"],
            "operationId": "listSentAutoReplies",
            "summary": "Auto-replies to senders in your scope, newest first (to unknown senders: unscoped staff only)",
            "parameters": PAGE_PARAMS,
            "responses": {
                "200": json_response(
                    "A page of auto-replies",
                    page_of("#/components/schemas/SentAutoReply"),
                    {"items": [SENT_REPLY_EXAMPLE], "total": 1, "page": 1, "per_page": 50},
                ),
                **error_responses(422),
            },
        },
    },
}
