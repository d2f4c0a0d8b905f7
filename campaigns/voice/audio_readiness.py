"""Which language each listener of a voice or loudspeaker campaign hears, and what stops such a campaign launching.

A listener hears the audio of their own language; when it has none, the audio of the campaign's explicit
`fallback_language` if that has audio; otherwise nothing, and the campaign cannot launch. Audio never falls back
silently to another language's voice. Voice calls reach the contacts reachable by voice; a loudspeaker reaches
everyone in the audience's villages.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, null, select
from sqlalchemy.orm import Session

from campaigns.broadcasts.audiences import audience_select, reaches_by
from campaigns.common.errors import ValidationError
from campaigns.models import AudioClip, Campaign, CampaignAudio, Channel, Contact
from campaigns.voice.campaign_audio import RECORDING, spoken_text

AUDIO_CHANNELS = (Channel.VOICE, Channel.LOUDSPEAKER)


def audio_channels(campaign: Campaign) -> list[str]:
    return [channel for channel in campaign.channels if channel in AUDIO_CHANNELS]


def languages_with_audio(session: Session, campaign_id: int) -> set[str]:
    return set(session.scalars(select(CampaignAudio.language).where(CampaignAudio.campaign_id == campaign_id)))


def heard_language_expr(campaign: Campaign, with_audio: set[str]) -> ColumnElement[str]:
    """The language a contact hears: their own when it has audio, else the fallback when it has audio, else NULL."""
    fallback = campaign.fallback_language
    otherwise = literal(fallback) if fallback in with_audio else null()
    return case((Contact.language.in_(sorted(with_audio) or [""]), Contact.language), else_=otherwise)


def _listeners(session: Session, campaign: Campaign, *columns):
    query = audience_select(session, campaign.audience, *columns)
    return query if Channel.LOUDSPEAKER in campaign.channels else query.where(reaches_by(Channel.VOICE))


def audio_preview(session: Session, campaign: Campaign) -> dict[str, Any] | None:
    """For a campaign with voice or loudspeaker: per language, whether it has audio and how many hear it; None
    for an SMS-only campaign."""
    channels = audio_channels(campaign)
    if not channels:
        return None
    with_audio = languages_with_audio(session, campaign.id)
    heard = heard_language_expr(campaign, with_audio)
    rows = session.execute(
        _listeners(session, campaign, Contact.language, heard, func.count()).group_by(Contact.language, heard)
    ).all()
    hears, without, fallback = {}, {}, 0
    for own, language, count in rows:
        if language is None:
            without[own] = without.get(own, 0) + count
            continue
        hears[language] = hears.get(language, 0) + count
        fallback += count if language != own else 0
    languages = sorted(set(campaign.texts) | with_audio | set(without))
    return {
        "channels": channels,
        "languages": [
            {"language": lang, "has_audio": lang in with_audio, "listeners": hears.get(lang, 0)} for lang in languages
        ],
        "fallback_language": campaign.fallback_language if campaign.fallback_language in with_audio else None,
        "fallback_listeners": fallback,
        "without_audio": dict(sorted(without.items())),
        "outdated": outdated_languages(session, campaign),
    }


def outdated_languages(session: Session, campaign: Campaign) -> list[str]:
    """Languages whose synthesized audio reads an older text than the campaign's (synthesize them again)."""
    rows = session.execute(
        select(CampaignAudio.language, AudioClip.text)
        .join(AudioClip, AudioClip.id == CampaignAudio.clip_id)
        .where(CampaignAudio.campaign_id == campaign.id, AudioClip.engine != RECORDING)
    ).all()
    return sorted(lang for lang, text in rows if lang in campaign.texts and text != spoken_text(campaign, lang))


def audio_blockers(session: Session, campaign: Campaign) -> list[ValidationError]:
    """One reason per language whose listeners would hear nothing (no audio and no fallback audio)."""
    preview = audio_preview(session, campaign)
    if preview is None:
        return []
    channels = ["voice calls" if channel == "voice" else "loudspeakers" for channel in preview["channels"]]
    return [
        ValidationError.coded_plural(
            "launch.missing_audio",
            "%(n)s contact speaks %(lang)s and the campaign has no audio for it (nor fallback audio) for %(channels)s",
            "%(n)s contacts speak %(lang)s and the campaign has no audio for it (nor fallback audio) for %(channels)s",
            n=count,
            lang=lang,
            channels=channels,
        )
        for lang, count in preview["without_audio"].items()
    ]
