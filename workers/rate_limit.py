"""A rate limiter shared by every worker: the generic cell rate algorithm (GCRA) in one Redis script.

Each sender has a key holding its "theoretical arrival time". A send is allowed when that time is no further
ahead of now than the burst tolerance; otherwise the caller sleeps for the difference. Redis's own clock is used,
so workers on different machines agree.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from redis import Redis

_ACQUIRE = """
local clock = redis.call('TIME')
local now = clock[1] * 1000 + clock[2] / 1000
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
if tat - tolerance > now then
  return tostring(tat - tolerance - now)
end
local next_tat = tat + interval
redis.call('SET', KEYS[1], tostring(next_tat), 'PX', math.ceil(next_tat - now + 60000))
return '0'
"""

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
    ):
        if rate_per_second <= 0:
            raise ValueError("rate_per_second must be positive")
        self._key = f"gridcast:rate:{key}"
        self._interval_ms = 1000.0 / rate_per_second
        self._tolerance_ms = self._interval_ms * max(burst - 1, 0)
        self._acquire = redis.register_script(_ACQUIRE)
        self._hold = redis.register_script(_HOLD)
        self._sleep = sleep

    def acquire(self) -> None:
        """Block until one more send is allowed."""
        while True:
            wait_ms = float(self._acquire(keys=[self._key], args=[self._interval_ms, self._tolerance_ms]))
            if wait_ms <= 0:
                return
            self._sleep(wait_ms / 1000.0)

    def slow_down(self, seconds: float) -> None:
        """Hold every sender sharing this key back for `seconds` (after a 429 from the provider)."""
        self._hold(keys=[self._key], args=[max(seconds, 0) * 1000.0])
