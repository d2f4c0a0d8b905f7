"""The prompt phrases of the call flow, as audio per language (`VoicePrompt`): synthesized once where an engine here
speaks the language, or recorded by staff (the only way for Tibetan, Mongolian, Yi and Kazakh).

The phrases are global, not per campaign, so only admins change them. Synthesis reuses an existing clip of the
same engine, language and text (`synthesis_key`), so running it twice synthesizes nothing twice. The default texts
below are where Gridcast has them; other languages' phrases are recordings, or texts given by the caller.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.common.errors import ValidationError
from campaigns.common.languages import normalize_language
from campaigns.identity.access import Actor, require_admin
from campaigns.models import AudioClip, VoicePrompt
from campaigns.voice.audio_port import AudioPort, SpeechUnavailable
from campaigns.voice.call_flow import PROMPT_PHRASES
from campaigns.voice.campaign_audio import clip_url, recorded_clip, synthesized_clip

DEFAULT_TEXTS = {
    "zh": {
        "press_1_to_confirm": "收到请按1，再听一遍请按9。",
        "thanks": "谢谢，已确认收到。再见。",
        "goodbye": "没有收到您的按键，再见。",
    },
    "yue": {
        "press_1_to_confirm": "收到請按1，再聽一次請按9。",
        "thanks": "多謝，已經確認收到。再見。",
        "goodbye": "收唔到你嘅按鍵，再見。",
    },
    "en": {
        "press_1_to_confirm": "To confirm you received this message, press 1. To hear it again, press 9.",
        "thanks": "Thank you, your confirmation is recorded. Goodbye.",
        "goodbye": "We did not receive your answer. Goodbye.",
    },
}


def _phrase(raw: str) -> str:
    if raw not in PROMPT_PHRASES:
        raise ValidationError.coded(
            "voice_prompt.unknown_phrase",
            "unknown phrase '%(raw)s' (known: %(prompt_phrases)s)",
            fields={"phrase": "x"},
            raw=raw,
            prompt_phrases=PROMPT_PHRASES,
        )
    return raw


def _set_prompt(session: Session, language: str, phrase: str, clip: AudioClip) -> VoicePrompt:
    prompt = session.scalar(select(VoicePrompt).where(VoicePrompt.language == language, VoicePrompt.phrase == phrase))
    if prompt is None:
        prompt = VoicePrompt(language=language, phrase=phrase, clip=clip)
        session.add(prompt)
    prompt.clip = clip
    session.flush()
    return prompt


def synthesize_prompts(
    session: Session,
    actor: Actor,
    language: str,
    port: AudioPort,
    texts: dict[str, str] | None = None,
    engine: str | None = None,
) -> list[VoicePrompt]:
    """Give `language` every prompt phrase as synthesized audio, from `texts` (phrase -> text) or the defaults;
    engines are tried in the configured order (or only `engine`). SpeechUnavailable when no engine could."""
    require_admin(actor)
    lang = normalize_language(language)
    phrases = {_phrase(phrase): text for phrase, text in (texts or DEFAULT_TEXTS.get(lang) or {}).items()}
    if set(phrases) != set(PROMPT_PHRASES):
        raise ValidationError.coded(
            "voice_prompt.texts_incomplete",
            "give the text of every phrase in %(lang)s (%(prompt_phrases)s) or upload recordings",
            fields={"texts": "incomplete"},
            lang=lang,
            prompt_phrases=PROMPT_PHRASES,
        )
    engines = [name for name in port.engines_for(lang) if engine in (None, name)]
    if not engines:
        raise ValidationError.coded(
            "voice_prompt.no_engine",
            "no speech engine here speaks %(lang)s: upload recordings",
            fields={"language": "x"},
            lang=lang,
        )
    return [_synthesize(session, lang, phrase, phrases[phrase], engines, port) for phrase in PROMPT_PHRASES]


def _synthesize(session: Session, lang: str, phrase: str, text: str, engines: list[str], port: AudioPort):
    try:
        clip = synthesized_clip(session, port, lang, text, engines)
    except SpeechUnavailable as exc:
        raise SpeechUnavailable(f"the {lang} phrase {phrase}: {exc}") from exc
    return _set_prompt(session, lang, phrase, clip)


def record_prompt(
    session: Session, actor: Actor, language: str, phrase: str, data: bytes, filename: str | None, port: AudioPort
) -> VoicePrompt:
    """Make a staff recording (mp3, wav, m4a or ogg, normalized) the audio of one phrase in `language`."""
    require_admin(actor)
    lang, phrase = normalize_language(language), _phrase(phrase)
    return _set_prompt(session, lang, phrase, recorded_clip(session, port, lang, data, filename))


def list_prompts(session: Session, public_base_url: str) -> dict[str, Any]:
    """Every language that has a phrase: each phrase's audio (engine, URL, duration) or None, and whether the
    language is complete (a voice call can be made in it)."""
    rows = session.execute(select(VoicePrompt, AudioClip).join(AudioClip, AudioClip.id == VoicePrompt.clip_id)).all()
    languages: dict[str, dict[str, Any]] = {}
    for prompt, clip in rows:
        languages.setdefault(prompt.language, {})[prompt.phrase] = {
            "engine": clip.engine,
            "url": clip_url(public_base_url, clip.sha256),
            "duration_ms": clip.duration_ms,
            "text": clip.text,
        }
    return {
        "phrases": list(PROMPT_PHRASES),
        "languages": [
            {
                "language": lang,
                "complete": set(phrases) >= set(PROMPT_PHRASES),
                "phrases": {phrase: phrases.get(phrase) for phrase in PROMPT_PHRASES},
            }
            for lang, phrases in sorted(languages.items())
        ],
    }
