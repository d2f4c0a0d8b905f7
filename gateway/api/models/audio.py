"""A campaign's announcement audio per language: synthesized or recorded."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr
from rq.job import JobStatus

from gateway.api.models.common import example

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


class Audio(BaseModel):
    engine: str
    sha256: str
    size_bytes: int
    duration_ms: int | None
    url: str
    text: str | None = None
    matches_text: bool | None = None
    original_filename: str | None = None
    updated_at: str | None = None


JobState = Literal[(*(status.value for status in JobStatus), "unknown")]  # type: ignore[valid-type]


class SynthesisJob(BaseModel):
    """A synthesis job on the audio queue."""

    model_config = example(JOB_EXAMPLE)

    id: str
    status: JobState
    enqueued_at: str | None
    error: str | None = Field(default=None, description="the last line of a failed job's error")


class LanguageAudio(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [RECORDED_EXAMPLE]})

    language: str
    has_text: bool
    engines: list[str]
    audio: Audio | None
    synthesis: SynthesisJob | None = Field(default=None, description="the latest synthesis job, if any")


class CampaignAudio(BaseModel):
    model_config = example({"campaign_id": 7, "languages": [RECORDED_EXAMPLE, LANGUAGE_EXAMPLE]})

    campaign_id: int
    languages: list[LanguageAudio]


class Synthesize(BaseModel):
    model_config = example({"engine": "espeak"})

    engine: StrictStr | None = Field(
        default=None, description="gtts, espeak...; default: GRIDCAST_TTS_ENGINES in order"
    )


class SynthesisQueued(BaseModel):
    """Queued; follow `synthesis` in GET .../audio."""

    model_config = example({"campaign_id": 7, "language": "zh", "engines": ["espeak"], "job": JOB_EXAMPLE})

    campaign_id: int
    language: str
    engines: list[str]
    job: SynthesisJob
