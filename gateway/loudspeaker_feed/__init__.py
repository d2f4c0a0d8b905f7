"""The loudspeaker terminals' endpoints under /speakers (speaker tokens, not staff tokens): feed, plays, heartbeat.

Registering the blueprint also puts the feed's 304 fast path (shortcut.py) in front of the app. The app's commits
that can change a feed bump the feed version (workers/feed_version.py), as every process's do
(workers/composition.py).
"""

from __future__ import annotations

from flask import Blueprint

loudspeaker_feed = Blueprint("loudspeaker_feed", __name__, url_prefix="/speakers")

from gateway.loudspeaker_feed import routes, shortcut  # noqa: E402  (routes register on import)

loudspeaker_feed.record_once(lambda setup: shortcut.install(setup.app))
__all__ = ["loudspeaker_feed", "routes"]
