"""Campaign and run routes: create, edit, preview, launch, pause, resume, cancel, archive, restore, delete a draft;
run progress and retries."""

from __future__ import annotations

from flask import jsonify

from campaigns.broadcasts import campaign_lifecycle, campaign_service
from campaigns.models.base import utcnow
from campaigns.runs import progress, run_control
from campaigns.runs.planning import launch_campaign
from campaigns.runs.preview import preview_campaign, pricing_from_settings
from gateway.api import api
from gateway.api.context import ID, current_actor
from gateway.api.models.campaigns import (
    ArchivedCampaign,
    Campaign,
    CampaignEdit,
    CampaignInput,
    CampaignPage,
    CampaignQuery,
    CancelledCampaign,
    CancelledRun,
    LaunchedCampaign,
    PausedCampaign,
    Preview,
    RestoredCampaign,
    ResumedCampaign,
    RetryFailed,
    RetryResult,
    RunList,
    RunProgress,
)
from gateway.api.schema import context, responses, validated
from gateway.runtime import current_runtime
from gateway.web.jobs import dispatch_after_commit, enqueue_dispatch_soon
from gateway.web.session import after_commit, db

CAMPAIGNS, RUNS = ("campaigns",), ("runs",)


@api.get("/campaigns")
@validated(
    query=CampaignQuery, resp=responses((422,), HTTP_200=CampaignPage), tags=CAMPAIGNS, operation_id="listCampaigns"
)
def list_campaigns():
    """List campaigns whose grid is in your scope"""
    query: CampaignQuery = context().query
    page = campaign_service.list_campaigns(db(), current_actor(), **query.model_dump())
    return jsonify(page.as_dict())


@api.post("/campaigns")
@validated(
    json=CampaignInput,
    resp=responses((400, 403, 404, 422), HTTP_201=Campaign),
    tags=CAMPAIGNS,
    operation_id="createCampaign",
)
def create_campaign():
    """Save a draft campaign (audience, texts per language, schedule, send window)"""
    body: CampaignInput = context().json
    data = body.model_dump(exclude_unset=True)
    return jsonify(campaign_service.create_campaign(db(), current_actor(), data)), 201


@api.get(f"/campaigns/<{ID}:campaign_id>")
@validated(resp=responses((404,), HTTP_200=Campaign), tags=CAMPAIGNS, operation_id="getCampaign")
def get_campaign(campaign_id: int):
    """One campaign"""
    return jsonify(campaign_service.get_campaign(db(), current_actor(), campaign_id))


@api.patch(f"/campaigns/<{ID}:campaign_id>")
@validated(
    json=CampaignEdit,
    resp=responses((400, 403, 404, 409, 422), HTTP_200=Campaign),
    tags=CAMPAIGNS,
    operation_id="updateCampaign",
)
def update_campaign(campaign_id: int):
    """Edit a draft, scheduled or paused campaign"""
    body: CampaignEdit = context().json
    data = body.model_dump(exclude_unset=True)
    return jsonify(campaign_service.update_campaign(db(), current_actor(), campaign_id, data))


@api.get(f"/campaigns/<{ID}:campaign_id>/preview")
@validated(resp=responses((404,), HTTP_200=Preview), tags=CAMPAIGNS, operation_id="previewCampaign")
def preview(campaign_id: int):
    """Per channel: SMS recipients, segments and cost; people called, call minutes and cost; grids reached"""
    pricing = pricing_from_settings(current_runtime().settings)
    return jsonify(preview_campaign(db(), current_actor(), campaign_id, pricing))


@api.post(f"/campaigns/<{ID}:campaign_id>/launch")
@validated(
    resp=responses((403, 404, 409, 422), HTTP_202=LaunchedCampaign), tags=CAMPAIGNS, operation_id="launchCampaign"
)
def launch(campaign_id: int):
    """Launch: 'now' plans a run at once; other schedules wait for their first occurrence

    Above GRIDCAST_APPROVAL_THRESHOLD people a second person must approve it first (in the console), else 409. The
    sending of a planned run is enqueued after the commit.
    """
    settings = current_runtime().settings
    threshold, ttl = settings.approval_threshold, settings.outbox_ttl
    actor, now = current_actor(), utcnow()
    planned = launch_campaign(db(), actor, campaign_id, now, approval_threshold=threshold, outbox_ttl=ttl)
    if planned is not None:
        after_commit(lambda: enqueue_dispatch_soon(planned.run_id, alert=planned.alert))
    body = campaign_service.get_campaign(db(), current_actor(), campaign_id)
    body["run"] = {"id": planned.run_id, "planned": planned.planned} if planned else None
    return jsonify(body), 202


@api.post(f"/campaigns/<{ID}:campaign_id>/pause")
@validated(resp=responses((403, 404, 409), HTTP_200=PausedCampaign), tags=CAMPAIGNS, operation_id="pauseCampaign")
def pause(campaign_id: int):
    """Pause: no new runs, and sending runs stop at once

    Messages a worker had claimed but not yet handed to the provider go back to the queue (`paused.requeued`);
    those already with the provider (`paused.with_provider`) are not recalled, their outcome is still recorded.
    """
    paused = run_control.pause_campaign(db(), current_actor(), campaign_id, utcnow())
    return jsonify({**campaign_service.get_campaign(db(), current_actor(), campaign_id), "paused": paused.counts()})


@api.post(f"/campaigns/<{ID}:campaign_id>/resume")
@validated(resp=responses((403, 404, 409), HTTP_200=ResumedCampaign), tags=CAMPAIGNS, operation_id="resumeCampaign")
def resume(campaign_id: int):
    """Resume paused runs (their sending is enqueued at once) and the schedule"""
    run_control.resume_campaign(db(), current_actor(), campaign_id, utcnow())
    dispatch_after_commit(run_control.sending_run_ids(db(), campaign_id))
    return jsonify(campaign_service.get_campaign(db(), current_actor(), campaign_id))


@api.post(f"/campaigns/<{ID}:campaign_id>/cancel")
@validated(resp=responses((403, 404, 409), HTTP_200=CancelledCampaign), tags=CAMPAIGNS, operation_id="cancelCampaign")
def cancel(campaign_id: int):
    """Cancel the campaign; unsent messages are cancelled"""
    run_control.cancel_campaign(db(), current_actor(), campaign_id, utcnow())
    return jsonify(campaign_service.get_campaign(db(), current_actor(), campaign_id))


@api.post(f"/campaigns/<{ID}:campaign_id>/archive")
@validated(resp=responses((403, 404, 409), HTTP_200=ArchivedCampaign), tags=CAMPAIGNS, operation_id="archiveCampaign")
def archive(campaign_id: int):
    """Archive a draft, finished or cancelled campaign: hidden from the list unless status=archived"""
    return jsonify(campaign_lifecycle.archive_campaign(db(), current_actor(), campaign_id, utcnow()))


@api.post(f"/campaigns/<{ID}:campaign_id>/restore")
@validated(resp=responses((403, 404, 409), HTTP_200=RestoredCampaign), tags=CAMPAIGNS, operation_id="restoreCampaign")
def restore(campaign_id: int):
    """Put an archived campaign back on the list"""
    return jsonify(campaign_lifecycle.restore_campaign(db(), current_actor(), campaign_id))


@api.delete(f"/campaigns/<{ID}:campaign_id>")
@validated(resp=responses((403, 404, 409), HTTP_204=None), tags=CAMPAIGNS, operation_id="deleteCampaign")
def delete_draft(campaign_id: int):
    """Delete a draft (any other campaign is archived instead: 409)"""
    campaign_lifecycle.delete_draft(db(), current_actor(), campaign_id)
    return "", 204


@api.get(f"/campaigns/<{ID}:campaign_id>/runs")
@validated(resp=responses((404,), HTTP_200=RunList), tags=RUNS, operation_id="listRuns")
def list_runs(campaign_id: int):
    """The campaign's runs, newest first"""
    return jsonify({"items": progress.list_runs(db(), current_actor(), campaign_id)})


@api.get(f"/runs/<{ID}:run_id>")
@validated(resp=responses((404,), HTTP_200=RunProgress), tags=RUNS, operation_id="getRunProgress")
def run_progress(run_id: int):
    """Progress: counts by status, grid and language, rate, time left, segments and cost, problems"""
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


@api.post(f"/runs/<{ID}:run_id>/retry-failed")
@validated(
    json=RetryFailed,
    resp=responses((400, 403, 404, 422), HTTP_200=RetryResult),
    tags=RUNS,
    operation_id="retryFailedMessages",
)
def retry_failed(run_id: int):
    """Queue the failed and undelivered messages again (and `unknown` ones with include_unknown: true)

    Contacts who opted out are never retried. The answer counts what was queued by status, or says why nothing was
    (`reason`, with `opted_out` and `unknown_left`).
    """
    body: RetryFailed = context().json
    include_unknown = body.include_unknown
    ttl = current_runtime().settings.outbox_ttl
    retried = run_control.retry_failed(db(), current_actor(), run_id, utcnow(), include_unknown=include_unknown,
                                       outbox_ttl=ttl)  # fmt: skip
    if retried.requeued:
        after_commit(lambda: enqueue_dispatch_soon(run_id))
    return jsonify(retried.as_dict())


@api.post(f"/runs/<{ID}:run_id>/cancel")
@validated(resp=responses((403, 404, 409), HTTP_200=CancelledRun), tags=RUNS, operation_id="cancelRun")
def cancel_run(run_id: int):
    """Cancel one run; messages not yet sent are cancelled"""
    return jsonify(run_control.cancel_run(db(), current_actor(), run_id, utcnow()))
