"""The dashboard: today's report coverage as the grid tree, campaigns in progress, open incidents, replies to
review."""

from __future__ import annotations

from flask import render_template

from campaigns.common.errors import ValidationError
from campaigns.models import Intent
from campaigns.replies import inbox
from campaigns.reports import incidents
from campaigns.runs import dashboard as dashboard_service
from gateway.api.context import db
from gateway.console import console
from gateway.console.views_reports import load_board
from gateway.console.web import current_actor


@console.get("/")
def dashboard():
    actor = current_actor()
    try:
        coverage = load_board(actor, depth=2)
    except ValidationError:
        coverage = {"duties": [], "board": None}
    return render_template(
        "console/dashboard.html",
        runs=dashboard_service.active_runs(db(), actor),
        incidents=incidents.list_incidents(db(), actor, handled=False, per_page=10),
        to_review=inbox.list_inbox(db(), actor, intent=Intent.UNKNOWN, reviewed=False, per_page=10),
        **coverage,
    )
