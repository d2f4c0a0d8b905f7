"""A campaign preview's figures per channel, and a run's SMS segments (campaigns/runs/preview_results.py and
progress.py hold the same shapes as the domain returns them)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ChannelEta(BaseModel):
    """One SMS channel's share of a run: its recipients, rate and time."""

    channel: str
    recipients: int
    send_rate_per_second: float
    estimated_seconds: float


class LanguageSegments(BaseModel):
    """The SMS recipients of one language, with the encoding and segments of their text."""

    language: str
    recipients: int
    encoding: str
    encodings: dict[str, int] = Field(description="recipients per encoding (GSM-7, UCS-2)")
    segments_per_message: int | None
    segments_total: int


class SmsFigures(BaseModel):
    """SMS recipients by language, fallback, unreachable contacts, segments, cost and send time."""

    recipients: int
    by_language: list[LanguageSegments]
    fallback_language: str | None
    fallback_recipients: int
    without_reachable_channel: int
    without_text: dict[str, int] = Field(description="recipients per language that has no text and no fallback")
    segments_total: int
    estimated_cost: float
    send_rate_per_second: float
    estimated_seconds: float
    by_channel: list[ChannelEta]


class CallLanguage(BaseModel):
    """The people called in one language and the length of their call."""

    language: str
    recipients: int
    seconds_per_call: float
    minutes_per_call: int


class VoiceFigures(BaseModel):
    """People called by language, call minutes, rate, cost and duration."""

    recipients: int
    by_language: list[CallLanguage]
    without_reachable_channel: int
    call_minutes: int
    estimated_cost: float
    call_rate_per_second: float
    estimated_seconds: float


class LoudspeakerFigures(BaseModel):
    """The speakers that play the announcement, the grids they stand in, and how often they play it."""

    speakers: int
    grids: int
    times: int
    play_at: list[str]
    plays_per_day: int | None
    valid_hours: int | None


class Segments(BaseModel):
    """SMS segments of a run: estimated by the preview, and actually sent."""

    estimated: int
    actual: int


class ChildGridReach(BaseModel):
    grid_id: int
    code: str
    name: str
    recipients: int


class GridReach(ChildGridReach):
    """The people reached under a chosen grid, and under each of its child grids."""

    children: list[ChildGridReach]


class GridCounts(BaseModel):
    """A grid's outbox rows of a run, counted by status."""

    grid_id: int
    code: str
    name: str
    counts: dict[str, int]


class Problem(BaseModel):
    """A failed, undelivered or unknown row of a run, with the provider's reason."""

    outbox_id: int
    to: str
    status: str
    error_code: str | None
    error: str | None
