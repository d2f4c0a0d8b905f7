"""Alert routes: update or cancel an alert that went out, and a county's rule for extreme alerts. Alerts themselves
are created, approved, launched and listed as campaigns (`kind: "alert"`)."""

from __future__ import annotations

from flask import jsonify

from campaigns.broadcasts import alert_rules
from campaigns.models.base import utcnow
from campaigns.runs import alerts
from gateway.api import api
from gateway.api.context import ID, current_actor
from gateway.api.models.campaigns import (
    AlertCancel,
    AlertRule,
    AlertRuleChange,
    AlertUpdate,
    CancelledAlert,
    UpdatedAlert,
)
from gateway.api.schema import context, responses, validated
from gateway.web.session import db

ALERT_ID = {"campaign_id": "the launched alert (or its latest update)"}
COUNTY_ID = {"grid_id": "a county grid"}


@api.post(f"/campaigns/<{ID}:campaign_id>/update-alert")
@validated(
    json=AlertUpdate,
    resp=responses((400, 403, 404, 409, 422), HTTP_201=UpdatedAlert),
    tags=("campaigns",),
    operation_id="updateAlert",
    path_parameter_descriptions=ALERT_ID,
)
def update_alert(campaign_id: int):
    """A draft update of the alert (msg_type update)

    Launched after approval, it replaces the alert's unsent messages and reaches everyone.
    """
    data = context().json.model_dump(exclude_unset=True)
    return jsonify(alerts.update_alert(db(), current_actor(), campaign_id, data, utcnow())), 201


@api.post(f"/campaigns/<{ID}:campaign_id>/cancel-alert")
@validated(
    json=AlertCancel,
    resp=responses((400, 403, 404, 409, 422), HTTP_201=CancelledAlert),
    tags=("campaigns",),
    operation_id="cancelAlert",
    path_parameter_descriptions=ALERT_ID,
)
def cancel_alert(campaign_id: int):
    """A draft cancel of the alert (msg_type cancel)

    Launched after approval, it stops every unsent message of the alert and its updates and, with all_clear, sends
    the all-clear (解除).
    """
    body: AlertCancel = context().json
    cancel = alerts.cancel_alert(db(), current_actor(), campaign_id, body.all_clear, body.texts, utcnow())
    return jsonify(cancel), 201


@api.get(f"/grids/<{ID}:grid_id>/alert-rule")
@validated(
    resp=responses((404, 422), HTTP_200=AlertRule),
    tags=("grids",),
    operation_id="getAlertRule",
    path_parameter_descriptions=COUNTY_ID,
)
def get_alert_rule(grid_id: int):
    """Whether the county's admins may launch an extreme alert without a second person's approval"""
    return jsonify(alert_rules.county_rule(db(), current_actor(), grid_id))


@api.put(f"/grids/<{ID}:grid_id>/alert-rule")
@validated(
    json=AlertRuleChange,
    resp=responses((400, 403, 404, 422), HTTP_200=AlertRule),
    tags=("grids",),
    operation_id="setAlertRule",
    path_parameter_descriptions=COUNTY_ID,
)
def set_alert_rule(grid_id: int):
    """Allow or forbid (admins) skipping approval of extreme alerts in the county; audited"""
    allow = context().json.skip_approval_for_extreme
    return jsonify(alert_rules.set_county_rule(db(), current_actor(), grid_id, allow, utcnow()))
