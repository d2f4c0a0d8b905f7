"""Campaign audio routes: list each language's audio, queue a synthesis, upload a recording."""

from __future__ import annotations

from flask import jsonify, request

from campaigns.common.errors import ValidationError
from campaigns.voice import campaign_audio
from gateway.api import api
from gateway.api.context import current_actor
from gateway.runtime import current_runtime
from gateway.web.bodies import json_body
from gateway.web.jobs import synthesis_job_status
from gateway.web.session import db
from workers.audio_queue import enqueue_synthesis
from workers.audio_services import audio_port


@api.get("/campaigns/<int:campaign_id>/audio")
def list_audio(campaign_id: int):
    settings = current_runtime().settings
    body = campaign_audio.list_campaign_audio(
        db(), current_actor(), campaign_id, audio_port(settings), settings.public_base_url
    )
    for row in body["languages"]:
        row["synthesis"] = synthesis_job_status(campaign_id, row["language"])
    return jsonify(body)


@api.post("/campaigns/<int:campaign_id>/audio/<language>/synthesize")
def synthesize(campaign_id: int, language: str):
    """Queue the synthesis (nothing is written before the worker runs it, so nothing waits for a commit)."""
    actor = current_actor()
    body = json_body(optional=True)
    engine = body.get("engine")
    if engine is not None and not isinstance(engine, str):
        raise ValidationError("engine must be a string such as gtts or espeak", fields={"engine": "not a string"})
    settings = current_runtime().settings
    campaign, lang, engines = campaign_audio.check_synthesis(
        db(), actor, campaign_id, language, audio_port(settings), engine
    )
    job = enqueue_synthesis(current_runtime().redis(), campaign.id, lang, engine)
    return jsonify({"campaign_id": campaign.id, "language": lang, "engines": engines, "job": job}), 202


@api.put("/campaigns/<int:campaign_id>/audio/<language>")
def upload_recording(campaign_id: int, language: str):
    actor = current_actor()
    settings = current_runtime().settings
    upload = request.files.get("file")
    if upload is None:
        raise ValidationError("send the recording as the multipart form field 'file'", fields={"file": "required"})
    data = upload.stream.read(settings.audio_max_upload_bytes + 1)
    port = audio_port(settings)
    row = campaign_audio.attach_recording(db(), actor, campaign_id, language, data, upload.filename, port)
    body = campaign_audio.list_campaign_audio(db(), actor, campaign_id, port, settings.public_base_url)
    return jsonify(next(item for item in body["languages"] if item["language"] == row.language))
