"""Campaigns (what to send, to whom, when) and their runs (one occurrence of a campaign being sent)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from campaigns.broadcasts.alert_fields import KINDS
from campaigns.broadcasts.campaign_service import CHANNELS
from campaigns.models import CampaignStatus
from gateway.api.models.campaign_parts import (
    AudienceAnswer,
    ConfirmationPolicy,
    LoudspeakerPolicy,
    Schedule,
    SendWindow,
)
from gateway.api.models.common import BodyId, CodedMessage, Page, PageQuery, example
from gateway.api.models.preview_parts import (
    GridCounts,
    GridReach,
    LoudspeakerFigures,
    Problem,
    Segments,
    SmsFigures,
    VoiceFigures,
)

CAMPAIGN_EXAMPLE = {
    "id": 7,
    "name": "疫苗接种提醒",
    "status": "draft",
    "channels": ["sms"],
    "audience": {"grid_ids": [2], "roles": ["household_head"], "tags": [], "contact_ids": []},
    "texts": {"zh": "{name}，明天9:00在乡卫生院接种疫苗。", "bo": "{name} སང་ཉིན་ཆུ་ཚོད་9ལ་ཁྱབ་སྣོན།"},
    "fallback_language": "zh",
    "schedule": {"kind": "now"},
    "timezone": "Asia/Shanghai",
    "send_window": {"start": "08:00", "end": "21:00"},
    "expects_reply": False,
    "confirmation": None,
    "loudspeaker": None,
    "next_run_at": None,
    "archived_at": None,
    "scope_grid_id": 2,
    "kind": "routine",
    "alert": None,
}
ALERT_EXAMPLE = {
    "event_type": "暴雪",
    "severity": "severe",
    "severity_zh": "重大",
    "severity_cap": "Severe",
    "valid_from": "2026-11-23T02:00:00+00:00",
    "expires_at": "2026-11-24T02:00:00+00:00",
    "is_drill": False,
    "msg_type": "update",
    "references_id": 7,
}
ALERT_CAMPAIGN_EXAMPLE = {
    **CAMPAIGN_EXAMPLE, "id": 9, "name": "暴雪预警（更新）", "kind": "alert", "alert": ALERT_EXAMPLE
}  # fmt: skip
CREATE_EXAMPLE = {
    key: CAMPAIGN_EXAMPLE[key] for key in ("name", "audience", "texts", "fallback_language", "schedule", "send_window")
}
RUN_EXAMPLE = {
    "id": 3,
    "campaign_id": 7,
    "occurrence_at": "2026-11-23T01:00:00+00:00",
    "status": "sending",
    "planned": 812,
    "alert": None,
    "finished_at": None,
}
PROGRESS_EXAMPLE = {
    "run": RUN_EXAMPLE,
    "total": 812,
    "by_status": {
        "queued": 300,
        "sending": 12,
        "sent": 80,
        "delivered": 410,
        "undelivered": 4,
        "failed": 6,
        "unknown": 0,
        "cancelled": 0,
        "skipped": 0,
    },
    "by_language": {"bo": {"delivered": 260, "queued": 270}, "zh": {"delivered": 150, "queued": 30}},
    "by_grid": [{"grid_id": 5, "code": "623025101201", "name": "秀玛村", "counts": {"delivered": 120}}],
    "rate_per_second": 9.8,
    "remaining": 312,
    "estimated_seconds_left": 31.8,
    "segments": {"estimated": 1624, "actual": 1000},
    "estimated_cost": 81.2,
    "actual_cost": 50.0,
    "currency": "CNY",
    "problems": [
        {"outbox_id": 91, "to": "+8613800000091", "status": "failed", "error_code": "21211", "error": "invalid number"}
    ],
}
RETRY_EXAMPLE = {"requeued": 6, "by_status": {"failed": 2, "undelivered": 4}, "reason": None, "opted_out": 0,
                  "unknown_left": 1}  # fmt: skip

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
    "blocking_details": [],
}  # fmt: skip

CampaignChannel = Literal[CHANNELS]  # type: ignore[valid-type]
ShownStatus = Literal[tuple(status.value for status in CampaignStatus if status is not CampaignStatus.SYSTEM)]  # type: ignore[valid-type]
CampaignKind = Literal[KINDS]  # type: ignore[valid-type]


class Audience(BaseModel):
    """Contacts in any of the grid subtrees, narrowed by roles and tags, plus explicit contacts."""

    model_config = ConfigDict(extra="forbid")

    grid_ids: list[BodyId] | None = None
    roles: list[StrictStr] | None = None
    tags: list[StrictStr] | None = None
    contact_ids: list[BodyId] | None = None


class CampaignInput(BaseModel):
    """schedule: {kind: now} | {kind: once, at} | {kind: daily, time, until} | {kind: weekly, days, time, until} |
    {kind: cron, cron, until}; times are local to `timezone`."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [CREATE_EXAMPLE]})

    name: StrictStr | None = Field(default=None, description="at most 200 characters")
    channels: list[CampaignChannel] | None = None
    audience: Audience | None = None
    texts: dict[str, StrictStr] | None = Field(default=None, description="the text per language")
    fallback_language: StrictStr | None = None
    schedule: dict[str, Any] | None = None
    timezone: StrictStr | None = None
    send_window: dict[str, Any] | None = Field(default=None, examples=[{"start": "08:00", "end": "21:00"}])
    expects_reply: StrictBool | None = None
    confirmation: dict[str, Any] | None = Field(
        default=None,
        description="needs expects_reply: remind_after_minutes, max_reminders (0-5), reminder_channel (sms), "
        "escalate_after_minutes, escalate_up_after_minutes, escalation_texts",
    )
    loudspeaker: dict[str, Any] | None = Field(default=None, description="how loudspeakers play the campaign")
    kind: CampaignKind | None = Field(
        default=None, description="alert: an emergency alert, needing event_type, severity, valid_from, expires_at"
    )
    event_type: StrictStr | None = Field(default=None, description="an alert's event, e.g. 暴雪 (at most 100)")
    severity: StrictStr | None = Field(
        default=None,
        description="an alert's severity: extreme, severe, moderate, minor (or 特别重大, 重大, 较大, 一般, or the "
        "CAP word)",
    )
    valid_from: StrictStr | None = Field(
        default=None, description="an alert's start, ISO 8601 with an offset", examples=["2026-11-23T18:00+08:00"]
    )
    expires_at: StrictStr | None = Field(
        default=None, description="an alert's end, ISO 8601 with an offset, after valid_from and now"
    )
    is_drill: StrictBool | None = Field(default=None, description="a drill: every text carries the drill mark")


class CampaignEdit(CampaignInput):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"name": "疫苗接种提醒（改）"}]})


class AlertFields(BaseModel):
    """A campaign's alert part."""

    model_config = example(ALERT_EXAMPLE)

    event_type: str | None
    severity: str = Field(description="extreme, severe, moderate or minor")
    severity_zh: str = Field(description="特别重大, 重大, 较大, 一般")
    severity_cap: str = Field(description="Extreme, Severe, Moderate, Minor")
    valid_from: str | None
    expires_at: str | None
    is_drill: bool
    msg_type: Literal["alert", "update", "cancel"]
    references_id: int | None = Field(description="the alert an update or cancel refers to")


class Campaign(BaseModel):
    model_config = example(CAMPAIGN_EXAMPLE)

    id: int
    name: str
    status: ShownStatus = Field(
        description="draft, scheduled, sending, paused, cancelled or finished; sending: a run of the campaign is "
        "sending now; paused: a run or the schedule is held"
    )
    channels: list[str]
    audience: AudienceAnswer
    texts: dict[str, str]
    fallback_language: str | None
    schedule: Schedule
    timezone: str
    send_window: SendWindow | None
    expects_reply: bool
    confirmation: ConfirmationPolicy | None
    loudspeaker: LoudspeakerPolicy | None
    next_run_at: str | None
    archived_at: str | None = Field(description="set while the campaign is archived")
    scope_grid_id: int | None
    kind: CampaignKind
    alert: AlertFields | None = Field(description="the alert part (null for a routine campaign)")


class CampaignPage(Page[Campaign]):
    model_config = example({"items": [CAMPAIGN_EXAMPLE], "total": 1, "page": 1, "per_page": 50})


class CampaignQuery(PageQuery):
    status: str | None = Field(
        default=None,
        description="only this status (archived: only archived campaigns, hidden otherwise)",
        examples=["scheduled"],
    )
    kind: CampaignKind | None = Field(default=None, description="only routine campaigns or alerts")
    drill: bool | None = Field(default=None, description="only alerts that are drills (true) or not (false)")


class LaunchedRun(BaseModel):
    id: int
    planned: int


class LaunchedCampaign(Campaign):
    model_config = example({**CAMPAIGN_EXAMPLE, "status": "sending", "run": {"id": 3, "planned": 812}})

    run: LaunchedRun | None = Field(description="the run planned at once (a 'now' schedule), else null")


class PausedCounts(BaseModel):
    runs: list[int] = Field(description="the runs that were sending")
    requeued: int = Field(description="claimed messages given back to the queue, never sent")
    with_provider: int = Field(description="messages already handed to the provider")


class PausedCampaign(Campaign):
    model_config = example(
        {**CAMPAIGN_EXAMPLE, "status": "paused", "paused": {"runs": [3], "requeued": 92, "with_provider": 8}}
    )

    paused: PausedCounts


class ResumedCampaign(Campaign):
    model_config = example({**CAMPAIGN_EXAMPLE, "status": "scheduled"})


class CancelledCampaign(Campaign):
    model_config = example({**CAMPAIGN_EXAMPLE, "status": "cancelled"})


class ArchivedCampaign(Campaign):
    model_config = example({**CAMPAIGN_EXAMPLE, "status": "finished", "archived_at": "2026-11-24T02:00:00+00:00"})


class RestoredCampaign(Campaign):
    model_config = example({**CAMPAIGN_EXAMPLE, "status": "finished"})


class AlertUpdate(BaseModel):
    """What changes in the update; the rest is the alert's."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"texts": {"zh": "暴雪预警更新：明晨起降雪加大，请转移牲畜。"}, "expires_at": "2026-11-25T08:00+08:00"}
            ]
        },
    )

    texts: dict[str, StrictStr] | None = Field(default=None, description="the text per language")
    expires_at: StrictStr | None = Field(default=None, description="ISO 8601 with an offset")
    severity: StrictStr | None = None
    name: StrictStr | None = Field(default=None, description="default: the alert's name with （更新）")


class AlertCancel(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"all_clear": True, "texts": {"zh": "【解除】暴雪预警解除，道路已恢复通行。"}}]
        },
    )

    all_clear: StrictBool = Field(description="send an all-clear (解除) once approved")
    texts: dict[str, StrictStr] | None = Field(default=None, description="the all-clear's text per language")


class UpdatedAlert(Campaign):
    model_config = example({**ALERT_CAMPAIGN_EXAMPLE, "status": "draft"})


class CancelledAlert(Campaign):
    model_config = example(
        {
            **ALERT_CAMPAIGN_EXAMPLE,
            "name": "暴雪预警（解除）",
            "status": "draft",
            "alert": {**ALERT_EXAMPLE, "msg_type": "cancel"},
        }
    )


RULE_EXAMPLE = {"grid_id": 1, "code": "623025", "name": "玛曲县", "skip_approval_for_extreme": True}


class AlertRule(BaseModel):
    model_config = example(RULE_EXAMPLE)

    grid_id: int
    code: str
    name: str
    skip_approval_for_extreme: bool = Field(
        description="the county's admins may launch an extreme alert without a second person's approval"
    )


class AlertRuleChange(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"skip_approval_for_extreme": True}]})

    skip_approval_for_extreme: StrictBool


class Run(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [RUN_EXAMPLE]})

    id: int
    campaign_id: int | None
    status: str


class CancelledRun(Run):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{**RUN_EXAMPLE, "status": "cancelled"}]})


class RunList(BaseModel):
    model_config = example({"items": [RUN_EXAMPLE]})

    items: list[Run]


class RunProgress(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [PROGRESS_EXAMPLE]})

    run: Run
    total: int
    by_status: dict[str, int]
    rate_per_second: float | None = None
    remaining: int | None = None
    estimated_seconds_left: float | None = None
    segments: Segments | None = None
    by_language: dict[str, dict[str, int]] = Field(description="rows per language, counted by status")
    by_grid: list[GridCounts]
    problems: list[Problem] = Field(description="the first failed, undelivered or unknown rows")
    waiting_until: str | None = Field(default=None, description="when the next queued row is due, if later")
    estimated_cost: float | None = None
    actual_cost: float | None = None
    currency: str | None = None


class Preview(BaseModel):
    """Per channel: SMS recipients, segments and cost; people called, call minutes and cost; the grids reached."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [PREVIEW_EXAMPLE]})

    campaign_id: int
    channels: list[str]
    people: int
    sms: SmsFigures | None
    voice: VoiceFigures | None
    loudspeaker: LoudspeakerFigures | None
    by_grid: list[GridReach]
    estimated_cost: float
    currency: str
    estimated_seconds: float = Field(description="how long the slowest channel takes")
    blocking: list[str] = Field(description="why the campaign cannot be launched as it is")
    blocking_details: list[CodedMessage] = Field(description="the same reasons, coded")


class RetryFailed(BaseModel):
    model_config = example({"include_unknown": False})

    include_unknown: StrictBool = Field(default=False, description="queue messages with an unknown outcome too")


class RetryResult(BaseModel):
    model_config = example(RETRY_EXAMPLE)

    requeued: int = Field(description="messages queued again")
    by_status: dict[str, int] = Field(description="messages queued again, by the status they had")
    reason: str | None = Field(description="why nothing was queued again (null when some were)")
    opted_out: int = Field(description="failed messages to contacts who opted out: never retried")
    unknown_left: int = Field(description="messages with an unknown outcome left alone (without include_unknown)")


APPROVAL_EXAMPLE = {
    "required": True,
    "recipients": 2941,
    "threshold": 1000,
    "approved": True,
    "approved_by": "lamu",
    "approved_at": "2026-11-23T01:30:00+00:00",
    "may_approve": True,
    "may_skip": False,
}


class Approval(BaseModel):
    model_config = example(APPROVAL_EXAMPLE)

    required: bool = Field(description="more people than the threshold: an approval is needed")
    recipients: int = Field(description="people in the audience (opted-out excluded)")
    threshold: int = Field(description="GRIDCAST_APPROVAL_THRESHOLD")
    approved: bool = Field(description="a valid approval exists for the campaign as it is now")
    approved_by: str | None
    approved_at: str | None
    may_approve: bool = Field(description="the caller may approve it (a writer, not its creator)")
    may_skip: bool = Field(
        description="an extreme alert the caller (an admin) may launch without approval, by the county's alert rule"
    )
