"""OpenAPI description of the staff routes for loudspeakers and of the CAP export, with examples."""

from __future__ import annotations

from typing import Any

from gateway.api.spec import PAGE_PARAMS, error_responses, json_request, json_response, page_of, path_id, query_param

SPEAKER_EXAMPLE = {
    "id": 3,
    "name": "秀玛村村委会大喇叭",
    "grid_id": 3,
    "grid_code": "623025101201",
    "grid_name": "秀玛村",
    "languages": ["bo", "zh"],
    "play_slots": ["07:30", "12:00", "19:00"],
    "token_prefix": "gs_Xb4wA2k",
    "token_issued_at": "2026-11-22T08:30:00+00:00",
    "created_at": "2026-11-22T08:30:00+00:00",
    "last_seen_at": "2026-11-23T01:59:12+00:00",
    "last_play_at": "2026-11-23T00:00:05+00:00",
    "silent": False,
    "online": True,
    "device_state": "normal",
    "device_state_at": "2026-11-23T01:59:12+00:00",
    "device_detail": None,
}
SIGNING_KEY_EXAMPLE = {
    "algorithm": "Ed25519",
    "public_key": "9S2sHg0vQ6OVj7N1bAGHw8WnGtq7rTQz2L4cNfO+k2c=",
    "key_id": "3f0a9c51d2b7e864",
}
WITH_KEY_EXAMPLE = {**SPEAKER_EXAMPLE, "feed_signing_key": SIGNING_KEY_EXAMPLE}
WITH_TOKEN_EXAMPLE = {**WITH_KEY_EXAMPLE, "token": "gs_Xb4wA2kT0m2c1YvQ8mE8bq0jHf6rQy1o2kVhN5Xb4wA"}
ITEM_STATE_EXAMPLE = {
    "item_id": "run-41-bo",
    "run_id": 41,
    "language": "bo",
    "state": "played",
    "at": "2026-11-23T00:00:05+00:00",
    "detail": None,
    "reported_at": "2026-11-23T00:01:00+00:00",
    "campaign_id": 7,
    "campaign_name": "草原防火广播",
}
_PROPERTIES: dict[str, Any] = {
    "id": {"type": "integer"},
    "name": {"type": "string"},
    "grid_id": {"type": "integer"},
    "grid_code": {"type": "string"},
    "grid_name": {"type": "string"},
    "languages": {"type": "array", "items": {"type": "string"}},
    "play_slots": {"type": "array", "items": {"type": "string"}},
    "token_prefix": {"type": "string"},
    "token_issued_at": {"type": "string"},
    "created_at": {"type": "string"},
    "last_seen_at": {"type": "string", "nullable": True},
    "last_play_at": {"type": "string", "nullable": True},
    "silent": {
        "type": "boolean",
        "description": "no poll, heartbeat or play for GRIDCAST_SPEAKER_SILENT_AFTER_MINUTES",
    },
    "online": {"type": "boolean", "description": "not silent: heard from within GRIDCAST_SPEAKER_SILENT_AFTER_MINUTES"},
    "device_state": {
        "type": "string",
        "nullable": True,
        "enum": ["normal", "fault", "recovered", None],
        "description": "what the speaker's last heartbeat said of itself (null: never said)",
    },
    "device_state_at": {"type": "string", "nullable": True},
    "device_detail": {"type": "string", "nullable": True},
}
_KEY_PROPERTY = {
    "feed_signing_key": {
        "type": "object",
        "description": "the public key the speaker checks feed v2 items with (docs/loudspeakers.md)",
        "required": ["algorithm", "public_key", "key_id"],
        "properties": {
            "algorithm": {"type": "string", "enum": ["Ed25519"]},
            "public_key": {"type": "string", "description": "the raw 32-byte public key, base64"},
            "key_id": {"type": "string", "description": "first 16 hex digits of the key's SHA-256"},
        },
    }
}
_ITEM_STATE: dict[str, Any] = {
    "type": "object",
    "required": ["item_id", "run_id", "language", "state", "at", "detail", "reported_at"],
    "properties": {
        "item_id": {"type": "string"},
        "run_id": {"type": "integer"},
        "language": {"type": "string"},
        "state": {"type": "string", "enum": ["received", "downloaded", "playing", "played", "failed", "cancelled"]},
        "at": {"type": "string", "description": "the speaker's time of the state"},
        "detail": {"type": "string", "nullable": True},
        "reported_at": {"type": "string"},
        "campaign_id": {"type": "integer"},
        "campaign_name": {"type": "string"},
    },
}
SCHEMAS: dict[str, Any] = {
    "LoudspeakerPolicy": {
        "type": "object",
        "nullable": True,
        "description": "for campaigns with the loudspeaker channel (defaults filled in; dropped without it): each run "
        "is an announcement in the feeds of the speakers in the audience grids and below for valid_hours from its "
        "start, played at play_at (local times of the campaign's timezone; empty: each speaker's play_slots) "
        "times times in a row",
        "properties": {
            "play_at": {"type": "array", "items": {"type": "string", "example": "08:00"}, "maxItems": 12},
            "times": {"type": "integer", "minimum": 1, "maximum": 10, "default": 1},
            "valid_hours": {"type": "integer", "minimum": 1, "maximum": 720, "default": 24},
        },
    },
    "Speaker": {"type": "object", "required": list(_PROPERTIES), "properties": _PROPERTIES},
    "SpeakerWithKey": {
        "type": "object",
        "required": [*_PROPERTIES, "feed_signing_key"],
        "properties": {**_PROPERTIES, **_KEY_PROPERTY},
    },
    "SpeakerWithToken": {
        "type": "object",
        "required": [*_PROPERTIES, "feed_signing_key", "token"],
        "properties": {
            **_PROPERTIES,
            **_KEY_PROPERTY,
            "token": {"type": "string", "description": "shown this once; stored hashed"},
        },
    },
    "SpeakerItemState": _ITEM_STATE,
    "SpeakerInput": {
        "type": "object",
        "description": "name, grid_code and languages are required to add a speaker; play_slots are local times "
        "(GRIDCAST_TIMEZONE) used for announcements that set no play times of their own",
        "properties": {
            "name": {"type": "string", "maxLength": 100},
            "grid_code": {"type": "string"},
            "languages": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 2},
            "play_slots": {"type": "array", "items": {"type": "string", "example": "07:30"}, "maxItems": 12},
        },
    },
}
_SPEAKER = {"$ref": "#/components/schemas/Speaker"}
_WITH_KEY = {"$ref": "#/components/schemas/SpeakerWithKey"}
_WITH_TOKEN = {"$ref": "#/components/schemas/SpeakerWithToken"}
_STATES = {"type": "array", "items": {"$ref": "#/components/schemas/SpeakerItemState"}}
_VILLAGES: dict[str, Any] = {
    "type": "object",
    "required": ["villages"],
    "properties": {"villages": {"type": "array", "items": {
        "type": "object",
        "required": ["grid_id", "grid_code", "grid_name", "speakers"],
        "properties": {
            "grid_id": {"type": "integer"}, "grid_code": {"type": "string"}, "grid_name": {"type": "string"},
            "speakers": {"type": "array", "items": {
                "type": "object",
                "required": ["id", "name", "online", "last_seen_at", "device_state", "items"],
                "properties": {
                    "id": {"type": "integer"}, "name": {"type": "string"}, "online": {"type": "boolean"},
                    "last_seen_at": {"type": "string", "nullable": True},
                    "device_state": {"type": "string", "nullable": True}, "items": _STATES,
                },
            }},
        },
    }}},
}  # fmt: skip
_VILLAGE_SPEAKER_EXAMPLE = {
    "id": 3,
    "name": "秀玛村村委会大喇叭",
    "online": True,
    "last_seen_at": "2026-11-23T01:59:12+00:00",
    "device_state": "normal",
    "items": [{key: value for key, value in ITEM_STATE_EXAMPLE.items() if key != "campaign_id"}],
}
VILLAGES_EXAMPLE = {
    "villages": [
        {"grid_id": 3, "grid_code": "623025101201", "grid_name": "秀玛村", "speakers": [_VILLAGE_SPEAKER_EXAMPLE]}
    ]
}
_SID = path_id("speaker_id", "the speaker's id")
CREATE_EXAMPLE = {"name": "秀玛村村委会大喇叭", "grid_code": "623025101201", "languages": ["bo", "zh"],
                  "play_slots": ["07:30", "12:00", "19:00"]}  # fmt: skip

PATHS: dict[str, Any] = {
    "/api/v1/speakers": {
        "get": {
            "tags": ["loudspeakers"],
            "summary": "List the loudspeakers in your scope, with last seen, last play and the silent flag",
            "parameters": [
                query_param("grid_id", "only speakers in this grid's subtree", {"type": "integer", "minimum": 1}, 2),
                query_param("silent", "only silent (true) or only heard-from (false) speakers", {"type": "boolean"}),
                *PAGE_PARAMS,
            ],
            "responses": {
                "200": json_response(
                    "A page of speakers",
                    page_of("#/components/schemas/Speaker"),
                    {"items": [SPEAKER_EXAMPLE], "total": 1, "page": 1, "per_page": 50},
                ),
                **error_responses(404, 422),
            },
        },
        "post": {
            "tags": ["loudspeakers"],
            "summary": "Add a loudspeaker to a grid; its token is in the answer, this once",
            "requestBody": json_request({"$ref": "#/components/schemas/SpeakerInput"}, CREATE_EXAMPLE),
            "responses": {
                "201": json_response("The speaker", _WITH_TOKEN, WITH_TOKEN_EXAMPLE),
                **error_responses(403, 422),
            },
        },
    },
    "/api/v1/speakers/{speaker_id}": {
        "parameters": [_SID],
        "get": {
            "tags": ["loudspeakers"],
            "summary": "One loudspeaker",
            "responses": {
                "200": json_response("The speaker, with the feed signing key", _WITH_KEY, WITH_KEY_EXAMPLE),
                **error_responses(404),
            },
        },
        "patch": {
            "tags": ["loudspeakers"],
            "summary": "Edit a loudspeaker's name, grid, languages or play slots",
            "requestBody": json_request({"$ref": "#/components/schemas/SpeakerInput"}, {"play_slots": ["08:00"]}),
            "responses": {
                "200": json_response("The speaker", _SPEAKER, {**SPEAKER_EXAMPLE, "play_slots": ["08:00"]}),
                **error_responses(403, 404, 422),
            },
        },
        "delete": {
            "tags": ["loudspeakers"],
            "summary": "Remove a loudspeaker (its token stops working; the villages' confirmations stay)",
            "responses": {"204": {"description": "Removed"}, **error_responses(403, 404)},
        },
    },
    "/api/v1/speakers/{speaker_id}/token": {
        "parameters": [_SID],
        "post": {
            "tags": ["loudspeakers"],
            "summary": "Rotate the speaker's token: a new one, shown this once; the old one stops working",
            "responses": {
                "200": json_response("The speaker with its new token", _WITH_TOKEN, WITH_TOKEN_EXAMPLE),
                **error_responses(403, 404),
            },
        },
    },
    "/api/v1/speakers/{speaker_id}/items": {
        "parameters": [_SID],
        "get": {
            "tags": ["loudspeakers"],
            "summary": "The speaker's feed item states of the last seven days, newest first",
            "responses": {
                "200": json_response(
                    "Item states",
                    {"type": "object", "required": ["items"], "properties": {"items": _STATES}},
                    {"items": [ITEM_STATE_EXAMPLE]},
                ),
                **error_responses(404),
            },
        },
    },
    "/api/v1/speakers/items": {
        "get": {
            "tags": ["loudspeakers"],
            "summary": "Per village: its speakers online or offline, their device state and feed item states",
            "parameters": [
                query_param("grid_id", "only villages in this grid's subtree", {"type": "integer", "minimum": 1}, 2),
            ],
            "responses": {
                "200": json_response("Villages", _VILLAGES, VILLAGES_EXAMPLE),
                **error_responses(404, 422),
            },
        },
    },
}
