"""How long a campaign's SMS take when numbers are routed to channels of different speeds (a GSM modem behind
Kannel sends about one message a second, Twilio tens): the preview's estimate per channel and overall."""

from __future__ import annotations

from sqlalchemy import case, func
from sqlalchemy.orm import Session

from campaigns.common.settings import Settings
from campaigns.models import Campaign, Channel, Contact
from campaigns.runs.preview_results import ChannelEta, SmsEta
from campaigns.runs.recipients import recipients_select

Route = tuple[str, str, float]  # (E.164 prefix or "*", channel, messages per second)


def route_rates(settings: Settings) -> tuple[Route, ...]:
    """The deployment's SMS routes with the send rate of each route's channel."""
    return tuple((prefix, channel, settings.sms_rate_for(channel)) for prefix, channel in settings.sms_route_table)


def sms_eta(session: Session, campaign: Campaign, recipients: int, routes: tuple[Route, ...]) -> SmsEta:
    """Recipients, rate and seconds per channel; the channels send side by side, so the run takes as long as the
    slowest, and the overall rate is recipients over that time."""
    rates = {channel: rate for _, channel, rate in routes}
    if len(rates) == 1:
        counts = {next(iter(rates)): recipients}
    else:
        counts = dict(session.execute(_count_by_channel(session, campaign, routes)).all())
    by_channel: list[ChannelEta] = [
        {
            "channel": channel,
            "recipients": counts.get(channel, 0),
            "send_rate_per_second": rate,
            "estimated_seconds": round(counts.get(channel, 0) / rate, 1),
        }
        for channel, rate in rates.items()
    ]
    seconds = max(row["estimated_seconds"] for row in by_channel)
    single = len(rates) == 1
    return {
        "send_rate_per_second": by_channel[0]["send_rate_per_second"] if single else _overall(recipients, seconds),
        "estimated_seconds": seconds,
        "by_channel": by_channel,
    }


def _count_by_channel(session: Session, campaign: Campaign, routes: tuple[Route, ...]):
    prefixes = sorted((route for route in routes if route[0] != "*"), key=lambda route: -len(route[0]))
    fallback = next(channel for prefix, channel, _ in routes if prefix == "*")
    channel = case(*[(Contact.phone.startswith(prefix), name) for prefix, name, _ in prefixes], else_=fallback)
    return recipients_select(session, campaign, Channel.SMS, channel, func.count(Contact.id)).group_by(channel)


def _overall(recipients: int, seconds: float) -> float:
    return round(recipients / seconds, 2) if seconds else 0.0
