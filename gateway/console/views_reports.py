"""Daily reports: the board of a day as the grid tree coloured by status, incidents with their handled flag, and
the board as CSV."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, g, redirect, render_template, request, url_for

from campaigns.common.errors import DomainError
from campaigns.identity.access import Actor
from campaigns.models.base import utcnow
from campaigns.reports import duty_control, incidents, report_board, report_duties
from campaigns.reports.report_duties import DutyStatus
from gateway.console import console
from gateway.console.forms import int_param
from gateway.console.labels import done_message
from gateway.console.web import _, current_actor, record, safe_next, service_text
from gateway.web.session import db

DUTY_ACTIONS = ("pause", "resume", "end")


def load_board(actor: Actor, depth: int = 2) -> dict[str, Any]:
    """The duties the caller sees (active, then paused; ended ones are left out) and the board of the chosen one
    (the first by default) for the day."""
    duties = [duty for duty in report_duties.list_duties(db(), actor) if duty["status"] != DutyStatus.ENDED]
    duties.sort(key=lambda duty: duty["status"] != DutyStatus.ACTIVE)
    duty_id = int_param("duty_id") or (duties[0]["id"] if duties else None)
    if duty_id is None:
        return {"duties": duties, "board": None}
    board = report_board.report_board(
        db(),
        actor,
        duty_id=duty_id,
        day=request.args.get("date") or None,
        grid_id=int_param("grid_id"),
        depth=depth,
        now=utcnow(),
    )
    return {"duties": duties, "board": board, "duty_id": duty_id, "duty": report_duties.get_duty(db(), actor, duty_id)}


HISTORY_DAYS = 14


@console.get("/reports")
def reports():
    actor = current_actor()
    context = load_board(actor, depth=int_param("depth") or 2)
    open_incidents = history = runs = None
    if context["board"]:
        runs = duty_control.duty_runs(db(), actor, context["duty_id"], context["board"]["date"])["items"]
        history = report_board.report_history(
            db(), actor, duty_id=context["duty_id"], days=HISTORY_DAYS, grid_id=int_param("grid_id"), now=utcnow()
        )
        open_incidents = incidents.list_incidents(
            db(),
            actor,
            duty_id=context["duty_id"],
            day=context["board"]["date"],
            grid_id=int_param("grid_id"),
            per_page=100,
        )
    return render_template("console/reports.html", incidents=open_incidents, history=history, duty_runs=runs,
                           **context)  # fmt: skip


@console.post("/reports/duties/<int:duty_id>/<action>")
def duty_action(duty_id: int, action: str):
    """Pause, resume or end a duty; a refusal comes back as a message on the reports page."""
    actor, now = current_actor(), utcnow()
    back = url_for("console.reports", duty_id=duty_id)
    if action not in DUTY_ACTIONS:
        return render_template("console/error.html", status=404, message=_("Not Found")), 404
    try:
        if action == "pause":
            duty = duty_control.pause_duty(db(), actor, duty_id, now)
        elif action == "resume":
            duty = duty_control.resume_duty(db(), actor, duty_id)
        else:
            duty = duty_control.end_duty(db(), actor, duty_id, now)
    except DomainError as exc:
        db().rollback()
        flash(service_text(exc), "error")
        return redirect(back)
    record(f"duty.{action}", grid_id=duty["root_grid_id"], target=f"duty {duty_id}")
    flash(done_message(action, g.lang), "ok")
    return redirect(url_for("console.reports") if action == "end" else back)


@console.get("/reports/board.csv")
def reports_csv():
    day = request.args.get("date") or None
    text = "".join(
        report_board.board_csv(
            db(), current_actor(), duty_id=int_param("duty_id"), day=day, grid_id=int_param("grid_id"), now=utcnow()
        )
    )
    name = f"report-board-{day or utcnow().date().isoformat()}.csv"
    return Response(
        text, content_type="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@console.post("/reports/incidents/<int:report_id>/handled")
def incident_handled(report_id: int):
    incident = incidents.mark_handled(db(), current_actor(), report_id, utcnow())
    record("incident.handled", grid_id=incident["grid"]["id"], target=f"incident {report_id}")
    return redirect(safe_next(request.form.get("back")) if request.form.get("back") else url_for("console.reports"))
