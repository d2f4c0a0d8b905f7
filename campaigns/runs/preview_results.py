"""The shape of a campaign's preview (`preview_campaign`), part by part, as the API and the console show it."""

from __future__ import annotations

from typing import Any, TypedDict


class ChannelEta(TypedDict):
    """One SMS channel's share of a run: its recipients, rate and time."""

    channel: str
    recipients: int
    send_rate_per_second: float
    estimated_seconds: float


class SmsEta(TypedDict):
    """How long the SMS of a run take: the channels send side by side, so as long as the slowest."""

    send_rate_per_second: float
    estimated_seconds: float
    by_channel: list[ChannelEta]


class LanguageSegments(TypedDict):
    """The SMS recipients of one language, with the encoding and segments of their text."""

    language: str
    recipients: int
    encoding: str
    encodings: dict[str, int]
    segments_per_message: int | None
    segments_total: int


class SmsFigures(TypedDict):
    """SMS recipients by language, fallback, unreachable contacts, segments, cost and send time."""

    recipients: int
    by_language: list[LanguageSegments]
    fallback_language: str | None
    fallback_recipients: int
    without_reachable_channel: int
    without_text: dict[str, int]
    segments_total: int
    estimated_cost: float
    send_rate_per_second: float
    estimated_seconds: float
    by_channel: list[ChannelEta]


class CallLanguage(TypedDict):
    """The people called in one language and the length of their call."""

    language: str
    recipients: int
    seconds_per_call: float
    minutes_per_call: int


class VoiceFigures(TypedDict):
    """People called by language, call minutes, rate, cost and duration."""

    recipients: int
    by_language: list[CallLanguage]
    without_reachable_channel: int
    call_minutes: int
    estimated_cost: float
    call_rate_per_second: float
    estimated_seconds: float


class LoudspeakerFigures(TypedDict):
    """The speakers that play the announcement, the grids they stand in, and how often they play it."""

    speakers: int
    grids: int
    times: int
    play_at: list[str]
    plays_per_day: int | None
    valid_hours: int | None


class ChildGridReach(TypedDict):
    grid_id: int
    code: str
    name: str
    recipients: int


class GridReach(TypedDict):
    """The people reached under a chosen grid, and under each of its child grids."""

    grid_id: int
    code: str
    name: str
    recipients: int
    children: list[ChildGridReach]


class CampaignPreview(TypedDict):
    """Everything staff see before launching, channel by channel (None for a channel the campaign does not use)."""

    campaign_id: int
    channels: list[str]
    people: int
    by_grid: list[GridReach]
    sms: SmsFigures | None
    voice: VoiceFigures | None
    loudspeaker: LoudspeakerFigures | None
    estimated_cost: float
    currency: str
    estimated_seconds: float
    audio: dict[str, Any] | None
    blocking: list[str]
    blocking_details: list[dict[str, Any]]
