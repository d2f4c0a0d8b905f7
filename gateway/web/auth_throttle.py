"""A per-address limit on failed token authentications (API bearer tokens and loudspeaker tokens).

Every request whose token is refused counts one failure for the caller's address; successes are not counted.
Once an address has GRIDCAST_AUTH_FAILURES_PER_MINUTE failures in the current minute (a fixed window that starts
with its first failure), every token request from it is answered 429 with Retry-After until the window ends,
before any token is checked, so guessing cannot go faster than that. The counters live in Redis (shared by every
web process); when Redis cannot be reached each process counts on its own, in memory.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from flask import current_app, request
from redis import Redis, RedisError
from werkzeug.exceptions import TooManyRequests

log = logging.getLogger(__name__)
T = TypeVar("T")

KEY_PREFIX = "gridcast:auth-failures:"
WINDOW_SECONDS = 60
COUNT_FAILURE = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


def failures_key(address: str) -> str:
    """The Redis counter of the address's failed token checks in the current window."""
    return KEY_PREFIX + address


class AuthenticationThrottled(TooManyRequests):
    """Too many failed token authentications from this address; Retry-After says when to try again."""

    def __init__(self, retry_after: int):
        super().__init__(
            f"too many failed authentications from this address: try again in {retry_after} s",
            retry_after=retry_after,
        )


class FailureThrottle:
    """Failed authentications per address in the current window: in Redis, or in memory when Redis is down."""

    def __init__(
        self, redis: Callable[[], Redis], limit: int, window: int = WINDOW_SECONDS, clock=time.monotonic
    ) -> None:
        self._redis, self.limit, self.window, self._clock = redis, limit, window, clock
        self._local: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def retry_after(self, address: str) -> int | None:
        """Seconds until `address` may try again, or None when it is not blocked."""
        key = failures_key(address)
        try:
            pipeline = self._redis().pipeline(transaction=False)
            count, ttl = pipeline.get(key).ttl(key).execute()
        except RedisError:
            count, ttl = self._local_state(address)
        return self.blocked_for(count, ttl)

    def blocked_for(self, count: bytes | int | None, ttl: float) -> int | None:
        """Seconds until an address with `count` failures in a window that ends in `ttl` seconds may try again (the
        counter's GET and TTL, read together), or None when it is not blocked."""
        if count is None or int(count) < self.limit:
            return None
        return max(int(ttl), 1)

    def record_failure(self, address: str) -> None:
        """Count one failed authentication of `address`."""
        try:
            self._redis().eval(COUNT_FAILURE, 1, failures_key(address), self.window)
        except RedisError:
            log.warning("authentication throttle: Redis unavailable, counting in this process", exc_info=True)
            with self._lock:
                started, count = self._local.get(address, (self._clock(), 0))
                if self._clock() - started >= self.window:
                    started, count = self._clock(), 0
                self._local[address] = (started, count + 1)

    def _local_state(self, address: str) -> tuple[int | None, float]:
        with self._lock:
            started, count = self._local.get(address, (0.0, 0))
            left = self.window - (self._clock() - started)
            return (count, left) if left > 0 else (None, 0)


def auth_throttle() -> FailureThrottle:
    """The app's throttle, made on first use."""
    throttle = current_app.extensions.get("gridcast_auth_throttle")
    if throttle is None:
        runtime = current_app.extensions["gridcast"]
        limit = runtime.settings.auth_failures_per_minute
        throttle = current_app.extensions["gridcast_auth_throttle"] = FailureThrottle(runtime.redis, limit)
    return throttle


def refuse_if_blocked() -> None:
    """AuthenticationThrottled (429) while the request's address is blocked."""
    retry_after = auth_throttle().retry_after(request.remote_addr or "")
    if retry_after is not None:
        raise AuthenticationThrottled(retry_after)


def refuse_if_counted_over(count: bytes | int | None, ttl: float) -> None:
    """AuthenticationThrottled (429) when the address's failure counter, already read from Redis (its GET and TTL)
    with other keys in one call, says it is blocked."""
    retry_after = auth_throttle().blocked_for(count, ttl)
    if retry_after is not None:
        raise AuthenticationThrottled(retry_after)


def count_failure(authenticate: Callable[[], T], failure: type[Exception]) -> T:
    """Run `authenticate`; a `failure` it raises is counted against the request's address before it propagates.
    For a caller that has already refused blocked addresses; otherwise use `check_token`."""
    try:
        return authenticate()
    except failure:
        auth_throttle().record_failure(request.remote_addr or "")
        raise


def check_token(authenticate: Callable[[], T], failure: type[Exception]) -> T:
    """Run `authenticate` for the request's address: refused with 429 while the address is blocked, and a
    `failure` it raises is counted before it propagates."""
    refuse_if_blocked()
    return count_failure(authenticate, failure)
