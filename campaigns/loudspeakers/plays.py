"""A loudspeaker's recent plays as staff read them: which announcement (run and campaign), when, how many times.

The speaker is loaded through `speakers.load_speaker`, so a speaker outside the caller's scope reads as not found.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.identity.access import Actor
from campaigns.loudspeakers.terminals import load_speaker
from campaigns.models import Campaign, Run, SpeakerPlay

RECENT_PLAYS = 20


def recent_plays(session: Session, actor: Actor, speaker_id: int, limit: int = RECENT_PLAYS) -> list[dict[str, Any]]:
    """The speaker's last `limit` plays, newest first, each with its announcement's campaign name."""
    speaker = load_speaker(session, actor, speaker_id)
    rows = session.execute(
        select(SpeakerPlay, Campaign.id, Campaign.name)
        .join(Run, Run.id == SpeakerPlay.run_id)
        .join(Campaign, Campaign.id == Run.campaign_id)
        .where(SpeakerPlay.speaker_id == speaker.id)
        .order_by(SpeakerPlay.played_at.desc(), SpeakerPlay.id.desc())
        .limit(limit)
    ).all()
    return [
        {
            "announcement_id": play.run_id,
            "campaign_id": campaign_id,
            "campaign_name": name,
            "language": play.language,
            "played_at": play.played_at.isoformat(),
            "times": play.times,
        }
        for play, campaign_id, name in rows
    ]
