"""Daily reports: report duties, the board of a day, the history, incidents, and a duty's reminder runs."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from campaigns.reports.report_duties import DutyStatus
from gateway.api.models.campaign_parts import SendWindow
from gateway.api.models.common import BodyId, BodyInt, Page, PageQuery, QueryId, QueryModel, example

DUTY_EXAMPLE = {
    "id": 1,
    "name": "疫情防控零报告",
    "root_grid_id": 2,
    "root_grid_code": "623025101",
    "root_grid_name": "齐哈玛镇",
    "level": "group",
    "reporter_roles": ["grid_leader", "liaison"],
    "fields": [
        {"key": "returnees", "label": "返乡人员", "names": ["返乡", "返乡人员", "ཕྱིར་ལོག"]},
        {"key": "fever", "label": "发热", "names": ["发热", "发烧", "ཚ་བ"]},
    ],
    "timezone": "Asia/Shanghai",
    "deadline": "10:00",
    "reminder_times": ["08:00", "09:30"],
    "escalation_delays": [0, 120],
    "texts": {
        "reminder": {"zh": "{name}：请在{deadline}前报告{grid}今日情况，无事回复0。"},
        "escalation": {"zh": "{name}：{date}{grid}下{count}个网格未报告：{missing}。请督促。"},
    },
    "send_window": {"start": "08:00", "end": "21:00"},
    "active": True,
    "status": "active",
    "ended_at": None,
}
DUTY_INPUT_EXAMPLE = {
    key: DUTY_EXAMPLE[key]
    for key in (
        "name",
        "root_grid_id",
        "level",
        "reporter_roles",
        "fields",
        "deadline",
        "reminder_times",
        "escalation_delays",
        "texts",
        "send_window",
    )
}
_COUNTS = {"reporting": 4, "reported": 3, "zero": 2, "incident": 1, "missing": 1, "percent": 75.0}
BOARD_EXAMPLE = {
    "duty": {"id": 1, "name": "疫情防控零报告", "deadline": "10:00", "timezone": "Asia/Shanghai"},
    "date": "2026-11-23",
    "deadline_passed": True,
    "grid": {
        "grid_id": 2,
        "code": "623025101",
        "name": "齐哈玛镇",
        "level": "township",
        **_COUNTS,
        "children": [
            {
                "grid_id": 3,
                "code": "623025101201",
                "name": "秀玛村",
                "level": "village",
                "reporting": 2,
                "reported": 2,
                "zero": 1,
                "incident": 1,
                "missing": 0,
                "percent": 100.0,
            },
            {
                "grid_id": 6,
                "code": "623025101202",
                "name": "萨合塘村",
                "level": "village",
                "reporting": 2,
                "reported": 1,
                "zero": 1,
                "incident": 0,
                "missing": 1,
                "percent": 50.0,
            },
        ],
    },
}
HISTORY_EXAMPLE = {
    "duty": {"id": 1, "name": "疫情防控零报告"},
    "grid_id": 2,
    "days": [
        {"date": "2026-11-22", "reporting": 4, "reported": 4, "zero": 4, "incident": 0, "missing": 0, "percent": 100.0},
        {"date": "2026-11-23", **_COUNTS},
    ],
}
INCIDENT_EXAMPLE = {
    "id": 31,
    "duty_id": 1,
    "duty_name": "疫情防控零报告",
    "date": "2026-11-23",
    "grid": {"id": 11, "code": "62302510120102", "name": "秀玛村二组"},
    "grid_path": "玛曲县 / 齐哈玛镇 / 秀玛村 / 秀玛村二组",
    "counts": [{"key": "returnees", "label": "返乡人员", "value": 3}, {"key": "fever", "label": "发热", "value": 0}],
    "text": "返乡2人，已居家观察\n返乡1人 无发热",
    "reporters": [
        {
            "contact_id": 76,
            "name": "卓玛",
            "counts": [{"key": "returnees", "label": "返乡人员", "value": 2}],
            "text": "返乡2人，已居家观察",
            "reported_at": "2026-11-23T00:55:00+00:00",
        },
        {
            "contact_id": 77,
            "name": "才让",
            "counts": [
                {"key": "returnees", "label": "返乡人员", "value": 1},
                {"key": "fever", "label": "发热", "value": 0},
            ],
            "text": "返乡1人 无发热",
            "reported_at": "2026-11-23T01:10:00+00:00",
        },
    ],
    "reporter": {"contact_id": 77, "name": "才让"},
    "reported_at": "2026-11-23T01:10:00+00:00",
    "handled": False,
    "handled_at": None,
    "handled_by": None,
}
BOARD_CSV_EXAMPLE = (
    "\ufeffdate,code,name,level,path,status,reporting,reported,zero,incident,missing,percent,counts,text\r\n"
    "2026-11-23,623025101,齐哈玛镇,township,齐哈玛镇,,4,3,2,1,1,75.0,,\r\n"
    "2026-11-23,62302510120102,秀玛村二组,group,齐哈玛镇/秀玛村/秀玛村二组,incident,1,1,0,1,0,100.0,returnees=2,返乡2人\r\n"
)

DUTY_RUN_EXAMPLE = {
    "id": 31,
    "kind": "duty_reminder",
    "key": "2026-11-23 reminder 08:00",
    "day": "2026-11-23",
    "occurrence_at": "2026-11-23T00:00:00+00:00",
    "status": "done",
    "planned": 5,
    "messages": {"delivered": 4, "failed": 1},
    "confirmed": 3,
    "alert": None,
    "created_at": "2026-11-23T00:00:04+00:00",
    "finished_at": "2026-11-23T00:01:10+00:00",
}


class ReportField(BaseModel):
    key: StrictStr = Field(description="a-z, digits and _, starting with a letter (at most 32)")
    label: StrictStr | None = None
    names: list[StrictStr] | dict[str, StrictStr | list[StrictStr]] | None = Field(
        default=None, description="words the classifier maps here: a list, or the words per language"
    )


class DutyField(BaseModel):
    """A figure reporters give (returnees, fever...), with the words the classifier maps to it."""

    key: str
    label: str
    names: list[str]


class ReportDuty(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [DUTY_EXAMPLE]})

    id: int
    name: str
    root_grid_id: int
    root_grid_code: str | None = None
    root_grid_name: str | None = None
    level: str
    reporter_roles: list[str]
    fields: list[DutyField] | None = None
    timezone: str | None = None
    deadline: str = Field(examples=["10:00"])
    reminder_times: list[str] | None = None
    escalation_delays: list[int] | None = None
    texts: dict[str, dict[str, str]] | None = None
    send_window: SendWindow | None = None
    active: bool
    status: DutyStatus | None = Field(default=None, description="active, paused or ended")
    ended_at: str | None = None


class ChangedDuty(ReportDuty):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{**DUTY_EXAMPLE, "deadline": "11:00"}]})


class PausedDuty(ReportDuty):
    model_config = ConfigDict(
        extra="allow", json_schema_extra={"examples": [{**DUTY_EXAMPLE, "active": False, "status": "paused"}]}
    )


class EndedDuty(ReportDuty):
    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [{**DUTY_EXAMPLE, "active": False, "status": "ended", "ended_at": "2026-11-30T02:00:00+00:00"}]
        },
    )


class DutyList(BaseModel):
    model_config = example({"items": [DUTY_EXAMPLE]})

    items: list[ReportDuty]


class DutyQuery(QueryModel):
    active: bool | None = Field(default=None, description="only active (or inactive) duties", examples=[True])


class ReportDutyInput(BaseModel):
    """level: the level of the grids that report (below the root's); reminder_times: local times before the
    deadline; escalation_delays: minutes before each escalation step, the first counted from the deadline (parent
    grids' leaders), each next from the previous step (one level further up, never above the root); texts
    placeholders: {name} {grid} {duty} {deadline} {date}, escalation also {count} {missing}."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [DUTY_INPUT_EXAMPLE]})

    name: StrictStr | None = None
    root_grid_id: BodyId | None = None
    level: StrictStr | None = None
    reporter_roles: list[StrictStr] | None = None
    fields: list[ReportField] | None = None
    timezone: StrictStr | None = None
    deadline: StrictStr | None = None
    reminder_times: list[StrictStr] | None = None
    escalation_delays: list[BodyInt] | None = None
    texts: dict[str, Any] | None = None
    send_window: dict[str, Any] | None = None
    active: StrictBool | None = None


class ReportDutyChange(ReportDutyInput):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"deadline": "11:00"}]})


class DutyRun(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [DUTY_RUN_EXAMPLE]})

    id: int
    kind: str = Field(description="duty_reminder or duty_escalation")
    key: str = Field(description="day and step, unique per duty and kind")
    day: str
    occurrence_at: str
    status: str
    planned: int
    messages: dict[str, int]
    confirmed: int = Field(description="reporters whose daily report answered this reminder")
    alert: str | None = None
    finished_at: str | None = None


class DutyRuns(BaseModel):
    model_config = example({"duty_id": 1, "items": [DUTY_RUN_EXAMPLE]})

    duty_id: int
    items: list[DutyRun]


class DayQuery(QueryModel):
    day: date | None = Field(
        default=None, alias="date", description="only the runs of this day", examples=["2026-11-23"]
    )


class BoardQuery(QueryModel):
    duty_id: QueryId | None = Field(
        default=None, description="the duty (may be left out when only one active duty covers your grids)", examples=[1]
    )
    grid_id: QueryId | None = Field(
        default=None, description="the board's top grid (default: the duty's root, or your scope grid)", examples=[2]
    )
    day: date | None = Field(
        default=None,
        alias="date",
        description="the day (default: today in the duty's time zone)",
        examples=["2026-11-23"],
    )


class BoardViewQuery(BoardQuery):
    depth: int | None = Field(
        default=None, ge=0, le=8, description="levels shown under the top grid (0-8, default 1)", examples=[1]
    )


class HistoryQuery(QueryModel):
    duty_id: QueryId | None = Field(
        default=None, description="the duty (may be left out when only one active duty covers your grids)", examples=[1]
    )
    grid_id: QueryId | None = Field(
        default=None, description="the board's top grid (default: the duty's root, or your scope grid)", examples=[2]
    )
    days: int | None = Field(
        default=None, ge=1, le=90, description="how many days, today included (7 or 30; 1-90)", examples=[7]
    )


class ReportCounts(BaseModel):
    """The reporting grids at or under a grid: how many reported (zero reports, incidents), how many are missing."""

    reporting: int
    reported: int
    zero: int
    incident: int
    missing: int
    percent: float | None = Field(description="reported of reporting (null: no reporting grid)")


class BoardNode(ReportCounts):
    """A grid on the board: its counts, its own report's status (a reporting grid) and its children."""

    model_config = ConfigDict(extra="allow")

    grid_id: int
    code: str
    name: str
    level: str
    status: Literal["zero_report", "incident", "missing"] | None = Field(
        default=None, description="a reporting grid's report of the day (missing: none yet)"
    )
    report_id: int | None = None
    children: list[BoardNode] | None = None


class BoardDuty(BaseModel):
    id: int
    name: str
    deadline: str
    timezone: str


class Board(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [BOARD_EXAMPLE]})

    duty: BoardDuty
    date: str
    deadline_passed: bool
    grid: BoardNode = Field(description="the top grid with its counts and, `depth` levels down, its children")


class DutyRef(BaseModel):
    id: int
    name: str


class DayCounts(ReportCounts):
    date: str


class ReportHistory(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [HISTORY_EXAMPLE]})

    duty: DutyRef
    grid_id: int
    days: list[DayCounts]


class IncidentGrid(BaseModel):
    id: int
    code: str
    name: str


class FieldCount(BaseModel):
    key: str
    label: str
    value: int


class ReporterLine(BaseModel):
    contact_id: int | None
    name: str | None = Field(description="null once the contact is deleted")
    counts: list[FieldCount]
    text: str
    reported_at: str


class Reporter(BaseModel):
    contact_id: int
    name: str | None


class Incident(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [INCIDENT_EXAMPLE]})

    id: int
    duty_id: int
    duty_name: str | None = None
    date: str
    grid: IncidentGrid
    grid_path: str
    counts: list[FieldCount] = Field(
        description="the grid's figures: each field summed over its reporters' latest numbers"
    )
    text: str
    reporters: list[ReporterLine] = Field(
        description="each reporter's line: their latest numbers (a correction replaces only their own)"
    )
    reporter: Reporter | None = Field(default=None, description="who reported last")
    reported_at: str | None = None
    handled: bool
    handled_at: str | None = None
    handled_by: str | None = None


class HandledIncident(Incident):
    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {**INCIDENT_EXAMPLE, "handled": True, "handled_at": "2026-11-23T03:00:00+00:00", "handled_by": "zhaxi"}
            ]
        },
    )


class IncidentPage(Page[Incident]):
    model_config = example({"items": [INCIDENT_EXAMPLE], "total": 1, "page": 1, "per_page": 50})


class IncidentQuery(PageQuery):
    duty_id: QueryId | None = Field(default=None, description="only this duty's incidents", examples=[1])
    day: date | None = Field(default=None, alias="date", description="only this day", examples=["2026-11-23"])
    handled: bool | None = Field(default=None, description="handled or not", examples=[False])
    grid_id: QueryId | None = Field(default=None, description="only this grid's subtree")
