"""Daily report routes: report duties, the board of a day (JSON and CSV), the history, and the incidents list."""

from __future__ import annotations

from datetime import date

from flask import Response, jsonify

from campaigns.models.base import utcnow
from campaigns.reports import duty_control, incidents, report_board, report_duties
from gateway.api import api
from gateway.api.context import ID, current_actor
from gateway.api.models.reports import (
    Board,
    BoardQuery,
    BoardViewQuery,
    ChangedDuty,
    DayQuery,
    DutyList,
    DutyQuery,
    DutyRuns,
    EndedDuty,
    HandledIncident,
    HistoryQuery,
    IncidentPage,
    IncidentQuery,
    PausedDuty,
    ReportDuty,
    ReportDutyChange,
    ReportDutyInput,
    ReportHistory,
)
from gateway.api.schema import context, responses, validated
from gateway.web.session import db

CSV_TYPE = "text/csv; charset=utf-8"
TAGS = ("reports",)
BOARD_CSV_EXAMPLE = (
    "\ufeffdate,code,name,level,path,status,reporting,reported,zero,incident,missing,percent,counts,text\r\n"
    "2026-11-23,623025101,齐哈玛镇,township,齐哈玛镇,,4,3,2,1,1,75.0,,\r\n"
    "2026-11-23,62302510120102,秀玛村二组,group,齐哈玛镇/秀玛村/秀玛村二组,incident,1,1,0,1,0,100.0,returnees=2,返乡2人\r\n"
)


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


@api.get("/reports/duties")
@validated(query=DutyQuery, resp=responses((422,), HTTP_200=DutyList), tags=TAGS, operation_id="listReportDuties")
def list_duties():
    """Report duties covering your grids"""
    query: DutyQuery = context().query
    return jsonify({"items": report_duties.list_duties(db(), current_actor(), active=query.active)})


@api.post("/reports/duties")
@validated(
    json=ReportDutyInput,
    resp=responses((400, 403, 404, 422), HTTP_201=ReportDuty),
    tags=TAGS,
    operation_id="createReportDuty",
)
def create_duty():
    """Create a daily report duty for a root grid in your scope"""
    body: ReportDutyInput = context().json
    data = body.model_dump(exclude_unset=True)
    return jsonify(report_duties.create_duty(db(), current_actor(), data, utcnow())), 201


@api.get(f"/reports/duties/<{ID}:duty_id>")
@validated(resp=responses((404,), HTTP_200=ReportDuty), tags=TAGS, operation_id="getReportDuty")
def get_duty(duty_id: int):
    """One report duty"""
    return jsonify(report_duties.get_duty(db(), current_actor(), duty_id))


@api.patch(f"/reports/duties/<{ID}:duty_id>")
@validated(
    json=ReportDutyChange,
    resp=responses((400, 403, 404, 409, 422), HTTP_200=ChangedDuty),
    tags=TAGS,
    operation_id="updateReportDuty",
)
def update_duty(duty_id: int):
    """Change a duty that has not ended (its deadline, reminder times, or `active: false` to pause)"""
    body: ReportDutyChange = context().json
    return jsonify(report_duties.update_duty(db(), current_actor(), duty_id, body.model_dump(exclude_unset=True)))


@api.post(f"/reports/duties/<{ID}:duty_id>/pause")
@validated(resp=responses((403, 404, 409), HTTP_200=PausedDuty), tags=TAGS, operation_id="pauseReportDuty")
def pause_duty(duty_id: int):
    """Pause a duty: no reports, reminders or escalations until resumed; unsent reminders are withdrawn"""
    return jsonify(duty_control.pause_duty(db(), current_actor(), duty_id, utcnow()))


@api.post(f"/reports/duties/<{ID}:duty_id>/resume")
@validated(resp=responses((403, 404, 409), HTTP_200=ReportDuty), tags=TAGS, operation_id="resumeReportDuty")
def resume_duty(duty_id: int):
    """Resume a paused duty"""
    return jsonify(duty_control.resume_duty(db(), current_actor(), duty_id))


@api.post(f"/reports/duties/<{ID}:duty_id>/end")
@validated(resp=responses((403, 404, 409), HTTP_200=EndedDuty), tags=TAGS, operation_id="endReportDuty")
def end_duty(duty_id: int):
    """End a duty for good (it can no longer change or resume); unsent reminders are withdrawn"""
    return jsonify(duty_control.end_duty(db(), current_actor(), duty_id, utcnow()))


@api.get(f"/reports/duties/<{ID}:duty_id>/runs")
@validated(query=DayQuery, resp=responses((404, 422), HTTP_200=DutyRuns), tags=TAGS, operation_id="listReportDutyRuns")
def duty_runs(duty_id: int):
    """The duty's reminder and escalation runs, newest first (at most 200)"""
    query: DayQuery = context().query
    return jsonify(duty_control.duty_runs(db(), current_actor(), duty_id, _day(query.day)))


@api.get("/reports/board")
@validated(query=BoardViewQuery, resp=responses((404, 422), HTTP_200=Board), tags=TAGS, operation_id="getReportBoard")
def board():
    """Which grids reported on a day (zero report, incident, missing), rolled up the tree"""
    query: BoardViewQuery = context().query
    return jsonify(
        report_board.report_board(
            db(),
            current_actor(),
            duty_id=query.duty_id,
            grid_id=query.grid_id,
            day=_day(query.day),
            depth=query.depth,
            now=utcnow(),
        )
    )


@api.get("/reports/history")
@validated(
    query=HistoryQuery, resp=responses((404, 422), HTTP_200=ReportHistory), tags=TAGS, operation_id="getReportHistory"
)
def history():
    """Reported, zero, incident and missing per day over the last days"""
    query: HistoryQuery = context().query
    return jsonify(report_board.report_history(db(), current_actor(), **query.model_dump(), now=utcnow()))


@api.get("/reports/board.csv")
@validated(
    query=BoardQuery,
    resp=responses((404, 422), HTTP_200=None),
    tags=TAGS,
    operation_id="exportReportBoard",
    media={200: ("CSV (UTF-8 with BOM)", {"text/csv": {"schema": {"type": "string"}, "example": BOARD_CSV_EXAMPLE}})},
)
def board_csv():
    """The whole board of a day as CSV, one row per grid (cells defused against formulas)"""
    query: BoardQuery = context().query
    day = _day(query.day)
    rows = report_board.board_csv(
        db(), current_actor(), day=day, duty_id=query.duty_id, grid_id=query.grid_id, now=utcnow()
    )
    name = f"report-board-{day or utcnow().date().isoformat()}.csv"
    return Response(
        "".join(rows), content_type=CSV_TYPE, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@api.get("/reports/incidents")
@validated(
    query=IncidentQuery, resp=responses((404, 422), HTTP_200=IncidentPage), tags=TAGS, operation_id="listIncidents"
)
def list_incidents():
    """Incident reports in your scope, newest first"""
    query: IncidentQuery = context().query
    page = incidents.list_incidents(db(), current_actor(), **{**query.model_dump(), "day": _day(query.day)})
    return jsonify(page.as_dict())


@api.post(f"/reports/incidents/<{ID}:report_id>/handled")
@validated(resp=responses((403, 404, 409), HTTP_200=HandledIncident), tags=TAGS, operation_id="markIncidentHandled")
def mark_handled(report_id: int):
    """Mark an incident handled (by you); marking it again changes nothing"""
    return jsonify(incidents.mark_handled(db(), current_actor(), report_id, utcnow()))
