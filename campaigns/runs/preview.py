"""The preview staff see before launching, per channel: SMS recipients by language with encoding, segments, cost
and send time; people called with call minutes, call rate and cost (`campaigns.runs.channel_preview`); grids and
speakers reached by loudspeaker; the people reached by grid; and what blocks a launch."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.broadcasts.audiences import audience_select, reaches_by
from campaigns.broadcasts.campaign_service import load_campaign
from campaigns.broadcasts.templates import has_placeholders, render
from campaigns.common.errors import ValidationError
from campaigns.common.settings import Settings
from campaigns.common.sms_segments import count_segments
from campaigns.identity.access import Actor
from campaigns.models import Campaign, Channel, Contact, Grid
from campaigns.runs.channel_preview import CallPricing, loudspeaker_figures, voice_figures
from campaigns.runs.preview_results import CampaignPreview, GridReach, LanguageSegments, SmsFigures, VoiceFigures
from campaigns.runs.reach import people_reached, people_select
from campaigns.runs.recipients import language_expr, recipients_select
from campaigns.runs.route_eta import Route, route_rates, sms_eta
from campaigns.voice.audio_readiness import audio_blockers, audio_preview
from campaigns.voice.voice_campaigns import prompt_blockers


@dataclass(frozen=True)
class Pricing:
    """What the preview needs from the settings: SMS price per segment and send rates, call rate and price."""

    price_per_segment: float
    currency: str
    rate_per_second: float
    routes: tuple[Route, ...] = ()  # (prefix, channel, rate) per SMS route: the ETA uses each channel's own rate
    call_rate_per_second: float = 1.0
    call_price_per_minute: float = 0.0
    call_announcement_plays: int = 2
    max_concurrent_calls: int = 10


def pricing_from_settings(settings: Settings) -> Pricing:
    """The preview's prices and rates from the deployment's settings."""
    return Pricing(
        price_per_segment=settings.sms_price_per_segment,
        currency=settings.currency,
        rate_per_second=settings.sms_rate_per_second,
        routes=route_rates(settings),
        call_rate_per_second=settings.call_rate_per_second,
        call_price_per_minute=settings.call_price_per_minute,
        call_announcement_plays=settings.call_announcement_plays,
        max_concurrent_calls=settings.max_concurrent_calls,
    )


def preview_campaign(session: Session, actor: Actor, campaign_id: int, pricing: Pricing) -> CampaignPreview:
    """Everything a coordinator should see before pressing launch, channel by channel (`sms`, `voice`,
    `loudspeaker`, each None when the campaign does not use it); `people` is who the SMS and calls reach, the
    number the approval threshold is compared with; `blocking` lists what prevents a launch."""
    campaign = load_campaign(session, actor, campaign_id)
    sms = _sms_figures(session, campaign, pricing) if Channel.SMS in campaign.channels else None
    call_pricing = CallPricing(pricing.call_rate_per_second, pricing.call_price_per_minute,
                               pricing.call_announcement_plays, pricing.max_concurrent_calls)  # fmt: skip
    voice = voice_figures(session, campaign, call_pricing)
    costed: list[SmsFigures | VoiceFigures] = [figures for figures in (sms, voice) if figures is not None]
    blockers = launch_blockers(session, campaign)
    return {
        "campaign_id": campaign.id,
        "channels": campaign.channels,
        "people": people_reached(session, campaign),
        "by_grid": _by_grid(session, campaign),
        "sms": sms,
        "voice": voice,
        "loudspeaker": loudspeaker_figures(session, campaign),
        "estimated_cost": round(sum(figures["estimated_cost"] for figures in costed), 2),
        "currency": pricing.currency,
        "estimated_seconds": max((figures["estimated_seconds"] for figures in costed), default=0.0),
        "audio": audio_preview(session, campaign),
        "blocking": [reason.message for reason in blockers],
        "blocking_details": [reason.details() for reason in blockers],
    }


def _sms_figures(session: Session, campaign: Campaign, pricing: Pricing) -> SmsFigures:
    """SMS recipients by language with encoding and segments, fallback, unreachable, cost and send time."""
    language = language_expr(campaign)
    by_language = dict(
        session.execute(
            recipients_select(session, campaign, Channel.SMS, language, func.count(Contact.id)).group_by(language)
        ).all()
    )
    no_channel = session.scalar(
        audience_select(session, campaign.audience, func.count()).where(~reaches_by(Channel.SMS))
    )
    missing_text = dict(
        session.execute(
            audience_select(session, campaign.audience, Contact.language, func.count())
            .where(reaches_by(Channel.SMS), language.is_(None))
            .group_by(Contact.language)
        ).all()
    )
    fallback_count = 0
    if campaign.fallback_language:
        fallback_count = session.scalar(
            recipients_select(session, campaign, Channel.SMS, func.count()).where(
                Contact.language.not_in(list(campaign.texts))
            )
        )
    languages = [_language_row(session, campaign, lang, count) for lang, count in sorted(by_language.items())]
    total = sum(by_language.values())
    segments = sum(row["segments_total"] for row in languages)
    eta = sms_eta(session, campaign, total, pricing.routes or (("*", Channel.SMS, pricing.rate_per_second),))
    return {
        "recipients": total,
        "by_language": languages,
        "fallback_language": campaign.fallback_language,
        "fallback_recipients": fallback_count,
        "without_reachable_channel": no_channel,
        "without_text": missing_text,
        "segments_total": segments,
        "estimated_cost": round(segments * pricing.price_per_segment, 2),
        "send_rate_per_second": eta["send_rate_per_second"],
        "estimated_seconds": eta["estimated_seconds"],
        "by_channel": eta["by_channel"],
    }


def launch_blockers(session: Session, campaign: Campaign) -> list[ValidationError]:
    """Why the campaign cannot launch: languages without a text (and no fallback), nobody reachable, or (for
    voice and loudspeakers) listeners whose language has no audio and no fallback audio."""
    missing = dict(
        session.execute(
            audience_select(session, campaign.audience, Contact.language, func.count())
            .where(reaches_by(Channel.SMS), language_expr(campaign).is_(None))
            .group_by(Contact.language)
        ).all()
    )
    reachable = session.scalar(recipients_select(session, campaign, Channel.SMS, func.count()))
    return (
        _blocking(session, campaign, missing, reachable)
        + audio_blockers(session, campaign)
        + prompt_blockers(session, campaign)
    )


REACHED_BY = {Channel.SMS: "SMS", Channel.VOICE: "voice call"}


def _blocking(
    session: Session, campaign: Campaign, missing_text: dict[str, int], sms_reachable: int
) -> list[ValidationError]:
    """Texts missing for the SMS, and nobody reachable on any of the campaign's channels to people (SMS, calls); a
    loudspeaker-only campaign reaches villages, not people."""
    blocking = []
    if Channel.SMS in campaign.channels:
        blocking += [
            ValidationError.coded_plural(
                "launch.missing_text",
                "%(n)s contact speaks %(lang)s and the campaign has no text for it and no fallback",
                "%(n)s contacts speak %(lang)s and the campaign has no text for it and no fallback",
                n=count,
                lang=lang,
            )
            for lang, count in sorted(missing_text.items())
        ]
    channels = [channel for channel in REACHED_BY if channel in campaign.channels]
    reachable = sms_reachable if Channel.SMS in channels else 0
    if Channel.VOICE in channels and not reachable:
        reachable = session.scalar(
            audience_select(session, campaign.audience, func.count()).where(reaches_by(Channel.VOICE))
        )
    if channels and not reachable:
        blocking.append(
            ValidationError.coded(
                "launch.nobody_reachable",
                "nobody in the audience can be reached by %(channels)s",
                channels=[REACHED_BY[c] for c in channels],
            )
        )
    return blocking


def sms_segments_estimate(session: Session, campaign: Campaign) -> int | None:
    """The SMS segments the preview estimates for a run of the campaign now; None without SMS."""
    if Channel.SMS not in campaign.channels:
        return None
    language = language_expr(campaign)
    counts = session.execute(
        recipients_select(session, campaign, Channel.SMS, language, func.count(Contact.id)).group_by(language)
    ).all()
    return sum(_language_row(session, campaign, lang, count)["segments_total"] for lang, count in counts)


def _language_row(session: Session, campaign: Campaign, lang: str, count: int) -> LanguageSegments:
    """Recipients, encoding and segments of one language; a template is counted as each recipient receives it
    (a `{name}` filled with Chinese makes the text UCS-2), `encoding` is "mixed" when recipients differ."""
    text = campaign.texts[lang]
    if has_placeholders(text):
        rows = session.execute(
            recipients_select(session, campaign, Channel.SMS, Contact.name, Grid.name).where(
                language_expr(campaign) == lang
            )
        ).yield_per(5000)
        encodings: dict[str, int] = {}
        total = 0
        for name, grid in rows:
            shape = count_segments(render(text, name=name, grid=grid))
            encodings[shape.encoding] = encodings.get(shape.encoding, 0) + 1
            total += shape.segments
        per_message = None
    else:
        shape = count_segments(text)
        encodings, total, per_message = {shape.encoding: count}, shape.segments * count, shape.segments
    return {
        "language": lang,
        "recipients": count,
        "encoding": next(iter(encodings)) if len(encodings) == 1 else "mixed",
        "encodings": dict(sorted(encodings.items())),
        "segments_per_message": per_message,
        "segments_total": total,
    }


def _by_grid(session: Session, campaign: Campaign) -> list[GridReach]:
    """People reached by SMS or call under each chosen grid, broken down by its child grids (a township by village)."""
    per_path = dict(
        session.execute(people_select(session, campaign, Grid.path, func.count()).group_by(Grid.path)).all()
    )

    def under(path: str) -> int:
        return sum(count for leaf, count in per_path.items() if leaf.startswith(path))

    rows: list[GridReach] = []
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
