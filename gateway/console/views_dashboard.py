"""The dashboard: today's report coverage as the grid tree, campaigns in progress, open incidents, replies to
review."""

from __future__ import annotations

from typing import Any

from flask import render_template

from campaigns.common.errors import DomainError
from campaigns.identity.access import Actor
from campaigns.models import Intent
from campaigns.models.base import utcnow
from campaigns.replies import inbox
from campaigns.reports import incidents, report_board, report_duties
from campaigns.runs import dashboard as dashboard_service
from gateway.console import console
from gateway.console.web import current_actor
from gateway.web.session import db


def duty_boards(actor: Actor) -> list[dict[str, Any]]:
    """Today's board of every duty the caller sees (active first, then paused; ended ones left out)."""
    duties = [duty for duty in report_duties.list_duties(db(), actor) if duty["status"] != "ended"]
    duties.sort(key=lambda duty: duty["status"] != "active")
    boards = []
    for duty in duties:
        try:
            board = report_board.report_board(db(), actor, duty_id=duty["id"], day=None, grid_id=None, depth=2,
                                              now=utcnow())  # fmt: skip
        except DomainError:
            continue
        boards.append({"duty": duty, "board": board})
    return boards


@console.get("/")
def dashboard():
    actor = current_actor()
    return render_template(
        "console/dashboard.html",
        runs=dashboard_service.active_runs(db(), actor),
        alerts=dashboard_service.alert_counts(db(), actor),
        incidents=incidents.list_incidents(db(), actor, handled=False, per_page=10),
        to_review=inbox.list_inbox(db(), actor, intent=Intent.UNKNOWN, reviewed=False, per_page=10),
        boards=duty_boards(actor),
    )
