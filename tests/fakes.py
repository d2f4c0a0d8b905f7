"""In-repo fakes for the channel and rate-limiter ports."""

from __future__ import annotations

import itertools
import threading
from datetime import datetime

from campaigns.channels.base import BaseSmsChannel, CallsInThreads, LookupResult, OutgoingCall, OutgoingSms, SendResult


class NoLimit:
    """A rate limiter that never waits, counting what it was asked."""

    def __init__(self):
        self.acquired = 0
        self.slowed: list[float] = []

    def acquire(self) -> None:
        self.acquired += 1

    def slow_down(self, seconds: float) -> None:
        self.slowed.append(seconds)


class ScriptedChannel(BaseSmsChannel, CallsInThreads):
    """A channel whose answers are scripted per phone number; every message and call is recorded. It sends many
    from a pool of threads, like any channel without an async client."""

    name = "scripted"

    def __init__(
        self,
        answers: dict[str, list[SendResult]] | None = None,
        lookups: dict[str, LookupResult] | None = None,
        name: str = "scripted",
    ):
        self.name = name
        self.answers = answers or {}
        self.lookups = lookups or {}
        self.sent: list[OutgoingSms] = []
        self.calls: list[OutgoingCall] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def send_sms(self, message: OutgoingSms) -> SendResult:
        with self._lock:
            self.sent.append(message)
            queue = self.answers.get(message.to)
            if queue:
                return queue.pop(0)
            return SendResult("accepted", provider_sid=f"SM{next(self._ids):032d}")

    def find_sms(self, message: OutgoingSms, since: datetime) -> LookupResult:
        return self.lookups.get(message.to, LookupResult(found=False))

    def place_call(self, call: OutgoingCall) -> SendResult:
        with self._lock:
            self.calls.append(call)
            queue = self.answers.get(call.to)
            if queue:
                return queue.pop(0)
            return SendResult("accepted", provider_sid=f"CA{next(self._ids):032d}")
