"""OpenAPI description of the campaign audio routes, with examples. The clips themselves are served, without a
token, at `GET /audio/<sha256>.mp3` (gateway/audio_files.py), outside this API."""

from __future__ import annotations

from typing import Any

from gateway.api.spec import error_responses, json_response, path_id

SHA = "3f9a1c0e5b7d2a4c6e8f0a1b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d"
AUDIO_EXAMPLE = {
    "engine": "espeak",
    "sha256": SHA,
    "size_bytes": 38451,
    "duration_ms": 4780,
    "url": f"http://127.0.0.1:8000/audio/{SHA}.mp3",
    "text": "明天9:00在乡卫生院接种疫苗。",
    "matches_text": True,
    "original_filename": None,
    "updated_at": "2026-11-22T20:05:00+00:00",
}
JOB_EXAMPLE = {"id": "audio-synthesize-7-zh-auto", "status": "queued", "enqueued_at": "2026-11-22T20:04:58+00:00"}
LANGUAGE_EXAMPLE = {"language": "zh", "has_text": True, "engines": ["gtts", "espeak"], "audio": AUDIO_EXAMPLE,
                    "synthesis": {**JOB_EXAMPLE, "status": "finished"}}  # fmt: skip
RECORDED_EXAMPLE = {
    "language": "bo",
    "has_text": True,
    "engines": [],
    "audio": {**AUDIO_EXAMPLE, "engine": "recording", "text": None, "original_filename": "bo-announcement.m4a"},
    "synthesis": None,
}

_NULLABLE_OBJECT = {"type": "object", "nullable": True}
SCHEMAS: dict[str, Any] = {
    "CampaignAudio": {
        "type": "object",
        "required": ["campaign_id", "languages"],
        "properties": {
            "campaign_id": {"type": "integer"},
            "languages": {"type": "array", "items": {"$ref": "#/components/schemas/LanguageAudio"}},
        },
    },
    "LanguageAudio": {
        "type": "object",
        "description": "a language of the campaign: its audio (null: none yet), the engines that can speak it "
        "(empty: recordings only, e.g. Tibetan) and the latest synthesis job",
        "required": ["language", "has_text", "engines", "audio"],
        "properties": {
            "language": {"type": "string"},
            "has_text": {"type": "boolean"},
            "engines": {"type": "array", "items": {"type": "string", "enum": ["gtts", "espeak"]}},
            "audio": {
                "type": "object",
                "nullable": True,
                "required": ["engine", "sha256", "size_bytes", "duration_ms", "url"],
                "properties": {
                    "engine": {"type": "string", "enum": ["gtts", "espeak", "recording"]},
                    "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                    "size_bytes": {"type": "integer"},
                    "duration_ms": {"type": "integer"},
                    "url": {"type": "string", "description": "public MP3 URL: GET/HEAD /audio/<sha256>.mp3"},
                    "text": {"type": "string", "nullable": True},
                    "matches_text": {"type": "boolean", "description": "false: the text changed since synthesis"},
                    "original_filename": {"type": "string", "nullable": True},
                    "updated_at": {"type": "string", "nullable": True},
                },
            },
            "synthesis": {"$ref": "#/components/schemas/SynthesisJob"},
        },
    },
    "SynthesisJob": {
        **_NULLABLE_OBJECT,
        "properties": {
            "id": {"type": "string"},
            "status": {"type": "string", "description": "RQ status: queued, started, finished, failed..."},
            "enqueued_at": {"type": "string", "nullable": True},
            "error": {"type": "string", "description": "why the last attempt failed"},
        },
    },
}

_CID = path_id("campaign_id", "the campaign's id")
_LANGUAGE = {
    "name": "language",
    "in": "path",
    "required": True,
    "description": "a language tag or name (zh, bo, 藏语, Tibetan...)",
    "schema": {"type": "string", "minLength": 1, "maxLength": 40},
    "example": "zh",
}

PATHS: dict[str, Any] = {
    "/api/v1/campaigns/{campaign_id}/audio": {
        "parameters": [_CID],
        "get": {
            "tags": ["audio"],
            "summary": "Each language's announcement audio: engine, duration, size, SHA-256, listen URL, synthesis job",
            "responses": {
                "200": json_response(
                    "The campaign's audio by language",
                    {"$ref": "#/components/schemas/CampaignAudio"},
                    {"campaign_id": 7, "languages": [RECORDED_EXAMPLE, LANGUAGE_EXAMPLE]},
                ),
                **error_responses(404),
            },
        },
    },
    "/api/v1/campaigns/{campaign_id}/audio/{language}/synthesize": {
        "parameters": [_CID, _LANGUAGE],
        "post": {
            "tags": ["audio"],
            "summary": "Queue the synthesis of the language's text (engines in GRIDCAST_TTS_ENGINES order, or the one "
            "named); the same engine, language and text are synthesized once",
            "requestBody": {
                "required": False,
                "content": {
                    "application/json": {
                        "schema": {"type": "object", "properties": {"engine": {"type": "string"}}},
                        "example": {"engine": "espeak"},
                    }
                },
            },
            "responses": {
                "202": json_response(
                    "Queued; follow `synthesis` in GET .../audio",
                    {"type": "object", "required": ["campaign_id", "language", "engines", "job"]},
                    {"campaign_id": 7, "language": "zh", "engines": ["espeak"], "job": JOB_EXAMPLE},
                ),
                **error_responses(400, 403, 404, 409, 422),
            },
        },
    },
    "/api/v1/campaigns/{campaign_id}/audio/{language}": {
        "parameters": [_CID, _LANGUAGE],
        "put": {
            "tags": ["audio"],
            "summary": "Upload a recording (mp3, wav, m4a or ogg) as the language's audio; it is normalized to MP3 "
            "44.1 kHz mono. The only way for Tibetan, Mongolian, Yi and Kazakh",
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["file"],
                            "properties": {"file": {"type": "string", "format": "binary"}},
                        },
                        "example": {"file": "(the recording's bytes)"},
                    }
                },
            },
            "responses": {
                "200": json_response(
                    "The language with its new audio", {"$ref": "#/components/schemas/LanguageAudio"}, RECORDED_EXAMPLE
                ),
                **error_responses(403, 404, 409, 422),
            },
        },
    },
}
