"""Routing numbers to SMS channels per deployment (GRIDCAST_SMS_ROUTES="+86=kannel,*=twilio"), so no campaign needs
to know which channel carries its messages.

`RoutedChannel` is itself an SmsChannel: the sender, the outbox, claiming, retries and reconciliation stay the one
engine. Each send goes to the channel of the longest matching prefix, paced by that channel's own rate limiter (a
GSM modem sends a few messages per second, Twilio hundreds), and its result names the channel, which the sender
stores in `outbox.provider`. Reconciliation asks the channel that took the row's last attempt (the current route
only when the row has none recorded; "cannot tell" when no route names that channel any more).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import datetime

from campaigns.channels.base import BaseSmsChannel, LookupResult, OutgoingSms, RateLimiter, SendResult, SmsChannel

WILDCARD = "*"


def channel_for(routes: Sequence[tuple[str, str]], phone: str) -> str:
    """The channel of the longest prefix of `routes` that `phone` starts with, else the "*" route's."""
    best, length = None, -1
    for prefix, channel in routes:
        if prefix == WILDCARD:
            if best is None:
                best = channel
        elif phone.startswith(prefix) and len(prefix) > length:
            best, length = channel, len(prefix)
    if best is None:
        raise ValueError(f"no SMS route for {phone[:4]}...: add a '*' route")
    return best


class Unpaced:
    """A rate limiter that never waits: the sender's own limiter when each route paces itself."""

    def acquire(self) -> None:
        return None

    def slow_down(self, seconds: float) -> None:
        return None


class RoutedChannel(BaseSmsChannel):
    """Several SMS channels behind one port, chosen per number; each paced by its own limiter."""

    name = "routed"

    def __init__(
        self,
        routes: Sequence[tuple[str, str]],
        channels: Mapping[str, SmsChannel],
        limiters: Mapping[str, RateLimiter] | None = None,
    ):
        missing = {channel for _, channel in routes} - set(channels)
        if missing:
            raise ValueError(f"routes name channels that were not built: {sorted(missing)}")
        self.routes = tuple(routes)
        self.channels = dict(channels)
        self.limiters = dict(limiters or {})

    def send_sms(self, message: OutgoingSms) -> SendResult:
        name = channel_for(self.routes, message.to)
        limiter = self.limiters.get(name) or Unpaced()
        limiter.acquire()
        result = self.channels[name].send_sms(message)
        if result.throttled:
            limiter.slow_down(result.retry_after or 1.0)  # only this channel's senders slow down
        return dataclasses.replace(result, provider=name, throttled=False)

    def find_sms(self, message: OutgoingSms, since: datetime) -> LookupResult:
        """Ask the channel that took the row (the current route only when none is recorded); a row taken by a
        channel no route names any more cannot be looked up: None, never a guess from another channel."""
        if message.provider and not self.holds(message.provider):
            return LookupResult(found=None)
        name = message.provider or channel_for(self.routes, message.to)
        return self.channels[name].find_sms(message, since)

    def holds(self, provider: str) -> bool:
        """Whether `provider` (an outbox row's) is one of this channel's routes."""
        return provider in self.channels

    def close(self) -> None:
        for channel in self.channels.values():
            channel.close()
