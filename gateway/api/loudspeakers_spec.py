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
}
WITH_TOKEN_EXAMPLE = {**SPEAKER_EXAMPLE, "token": "gs_Xb4wA2kT0m2c1YvQ8mE8bq0jHf6rQy1o2kVhN5Xb4wA"}
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
    "SpeakerWithToken": {
        "type": "object",
        "required": [*_PROPERTIES, "token"],
        "properties": {**_PROPERTIES, "token": {"type": "string", "description": "shown this once; stored hashed"}},
    },
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
_WITH_TOKEN = {"$ref": "#/components/schemas/SpeakerWithToken"}
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
            "responses": {"200": json_response("The speaker", _SPEAKER, SPEAKER_EXAMPLE), **error_responses(404)},
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
}
