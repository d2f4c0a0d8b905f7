"""The loudspeaker feed version in Redis: bumped after every commit that can change a feed, so the gateway's cached
feeds (gateway/web/speaker_state.py), each stamped with the version it was rendered at, are never served stale."""

from __future__ import annotations

import logging
from collections.abc import Callable

from redis import Redis

log = logging.getLogger(__name__)

FEED_VERSION_KEY = "gridcast:speaker-feed-version"


def bump_feed_version(redis: Callable[[], Redis]) -> None:
    """Make every cached feed stale. It runs after a commit, so it never raises: a failure (Redis down) is logged
    and the cached feeds expire on their own (GRIDCAST_SPEAKER_FEED_CACHE_SECONDS)."""
    try:
        redis().incr(FEED_VERSION_KEY)
    except Exception:
        log.warning("could not bump the speaker feed version; cached feeds expire on their own", exc_info=True)
