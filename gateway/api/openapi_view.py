"""GET /api/v1/openapi.json: the OpenAPI document of this API (no token needed)."""

from __future__ import annotations

from flask import jsonify

from gateway.api import (
    alert_reach,
    alerts,
    api,
    approvals,
    audio_spec,
    automatic_runs_spec,
    campaigns_spec,
    cap,
    contacts,
    grids,
    imports,
    loudspeakers_spec,
    replies_spec,
    reports_spec,
    simulator,
    users,
)
from gateway.api.spec import build_document

DOCUMENTED_MODULES = [
    grids, contacts, users, imports, campaigns_spec, replies_spec, reports_spec, simulator, audio_spec,
    loudspeakers_spec, cap, approvals, automatic_runs_spec, alerts, alert_reach,
]  # fmt: skip


@api.get("/openapi.json")
def openapi_document():
    return jsonify(build_document(DOCUMENTED_MODULES))
