"""What a sending job needs beyond the database: the SMS channel, the shared rate limiter and the send policy,
built once per worker process from the composition root's settings."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime

from campaigns.channels.base import SmsChannel
from campaigns.channels.factory import build_sms_channel, status_callback_url
from campaigns.models.base import utcnow
from campaigns.sending import SendPolicy
from campaigns.settings import Settings
from workers.composition import services
from workers.connections import connect_redis
from workers.rate_limit import RedisRateLimiter


@dataclass
class SendingServices:
    """Channel, limiter and policy of this worker process."""

    channel: SmsChannel
    limiter: RedisRateLimiter
    policy: SendPolicy
    pid: int


_cache: SendingServices | None = None


def now() -> datetime:
    return utcnow()


def send_policy(settings: Settings) -> SendPolicy:
    return SendPolicy(
        max_attempts=settings.max_attempts,
        lease_seconds=settings.lease_seconds,
        claim_size=max(10, min(settings.send_batch_size, int(settings.sms_rate_per_second * 10) or 10)),
        concurrency=settings.send_concurrency,
        status_callback_url=status_callback_url(settings),
    )


def sending_services() -> SendingServices:
    """Build (once per process, again after a fork) the channel, the limiter and the policy."""
    global _cache
    if _cache is not None and _cache.pid == os.getpid():
        return _cache
    base = services()
    settings = base.settings
    channel = build_sms_channel(settings, base.session_factory, now)
    limiter = RedisRateLimiter(connect_redis(settings), f"sms:{channel.name}", settings.sms_rate_per_second)
    _cache = SendingServices(channel=channel, limiter=limiter, policy=send_policy(settings), pid=os.getpid())
    return _cache
