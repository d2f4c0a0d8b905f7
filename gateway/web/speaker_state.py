"""Per-app state of the speaker endpoints: the Redis feed cache, pending heartbeats and when to write them.

Feeds are cached in Redis under the SHA-256 of the speaker's token, so a poll that changes nothing needs no
database: one Lua call reads the speaker's id and ETag and, on a hit, notes the poll time in a Redis hash of
pending heartbeats. Each cached feed carries the feed version it was rendered at (workers/feed_version.py: bumped
after every commit that touches campaigns, runs, audio or grids); an entry of an older version is a miss. Entries
also expire (after GRIDCAST_SPEAKER_FEED_CACHE_SECONDS, never past the moment the first announcement expires), and
staff edits of a speaker drop its entry. Every 15 s (per process), and before staff read speakers, the pending
heartbeats are taken from Redis atomically and written to `speakers.last_seen_at` in one statement. Redis errors
read as a miss, and heartbeats then go straight to the database, at most once a minute per speaker and process.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, current_app
from redis import Redis, RedisError
from redis.exceptions import NoScriptError

from gateway.runtime import current_runtime
from gateway.web.session import after_commit
from workers.feed_version import FEED_VERSION_KEY

log = logging.getLogger(__name__)

CACHE_PREFIX = "gridcast:speaker-feed:"
SEEN_KEY = "gridcast:speaker-seen"
HEARTBEAT_FLUSH_SECONDS = 15.0
HEARTBEAT_WRITE_SECONDS = 60.0

LOOKUP_AND_MARK_SEEN = """
local current = redis.call('GET', KEYS[3]) or '0'
local found = redis.call('HMGET', KEYS[1], 'speaker_id', ARGV[1], 'version')
if found[1] and found[2] and found[3] == current then
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
  return {found[1], found[2]}
end
return {false, false}
"""
TAKE_ALL = """
local all = redis.call('HGETALL', KEYS[1])
redis.call('DEL', KEYS[1])
return all
"""
SCRIPT_SHAS = {source: hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()
               for source in (LOOKUP_AND_MARK_SEEN, TAKE_ALL)}  # fmt: skip


@dataclass(frozen=True)
class RenderedFeed:
    """Both representations of one speaker's feed, with their ETags (quoted, ready for the header)."""

    speaker_id: int
    bodies: dict[str, bytes]
    etags: dict[str, str]


class FeedCache:
    """Rendered feeds and pending heartbeats in Redis (see the module docstring)."""

    def __init__(self, redis: Callable[[], Redis]):
        self._redis = redis

    def _run(self, source: str, keys: list[str], args: list[str]):
        """EVALSHA, loading the script on a NOSCRIPT answer (redis-py's Script wrapper costs twice the CPU)."""
        sha = SCRIPT_SHAS[source]
        try:
            return self._redis().evalsha(sha, len(keys), *keys, *args)
        except NoScriptError:
            self._redis().script_load(source)
            return self._redis().evalsha(sha, len(keys), *keys, *args)

    def lookup(self, token_hash: str, fmt: str, now: float) -> tuple[int, str] | None:
        """The cached speaker id and ETag of `fmt` for this token, noting the poll at `now` (epoch seconds)."""
        try:
            found = self._run(
                LOOKUP_AND_MARK_SEEN,
                [CACHE_PREFIX + token_hash, SEEN_KEY, FEED_VERSION_KEY],
                [f"etag_{fmt}", token_hash, repr(now)],
            )
        except RedisError:
            log.warning("speaker feed cache unavailable", exc_info=True)
            return None
        speaker_id, etag = found
        if not speaker_id or not etag:
            return None
        return int(speaker_id), etag.decode()

    def version(self) -> str:
        """The current feed version (read before rendering, stored with the rendered feed); "0" when unset."""
        try:
            return (self._redis().get(FEED_VERSION_KEY) or b"0").decode()
        except RedisError:
            return "unavailable"

    def body(self, token_hash: str, fmt: str) -> bytes | None:
        try:
            return self._redis().hget(CACHE_PREFIX + token_hash, f"body_{fmt}")
        except RedisError:
            return None

    def store(self, token_hash: str, feed: RenderedFeed, version: str, ttl_seconds: float) -> None:
        if ttl_seconds < 0.001 or version == "unavailable":
            return
        fields: dict[str, str | bytes | int] = {"speaker_id": feed.speaker_id, "version": version}
        for fmt, content in feed.bodies.items():
            fields[f"etag_{fmt}"], fields[f"body_{fmt}"] = feed.etags[fmt], content
        key = CACHE_PREFIX + token_hash
        try:
            pipeline = self._redis().pipeline(transaction=True)
            pipeline.delete(key).hset(key, mapping=fields).pexpire(key, int(ttl_seconds * 1000)).execute()
        except RedisError:
            log.warning("speaker feed cache unavailable", exc_info=True)

    def forget(self, *token_hashes: str) -> None:
        try:
            self._redis().delete(*(CACHE_PREFIX + token_hash for token_hash in token_hashes))
        except RedisError:
            log.warning("could not drop cached speaker feeds; they expire on their own", exc_info=True)

    def mark_seen(self, seen: dict[str, float]) -> bool:
        """Note polls (token hash -> epoch seconds) as pending heartbeats; False when Redis is unavailable."""
        try:
            self._redis().hset(SEEN_KEY, mapping={token_hash: repr(at) for token_hash, at in seen.items()})
        except RedisError:
            return False
        return True

    def take_seen(self) -> dict[str, float]:
        """The pending heartbeats, removed from Redis in the same step."""
        try:
            flat = self._run(TAKE_ALL, [SEEN_KEY], [])
        except RedisError:
            log.warning("pending speaker heartbeats unavailable", exc_info=True)
            return {}
        return {flat[i].decode(): float(flat[i + 1]) for i in range(0, len(flat), 2)}


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
