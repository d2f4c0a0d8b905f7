"""The loudspeaker feed cache in Redis: each speaker's rendered feeds, the feed items speakers share, pending
heartbeats.

A speaker's entry is a hash under the SHA-256 of its token, stamped with the feed version it was rendered at
(workers/feed_version.py: bumped after every commit that touches campaigns, runs, audio or grids); an entry of an
older version is a miss. It holds the body and ETag of each format rendered so far at that version (a poll renders
only the format it asks for; a render at another version replaces the entry). An entry expires after
GRIDCAST_SPEAKER_FEED_CACHE_SECONDS, and never outlives the first expiry of anything in it; staff edits of a speaker
drop it. One Lua call answers a poll: the entry's ETag (and body, for the route), the current feed version and the
failed token checks of the caller's address, noting the poll as a pending heartbeat on a hit.

Feed items (feed v1's announcements, feed v2's signed items) depend only on the data, the time and a speaker's grid,
languages and play slots (`campaigns.loudspeakers.feed.items_audience`), so they are also kept per feed version and
audience (with the deployment's audio URL, time zone and signing key): the speakers of one village render their
feeds from one set of items. A render stores the speaker's entry, the items it rendered and the poll's heartbeat in
one round trip.

Redis errors read as a miss (the feed is rendered from the database) and are logged; nothing is kept then.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from redis import Redis, RedisError
from redis.client import Pipeline
from redis.exceptions import NoScriptError

from gateway.web.auth_throttle import failures_key
from workers.feed_version import FEED_VERSION_KEY

log = logging.getLogger(__name__)

CACHE_PREFIX = "gridcast:speaker-feed:"
ITEMS_PREFIX = "gridcast:speaker-feed-items:"
SEEN_KEY = "gridcast:speaker-seen"
UNAVAILABLE = "unavailable"  # the feed version when Redis cannot be reached: nothing is cached then

LOOKUP_AND_MARK_SEEN = """
local current = redis.call('GET', KEYS[3]) or '0'
local failures, failures_ttl = redis.call('GET', KEYS[4]), redis.call('TTL', KEYS[4])
local found = redis.call('HMGET', KEYS[1], 'speaker_id', ARGV[1], 'version', ARGV[4])
if found[1] and found[2] and found[3] == current then
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
  return {current, failures, failures_ttl, found[1], found[2], found[4]}
end
return {current, failures, failures_ttl}
"""
STORE = """
if redis.call('HGET', KEYS[1], 'version') ~= ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('HSET', KEYS[1], 'version', ARGV[1], 'speaker_id', ARGV[2], unpack(ARGV, 4))
local left = redis.call('PTTL', KEYS[1])
if left < 0 or tonumber(ARGV[3]) < left then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return 1
"""
TAKE_ALL = """
local all = redis.call('HGETALL', KEYS[1])
redis.call('DEL', KEYS[1])
return all
"""
SCRIPT_SHAS = {source: hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()
               for source in (LOOKUP_AND_MARK_SEEN, STORE, TAKE_ALL)}  # fmt: skip


@dataclass(frozen=True)
class RenderedFeed:
    """The representations of one speaker's feed rendered for a poll (format -> body), with their ETags (quoted,
    ready for the header)."""

    speaker_id: int
    bodies: dict[str, bytes]
    etags: dict[str, str]


@dataclass(frozen=True)
class FeedLookup:
    """What one Redis call tells a poll: the current feed version, the failed token checks of the caller's address
    (the counter's value and seconds left, as GET and TTL give them), and on a hit the cached ETag (and body, when
    asked for) of the format polled."""

    version: str
    failures: bytes | None
    failures_ttl: int
    speaker_id: int | None = None
    etag: str | None = None
    body: bytes | None = None


@dataclass(frozen=True)
class SharedItems:
    """Feed items rendered for a poll, to be kept under `key` (see the module docstring) as `payload`."""

    key: str
    payload: bytes


class FeedCache:
    """Rendered feeds, shared feed items and pending heartbeats in Redis (see the module docstring)."""

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

    def lookup(self, token_hash: str, fmt: str, now: float, address: str, with_body: bool = False) -> FeedLookup | None:
        """The cached feed of this token in `fmt`, noting the poll at `now` (epoch seconds) on a hit; None when
        Redis is unavailable."""
        try:
            found = self._run(
                LOOKUP_AND_MARK_SEEN,
                [CACHE_PREFIX + token_hash, SEEN_KEY, FEED_VERSION_KEY, failures_key(address)],
                [f"etag_{fmt}", token_hash, repr(now), f"body_{fmt}" if with_body else ""],
            )
        except RedisError:
            log.warning("speaker feed cache unavailable", exc_info=True)
            return None
        version, failures, failures_ttl, *hit = found
        if not hit:
            return FeedLookup(version.decode(), failures, failures_ttl)
        speaker_id, etag, body = hit
        return FeedLookup(version.decode(), failures, failures_ttl, int(speaker_id), etag.decode(), body)

    def items(self, key: str) -> bytes | None:
        """The shared feed items kept under `key`, or None."""
        try:
            return self._redis().get(key)
        except RedisError:
            log.warning("speaker feed cache unavailable", exc_info=True)
            return None

    def store(
        self,
        token_hash: str,
        feed: RenderedFeed,
        version: str,
        ttl_seconds: float,
        seen_at: float,
        shared: SharedItems | None = None,
    ) -> bool:
        """Keep the rendered feed in the speaker's entry and the `shared` items for `ttl_seconds`, and note the poll
        at `seen_at` (epoch seconds) as a pending heartbeat, in one round trip; False when Redis is unavailable."""
        keep = ttl_seconds >= 0.001 and version != UNAVAILABLE
        try:
            try:
                self._store(token_hash, feed, version, ttl_seconds, seen_at, shared if keep else None, keep)
            except NoScriptError:
                self._redis().script_load(STORE)
                self._store(token_hash, feed, version, ttl_seconds, seen_at, shared if keep else None, keep)
        except RedisError:
            log.warning("speaker feed cache unavailable", exc_info=True)
            return False
        return True

    def _store(self, token_hash, feed, version, ttl_seconds, seen_at, shared, keep) -> None:
        pipeline: Pipeline = self._redis().pipeline(transaction=False)
        ttl_ms = max(1, int(ttl_seconds * 1000))
        if keep:
            fields: list[str | bytes] = []
            for fmt, content in feed.bodies.items():
                fields += [f"etag_{fmt}", feed.etags[fmt], f"body_{fmt}", content]
            args = [version, str(feed.speaker_id), str(ttl_ms), *fields]
            pipeline.evalsha(SCRIPT_SHAS[STORE], 1, CACHE_PREFIX + token_hash, *args)
        if shared is not None:
            pipeline.set(shared.key, shared.payload, px=ttl_ms)
        pipeline.hset(SEEN_KEY, token_hash, repr(seen_at))
        pipeline.execute()

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
