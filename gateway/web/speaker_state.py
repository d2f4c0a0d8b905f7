"""Per-app state of the speaker endpoints: the Redis feed cache (gateway/web/feed_cache.py), pending heartbeats
and when to write them.

Every 15 s (per process), and before staff read speakers, the pending heartbeats are taken from Redis atomically and
written to `speakers.last_seen_at` in one statement. When Redis is unavailable, heartbeats go straight to the
database, at most once a minute per speaker and process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

from flask import Flask, current_app
from redis import Redis

from gateway.runtime import current_runtime
from gateway.web.feed_cache import FeedCache
from gateway.web.session import after_commit

HEARTBEAT_FLUSH_SECONDS = 15.0
HEARTBEAT_WRITE_SECONDS = 60.0


class Every:
    """True at most once per `seconds` (per key), in this process."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._last: dict[object, float] = {}
        self._lock = threading.Lock()

    def due(self, key: object = None) -> bool:
        now = time.monotonic()
        with self._lock:
            last = self._last.get(key)
            if last is not None and now - last < self.seconds:
                return False
            self._last[key] = now
            return True


class SpeakerState:
    def __init__(self, redis: Callable[[], Redis]):
        self.cache = FeedCache(redis)
        self.flush_timer = Every(HEARTBEAT_FLUSH_SECONDS)
        self.direct_heartbeats = Every(HEARTBEAT_WRITE_SECONDS)


def state_of(app: Flask) -> SpeakerState:
    """The app's speaker state, made on first use."""
    state = app.extensions.get("gridcast_speakers")
    if state is None:
        state = app.extensions["gridcast_speakers"] = SpeakerState(app.extensions["gridcast"].redis)
    return state


def speaker_state() -> SpeakerState:
    return state_of(current_app)


def forget_speaker_feeds(*token_hashes: str) -> None:
    """Drop the cached feeds of these token hashes once the request's transaction commits."""
    cache = speaker_state().cache
    after_commit(lambda: cache.forget(*token_hashes))


def speaker_silent_after() -> timedelta:
    """How long a speaker may stay silent before it is flagged (GRIDCAST_SPEAKER_SILENT_AFTER_MINUTES)."""
    return timedelta(minutes=current_runtime().settings.speaker_silent_after_minutes)
