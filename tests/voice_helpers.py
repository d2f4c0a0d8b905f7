"""Builders for voice-call tests: audio clips, a campaign's announcements and the prompt phrases, inserted directly
(the audio package makes them for real; these tests are about calls)."""

from __future__ import annotations

import hashlib
import itertools

from sqlalchemy.orm import Session

from campaigns.models import AudioClip, CampaignAudio, VoicePrompt
from campaigns.voice.call_flow import PROMPT_PHRASES
from tests.factories import make_campaign

_numbers = itertools.count(1)


def add_clip(session: Session, language: str, text: str) -> AudioClip:
    """An AudioClip row (no bytes in the store: calls only need its SHA-256)."""
    sha256 = hashlib.sha256(f"{text}/{next(_numbers)}".encode()).hexdigest()
    clip = AudioClip(sha256=sha256, size_bytes=1000, duration_ms=2000, engine="recording", language=language,
                     text=text)  # fmt: skip
    session.add(clip)
    session.flush()
    return clip


def give_announcements(session: Session, campaign_id: int, languages: list[str]) -> dict[str, str]:
    """An announcement clip for each language of the campaign; returns language -> SHA-256."""
    shas = {}
    for language in languages:
        clip = add_clip(session, language, f"announcement {campaign_id} {language}")
        session.add(CampaignAudio(campaign_id=campaign_id, language=language, clip_id=clip.id))
        shas[language] = clip.sha256
    session.flush()
    return shas


def give_prompts(session: Session, languages: list[str], phrases=PROMPT_PHRASES) -> dict[tuple[str, str], str]:
    """Prompt phrase clips per language; returns (language, phrase) -> SHA-256."""
    shas = {}
    for language in languages:
        for phrase in phrases:
            clip = add_clip(session, language, f"{phrase} {language}")
            session.add(VoicePrompt(language=language, phrase=phrase, clip_id=clip.id))
            shas[(language, phrase)] = clip.sha256
    session.flush()
    return shas


def make_voice_campaign(session: Session, tree: dict[str, int], **overrides) -> dict:
    """A draft voice campaign to 齐哈玛镇 in Chinese and Tibetan (Chinese the fallback), expecting confirmations."""
    return make_campaign(session, tree, **{"channels": ["voice"], "expects_reply": True, **overrides})


def ready_voice_campaign(session: Session, tree: dict[str, int], **overrides) -> tuple[dict, dict, dict]:
    """A voice campaign with announcements in zh and bo and every prompt in both; (campaign, announcements,
    prompts)."""
    campaign = make_voice_campaign(session, tree, **overrides)
    return campaign, give_announcements(session, campaign["id"], ["zh", "bo"]), give_prompts(session, ["zh", "bo"])
