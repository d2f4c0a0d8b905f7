"""The preview staff see before launching: recipients by grid and language, who cannot be reached, SMS encoding
and segments per language, total segments, estimated cost and duration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.access import Actor
from campaigns.audiences import audience_select, reaches_by
from campaigns.audio_readiness import audio_blockers, audio_preview
from campaigns.campaign_service import load_campaign
from campaigns.models import Campaign, Contact, Grid
from campaigns.recipients import language_expr, recipients_select
from campaigns.route_eta import Route, sms_eta
from campaigns.sms_segments import count_segments
from campaigns.templates import has_placeholders, render
from campaigns.voice_campaigns import prompt_blockers


@dataclass(frozen=True)
class Pricing:
    """What the preview needs from the settings: price per SMS segment and the configured send rate."""

    price_per_segment: float
    currency: str
    rate_per_second: float
    routes: tuple[Route, ...] = ()  # (prefix, channel, rate) per SMS route: the ETA uses each channel's own rate


def preview_campaign(session: Session, actor: Actor, campaign_id: int, pricing: Pricing) -> dict[str, Any]:
    """Everything a coordinator should see before pressing launch; `blocking` lists what prevents a launch."""
    campaign = load_campaign(session, actor, campaign_id)
    language = language_expr(campaign)
    by_language = dict(
        session.execute(
            recipients_select(session, campaign, "sms", language, func.count(Contact.id)).group_by(language)
        ).all()
    )
    no_channel = session.scalar(audience_select(session, campaign.audience, func.count()).where(~reaches_by("sms")))
    missing_text = dict(
        session.execute(
            audience_select(session, campaign.audience, Contact.language, func.count())
            .where(reaches_by("sms"), language.is_(None))
            .group_by(Contact.language)
        ).all()
    )
    fallback_count = 0
    if campaign.fallback_language:
        fallback_count = session.scalar(
            recipients_select(session, campaign, "sms", func.count()).where(
                Contact.language.not_in(list(campaign.texts))
            )
        )
    languages = [_language_row(session, campaign, lang, count) for lang, count in sorted(by_language.items())]
    total = sum(by_language.values())
    segments = sum(row["segments_total"] for row in languages)
    blocking = (
        _blocking(session, campaign, missing_text, total)
        + audio_blockers(session, campaign)
        + prompt_blockers(session, campaign)
    )
    return {
        "campaign_id": campaign.id,
        "recipients": total,
        "by_language": languages,
        "by_grid": _by_grid(session, campaign),
        "fallback_language": campaign.fallback_language,
        "fallback_recipients": fallback_count,
        "without_reachable_channel": no_channel,
        "without_text": missing_text,
        "segments_total": segments,
        "estimated_cost": round(segments * pricing.price_per_segment, 2),
        "currency": pricing.currency,
        **sms_eta(session, campaign, total, pricing.routes or (("*", "sms", pricing.rate_per_second),)),
        "audio": audio_preview(session, campaign),
        "blocking": blocking,
    }


def launch_blockers(session: Session, campaign: Campaign) -> list[str]:
    """Why the campaign cannot launch: languages without a text (and no fallback), nobody reachable, or (for
    voice and loudspeakers) listeners whose language has no audio and no fallback audio."""
    missing = dict(
        session.execute(
            audience_select(session, campaign.audience, Contact.language, func.count())
            .where(reaches_by("sms"), language_expr(campaign).is_(None))
            .group_by(Contact.language)
        ).all()
    )
    reachable = session.scalar(recipients_select(session, campaign, "sms", func.count()))
    return (
        _blocking(session, campaign, missing, reachable)
        + audio_blockers(session, campaign)
        + prompt_blockers(session, campaign)
    )


REACHED_BY = {"sms": "SMS", "voice": "voice call"}


def _blocking(session: Session, campaign: Campaign, missing_text: dict[str, int], sms_reachable: int) -> list[str]:
    """Texts missing for the SMS, and nobody reachable on any of the campaign's channels to people (SMS, calls); a
    loudspeaker-only campaign reaches villages, not people."""
    blocking = []
    if "sms" in campaign.channels:
        blocking += [
            f"{count} contacts speak {lang} and the campaign has no text for it and no fallback"
            for lang, count in sorted(missing_text.items())
        ]
    channels = [channel for channel in REACHED_BY if channel in campaign.channels]
    reachable = sms_reachable if "sms" in channels else 0
    if "voice" in channels and not reachable:
        reachable = session.scalar(audience_select(session, campaign.audience, func.count()).where(reaches_by("voice")))
    if channels and not reachable:
        blocking.append("nobody in the audience can be reached by " + " or ".join(REACHED_BY[c] for c in channels))
    return blocking


def _language_row(session: Session, campaign: Campaign, lang: str, count: int) -> dict[str, Any]:
    text = campaign.texts[lang]
    shape = count_segments(text)
    if not has_placeholders(text):
        total = shape.segments * count
    else:
        rows = session.execute(
            recipients_select(session, campaign, "sms", Contact.name, Grid.name).where(language_expr(campaign) == lang)
        ).yield_per(5000)
        counts = [count_segments(render(text, name=name, grid=grid)).segments for name, grid in rows]
        total = sum(counts)
        shape = count_segments(render(text, name="", grid=""))
    return {
        "language": lang,
        "recipients": count,
        "encoding": shape.encoding,
        "segments_per_message": shape.segments if not has_placeholders(text) else None,
        "segments_total": total,
    }


def _by_grid(session: Session, campaign: Campaign) -> list[dict[str, Any]]:
    """Recipients under each chosen grid, broken down by its child grids (a township by village)."""
    per_path = dict(
        session.execute(recipients_select(session, campaign, "sms", Grid.path, func.count()).group_by(Grid.path)).all()
    )

    def under(path: str) -> int:
        return sum(count for leaf, count in per_path.items() if leaf.startswith(path))

    rows = []
    for grid in session.scalars(select(Grid).where(Grid.id.in_(campaign.audience["grid_ids"])).order_by(Grid.path)):
        children = session.scalars(select(Grid).where(Grid.parent_id == grid.id).order_by(Grid.code)).all()
        rows.append(
            {
                "grid_id": grid.id,
                "code": grid.code,
                "name": grid.name,
                "recipients": under(grid.path),
                "children": [
                    {"grid_id": child.id, "code": child.code, "name": child.name, "recipients": under(child.path)}
                    for child in children
                ],
            }
        )
    return rows
