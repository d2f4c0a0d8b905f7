"""Pacing calls: at most GRIDCAST_CALL_RATE calls a second (the shared Redis limiter, on its own key) and at most
GRIDCAST_CALL_CONCURRENCY calls in progress at once, counted in the database (`active_calls`), so every worker
sees the calls of all the others. `SendLimiters` gives the sender the limiter of each channel."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from campaigns.delivery.sending import RateLimiter
from campaigns.models import Channel
from campaigns.voice.call_status import active_calls


class CallGate:
    """A RateLimiter for calls: waits for a free call slot, then for the call rate.

    The gate is held while a caller waits, so the threads of one worker take slots one at a time; workers in other
    processes may together overshoot the limit by the calls they are placing at that very moment.
    """

    def __init__(
        self,
        rate: RateLimiter,
        session_factory: sessionmaker[Session],
        max_concurrent: int,
        now: Callable[[], datetime],
        poll_seconds: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.rate = rate
        self._session_factory = session_factory
        self.max_concurrent = max_concurrent
        self._now = now
        self._poll = poll_seconds
        self._sleep = sleep
        self._lock = threading.Lock()
        self.waits = 0

    def acquire(self) -> None:
        with self._lock:
            while self._active() >= self.max_concurrent:
                self.waits += 1
                self._sleep(self._poll)
            self.rate.acquire()

    def slow_down(self, seconds: float) -> None:
        self.rate.slow_down(seconds)

    def _active(self) -> int:
        with self._session_factory() as session:
            return active_calls(session, self._now())


class SendLimiters:
    """The limiter of SMS (`acquire`/`slow_down` themselves) and of calls (`for_channel("voice")`)."""

    def __init__(self, sms: RateLimiter, voice: RateLimiter):
        self.sms = sms
        self.voice = voice

    def for_channel(self, channel: str) -> RateLimiter:
        return self.voice if channel == Channel.VOICE else self.sms

    def acquire(self) -> None:
        self.sms.acquire()

    def slow_down(self, seconds: float) -> None:
        self.sms.slow_down(seconds)
