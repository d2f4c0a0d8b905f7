"""Daily report routes: report duties, the board of a day (JSON and CSV), the history, and the incidents list."""

from __future__ import annotations

from flask import Response, jsonify, request

from campaigns.models.base import utcnow
from campaigns.reports import duty_control, incidents, report_board, report_duties
from gateway.api import api
from gateway.api.context import ID, bool_arg, current_actor, int_arg, page_args
from gateway.web.bodies import json_body
from gateway.web.session import db

CSV_TYPE = "text/csv; charset=utf-8"


@api.get("/reports/duties")
def list_duties():
    return jsonify({"items": report_duties.list_duties(db(), current_actor(), active=bool_arg("active"))})


@api.post("/reports/duties")
def create_duty():
    return jsonify(report_duties.create_duty(db(), current_actor(), json_body(), utcnow())), 201


@api.get(f"/reports/duties/<{ID}:duty_id>")
def get_duty(duty_id: int):
    return jsonify(report_duties.get_duty(db(), current_actor(), duty_id))


@api.patch(f"/reports/duties/<{ID}:duty_id>")
def update_duty(duty_id: int):
    return jsonify(report_duties.update_duty(db(), current_actor(), duty_id, json_body()))


@api.post(f"/reports/duties/<{ID}:duty_id>/pause")
def pause_duty(duty_id: int):
    return jsonify(duty_control.pause_duty(db(), current_actor(), duty_id, utcnow()))


@api.post(f"/reports/duties/<{ID}:duty_id>/resume")
def resume_duty(duty_id: int):
    return jsonify(duty_control.resume_duty(db(), current_actor(), duty_id))


@api.post(f"/reports/duties/<{ID}:duty_id>/end")
def end_duty(duty_id: int):
    return jsonify(duty_control.end_duty(db(), current_actor(), duty_id, utcnow()))


@api.get(f"/reports/duties/<{ID}:duty_id>/runs")
def duty_runs(duty_id: int):
    return jsonify(duty_control.duty_runs(db(), current_actor(), duty_id, request.args.get("date")))


def _board_args() -> dict:
    return {"duty_id": int_arg("duty_id"), "grid_id": int_arg("grid_id"), "now": utcnow()}


@api.get("/reports/board")
def board():
    args = {**_board_args(), "day": request.args.get("date"), "depth": int_arg("depth")}
    return jsonify(report_board.report_board(db(), current_actor(), **args))


@api.get("/reports/history")
def history():
    return jsonify(report_board.report_history(db(), current_actor(), days=int_arg("days"), **_board_args()))


@api.get("/reports/board.csv")
def board_csv():
    day = request.args.get("date")
    text = "".join(report_board.board_csv(db(), current_actor(), day=day, **_board_args()))
    name = f"report-board-{day or utcnow().date().isoformat()}.csv"
    return Response(text, content_type=CSV_TYPE, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@api.get("/reports/incidents")
def list_incidents():
    page = incidents.list_incidents(
        db(),
        current_actor(),
        duty_id=int_arg("duty_id"),
        day=request.args.get("date"),
        handled=bool_arg("handled"),
        grid_id=int_arg("grid_id"),
        **page_args(),
    )
    return jsonify(page.as_dict())


@api.post(f"/reports/incidents/<{ID}:report_id>/handled")
def mark_handled(report_id: int):
    return jsonify(incidents.mark_handled(db(), current_actor(), report_id, utcnow()))
