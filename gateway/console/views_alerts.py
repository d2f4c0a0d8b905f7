"""Alerts in the console: the compose form (severity in words, validity as local time, the drill checkbox), the
update and cancel forms on an alert's page, and the county rule for extreme alerts (admins)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from campaigns.broadcasts import alert_rules, campaign_service
from campaigns.broadcasts.alert_fields import SEVERITIES
from campaigns.broadcasts.campaign_service import CHANNELS
from campaigns.common.errors import DomainError, ValidationError
from campaigns.common.languages import LANGUAGES
from campaigns.identity.access import scope_condition
from campaigns.models import Grid, GridLevel
from campaigns.models.base import utcnow
from campaigns.runs import alerts
from gateway.console import console
from gateway.console.campaign_form import picker_grids
from gateway.console.forms import checked
from gateway.console.time_filters import console_zone
from gateway.console.web import current_actor, form_errors, record, service_text
from gateway.web.session import db


def local_moment(raw: str, zone: ZoneInfo, field: str) -> str | None:
    """A datetime-local value ("2026-11-23T18:00") read in `zone`, as ISO 8601 with its offset; None when empty."""
    if not raw.strip():
        return None
    try:
        return datetime.fromisoformat(raw.strip()).replace(tzinfo=zone).isoformat()
    except ValueError as exc:
        raise ValidationError(f"{field}: give a date and time", fields={field: "not a time"}) from exc


def alert_form_data(form, zone: ZoneInfo) -> dict[str, Any]:
    """The compose form's fields as alert campaign data (the services validate them)."""
    texts = {lang: form.get(f"text_{lang}", "").strip() for lang in LANGUAGES}
    return {
        "kind": "alert",
        "name": form.get("name", ""),
        "event_type": form.get("event_type", ""),
        "severity": form.get("severity") or None,
        "valid_from": local_moment(form.get("valid_from", ""), zone, "valid_from"),
        "expires_at": local_moment(form.get("expires_at", ""), zone, "expires_at"),
        "is_drill": checked("is_drill"),
        "channels": [channel for channel in form.getlist("channels") if channel in CHANNELS],
        "audience": {"grid_ids": [int(raw) for raw in form.getlist("grid_ids") if raw.strip().isdigit()]},
        "texts": {lang: text for lang, text in texts.items() if text},
        "fallback_language": form.get("fallback_language") or None,
        "timezone": zone.key,
    }


def _form(errors: dict, status: int = 200):
    values = dict(request.form) if request.method == "POST" else {"fallback_language": "zh"}
    values["grid_ids"] = [int(raw) for raw in request.form.getlist("grid_ids") if raw.isdigit()]
    values["channels"] = request.form.getlist("channels") if request.method == "POST" else ["sms"]
    page = render_template("console/alert_form.html", values=values, errors=errors, severities=SEVERITIES,
                           grids=picker_grids(current_actor()), text_languages=LANGUAGES, channels=CHANNELS,
                           zone=console_zone().key)  # fmt: skip
    return page, status


@console.get("/alerts/new")
def new_alert():
    return _form({})


@console.post("/alerts/new")
def create_alert():
    try:
        alert = campaign_service.create_campaign(db(), current_actor(), alert_form_data(request.form, console_zone()))
    except DomainError as exc:
        db().rollback()
        return _form(form_errors(exc), 422)
    record("alert.create", grid_id=alert["scope_grid_id"], target=f"campaign {alert['id']}", name=alert["name"])
    return redirect(url_for("console.campaign_page", campaign_id=alert["id"]))


@console.post("/campaigns/<int:campaign_id>/update-alert")
def update_alert(campaign_id: int):
    data: dict[str, Any] = {}
    texts = {lang: request.form.get(f"text_{lang}", "").strip() for lang in LANGUAGES}
    if any(texts.values()):
        data["texts"] = {lang: text for lang, text in texts.items() if text}
    expires = local_moment(request.form.get("expires_at", ""), console_zone(), "expires_at")
    if expires:
        data["expires_at"] = expires
    return _follow_up(campaign_id, "update", lambda: alerts.update_alert(db(), current_actor(), campaign_id, data,
                                                                         utcnow()))  # fmt: skip


@console.post("/campaigns/<int:campaign_id>/cancel-alert")
def cancel_alert(campaign_id: int):
    texts = {lang: request.form.get(f"text_{lang}", "").strip() for lang in LANGUAGES}
    given = {lang: text for lang, text in texts.items() if text} or None
    all_clear = checked("all_clear")
    return _follow_up(campaign_id, "cancel", lambda: alerts.cancel_alert(
        db(), current_actor(), campaign_id, all_clear, given if all_clear else None, utcnow()))  # fmt: skip


def _follow_up(campaign_id: int, what: str, make):
    try:
        created = make()
    except DomainError as exc:
        db().rollback()
        flash(service_text(exc.message), "error")
        return redirect(url_for("console.campaign_page", campaign_id=campaign_id))
    record(f"alert.{what}", grid_id=created["scope_grid_id"], target=f"campaign {created['id']}",
           references=campaign_id)  # fmt: skip
    return redirect(url_for("console.campaign_page", campaign_id=created["id"]))


@console.get("/alert-rules")
def alert_rule_page():
    actor = current_actor()
    counties = db().scalars(
        select(Grid).join(GridLevel, GridLevel.id == Grid.level_id)
        .where(GridLevel.key == alert_rules.COUNTY, scope_condition(actor, Grid.path)).order_by(Grid.code)
    )  # fmt: skip
    return render_template("console/alert_rules.html", counties=list(counties))


@console.post("/alert-rules/<int:grid_id>")
def set_alert_rule(grid_id: int):
    alert_rules.set_county_rule(db(), current_actor(), grid_id, checked("skip"), utcnow())
    return redirect(url_for("console.alert_rule_page"))
