"""Voice campaigns: the outbox rows of a run's calls, and what stops a voice campaign launching (prompt phrases).

A voice row is planned for every contact of the audience reachable by voice who hears some audio: their own
language's announcement, or the campaign's fallback language's (`campaigns.voice.audio_readiness`, never another voice
silently). Its `language` is the language the call plays; its `body` the campaign's text in that language, for staff
to read. A call also needs the prompt phrases (`campaigns.voice.call_flow.PROMPT_PHRASES`) as audio in that language: a
language without them blocks the launch, naming the language, the missing phrases and how many would hear it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session

from campaigns.broadcasts.audiences import audience_select, reaches_by
from campaigns.common.errors import ValidationError
from campaigns.models import Campaign, Channel, Contact, OutboxMessage, OutboxStatus, VoicePrompt
from campaigns.voice.audio_readiness import heard_language_expr, languages_with_audio
from campaigns.voice.call_flow import PROMPT_PHRASES

VOICE = Channel.VOICE


def voice_rows_select(session: Session, campaign: Campaign, run_id: int, first_attempt: datetime):
    """SELECT of the run's voice outbox rows, in planning's OUTBOX_COLUMNS order."""
    heard = heard_language_expr(campaign, languages_with_audio(session, campaign.id))
    body = case({lang: literal(text) for lang, text in campaign.texts.items()}, value=heard, else_=literal(""))
    return audience_select(
        session,
        campaign.audience,
        literal(run_id),
        Contact.id,
        Contact.grid_id,
        literal(VOICE),
        Contact.phone,
        heard,
        body,
        literal(1),
        literal(OutboxStatus.QUEUED.value),
        literal(0),
        literal(first_attempt, OutboxMessage.next_attempt_at.type),
    ).where(reaches_by(VOICE), heard.is_not(None))


def languages_with_prompts(session: Session) -> set[str]:
    """Languages that have every prompt phrase as audio."""
    rows = session.execute(
        select(VoicePrompt.language)
        .where(VoicePrompt.phrase.in_(PROMPT_PHRASES))
        .group_by(VoicePrompt.language)
        .having(func.count(func.distinct(VoicePrompt.phrase)) == len(PROMPT_PHRASES))
    )
    return set(rows.scalars())


def prompt_blockers(session: Session, campaign: Campaign) -> list[ValidationError]:
    """One reason per language that voice calls would play and that lacks a prompt phrase; [] without voice."""
    if VOICE not in campaign.channels:
        return []
    heard = heard_language_expr(campaign, languages_with_audio(session, campaign.id))
    listeners = dict(
        session.execute(
            audience_select(session, campaign.audience, heard, func.count())
            .where(reaches_by(VOICE), heard.is_not(None))
            .group_by(heard)
        ).all()
    )
    ready = languages_with_prompts(session)
    present: dict[str, set[str]] = {}
    for language, phrase in session.execute(select(VoicePrompt.language, VoicePrompt.phrase)):
        present.setdefault(language, set()).add(phrase)
    return [
        ValidationError.coded_plural(
            "launch.missing_prompts",
            "%(n)s contact would be called in %(lang)s and the voice prompts have no audio in %(lang)s for: "
            "%(phrases)s",
            "%(n)s contacts would be called in %(lang)s and the voice prompts have no audio in %(lang)s for: "
            "%(phrases)s",
            n=count,
            lang=lang,
            phrases=[phrase for phrase in PROMPT_PHRASES if phrase not in present.get(lang, set())],
        )
        for lang, count in sorted(listeners.items())
        if lang not in ready
    ]
