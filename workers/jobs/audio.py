"""Audio jobs: thin shells over the campaign audio services."""

from __future__ import annotations

from campaigns.identity.access import Actor
from campaigns.voice.campaign_audio import synthesize_campaign_audio
from workers.audio_services import audio_port
from workers.composition import services


def synthesize_campaign_audio_job(campaign_id: int, language: str, engine: str | None = None) -> dict:
    """Synthesize a campaign language's announcement (reusing a clip of the same engine, language and text);
    safe to run twice. Raises SpeechUnavailable, so the job shows as failed, when every engine failed."""
    base = services()
    with base.session_factory.begin() as session:
        row = synthesize_campaign_audio(
            session, Actor.system(), campaign_id, language, audio_port(base.settings), engine
        )
        return {"language": row.language, "sha256": row.clip.sha256, "engine": row.clip.engine}
