"""Campaign audio: each campaign language's announcement, synthesized from its text or recorded by staff.

A synthesized clip is found again by its synthesis key (SHA-256 of engine, language and text), so the same text in
the same voice is synthesized once, however many campaigns, runs and recipients use it. The engines are tried in
the configured order; when one fails the next is used, and the clip records which engine made it.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campaigns.broadcasts.campaign_service import load_campaign
from campaigns.broadcasts.templates import render
from campaigns.common.errors import Conflict, ValidationError
from campaigns.common.languages import normalize_language
from campaigns.identity.access import Actor, require_write
from campaigns.models import AudioClip, Campaign, CampaignAudio
from campaigns.voice.audio_port import AudioPort, SpeechUnavailable, StoredAudio

RECORDING = "recording"
_LEADING_PAUSES = re.compile(r"^[\s,，、.。:：;；!！?？]+")


def synthesis_key(engine: str, language: str, text: str) -> str:
    """SHA-256 of engine, language and text: the key that makes the same three be synthesized once."""
    return hashlib.sha256("\x1f".join((engine, language, text)).encode("utf-8")).hexdigest()


def clip_url(public_base_url: str, sha256: str) -> str:
    """The public URL of a clip: `<base>/audio/<sha256>.mp3` (what Twilio's <Play> and loudspeakers fetch)."""
    return f"{public_base_url.rstrip('/')}/audio/{sha256}.mp3"


def spoken_text(campaign: Campaign, language: str) -> str:
    """The text read aloud for `language`: one recording for everyone, so `{name}` and `{grid}` are left out."""
    return _LEADING_PAUSES.sub("", render(campaign.texts[language], name="", grid="")).strip()


def _editable(session: Session, actor: Actor, campaign_id: int, language: str) -> tuple[Campaign, str]:
    require_write(actor)
    campaign = load_campaign(session, actor, campaign_id)
    if campaign.status in ("cancelled", "finished"):
        raise Conflict.coded(
            "audio.campaign_locked", "a %(status)s campaign's audio cannot change", status=campaign.status
        )
    return campaign, normalize_language(language)


def check_synthesis(
    session: Session, actor: Actor, campaign_id: int, language: str, port: AudioPort, engine: str | None = None
) -> tuple[Campaign, str, list[str]]:
    """Check a synthesis request before it is queued: write access, a text in `language`, an engine that speaks it.

    Returns the campaign, the normalized language and the engines to try, in order.
    """
    campaign, lang = _editable(session, actor, campaign_id, language)
    if lang not in campaign.texts:
        raise ValidationError.coded(
            "audio.no_text",
            "the campaign has no text in %(lang)s to synthesize",
            fields={"language": "no text"},
            lang=lang,
        )
    if not spoken_text(campaign, lang):
        raise ValidationError.coded(
            "audio.nothing_to_read",
            "the %(lang)s text has nothing to read aloud",
            fields={"language": "empty text"},
            lang=lang,
        )
    engines = port.engines_for(lang)
    if not engines:
        raise ValidationError.coded(
            "audio.no_engine",
            "no speech engine here speaks %(lang)s: upload a recording",
            fields={"language": "recording only"},
            lang=lang,
        )
    if engine is not None:
        if engine not in engines:
            known = ", ".join(engines)
            raise ValidationError.coded(
                "audio.engine_unavailable",
                "engine '%(engine)s' cannot speak %(lang)s here (use %(known)s)",
                fields={"engine": "unavailable"},
                engine=engine,
                lang=lang,
                known=known,
            )
        engines = [engine]
    return campaign, lang, engines


def synthesize_campaign_audio(
    session: Session, actor: Actor, campaign_id: int, language: str, port: AudioPort, engine: str | None = None
) -> CampaignAudio:
    """Give a campaign language the audio of its text: an existing clip of the same engine, language and text is
    reused; otherwise the engines are tried in order. SpeechUnavailable when every engine failed."""
    campaign, lang, engines = check_synthesis(session, actor, campaign_id, language, port, engine)
    return _attach(session, campaign, lang, synthesized_clip(session, port, lang, spoken_text(campaign, lang), engines))


def synthesized_clip(session: Session, port: AudioPort, language: str, text: str, engines: list[str]) -> AudioClip:
    """The clip of `text` in `language` by the first of `engines` that can speak it, synthesized only when no clip
    of that engine, language and text exists (or its file was lost). SpeechUnavailable when every engine failed.
    Any audio of the domain (campaign announcements, voice prompts) should be made through here."""
    failures = []
    for name in engines:
        key = synthesis_key(name, language, text)
        clip = session.scalar(select(AudioClip).where(AudioClip.synthesis_key == key))
        if clip is not None and port.exists(clip.sha256):
            return clip
        try:
            stored = port.synthesize(name, language, text)
        except SpeechUnavailable as exc:
            failures.append(f"{name}: {exc}")
            continue
        if clip is None:
            return _save_clip(session, stored, language, text=text, key=key)
        clip.sha256, clip.size_bytes, clip.duration_ms = stored.sha256, stored.size_bytes, stored.duration_ms
        return clip
    raise SpeechUnavailable(f"no engine could speak the {language} text: " + "; ".join(failures))


def recorded_clip(session: Session, port: AudioPort, language: str, data: bytes, filename: str | None) -> AudioClip:
    """The clip of a staff recording (mp3, wav, m4a or ogg), normalized; ValidationError for a refused file."""
    stored = port.import_recording(data)
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1][:255] or None
    return _save_clip(session, stored, language, filename=name)


def attach_recording(
    session: Session, actor: Actor, campaign_id: int, language: str, data: bytes, filename: str | None, port: AudioPort
) -> CampaignAudio:
    """Normalize a staff recording (mp3, wav, m4a or ogg) and make it the campaign's audio for `language`."""
    campaign, lang = _editable(session, actor, campaign_id, language)
    return _attach(session, campaign, lang, recorded_clip(session, port, lang, data, filename))


def list_campaign_audio(
    session: Session, actor: Actor, campaign_id: int, port: AudioPort, public_base_url: str
) -> dict[str, Any]:
    """Each language of the campaign (its texts and any recording) with its audio, or None, and its engines."""
    campaign = load_campaign(session, actor, campaign_id)
    attached = {row.language: row for row in session.scalars(_audio_of(campaign.id))}
    rows = []
    for lang in sorted(set(campaign.texts) | set(attached)):
        row = attached.get(lang)
        rows.append(
            {
                "language": lang,
                "has_text": lang in campaign.texts,
                "engines": port.engines_for(lang),
                "audio": audio_to_dict(row, campaign, public_base_url) if row else None,
            }
        )
    return {"campaign_id": campaign.id, "languages": rows}


def audio_to_dict(row: CampaignAudio, campaign: Campaign, public_base_url: str) -> dict[str, Any]:
    clip = row.clip
    current = spoken_text(campaign, row.language) if row.language in campaign.texts else None
    return {
        "engine": clip.engine,
        "sha256": clip.sha256,
        "size_bytes": clip.size_bytes,
        "duration_ms": clip.duration_ms,
        "url": clip_url(public_base_url, clip.sha256),
        "text": clip.text,
        "matches_text": clip.engine == RECORDING or clip.text == current,
        "original_filename": clip.original_filename,
        "updated_at": row.updated_at.isoformat() if row.updated_at else None,
    }


def _audio_of(campaign_id: int):
    return select(CampaignAudio).where(CampaignAudio.campaign_id == campaign_id).order_by(CampaignAudio.language)


def _save_clip(
    session: Session,
    stored: StoredAudio,
    language: str,
    *,
    text: str | None = None,
    key: str | None = None,
    filename: str | None = None,
) -> AudioClip:
    """The clip row of `stored`: the existing one with the same bytes, or a new one (safe against a racing twin)."""
    existing = session.scalar(select(AudioClip).where(AudioClip.sha256 == stored.sha256))
    if existing is not None:
        return existing
    clip = AudioClip(
        sha256=stored.sha256,
        size_bytes=stored.size_bytes,
        duration_ms=stored.duration_ms,
        engine=stored.engine,
        language=language,
        text=text,
        synthesis_key=key,
        original_filename=filename,
    )
    try:
        with session.begin_nested():
            session.add(clip)
    except IntegrityError:
        return session.scalar(
            select(AudioClip).where((AudioClip.sha256 == stored.sha256) | (AudioClip.synthesis_key == key))
        )
    return clip


def _attach(session: Session, campaign: Campaign, language: str, clip: AudioClip) -> CampaignAudio:
    row = session.scalar(_audio_of(campaign.id).where(CampaignAudio.language == language))
    if row is None:
        row = CampaignAudio(campaign_id=campaign.id, language=language, clip=clip)
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            row = session.scalar(_audio_of(campaign.id).where(CampaignAudio.language == language))
    row.clip = clip
    session.flush()
    return row
