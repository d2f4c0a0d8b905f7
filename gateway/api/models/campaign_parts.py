"""The parts of a campaign as the API shows them once the domain has checked and normalized them: its audience,
schedule, send window, confirmation policy and loudspeaker section."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field


class AudienceAnswer(BaseModel):
    """Contacts in any of the grid subtrees, narrowed by roles and tags, plus explicit contacts."""

    grid_ids: list[int]
    roles: list[str]
    tags: list[str]
    contact_ids: list[int]


class SendWindow(BaseModel):
    """Local times between which messages may be sent (the end may be past midnight)."""

    start: str = Field(examples=["08:00"])
    end: str = Field(examples=["21:00"])


class SendNow(BaseModel):
    kind: Literal["now"]


class SendOnce(BaseModel):
    kind: Literal["once"]
    at: str = Field(description="local date and time", examples=["2026-11-24T09:00"])


class SendDaily(BaseModel):
    kind: Literal["daily"]
    time: str = Field(description="local time", examples=["08:00"])
    until: str | None = Field(description="the last day (null: no end)", examples=["2026-12-31"])


class SendWeekly(BaseModel):
    kind: Literal["weekly"]
    days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]]
    time: str = Field(description="local time", examples=["08:00"])
    until: str | None = Field(description="the last day (null: no end)", examples=["2026-12-31"])


class SendByCron(BaseModel):
    kind: Literal["cron"]
    cron: str = Field(description="a 5-field cron expression, local time", examples=["0 8 * * 1-5"])
    until: str | None = Field(description="the last day (null: no end)")


Schedule = Annotated[SendNow | SendOnce | SendDaily | SendWeekly | SendByCron, Field(discriminator="kind")]


class ConfirmationPolicy(BaseModel):
    """Reminders to those who have not confirmed, then their names escalated up the grid chain."""

    remind_after_minutes: int | None
    max_reminders: int
    reminder_channel: Literal["sms", "voice"]
    escalate_after_minutes: int | None
    escalate_up_after_minutes: int | None
    escalate_to: list[str] | None = Field(
        default=None, description="the roles escalated to (left out in policies saved before it: grid leaders)"
    )
    escalation_texts: dict[str, str] | None = Field(description="the escalation text per language")


class LoudspeakerPolicy(BaseModel):
    """When village loudspeakers play the announcement, how many times in a row, and for how long it is valid."""

    play_at: list[str] = Field(description="local times (empty: each speaker's own play slots)", examples=[["08:00"]])
    times: int
    valid_hours: int
