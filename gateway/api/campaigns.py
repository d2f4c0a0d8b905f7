"""Campaign and run routes: create, edit, preview, launch, pause, resume, cancel, archive, restore, delete a draft;
run progress and retries."""

from __future__ import annotations

from flask import jsonify, request

from campaigns.broadcasts import campaign_lifecycle, campaign_service
from campaigns.models.base import utcnow
from campaigns.runs import progress, run_control
from campaigns.runs.planning import launch_campaign
from campaigns.runs.preview import preview_campaign, pricing_from_settings
from gateway.api import api
from gateway.api.context import bool_arg, current_actor, page_args
from gateway.runtime import current_runtime
from gateway.web.bodies import json_body
from gateway.web.jobs import dispatch_after_commit, enqueue_dispatch_soon
from gateway.web.session import after_commit, db


@api.get("/campaigns")
def list_campaigns():
    page = campaign_service.list_campaigns(
        db(),
        current_actor(),
        status=request.args.get("status"),
        kind=request.args.get("kind") or None,
        drill=bool_arg("drill"),
        **page_args(),
    )
    return jsonify(page.as_dict())


@api.post("/campaigns")
def create_campaign():
    return jsonify(campaign_service.create_campaign(db(), current_actor(), json_body())), 201


@api.get("/campaigns/<int:campaign_id>")
def get_campaign(campaign_id: int):
    return jsonify(campaign_service.get_campaign(db(), current_actor(), campaign_id))


@api.patch("/campaigns/<int:campaign_id>")
def update_campaign(campaign_id: int):
    return jsonify(campaign_service.update_campaign(db(), current_actor(), campaign_id, json_body()))


@api.get("/campaigns/<int:campaign_id>/preview")
def preview(campaign_id: int):
    pricing = pricing_from_settings(current_runtime().settings)
    return jsonify(preview_campaign(db(), current_actor(), campaign_id, pricing))


@api.post("/campaigns/<int:campaign_id>/launch")
def launch(campaign_id: int):
    """Launch: a 'now' campaign is planned at once and its sending is enqueued after the commit."""
    settings = current_runtime().settings
    threshold, ttl = settings.approval_threshold, settings.outbox_ttl
    actor, now = current_actor(), utcnow()
    planned = launch_campaign(db(), actor, campaign_id, now, approval_threshold=threshold, outbox_ttl=ttl)
    if planned is not None:
        after_commit(lambda: enqueue_dispatch_soon(planned.run_id, alert=planned.alert))
    body = campaign_service.get_campaign(db(), current_actor(), campaign_id)
    body["run"] = {"id": planned.run_id, "planned": planned.planned} if planned else None
    return jsonify(body), 202


@api.post("/campaigns/<int:campaign_id>/pause")
def pause(campaign_id: int):
    """Pause: the answer says how many claimed messages went back to the queue and how many were with the provider."""
    paused = run_control.pause_campaign(db(), current_actor(), campaign_id, utcnow())
    return jsonify({**campaign_service.get_campaign(db(), current_actor(), campaign_id), "paused": paused.counts()})


@api.post("/campaigns/<int:campaign_id>/resume")
def resume(campaign_id: int):
    """Resume: the resumed runs' sending is enqueued right after the commit, not left to the next tick."""
    run_control.resume_campaign(db(), current_actor(), campaign_id, utcnow())
    dispatch_after_commit(run_control.sending_run_ids(db(), campaign_id))
    return jsonify(campaign_service.get_campaign(db(), current_actor(), campaign_id))


@api.post("/campaigns/<int:campaign_id>/cancel")
def cancel(campaign_id: int):
    run_control.cancel_campaign(db(), current_actor(), campaign_id, utcnow())
    return jsonify(campaign_service.get_campaign(db(), current_actor(), campaign_id))


@api.post("/campaigns/<int:campaign_id>/archive")
def archive(campaign_id: int):
    return jsonify(campaign_lifecycle.archive_campaign(db(), current_actor(), campaign_id, utcnow()))


@api.post("/campaigns/<int:campaign_id>/restore")
def restore(campaign_id: int):
    return jsonify(campaign_lifecycle.restore_campaign(db(), current_actor(), campaign_id))


@api.delete("/campaigns/<int:campaign_id>")
def delete_draft(campaign_id: int):
    campaign_lifecycle.delete_draft(db(), current_actor(), campaign_id)
    return "", 204


@api.get("/campaigns/<int:campaign_id>/runs")
def list_runs(campaign_id: int):
    return jsonify({"items": progress.list_runs(db(), current_actor(), campaign_id)})


@api.get("/runs/<int:run_id>")
def run_progress(run_id: int):
    settings = current_runtime().settings
    state = progress.run_progress(
        db(),
        current_actor(),
        run_id,
        utcnow(),
        price_per_segment=settings.sms_price_per_segment,
        currency=settings.currency,
    )
    return jsonify(state)


@api.post("/runs/<int:run_id>/retry-failed")
def retry_failed(run_id: int):
    body = request.get_json(silent=True)
    include_unknown = isinstance(body, dict) and body.get("include_unknown") is True
    retried = run_control.retry_failed(db(), current_actor(), run_id, utcnow(), include_unknown=include_unknown)
    if retried.requeued:
        after_commit(lambda: enqueue_dispatch_soon(run_id))
    return jsonify(retried.as_dict())


@api.post("/runs/<int:run_id>/cancel")
def cancel_run(run_id: int):
    return jsonify(run_control.cancel_run(db(), current_actor(), run_id, utcnow()))
