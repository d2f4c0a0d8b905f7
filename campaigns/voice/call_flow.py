"""What a call says and does, step by step, whatever plays the phone (Twilio through TwiML, or the simulator).

A call opens with the announcement in the row's language (played `announcement_plays` times), then a round: the
prompt `press_1_to_confirm` ("press 1 to confirm, 9 to hear it again") is played while one key is awaited. Key 1
records a confirmation of the run on the voice channel (the same record as an SMS "1") and thanks the listener;
key 9 plays the announcement again and asks again; any other key, or none, asks again. After `prompt_tries` rounds
without a 1 the call says goodbye and hangs up. Everything is audio (no text-to-speech at call time: Twilio has
no Tibetan voice): the announcement is the campaign's `CampaignAudio` for the language, the phrases are
`VoicePrompt` rows per language. A step is plain data; `campaigns/channels/twilio/twiml.py` renders it as TwiML.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.channels.base import CallStep
from campaigns.delivery.confirmations import record_confirmation
from campaigns.models import AudioClip, CampaignAudio, Channel, Contact, OutboxMessage, Run, VoicePrompt

PROMPT_PHRASES = ("press_1_to_confirm", "thanks", "goodbye")
CONFIRM_KEY = "1"
REPLAY_KEY = "9"


@dataclass(frozen=True)
class CallFlowPolicy:
    """How many times the announcement plays at first, and how many rounds of prompts a call gets."""

    announcement_plays: int = 2
    prompt_tries: int = 3


@dataclass(frozen=True)
class CallAudio:
    """The clips one call needs: the announcement and each prompt phrase, by SHA-256."""

    language: str
    announcement: str
    phrases: dict[str, str]


HANG_UP = CallStep(plays=())


def call_audio(session: Session, outbox_id: int) -> CallAudio | None:
    """The audio of voice row `outbox_id`, or None when the row, its announcement or a phrase is missing."""
    row = session.execute(
        select(OutboxMessage.language, Run.campaign_id)
        .join(Run, Run.id == OutboxMessage.run_id)
        .where(OutboxMessage.id == outbox_id, OutboxMessage.channel == Channel.VOICE)
    ).first()
    if row is None:
        return None
    announcement = session.scalar(
        select(AudioClip.sha256)
        .join(CampaignAudio, CampaignAudio.clip_id == AudioClip.id)
        .where(CampaignAudio.campaign_id == row.campaign_id, CampaignAudio.language == row.language)
    )
    phrases = dict(
        session.execute(
            select(VoicePrompt.phrase, AudioClip.sha256)
            .join(AudioClip, AudioClip.id == VoicePrompt.clip_id)
            .where(VoicePrompt.language == row.language, VoicePrompt.phrase.in_(PROMPT_PHRASES))
        ).all()
    )
    if announcement is None or set(phrases) != set(PROMPT_PHRASES):
        return None
    return CallAudio(row.language, announcement, phrases)


def opening_step(session: Session, outbox_id: int, policy: CallFlowPolicy) -> CallStep:
    """What the call plays when answered: the announcement, then the prompt of round 1."""
    audio = call_audio(session, outbox_id)
    if audio is None:
        return HANG_UP
    return CallStep(((audio.announcement, policy.announcement_plays),), audio.phrases["press_1_to_confirm"], 1)


def answer_step(
    session: Session, outbox_id: int, round_number: int, digits: str, policy: CallFlowPolicy, now: datetime
) -> CallStep:
    """What the call plays after round `round_number`'s prompt, given the key pressed (`digits`, "" for none)."""
    audio = call_audio(session, outbox_id)
    if audio is None:
        return HANG_UP
    key = (digits or "").strip()[:1]
    if key == CONFIRM_KEY:
        confirm_call(session, outbox_id, now)
        return CallStep(((audio.phrases["thanks"], 1),), confirmed=True)
    if round_number >= policy.prompt_tries:
        return CallStep(((audio.phrases["goodbye"], 1),))
    plays = ((audio.announcement, 1),) if key == REPLAY_KEY else ()
    return CallStep(plays, audio.phrases["press_1_to_confirm"], round_number + 1)


def confirm_call(session: Session, outbox_id: int, now: datetime) -> bool:
    """Record that the recipient of voice row `outbox_id` confirmed its run (a reminder run stands for its parent);
    True when this is the first confirmation."""
    row = session.execute(
        select(OutboxMessage.contact_id, Run.id, Run.parent_run_id)
        .join(Run, Run.id == OutboxMessage.run_id)
        .where(OutboxMessage.id == outbox_id)
    ).first()
    contact = session.get(Contact, row.contact_id) if row and row.contact_id else None
    if contact is None:
        return False
    _, created = record_confirmation(session, row.parent_run_id or row.id, contact, Channel.VOICE, None, now)
    return created
