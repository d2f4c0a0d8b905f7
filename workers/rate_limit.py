"""A rate limiter shared by every worker: the generic cell rate algorithm (GCRA) in one Redis script.

Each sender has a key holding its "theoretical arrival time" (TAT). A send is allowed when that time is no further
ahead of now than the burst tolerance. A process books its sends in Redis ahead of time: one script call
advances the TAT by a block of send slots and answers when the first one starts; the process then sleeps until
each slot. Blocks span at most `horizon` seconds (one slot at 10/s, 20 slots at 1,000/s), so at high rates a
send costs a fraction of a Redis round trip, and slots booked but never used are at most that long. Redis's own
clock is used, so workers on different machines agree.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from redis import Redis

_RESERVE = """
local clock = redis.call('TIME')
local now = clock[1] * 1000 + clock[2] / 1000
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local count = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local next_tat = tat + interval * count
redis.call('SET', KEYS[1], tostring(next_tat), 'PX', math.ceil(next_tat - now + 60000))
return tostring(tat - tolerance - now)
"""

MAX_BLOCK = 100

_HOLD = """
local clock = redis.call('TIME')
local now = clock[1] * 1000 + clock[2] / 1000
local until_ms = now + tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if until_ms > tat then
  redis.call('SET', KEYS[1], tostring(until_ms), 'PX', math.ceil(until_ms - now + 60000))
end
return '0'
"""


class RedisRateLimiter:
    """At most `rate_per_second` acquisitions per second for one sender key, across processes."""

    def __init__(
        self,
        redis: Redis,
        key: str,
        rate_per_second: float,
        burst: int = 1,
        sleep: Callable[[float], None] = time.sleep,
        horizon: float = 0.02,
    ):
        if rate_per_second <= 0:
            raise ValueError("rate_per_second must be positive")
        self._key = f"gridcast:rate:{key}"
        self._interval_ms = 1000.0 / rate_per_second
        self._tolerance_ms = self._interval_ms * max(burst - 1, 0)
        self._block = max(1, min(MAX_BLOCK, int(horizon * rate_per_second)))
        self._reserve = redis.register_script(_RESERVE)
        self._hold = redis.register_script(_HOLD)
        self._sleep = sleep
        self._slots: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        """Block until one more send is allowed (safe from many threads)."""
        with self._lock:
            if not self._slots:
                self._book()
            slot = self._slots.popleft()
        wait = slot - time.monotonic()
        if wait > 0:
            self._sleep(wait)

    def slow_down(self, seconds: float) -> None:
        """Hold every sender sharing this key back for `seconds` (after a 429 from the provider)."""
        with self._lock:
            self._slots.clear()
        self._hold(keys=[self._key], args=[max(seconds, 0) * 1000.0])

    def _book(self) -> None:
        first_ms = float(self._reserve(keys=[self._key], args=[self._interval_ms, self._tolerance_ms, self._block]))
        booked_at = time.monotonic()
        self._slots.extend(booked_at + max(first_ms + i * self._interval_ms, 0.0) / 1000.0 for i in range(self._block))
