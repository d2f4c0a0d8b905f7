"""The loudspeaker terminals' endpoints under /speakers (speaker tokens, not staff tokens): feed, plays, heartbeat.

Registering the blueprint also puts the feed's 304 fast path (shortcut.py) in front of the app and makes the app's
commits that can change a feed bump the feed version (workers/feed_version.py).
"""

from __future__ import annotations

from flask import Blueprint

loudspeaker_feed = Blueprint("loudspeaker_feed", __name__, url_prefix="/speakers")

from campaigns.loudspeakers.feed_changes import watch_feed_changes  # noqa: E402
from gateway.loudspeaker_feed import routes, shortcut  # noqa: E402  (routes register on import)
from gateway.web.speaker_state import state_of  # noqa: E402


def _setup(app) -> None:
    """Put the feed's 304 fast path in front of the app, and bump the feed version on the app's feed writes."""
    shortcut.install(app)
    cache = state_of(app).cache
    watch_feed_changes(app.extensions["gridcast"].session_factory, cache.bump_version)


loudspeaker_feed.record_once(lambda setup: _setup(setup.app))
__all__ = ["loudspeaker_feed", "routes"]
