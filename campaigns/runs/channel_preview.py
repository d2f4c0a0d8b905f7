"""The preview's figures for the channels that are not SMS: voice calls (who is called in which language, call
minutes, the call rate, cost and duration) and loudspeakers (grids and speakers that play the announcement).

A call plays its announcement `plays` times, then the "press 1" prompt; each started minute is billed. Calls start
at the call rate (1 a second by default, not the SMS rate), and at most `max_concurrent` are in progress at once,
so long calls go slower than the rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import Select, and_, false, func, or_, select
from sqlalchemy.orm import Session

from campaigns.broadcasts.audiences import audience_select, reaches_by
from campaigns.models import AudioClip, Campaign, CampaignAudio, Channel, Contact, Grid, Speaker, VoicePrompt
from campaigns.models.grid import subtree_bounds
from campaigns.runs.preview_results import CallLanguage, LoudspeakerFigures, VoiceFigures
from campaigns.voice.audio_readiness import heard_language_expr, languages_with_audio

PROMPT_AFTER_ANNOUNCEMENT = "press_1_to_confirm"


@dataclass(frozen=True)
class CallPricing:
    """What the voice figures need from the settings."""

    rate_per_second: float
    price_per_minute: float
    announcement_plays: int
    max_concurrent: int


def voice_figures(session: Session, campaign: Campaign, pricing: CallPricing) -> VoiceFigures | None:
    """People called per language with the length of each call, call minutes, rate, cost and duration; None
    when the campaign makes no calls."""
    if Channel.VOICE not in campaign.channels:
        return None
    heard = heard_language_expr(campaign, languages_with_audio(session, campaign.id))
    listeners = dict(
        session.execute(
            audience_select(session, campaign.audience, heard, func.count(Contact.id))
            .where(reaches_by(Channel.VOICE), heard.is_not(None))
            .group_by(heard)
        ).all()
    )
    announcement = _durations_ms(session, select(CampaignAudio.language, AudioClip.duration_ms)
                                 .join(AudioClip, AudioClip.id == CampaignAudio.clip_id)
                                 .where(CampaignAudio.campaign_id == campaign.id))  # fmt: skip
    prompt = _durations_ms(session, select(VoicePrompt.language, AudioClip.duration_ms)
                           .join(AudioClip, AudioClip.id == VoicePrompt.clip_id)
                           .where(VoicePrompt.phrase == PROMPT_AFTER_ANNOUNCEMENT))  # fmt: skip
    rows: list[CallLanguage] = []
    for language, count in sorted(listeners.items()):
        seconds = (announcement.get(language, 0) * pricing.announcement_plays + prompt.get(language, 0)) / 1000
        rows.append(
            {
                "language": language,
                "recipients": count,
                "seconds_per_call": round(seconds, 1),
                "minutes_per_call": max(1, math.ceil(seconds / 60)),
            }
        )
    recipients = sum(row["recipients"] for row in rows)
    minutes = sum(row["recipients"] * row["minutes_per_call"] for row in rows)
    call_seconds = sum(row["recipients"] * row["seconds_per_call"] for row in rows)
    rate = pricing.rate_per_second
    if call_seconds and recipients:
        rate = min(rate, pricing.max_concurrent / (call_seconds / recipients))
    unreachable = session.scalar(
        audience_select(session, campaign.audience, func.count()).where(~reaches_by(Channel.VOICE))
    )
    return {
        "recipients": recipients,
        "by_language": rows,
        "without_reachable_channel": unreachable,
        "call_minutes": minutes,
        "estimated_cost": round(minutes * pricing.price_per_minute, 2),
        "call_rate_per_second": round(rate, 2),
        "estimated_seconds": round(recipients / rate, 1) if rate else 0.0,
    }


def _durations_ms(session: Session, query: Select[str, int]) -> dict[str, int]:
    return {language: duration or 0 for language, duration in session.execute(query)}


def loudspeaker_figures(session: Session, campaign: Campaign) -> LoudspeakerFigures | None:
    """The speakers in the audience's grids (and below) that will play the announcement, the grids they stand
    in, and how many times a day each plays it (None: at the speaker's own play slots); None without loudspeakers."""
    if Channel.LOUDSPEAKER not in campaign.channels:
        return None
    paths = session.scalars(select(Grid.path).where(Grid.id.in_(campaign.audience.get("grid_ids") or []))).all()
    under = or_(false(), *(and_(Grid.path >= low, Grid.path < high) for low, high in map(subtree_bounds, paths)))
    speakers, grids = session.execute(
        select(func.count(Speaker.id), func.count(func.distinct(Speaker.grid_id)))
        .join(Grid, Grid.id == Speaker.grid_id)
        .where(under)
    ).one()
    policy = campaign.loudspeaker or {}
    play_at = policy.get("play_at") or []
    return {
        "speakers": speakers,
        "grids": grids,
        "times": policy.get("times", 1),
        "play_at": play_at,
        "plays_per_day": len(play_at) * policy.get("times", 1) if play_at else None,
        "valid_hours": policy.get("valid_hours"),
    }
