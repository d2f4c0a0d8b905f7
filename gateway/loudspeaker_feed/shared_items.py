"""The items of a feed, shared by the speakers of one audience (grid, languages and play slots: see
gateway/web/feed_cache.py).

A render takes the items of the feed it shows (feed v1's announcements for json and m3u, feed v2's signed items) at
the feed version its poll read before the database was: from the cache when a speaker of the same audience rendered
them at that version, otherwise from the database, and then they are kept with the speaker's feed. The items' key
holds the feed version, so a change drops them with every cached feed; it also holds the audio URL prefix, the time
zone and the signing key, which the items depend on.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from campaigns.common.settings import Settings
from campaigns.common.signing import ItemSigner
from campaigns.loudspeakers.feed import FeedItems, announcements, feed_sources, items_audience
from campaigns.loudspeakers.feed_v2 import signed_items
from campaigns.models import Speaker
from gateway.web.feed_cache import ITEMS_PREFIX, UNAVAILABLE, FeedCache, SharedItems


def items_key(feed: str, version: str, speaker: Speaker, settings: Settings, signer: ItemSigner) -> str:
    grid_id, languages, play_slots = items_audience(speaker)
    context = [feed, settings.public_base_url, settings.timezone, signer.key_id, grid_id, languages, play_slots]
    digest = hashlib.sha256(json.dumps(context, ensure_ascii=False).encode()).hexdigest()[:40]
    return f"{ITEMS_PREFIX}{version}:{digest}"


@dataclass(frozen=True)
class PollItems:
    """The items a poll renders its feed from, when they were read from the database, and what to keep of them
    (None: they came from the cache, or there is no cache: it is off or Redis is unavailable)."""

    made: FeedItems
    read_at: datetime
    keep: SharedItems | None

    def ttl_seconds(self, now: datetime, cache_seconds: float) -> float:
        """How long a feed made of these items may be cached: `cache_seconds` from when they were read, never past
        the first item's expiry."""
        ttl = cache_seconds - (now - self.read_at).total_seconds()
        if self.made.expires_at is not None:
            ttl = min(ttl, (self.made.expires_at - now).total_seconds())
        return ttl


def encode(made: FeedItems, read_at: datetime) -> bytes:
    expires_at = made.expires_at.isoformat() if made.expires_at else None
    kept = {"read_at": read_at.isoformat(), "expires_at": expires_at, "items": made.items}
    return json.dumps(kept, ensure_ascii=False).encode()


def decode(payload: bytes) -> PollItems:
    kept = json.loads(payload)
    expires_at = datetime.fromisoformat(kept["expires_at"]) if kept["expires_at"] else None
    return PollItems(FeedItems(kept["items"], expires_at), datetime.fromisoformat(kept["read_at"]), None)


def render_items(
    session: Session, speaker: Speaker, feed: str, now: datetime, settings: Settings, signer: ItemSigner
) -> FeedItems:
    """The items of `feed` ("v1" or "v2") for the speaker, from the database."""
    sources = feed_sources(session, speaker, now)
    base, timezone = settings.public_base_url, settings.timezone
    if feed == "v2":
        return signed_items(session, speaker, base, timezone, signer, sources)
    return announcements(speaker, base, timezone, sources)


def feed_items(
    session: Session,
    speaker: Speaker,
    feed: str,
    version: str,
    now: datetime,
    cache: FeedCache,
    settings: Settings,
    signer: ItemSigner,
) -> PollItems:
    """The items of `feed` for the speaker at feed `version`: kept ones, or else read from the database."""
    if settings.speaker_feed_cache_seconds == 0 or version == UNAVAILABLE:
        return PollItems(render_items(session, speaker, feed, now, settings, signer), now, None)
    key = items_key(feed, version, speaker, settings, signer)
    kept = cache.items(key)
    if kept is not None:
        return decode(kept)
    made = render_items(session, speaker, feed, now, settings, signer)
    return PollItems(made, now, SharedItems(key, encode(made, now)))
