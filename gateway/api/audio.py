"""Campaign audio routes: list each language's audio, queue a synthesis, upload a recording."""

from __future__ import annotations

from flask import jsonify, request

from campaigns.common.errors import ValidationError
from campaigns.voice import campaign_audio
from gateway.api import api
from gateway.api.context import ID, current_actor
from gateway.api.models.audio import CampaignAudio, LanguageAudio, SynthesisQueued, Synthesize
from gateway.api.schema import context, responses, validated
from gateway.runtime import current_runtime
from gateway.web.jobs import synthesis_job_status
from gateway.web.session import db
from workers.audio_queue import enqueue_synthesis
from workers.audio_services import audio_port

TAGS = ("audio",)
LANGUAGE = {"language": "a language tag or name (zh, bo, 藏语, Tibetan...)"}
RECORDING = {"type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}


@api.get(f"/campaigns/<{ID}:campaign_id>/audio")
@validated(resp=responses((404,), HTTP_200=CampaignAudio), tags=TAGS, operation_id="listCampaignAudio")
def list_audio(campaign_id: int):
    """Each language's announcement audio: engine, duration, size, SHA-256, listen URL, synthesis job"""
    settings = current_runtime().settings
    body = campaign_audio.list_campaign_audio(
        db(), current_actor(), campaign_id, audio_port(settings), settings.public_base_url
    )
    for row in body["languages"]:
        row["synthesis"] = synthesis_job_status(campaign_id, row["language"])
    return jsonify(body)


@api.post(f"/campaigns/<{ID}:campaign_id>/audio/<language>/synthesize")
@validated(
    json=Synthesize,
    resp=responses((400, 403, 404, 409, 422), HTTP_202=SynthesisQueued),
    tags=TAGS,
    operation_id="synthesizeCampaignAudio",
    path_parameter_descriptions=LANGUAGE,
)
def synthesize(campaign_id: int, language: str):
    """Queue the synthesis of the language's text (engines in GRIDCAST_TTS_ENGINES order, or the one named)

    The same engine, language and text are synthesized once. Nothing is written before the worker runs it, so
    nothing waits for a commit.
    """
    actor = current_actor()
    engine = context().json.engine
    settings = current_runtime().settings
    campaign, lang, engines = campaign_audio.check_synthesis(
        db(), actor, campaign_id, language, audio_port(settings), engine
    )
    job = enqueue_synthesis(current_runtime().redis(), campaign.id, lang, engine)
    return jsonify({"campaign_id": campaign.id, "language": lang, "engines": engines, "job": job}), 202


@api.put(f"/campaigns/<{ID}:campaign_id>/audio/<language>")
@validated(
    resp=responses((403, 404, 409, 422), HTTP_200=LanguageAudio),
    tags=TAGS,
    operation_id="uploadCampaignRecording",
    path_parameter_descriptions=LANGUAGE,
    request_media=("multipart/form-data", RECORDING, {"file": "(the recording's bytes)"}),
)
def upload_recording(campaign_id: int, language: str):
    """Upload a recording (mp3, wav, m4a or ogg) as the language's audio; it is normalized to MP3 44.1 kHz mono

    The only way for Tibetan, Mongolian, Yi and Kazakh.
    """
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
