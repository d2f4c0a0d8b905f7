"""Campaigns: list, builder (create and edit), page with preview, approval and launch, controls, run progress."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from campaigns.broadcasts import campaign_lifecycle, campaign_service
from campaigns.broadcasts.campaign_service import CHANNELS
from campaigns.common.errors import DomainError
from campaigns.common.languages import LANGUAGES
from campaigns.directory.roles import CONTACT_ROLES
from campaigns.models import Campaign, CampaignStatus
from campaigns.models.base import utcnow
from campaigns.replies import confirmations
from campaigns.runs import approvals, progress, run_control
from campaigns.runs.example_messages import example_messages
from campaigns.runs.grid_rollup import roll_up_by_grid
from campaigns.runs.planning import launch_campaign
from campaigns.runs.preview import preview_campaign, pricing_from_settings
from campaigns.runs.run_timeline import run_timeline
from gateway.console import console
from gateway.console.campaign_form import campaign_data, composer_settings, form_values, picker_grids, warn_window_wait
from gateway.console.charts import progress_chart
from gateway.console.control_messages import pause_message, retry_message
from gateway.console.forms import page_param
from gateway.console.labels import done_message
from gateway.console.loudspeaker_lines import loudspeaker_lines
from gateway.console.run_lists import grid_breakdown, list_page, page_of
from gateway.console.time_filters import console_zone
from gateway.console.views_audio import campaign_audio_rows
from gateway.console.web import _, current_actor, form_errors, record, service_text
from gateway.runtime import current_runtime
from gateway.web.jobs import dispatch_after_commit, enqueue_dispatch_soon
from gateway.web.session import after_commit, db


@console.get("/campaigns", endpoint="campaigns")
def campaign_list():
    status = request.args.get("status") or None
    page = campaign_service.list_campaigns(db(), current_actor(), status=status, page=page_param(), per_page=50)
    return render_template("console/campaigns.html", page=page, status=status)


def _builder(campaign: dict | None, errors: dict, status: int = 200):
    page = render_template("console/campaign_form.html", campaign=campaign, values=form_values(campaign),
                           errors=errors, grids=picker_grids(current_actor()), text_languages=LANGUAGES,
                           roles=CONTACT_ROLES, channels=CHANNELS, composer=composer_settings())  # fmt: skip
    return page, status


@console.get("/campaigns/new")
def new_campaign():
    return _builder(None, {})


@console.post("/campaigns/new")
def create_campaign():
    try:
        campaign = campaign_service.create_campaign(db(), current_actor(), campaign_data(request.form))
    except DomainError as exc:
        db().rollback()
        return _builder(None, form_errors(exc), 422)
    record("campaign.create", grid_id=campaign["scope_grid_id"], target=f"campaign {campaign['id']}",
           name=campaign["name"])  # fmt: skip
    warn_window_wait(campaign)
    return redirect(url_for("console.campaign_page", campaign_id=campaign["id"]))


@console.get("/campaigns/<int:campaign_id>/edit")
def edit_campaign(campaign_id: int):
    return _builder(campaign_service.get_campaign(db(), current_actor(), campaign_id), {})


@console.post("/campaigns/<int:campaign_id>/edit")
def update_campaign(campaign_id: int):
    current = campaign_service.get_campaign(db(), current_actor(), campaign_id)
    try:
        campaign = campaign_service.update_campaign(db(), current_actor(), campaign_id, campaign_data(request.form))
    except DomainError as exc:
        db().rollback()
        return _builder(current, form_errors(exc), 422)
    record("campaign.update", grid_id=campaign["scope_grid_id"], target=f"campaign {campaign_id}")
    warn_window_wait(campaign)
    return redirect(url_for("console.campaign_page", campaign_id=campaign_id))


@console.get("/campaigns/<int:campaign_id>")
def campaign_page(campaign_id: int):
    actor = current_actor()
    campaign = campaign_service.get_campaign(db(), actor, campaign_id)
    settings = current_runtime().settings
    preview = None
    if campaign["status"] == CampaignStatus.DRAFT:
        preview = preview_campaign(db(), actor, campaign_id, pricing_from_settings(settings))
    return render_template(
        "console/campaign.html",
        campaign=campaign,
        preview=preview,
        approval=approvals.approval_status(db(), actor, campaign_id, settings.approval_threshold),
        runs=progress.list_runs(db(), actor, campaign_id),
        audio=campaign_audio_rows(actor, campaign),
        examples=example_messages(db(), actor, campaign_id) if preview else [],
        language_names=LANGUAGES,
    )


@console.post("/campaigns/<int:campaign_id>/<action>")
def campaign_action(campaign_id: int, action: str):
    """Launch, approve, pause, resume, cancel, archive, restore or delete (a draft); a refusal comes back as a message
    on the campaign's page."""
    actor, now = current_actor(), utcnow()
    campaign_service.require_staff_campaign(db().get(Campaign, campaign_id))  # a 404, not a message on its page
    try:
        if action == "launch":
            settings = current_runtime().settings
            planned = launch_campaign(db(), actor, campaign_id, now, approval_threshold=settings.approval_threshold,
                                      outbox_ttl=settings.outbox_ttl)  # fmt: skip
            if planned is not None:
                after_commit(lambda: enqueue_dispatch_soon(planned.run_id, alert=planned.alert))
        elif action == "approve":
            approvals.approve_campaign(db(), actor, campaign_id, now)
        elif action == "pause":
            paused = run_control.pause_campaign(db(), actor, campaign_id, now)
        elif action == "resume":
            run_control.resume_campaign(db(), actor, campaign_id, now)
            dispatch_after_commit(run_control.sending_run_ids(db(), campaign_id))
        elif action == "cancel":
            run_control.cancel_campaign(db(), actor, campaign_id, now)
        elif action == "archive":
            campaign_lifecycle.archive_campaign(db(), actor, campaign_id, now)
        elif action == "restore":
            campaign_lifecycle.restore_campaign(db(), actor, campaign_id)
        elif action == "delete":
            return _delete_draft(campaign_id)
        else:
            return render_template("console/error.html", status=404, message=_("Not Found")), 404
    except DomainError as exc:
        db().rollback()
        flash(service_text(exc), "error")
        return redirect(url_for("console.campaign_page", campaign_id=campaign_id))
    campaign = campaign_service.get_campaign(db(), actor, campaign_id)
    record(f"campaign.{action}", grid_id=campaign["scope_grid_id"], target=f"campaign {campaign_id}")
    message = pause_message(paused) if action == "pause" else (done_message(action, g.lang), "ok")
    flash(*message)
    return redirect(url_for("console.campaign_page", campaign_id=campaign_id))


def _delete_draft(campaign_id: int):
    gone = campaign_lifecycle.delete_draft(db(), current_actor(), campaign_id)
    record("campaign.delete", grid_id=gone["scope_grid_id"], target=f"campaign {campaign_id}", name=gone["name"])
    flash(done_message("delete", g.lang), "ok")
    return redirect(url_for("console.campaigns"))


@console.get("/runs/<int:run_id>")
def run_page(run_id: int):
    actor = current_actor()
    settings = current_runtime().settings
    state = progress.run_progress(
        db(),
        actor,
        run_id,
        utcnow(),
        price_per_segment=settings.sms_price_per_segment,
        currency=settings.currency,
    )
    campaign = campaign_service.get_campaign(db(), actor, state["run"]["campaign_id"])
    waiting = None
    if campaign["expects_reply"]:
        waiting = confirmations.run_confirmations(db(), actor, run_id, confirmed=False,
                                                  page=page_param("waiting_page"), per_page=list_page())  # fmt: skip
    labels = {"sent": _("handed to the network"), "delivered": _("delivered"), "confirmed": _("confirmed")}
    timeline = run_timeline(db(), actor, run_id, utcnow())
    chart = progress_chart(timeline, labels, _("Progress over time"), console_zone())
    villages = loudspeaker_lines(actor, run_id, campaign.get("timezone"))
    grids, grid_path = grid_breakdown(roll_up_by_grid(db(), state["by_grid"]))
    return render_template("console/run.html", state=state, campaign=campaign, waiting=waiting, chart=chart,
                           villages=page_of(villages, "village_page"), grids=page_of(grids, "grid_page"),
                           grid_path=grid_path)  # fmt: skip


@console.post("/runs/<int:run_id>/<action>")
def run_action(run_id: int, action: str):
    actor, now = current_actor(), utcnow()
    run = progress.run_to_dict(progress.load_run(db(), actor, run_id))
    campaign = campaign_service.get_campaign(db(), actor, run["campaign_id"])
    try:
        if action == "retry":
            unknown, ttl = request.form.get("unknown") == "on", current_runtime().settings.outbox_ttl
            retried = run_control.retry_failed(db(), actor, run_id, now, include_unknown=unknown, outbox_ttl=ttl)
            if retried.requeued:
                after_commit(lambda: enqueue_dispatch_soon(run_id))
            flash(*retry_message(retried))
        elif action == "cancel":
            run_control.cancel_run(db(), actor, run_id, now)
        elif action == "pause":
            flash(*pause_message(run_control.pause_campaign(db(), actor, campaign["id"], now)))
        elif action == "resume":
            run_control.resume_campaign(db(), actor, campaign["id"], now)
            dispatch_after_commit(run_control.sending_run_ids(db(), campaign["id"]))
            flash(done_message("resume", g.lang), "ok")
        else:
            return render_template("console/error.html", status=404, message=_("Not Found")), 404
    except DomainError as exc:
        db().rollback()
        flash(service_text(exc), "error")
        return redirect(url_for("console.run_page", run_id=run_id))
    if action in ("pause", "resume"):
        record(f"campaign.{action}", grid_id=campaign["scope_grid_id"], target=f"campaign {campaign['id']}")
    else:
        record(f"run.{action}", grid_id=campaign["scope_grid_id"], target=f"run {run_id}")
    return redirect(url_for("console.run_page", run_id=run_id))
