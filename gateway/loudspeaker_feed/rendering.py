"""A speaker's feed as bytes (JSON, and an extended M3U playlist, each with a strong ETag over its content), and
the request details the feed depends on: the speaker's token, the format asked for, If-None-Match."""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

from campaigns.loudspeakers.terminals import SPEAKER_TOKEN_PREFIX
from gateway.web.speaker_state import RenderedFeed

FEED_PATH = "/speakers/feed"
FEED_V2_PATH = "/speakers/v2/feed"
FORMATS = ("json", "m3u")
V2 = "v2"  # the cache's name for the feed v2 body (JSON only)
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


def render_feed(speaker_id: int, body: dict[str, Any], body_v2: dict[str, Any]) -> RenderedFeed:
    bodies = {"json": feed_json(body), "m3u": feed_m3u(body), V2: feed_json(body_v2)}
    return RenderedFeed(speaker_id, bodies, {fmt: strong_etag(content) for fmt, content in bodies.items()})


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
