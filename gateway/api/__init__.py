"""The JSON API under /api/v1: bearer-token auth, one session per request, errors as JSON."""

from __future__ import annotations

from flask import Blueprint

api = Blueprint("api", __name__, url_prefix="/api/v1")

from gateway.api import (  # noqa: E402, F401  (routes register on import)
    alert_reach,
    alerts,
    approvals,
    audio,
    campaigns,
    cap,
    contacts,
    ebm,
    errors,
    grids,
    imports,
    loudspeakers,
    openapi_view,
    replies,
    reports,
    simulator,
    users,
)
