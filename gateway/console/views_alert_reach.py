"""An alert's reach page in the console: who was reached per grid, the times from approval, and the grids nobody
reached with a button that sends their names to the grid's liaison."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from campaigns.common.errors import DomainError
from campaigns.models.base import utcnow
from campaigns.runs.alert_reach import alert_reach
from campaigns.runs.visit_lists import send_visit_list as send_list
from gateway.console import console
from gateway.console.web import _, current_actor, service_text
from gateway.web.session import db


@console.get("/campaigns/<int:campaign_id>/reach")
def alert_reach_page(campaign_id: int):
    return render_template("console/alert_reach.html", reach=alert_reach(db(), current_actor(), campaign_id, utcnow()))


@console.post("/campaigns/<int:campaign_id>/reach/grids/<int:grid_id>/visit-list")
def send_visit_list(campaign_id: int, grid_id: int):
    try:
        sent = send_list(db(), current_actor(), campaign_id, grid_id, utcnow())
    except DomainError as exc:
        db().rollback()
        flash(service_text(exc.message), "error")
    else:
        names = "、".join(person["name"] for person in sent["sent_to"])
        flash(_("The names went to {names} by SMS.", names=names), "ok")
    return redirect(url_for("console.alert_reach_page", campaign_id=campaign_id))
