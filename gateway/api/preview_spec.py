"""OpenAPI description of a campaign's preview and a run's progress: schemas and examples."""

from __future__ import annotations

from typing import Any

_OBJECT = {"type": "object"}

PREVIEW_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "what each channel will do; `sms`, `voice` and `loudspeaker` are null when the campaign does "
    "not use that channel. `people`: who the SMS and calls reach (each person once), the number the approval "
    "threshold is compared with; `by_grid` counts them per chosen grid and its children",
    "required": ["campaign_id", "channels", "people", "sms", "voice", "loudspeaker", "estimated_cost", "blocking"],
    "properties": {
        "campaign_id": {"type": "integer"},
        "channels": {"type": "array", "items": {"type": "string"}},
        "people": {"type": "integer"},
        "by_grid": {"type": "array", "items": _OBJECT},
        "sms": {
            "type": "object",
            "nullable": True,
            "description": "encoding per language is that of the rendered texts: GSM-7, UCS-2 or mixed "
            "(`encodings` counts recipients per encoding); segments_per_message is null for a template",
            "properties": {
                "recipients": {"type": "integer"},
                "by_language": {"type": "array", "items": _OBJECT},
                "fallback_language": {"type": "string", "nullable": True},
                "fallback_recipients": {"type": "integer"},
                "without_reachable_channel": {"type": "integer"},
                "without_text": {"type": "object", "additionalProperties": {"type": "integer"}},
                "segments_total": {"type": "integer"},
                "estimated_cost": {"type": "number"},
                "send_rate_per_second": {"type": "number"},
                "estimated_seconds": {"type": "number"},
                "by_channel": {"type": "array", "items": _OBJECT},
            },
        },
        "voice": {
            "type": "object",
            "nullable": True,
            "description": "people called per language with the length of a call (the announcement "
            "GRIDCAST_CALL_PLAYS times and the press-1 prompt); each started minute is billed at "
            "GRIDCAST_CALL_PRICE; calls start at GRIDCAST_CALL_RATE, slower when GRIDCAST_CALL_CONCURRENCY "
            "calls are in progress",
            "properties": {
                "recipients": {"type": "integer"},
                "by_language": {"type": "array", "items": _OBJECT},
                "without_reachable_channel": {"type": "integer"},
                "call_minutes": {"type": "integer"},
                "estimated_cost": {"type": "number"},
                "call_rate_per_second": {"type": "number"},
                "estimated_seconds": {"type": "number"},
            },
        },
        "loudspeaker": {
            "type": "object",
            "nullable": True,
            "description": "speakers in the audience's grids and below, the grids they stand in, and plays a "
            "day per speaker (null: at each speaker's own play slots)",
            "properties": {
                "speakers": {"type": "integer"},
                "grids": {"type": "integer"},
                "times": {"type": "integer"},
                "play_at": {"type": "array", "items": {"type": "string"}},
                "plays_per_day": {"type": "integer", "nullable": True},
                "valid_hours": {"type": "integer", "nullable": True},
            },
        },
        "estimated_cost": {"type": "number", "description": "SMS and calls together"},
        "currency": {"type": "string"},
        "estimated_seconds": {"type": "number", "description": "the slower of SMS and calls"},
        "audio": {"type": "object", "nullable": True},
        "blocking": {"type": "array", "items": {"type": "string"}},
    },
}

RUN_PROGRESS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "rate_per_second: sent over the time since the first send of the last minute; "
    "estimated_seconds_left: null unless the run is sending; segments: SMS segments the preview estimated "
    "when the run was planned and those handed to the network, with their cost",
    "properties": {
        "run": _OBJECT,
        "total": {"type": "integer"},
        "by_status": {"type": "object", "additionalProperties": {"type": "integer"}},
        "rate_per_second": {"type": "number"},
        "remaining": {"type": "integer"},
        "estimated_seconds_left": {"type": "number", "nullable": True},
        "segments": {
            "type": "object",
            "properties": {"estimated": {"type": "integer"}, "actual": {"type": "integer"}},
        },
        "estimated_cost": {"type": "number", "nullable": True},
        "actual_cost": {"type": "number", "nullable": True},
        "currency": {"type": "string", "nullable": True},
    },
}

PREVIEW_EXAMPLE = {
    "campaign_id": 7,
    "channels": ["sms", "voice"],
    "people": 826,
    "by_grid": [{"grid_id": 2, "code": "623025101", "name": "齐哈玛镇", "recipients": 826, "children": []}],
    "sms": {
        "recipients": 812,
        "by_language": [
            {"language": "bo", "recipients": 530, "encoding": "UCS-2", "encodings": {"UCS-2": 530},
             "segments_per_message": None, "segments_total": 530},
            {"language": "zh", "recipients": 282, "encoding": "UCS-2", "encodings": {"UCS-2": 282},
             "segments_per_message": None, "segments_total": 282},
        ],
        "fallback_language": "zh",
        "fallback_recipients": 3,
        "without_reachable_channel": 14,
        "without_text": {},
        "segments_total": 812,
        "estimated_cost": 40.6,
        "send_rate_per_second": 6.77,
        "estimated_seconds": 120.0,
        "by_channel": [
            {"channel": "kannel", "recipients": 120, "send_rate_per_second": 1.0, "estimated_seconds": 120.0},
            {"channel": "twilio", "recipients": 692, "send_rate_per_second": 10.0, "estimated_seconds": 69.2},
        ],
    },
    "voice": {
        "recipients": 826,
        "by_language": [
            {"language": "bo", "recipients": 544, "seconds_per_call": 41.0, "minutes_per_call": 1},
            {"language": "zh", "recipients": 282, "seconds_per_call": 36.5, "minutes_per_call": 1},
        ],
        "without_reachable_channel": 0,
        "call_minutes": 826,
        "estimated_cost": 82.6,
        "call_rate_per_second": 0.25,
        "estimated_seconds": 3304.0,
    },
    "loudspeaker": None,
    "estimated_cost": 123.2,
    "currency": "CNY",
    "estimated_seconds": 3304.0,
    "audio": None,
    "blocking": [],
}  # fmt: skip
