"""Village loudspeakers: the devices that poll their feed and play announcements."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from gateway.api.models.common import Page, PageQuery, example

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
CREATE_EXAMPLE = {
    "name": "秀玛村村委会大喇叭",
    "grid_code": "623025101201",
    "languages": ["bo", "zh"],
    "play_slots": ["07:30", "12:00", "19:00"],
}


class Speaker(BaseModel):
    model_config = example(SPEAKER_EXAMPLE)

    id: int
    name: str
    grid_id: int
    grid_code: str
    grid_name: str
    languages: list[str]
    play_slots: list[str]
    token_prefix: str
    token_issued_at: str
    created_at: str
    last_seen_at: str | None
    last_play_at: str | None
    silent: bool = Field(description="no poll, heartbeat or play for GRIDCAST_SPEAKER_SILENT_AFTER_MINUTES")


class SpeakerWithToken(Speaker):
    model_config = example(WITH_TOKEN_EXAMPLE)

    token: str = Field(description="shown this once; stored hashed")


class ChangedSpeaker(Speaker):
    model_config = example({**SPEAKER_EXAMPLE, "play_slots": ["08:00"]})


class SpeakerPage(Page[Speaker]):
    model_config = example({"items": [SPEAKER_EXAMPLE], "total": 1, "page": 1, "per_page": 50})


class SpeakerQuery(PageQuery):
    grid_id: Annotated[int | None, Field(ge=1, le=2**31 - 1, description="only speakers in this grid's subtree")] = None
    silent: bool | None = Field(default=None, description="only silent (true) or only heard-from (false) speakers")


class SpeakerInput(BaseModel):
    """name, grid_code and languages are required to add a speaker; play_slots are local times (GRIDCAST_TIMEZONE)
    used for announcements that set no play times of their own."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [CREATE_EXAMPLE]})

    name: StrictStr | None = Field(default=None, max_length=100)
    grid_code: StrictStr | None = None
    languages: list[StrictStr] | None = Field(default=None, min_length=1, max_length=2)
    play_slots: list[StrictStr] | None = Field(default=None, max_length=12, examples=[["07:30"]])


class SpeakerChange(SpeakerInput):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"play_slots": ["08:00"]}]})
