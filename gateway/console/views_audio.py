"""A campaign's audio on its console page: a player per language that has audio, synthesize a language (queued for
the audio worker) or upload a recording, through `campaigns.voice.campaign_audio` and the API's queue (same rules)."""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, request, url_for

from campaigns.broadcasts import campaign_service
from campaigns.common.errors import Conflict, DomainError, ValidationError
from campaigns.identity.access import Actor
from campaigns.voice import campaign_audio
from campaigns.voice.audio_readiness import AUDIO_CHANNELS
from gateway.console import console
from gateway.console.labels import language_name
from gateway.console.web import _, current_actor, form_errors, record, service_text
from gateway.runtime import current_runtime
from gateway.web.jobs import synthesis_job_status
from gateway.web.session import db
from workers.audio_queue import enqueue_synthesis
from workers.audio_services import audio_port


def campaign_audio_rows(actor: Actor, campaign: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Each language's audio (or None) with its engines and latest synthesis job; None without voice/loudspeaker."""
    if not set(campaign["channels"]) & set(AUDIO_CHANNELS):
        return None
    settings = current_runtime().settings
    body = campaign_audio.list_campaign_audio(db(), actor, campaign["id"], audio_port(settings),
                                              settings.public_base_url)  # fmt: skip
    for row in body["languages"]:
        row["synthesis"] = synthesis_job_status(campaign["id"], row["language"])
    return body["languages"]


def _back(campaign_id: int):
    return redirect(url_for("console.campaign_page", campaign_id=campaign_id) + "#audio")


def _refused(campaign_id: int, exc: DomainError):
    db().rollback()
    reasons = [text for name, text in form_errors(exc).items() if name != "_"]
    flash(" ".join([service_text(exc), *reasons][:2]), "error")
    return _back(campaign_id)


@console.post("/campaigns/<int:campaign_id>/audio/<language>/synthesize")
def synthesize_audio(campaign_id: int, language: str):
    actor, settings = current_actor(), current_runtime().settings
    try:
        campaign, lang, engines = campaign_audio.check_synthesis(db(), actor, campaign_id, language,
                                                                 audio_port(settings))  # fmt: skip
    except (ValidationError, Conflict) as exc:
        return _refused(campaign_id, exc)
    enqueue_synthesis(current_runtime().redis(), campaign.id, lang)
    record("campaign.audio_synthesize", grid_id=campaign.scope_grid_id, target=f"campaign {campaign_id}",
           language=lang, engines=engines)  # fmt: skip
    flash(_("Synthesis of {code} queued; reload the page in a moment.", code=language_name(lang, g.lang)), "ok")
    return _back(campaign_id)


@console.post("/campaigns/<int:campaign_id>/audio/<language>/recording")
def upload_audio(campaign_id: int, language: str):
    actor, settings = current_actor(), current_runtime().settings
    campaign = campaign_service.get_campaign(db(), actor, campaign_id)
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise ValidationError.coded(
                "audio.file_required", "choose a recording file (mp3, wav, m4a or ogg)", fields={"file": "required"}
            )
        data = upload.stream.read(settings.audio_max_upload_bytes + 1)
        row = campaign_audio.attach_recording(db(), actor, campaign_id, language, data, upload.filename,
                                              audio_port(settings))  # fmt: skip
    except (ValidationError, Conflict) as exc:
        return _refused(campaign_id, exc)
    record("campaign.audio_recording", grid_id=campaign["scope_grid_id"], target=f"campaign {campaign_id}",
           language=row.language, sha256=row.clip.sha256)  # fmt: skip
    flash(_("Recording saved for {code}.", code=language_name(row.language, g.lang)), "ok")
    return _back(campaign_id)
