"""What a sending job needs beyond the database: the SMS channel, the shared rate limiter and the send policy, built
from the settings (the composition root, workers/composition.py, builds them once per process)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from redis import Redis
from sqlalchemy.orm import Session, sessionmaker

from campaigns.channels.base import RateLimiter, SmsAndVoiceChannel
from campaigns.channels.routing import RoutedChannel, Unpaced
from campaigns.common.settings import Settings
from campaigns.delivery.sending import SendLimiters, SendPolicy
from campaigns.models.base import utcnow
from workers.call_gate import CallGate
from workers.channel_factory import build_sms_channel, call_urls, status_callback_url, with_calls
from workers.rate_limit import RedisRateLimiter


@dataclass
class SendingServices:
    """Channel, limiter and policy of this worker process."""

    channel: SmsAndVoiceChannel
    limiter: RateLimiter  # Unpaced when a RoutedChannel paces each of its channels itself
    policy: SendPolicy


def now() -> datetime:
    return utcnow()


def slowest_rate(settings: Settings) -> float:
    """The send rate of the slowest SMS channel in use: rows claimed at once must be sent before their lease ends."""
    return min(settings.sms_rate_for(channel) for _, channel in settings.sms_route_table)


def send_policy(settings: Settings) -> SendPolicy:
    return SendPolicy(
        max_attempts=settings.max_attempts,
        lease_seconds=settings.lease_seconds,
        claim_size=max(10, min(settings.send_batch_size, int(slowest_rate(settings) * 10) or 10)),
        concurrency=settings.send_concurrency,
        status_callback_url=status_callback_url(settings),
        call_urls=call_urls(settings),
        call_claim_size=max(1, int(settings.call_rate_per_second * settings.lease_seconds / 2)),
        hold_routine_in_alert_area=settings.alert_holds_routine,
    )


def build_sending_services(settings: Settings, session_factory: sessionmaker[Session], redis: Redis) -> SendingServices:
    """The channel (calls attached), the limiters (shared through `redis` by every worker) and the send policy."""

    def limiter_for(name: str) -> RedisRateLimiter:
        return RedisRateLimiter(redis, f"sms:{name}", settings.sms_rate_for(name))

    channel = build_sms_channel(settings, session_factory, now, limiter_for)
    sms_limiter = Unpaced() if isinstance(channel, RoutedChannel) else limiter_for(channel.name)
    sms_and_voice = with_calls(channel, settings, session_factory, now)
    calls = RedisRateLimiter(redis, "voice:calls", settings.call_rate_per_second)
    limiter = SendLimiters(sms_limiter, CallGate(calls, session_factory, settings.max_concurrent_calls, now))
    return SendingServices(channel=sms_and_voice, limiter=limiter, policy=send_policy(settings))
