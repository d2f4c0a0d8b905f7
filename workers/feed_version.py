"""The loudspeaker feed version in Redis: bumped after every commit that can change a feed, so the gateway's cached
feeds (gateway/web/speaker_state.py), each stamped with the version it was rendered at, are never served stale."""

from __future__ import annotations

import logging
from collections.abc import Callable

from redis import Redis
from sqlalchemy.orm import Session, sessionmaker

from campaigns.common.settings import Settings
from campaigns.loudspeakers.feed_changes import watch_feed_changes
from workers.connections import connect_redis

log = logging.getLogger(__name__)

FEED_VERSION_KEY = "gridcast:speaker-feed-version"


def bump_feed_version(redis: Callable[[], Redis]) -> None:
    """Make every cached feed stale. It runs after a commit, so it never raises: a failure (Redis down) is logged
    and the cached feeds expire on their own (GRIDCAST_SPEAKER_FEED_CACHE_SECONDS)."""
    try:
        redis().incr(FEED_VERSION_KEY)
    except Exception:
        log.warning("could not bump the speaker feed version; cached feeds expire on their own", exc_info=True)


class _LazyRedis:
    """A Redis client for `settings`, opened on first use (after the fork, in a worker)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.client: Redis | None = None

    def __call__(self) -> Redis:
        if self.client is None:
            self.client = connect_redis(self.settings)
        return self.client


def bump_on_feed_changes(session_factory: sessionmaker[Session], settings: Settings) -> None:
    """Bump the feed version after each commit of `session_factory` that wrote campaigns, runs, audio or grids."""
    redis = _LazyRedis(settings)
    watch_feed_changes(session_factory, lambda: bump_feed_version(redis))
