"""A speaker's feed as bytes (feed v1 as JSON or an extended M3U playlist, feed v2 as JSON, each with a strong ETag
over its content), and the request details the feed depends on: the speaker's token, the format asked for,
If-None-Match."""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

from campaigns.common.signing import ItemSigner
from campaigns.loudspeakers.feed import feed_body
from campaigns.loudspeakers.feed_v2 import feed_v2_body
from campaigns.loudspeakers.terminals import SPEAKER_TOKEN_PREFIX
from campaigns.models import Speaker
from gateway.web.feed_cache import RenderedFeed

FEED_PATH = "/speakers/feed"
FEED_V2_PATH = "/speakers/v2/feed"
FORMATS = ("json", "m3u")
V2 = "v2"  # the cache's name for the feed v2 body (JSON only)
ITEMS_OF = {"json": "v1", "m3u": "v1", V2: "v2"}  # which feed's items each format shows
EARLIER_MISS = "gridcast.feed_miss"  # environ: the fast path's lookup that missed, for the route
CONTENT_TYPES = {"json": "application/json", "m3u": "audio/x-mpegurl; charset=utf-8", V2: "application/json"}
M3U_TYPES = ("audio/x-mpegurl", "audio/mpegurl", "application/vnd.apple.mpegurl")


def strong_etag(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:40] + '"'


def feed_json(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def feed_m3u(body: dict[str, Any]) -> bytes:
    """Each announcement's audio `times` times in a row: playing the list once plays one slot's worth."""
    lines = ["#EXTM3U"]
    for item in body["announcements"]:
        title = f"{item['title']} ({item['language']})".replace("\n", " ").replace("\r", " ")
        for _ in range(item["times"]):
            lines += [f"#EXTINF:{math.ceil(item['duration_ms'] / 1000)},{title}", item["audio_url"]]
    return ("\n".join(lines) + "\n").encode()


def render_feed(fmt: str, speaker: Speaker, items: list[dict[str, Any]], signer: ItemSigner) -> RenderedFeed:
    """The speaker's feed in `fmt` alone, from the items of its feed (`ITEMS_OF`)."""
    if fmt == V2:
        content = feed_json(feed_v2_body(speaker, signer, items))
    else:
        body = feed_body(speaker, items)
        content = feed_json(body) if fmt == "json" else feed_m3u(body)
    return RenderedFeed(speaker.id, {fmt: content}, {fmt: strong_etag(content)})


def bearer_token(header: str) -> str | None:
    """The speaker token of an `Authorization: Bearer gs_...` header, or None."""
    scheme, _, token = header.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token.startswith(SPEAKER_TOKEN_PREFIX) else None


def feed_format(asked: str | None, accept: str) -> str | None:
    """`?format=` when given (None if it is not json or m3u), else M3U when Accept names a playlist type."""
    if asked is not None:
        return asked if asked in FORMATS else None
    return "m3u" if any(kind in accept for kind in M3U_TYPES) else "json"


def feed_variant(path: str, asked: str | None, accept: str) -> str | None:
    """Which cached body a feed request wants: "v2" on the v2 path, else `feed_format` (None: not a feed request
    or an unknown format)."""
    if path == FEED_V2_PATH:
        return V2
    return feed_format(asked, accept) if path == FEED_PATH else None


def feed_headers(etag: str) -> list[tuple[str, str]]:
    return [("ETag", etag), ("Cache-Control", "no-cache"), ("Vary", "Authorization, Accept")]


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """If-None-Match against our ETag, with the weak comparison RFC 9110 prescribes for it (W/ is ignored)."""
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == etag:
            return True
    return False
