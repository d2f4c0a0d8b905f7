"""Village loudspeakers: the devices that poll their feed and play announcements."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from gateway.api.models.common import Page, PageQuery, QueryModel, example

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
VILLAGE_SPEAKER_EXAMPLE = {
    "id": 3,
    "name": "秀玛村村委会大喇叭",
    "online": True,
    "last_seen_at": "2026-11-23T01:59:12+00:00",
    "device_state": "normal",
    "items": [{key: value for key, value in ITEM_STATE_EXAMPLE.items() if key != "campaign_id"}],
}
VILLAGES_EXAMPLE = {
    "villages": [
        {"grid_id": 3, "grid_code": "623025101201", "grid_name": "秀玛村", "speakers": [VILLAGE_SPEAKER_EXAMPLE]}
    ]
}
DEVICE_STATE = "what the speaker's last heartbeat said of itself: normal, fault or recovered (null: never said)"
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
    online: bool = Field(description="not silent: heard from within GRIDCAST_SPEAKER_SILENT_AFTER_MINUTES")
    device_state: str | None = Field(description=DEVICE_STATE)
    device_state_at: str | None
    device_detail: str | None


class SigningKey(BaseModel):
    """The public key a speaker checks feed v2 items with (docs/loudspeakers.md)."""

    model_config = example(SIGNING_KEY_EXAMPLE)

    algorithm: Literal["Ed25519"]
    public_key: str = Field(description="the raw 32-byte public key, base64")
    key_id: str = Field(description="first 16 hex digits of the key's SHA-256")


class SpeakerWithKey(Speaker):
    model_config = example(WITH_KEY_EXAMPLE)

    feed_signing_key: SigningKey


class SpeakerWithToken(SpeakerWithKey):
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


class ItemState(BaseModel):
    """The last state a speaker reported of one feed item (a run's text in one language)."""

    item_id: str
    run_id: int
    language: str
    state: str = Field(description="received, downloaded, playing, played, failed or cancelled")
    at: str = Field(description="the speaker's time of the state")
    detail: str | None
    reported_at: str
    campaign_name: str | None


class SpeakerItemState(ItemState):
    model_config = example(ITEM_STATE_EXAMPLE)

    campaign_id: int | None


class SpeakerItems(BaseModel):
    model_config = example({"items": [ITEM_STATE_EXAMPLE]})

    items: list[SpeakerItemState]


class VillageSpeaker(BaseModel):
    id: int
    name: str
    online: bool
    last_seen_at: str | None
    device_state: str | None = Field(description=DEVICE_STATE)
    items: list[ItemState]


class Village(BaseModel):
    grid_id: int
    grid_code: str
    grid_name: str
    speakers: list[VillageSpeaker]


class Villages(BaseModel):
    model_config = example(VILLAGES_EXAMPLE)

    villages: list[Village]


class VillageQuery(QueryModel):
    grid_id: Annotated[int | None, Field(ge=1, le=2**31 - 1, description="only villages in this grid's subtree")] = None
