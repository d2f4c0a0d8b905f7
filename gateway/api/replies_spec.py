"""OpenAPI description of the reply routes (inbox, confirmations, keywords, auto-replies), with examples."""

from __future__ import annotations

from typing import Any

from campaigns.models.replies import INTENTS
from gateway.api.simulator import MESSAGE_EXAMPLE
from gateway.api.spec import PAGE_PARAMS, error_responses, json_request, json_response, page_of, path_id, query_param

_NULLABLE_TIME = {"type": "string", "nullable": True}
SCHEMAS: dict[str, Any] = {
    "InboundMessage": {
        "type": "object",
        "required": ["id", "from", "body", "received_at", "intent", "contact"],
        "properties": {
            "id": {"type": "integer"},
            "provider": {"type": "string", "enum": ["twilio", "simulator"]},
            "from": {"type": "string"},
            "to": {"type": "string"},
            "body": {"type": "string"},
            "received_at": {"type": "string"},
            "intent": {"type": "string", "nullable": True, "enum": [*INTENTS, None]},
            "counts": {"type": "object", "nullable": True, "additionalProperties": {"type": "integer"}},
            "contact": {"type": "object", "nullable": True, "description": "null for an unknown sender"},
            "run_id": {"type": "integer", "nullable": True, "description": "the run the reply confirmed"},
            "processed_at": _NULLABLE_TIME,
            "reviewed_at": _NULLABLE_TIME,
            "note": {"type": "string", "nullable": True},
        },
    },
    "Keyword": {
        "type": "object",
        "required": ["id", "language", "intent", "keyword", "builtin"],
        "properties": {
            "id": {"type": "integer", "nullable": True, "description": "null for a built-in keyword"},
            "language": {"type": "string"},
            "intent": {"type": "string", "enum": ["confirm", "zero_report", "incident", "opt_out", "opt_in", "help"]},
            "keyword": {"type": "string"},
            "builtin": {"type": "boolean"},
            "scope_grid_code": {
                "type": "string",
                "nullable": True,
                "description": "the grid whose subtree the keyword applies to; null: everywhere",
            },
            "editable": {"type": "boolean", "description": "whether the caller may remove it"},
        },
    },
    "AutoReply": {
        "type": "object",
        "required": ["language", "intent", "text", "enabled", "custom"],
        "properties": {
            "language": {"type": "string"},
            "intent": {"type": "string"},
            "text": {"type": "string"},
            "enabled": {"type": "boolean"},
            "custom": {"type": "boolean", "description": "changed by staff (false: the built-in text)"},
        },
    },
}

PROCESSED_EXAMPLE = {
    **MESSAGE_EXAMPLE,
    "intent": "confirm",
    "run_id": 3,
    "processed_at": "2026-11-23T02:05:01+00:00",
    "reviewed_at": "2026-11-23T02:05:01+00:00",
    "note": "confirmed run 3",
}
UNKNOWN_EXAMPLE = {
    **MESSAGE_EXAMPLE,
    "id": 42,
    "from": "+8613900000077",
    "body": "我是才让的儿子，这是新号码",
    "intent": "unknown",
    "contact": None,
    "processed_at": "2026-11-23T02:07:01+00:00",
    "note": "unknown sender: link the phone to a contact",
}
_GRID = {"grid_id": 12, "grid_code": "6230251012010101", "grid_name": "秀玛村一组第一联户"}
CONFIRMATIONS_EXAMPLE = {
    "run_id": 3,
    "villages": [
        {"grid_id": 4, "grid_code": "623025101201", "grid_name": "秀玛村", "speaker": {"id": 2, "name": "秀玛村大喇叭"},
         "played_at": "2026-11-23T01:12:00+00:00", "confirmed_at": "2026-11-23T01:12:00+00:00",
         "channel": "loudspeaker"},
    ],
    "villages_confirmed": 1,
    "recipients": 2,
    "confirmed": 1,
    "not_confirmed": 1,
    "items": [
        {"contact_id": 7, "name": "才让", "phone": "+8613800000001", "role": "liaison", "language": "bo",
         **_GRID, "message_status": "delivered",
         "confirmed": True, "confirmed_at": "2026-11-23T02:05:00+00:00", "channel": "sms", "inbound_id": 41},
        {"contact_id": 8, "name": "王芳", "phone": "+8613800000002", "role": "household_head", "language": "zh",
         **_GRID, "message_status": "delivered",
         "confirmed": False, "confirmed_at": None, "channel": None, "inbound_id": None},
    ],
    "total": 2,
    "page": 1,
    "per_page": 50,
}  # fmt: skip
CONFIRMATIONS_SCHEMA = {
    "type": "object",
    "required": ["run_id", "villages", "villages_confirmed", "recipients", "confirmed", "not_confirmed", "items"],
    "properties": {
        "run_id": {"type": "integer"},
        "villages": {
            "type": "array",
            "description": "villages (grids) in your scope a loudspeaker's play report confirmed, each once, with the "
            "speaker whose play confirmed it and when it played",
            "items": {
                "type": "object",
                "required": ["grid_id", "grid_code", "grid_name", "speaker", "played_at", "confirmed_at"],
                "properties": {
                    "grid_id": {"type": "integer"},
                    "grid_code": {"type": "string"},
                    "grid_name": {"type": "string"},
                    "speaker": {"type": "object", "nullable": True},
                    "played_at": {"type": "string", "format": "date-time"},
                    "confirmed_at": {"type": "string", "format": "date-time"},
                    "channel": {"type": "string", "enum": ["loudspeaker"]},
                },
            },
        },
        "villages_confirmed": {"type": "integer"},
        "recipients": {"type": "integer"},
        "confirmed": {"type": "integer"},
        "not_confirmed": {"type": "integer"},
        "items": {"type": "array", "items": {"type": "object"}, "description": "people, with how they confirmed"},
        "total": {"type": "integer"},
        "page": {"type": "integer"},
        "per_page": {"type": "integer"},
    },
}
KEYWORD_EXAMPLE = {
    "id": 5,
    "language": "bo",
    "intent": "confirm",
    "keyword": "འབྱོར་བྱུང",
    "builtin": False,
    "scope_grid_code": "623025101",
    "editable": True,
}
BUILTIN_KEYWORD_EXAMPLE = {
    **KEYWORD_EXAMPLE,
    "id": None,
    "keyword": "ལགས",
    "builtin": True,
    "scope_grid_code": None,
    "editable": False,
}
AUTO_REPLY_EXAMPLE = {"language": "zh", "intent": "confirm", "text": "已收到，谢谢！", "enabled": True, "custom": True}

_MESSAGE = {"$ref": "#/components/schemas/InboundMessage"}
_IID = path_id("inbound_id", "the received message's id")


def _string_path(name: str, description: str, example: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": {"type": "string"},
            "example": example}  # fmt: skip


PATHS: dict[str, Any] = {
    "/api/v1/inbox": {
        "get": {
            "tags": ["inbox"],
            "summary": "Received SMS in your scope, newest first (unknown senders: unscoped staff only)",
            "parameters": [
                query_param("intent", "one intent, or `pending` (not processed yet)", {"type": "string"}, "unknown"),
                query_param("reviewed", "reviewed (true) or waiting for staff (false)", {"type": "boolean"}, False),
                query_param("contact_id", "one contact's replies", {"type": "integer"}),
                query_param("unknown_sender", "only (true) or no (false) unknown senders", {"type": "boolean"}),
                *PAGE_PARAMS,
            ],
            "responses": {
                "200": json_response(
                    "A page of messages",
                    page_of("#/components/schemas/InboundMessage"),
                    {"items": [UNKNOWN_EXAMPLE], "total": 1, "page": 1, "per_page": 50},
                ),
                **error_responses(422),
            },
        }
    },
    "/api/v1/inbox/{inbound_id}": {
        "parameters": [_IID],
        "get": {
            "tags": ["inbox"],
            "summary": "One received SMS",
            "responses": {"200": json_response("The message", _MESSAGE, PROCESSED_EXAMPLE), **error_responses(404)},
        },
    },
    "/api/v1/inbox/{inbound_id}/review": {
        "parameters": [_IID],
        "post": {
            "tags": ["inbox"],
            "summary": "Mark a message reviewed, with an optional note",
            "requestBody": {
                "required": False,
                "content": {
                    "application/json": {
                        "schema": {"type": "object", "properties": {"note": {"type": "string", "maxLength": 500}}},
                        "example": {"note": "打电话确认过，无事"},
                    }
                },
            },
            "responses": {
                "200": json_response(
                    "The message", _MESSAGE, {**UNKNOWN_EXAMPLE, "reviewed_at": "2026-11-23T03:00:00+00:00"}
                ),
                **error_responses(403, 404, 422),
            },
        },
    },
    "/api/v1/inbox/{inbound_id}/link": {
        "parameters": [_IID],
        "post": {
            "tags": ["inbox"],
            "summary": "Link an unknown sender's message to a contact and process it again (no auto-reply)",
            "requestBody": json_request(
                {"type": "object", "required": ["contact_id"], "properties": {"contact_id": {"type": "integer"}}},
                {"contact_id": 7},
            ),
            "responses": {
                "200": json_response(
                    "The message and what processing did",
                    {"type": "object", "properties": {"message": _MESSAGE, "processing": {"type": "object"}}},
                    {"message": PROCESSED_EXAMPLE, "processing": {"intent": "confirm", "confirmed_run_id": 3}},
                ),
                **error_responses(403, 404, 409, 422),
            },
        },
    },
    "/api/v1/runs/{run_id}/confirmations": {
        "parameters": [path_id("run_id", "the run's id")],
        "get": {
            "tags": ["runs"],
            "summary": "Who confirmed the run (when, by which channel) and who has not",
            "parameters": [
                query_param("confirmed", "only those who did (true) or did not (false)", {"type": "boolean"}),
                *PAGE_PARAMS,
            ],
            "responses": {
                "200": json_response(
                    "Recipients with their confirmation, and villages confirmed by loudspeaker",
                    CONFIRMATIONS_SCHEMA,
                    CONFIRMATIONS_EXAMPLE,
                ),
                **error_responses(404, 422),
            },
        },
    },
    "/api/v1/keywords": {
        "get": {
            "tags": ["keywords"],
            "summary": "Reply keywords: the built-in ones and those staff added",
            "parameters": [
                query_param("language", "one language", {"type": "string"}, "bo"),
                query_param("intent", "one intent", {"type": "string"}, "confirm"),
            ],
            "responses": {
                "200": json_response(
                    "The keywords",
                    {
                        "type": "object",
                        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Keyword"}}},
                    },
                    {"items": [BUILTIN_KEYWORD_EXAMPLE, KEYWORD_EXAMPLE]},
                ),
                **error_responses(422),
            },
        },
        "post": {
            "tags": ["keywords"],
            "summary": "Add a keyword for a language and intent, in your scope (admins and coordinators)",
            "requestBody": json_request(
                {
                    "type": "object",
                    "required": ["language", "intent", "keyword"],
                    "properties": {
                        "language": {"type": "string"},
                        "intent": {"type": "string"},
                        "keyword": {"type": "string", "maxLength": 64},
                        "grid_code": {
                            "type": "string",
                            "description": "narrow the keyword to this grid's subtree "
                            "(in your scope); default: everywhere for an admin, your scope otherwise",
                        },
                    },
                },
                {"language": "bo", "intent": "confirm", "keyword": "འབྱོར་བྱུང"},
            ),
            "responses": {
                "201": json_response("The keyword", {"$ref": "#/components/schemas/Keyword"}, KEYWORD_EXAMPLE),
                **error_responses(403, 409, 422),
            },
        },
    },
    "/api/v1/keywords/{keyword_id}": {
        "parameters": [path_id("keyword_id", "a staff keyword's id")],
        "delete": {
            "tags": ["keywords"],
            "summary": "Remove a staff keyword of your scope (built-ins stay; global ones are an admin's)",
            "responses": {"204": {"description": "Removed"}, **error_responses(403, 404)},
        },
    },
    "/api/v1/auto-replies": {
        "get": {
            "tags": ["keywords"],
            "summary": "Auto-reply texts per language and intent, and whether auto-replies are on at all",
            "responses": {
                "200": json_response(
                    "The texts",
                    {
                        "type": "object",
                        "properties": {
                            "enabled": {"type": "boolean", "description": "GRIDCAST_AUTO_REPLIES"},
                            "items": {"type": "array", "items": {"$ref": "#/components/schemas/AutoReply"}},
                        },
                    },
                    {"enabled": True, "items": [AUTO_REPLY_EXAMPLE]},
                ),
                **error_responses(),
            },
        }
    },
    "/api/v1/auto-replies/{language}/{intent}": {
        "parameters": [
            _string_path("language", "a language tag", "zh"),
            _string_path(
                "intent", "confirm, zero_report, incident, opt_out, opt_in, help, unknown, unregistered", "confirm"
            ),
        ],
        "put": {
            "tags": ["keywords"],
            "summary": "Change an auto-reply text or turn it off (admins without a scope)",
            "requestBody": json_request(
                {
                    "type": "object",
                    "properties": {"text": {"type": "string", "maxLength": 480}, "enabled": {"type": "boolean"}},
                },
                {"text": "已收到，谢谢！", "enabled": True},
            ),
            "responses": {
                "200": json_response("The text", {"$ref": "#/components/schemas/AutoReply"}, AUTO_REPLY_EXAMPLE),
                **error_responses(403, 422),
            },
        },
    },
}
