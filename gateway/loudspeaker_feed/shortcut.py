"""The feed's fast path: a WSGI layer in front of Flask that answers a speaker's unchanged poll with 304.

A GET of /speakers/feed or /speakers/v2/feed with a speaker token and an If-None-Match that holds the cached feed's
current ETag is answered here, after one Redis call (which also notes the heartbeat), without Flask's request
handling; every other request, and every poll the cache cannot answer, goes on to the Flask route, which does the
same check itself and renders the feed when needed (a miss here hands the route its answer, with the feed version
and the address's failed token checks, so the route need not ask Redis again). This is what lets polls reach
thousands per second on two cores.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs

from flask import Flask

from campaigns.identity.accounts import hash_token
from gateway.loudspeaker_feed.rendering import (
    EARLIER_MISS,
    FEED_PATH,
    FEED_V2_PATH,
    bearer_token,
    etag_matches,
    feed_headers,
    feed_variant,
)
from gateway.web.speaker_heartbeats import flush_heartbeats
from gateway.web.speaker_state import state_of

FEED_PATHS = (FEED_PATH, FEED_V2_PATH)


class NotModifiedShortcut:
    def __init__(self, wsgi_app, app: Flask):
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ, start_response):
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        path = environ.get("PATH_INFO")
        if if_none_match and path in FEED_PATHS and environ.get("REQUEST_METHOD") == "GET":
            etag = self._current_etag(environ, path)
            if etag is not None and etag_matches(if_none_match, etag):
                flush_heartbeats(self.app)
                start_response("304 NOT MODIFIED", feed_headers(etag))
                return []
        return self.wsgi_app(environ, start_response)

    def _current_etag(self, environ, path: str) -> str | None:
        token = bearer_token(environ.get("HTTP_AUTHORIZATION", ""))
        query = environ.get("QUERY_STRING", "")
        asked = parse_qs(query).get("format", [None])[0] if query else None
        fmt = feed_variant(path, asked, environ.get("HTTP_ACCEPT", ""))
        if token is None or fmt is None:
            return None
        token_hash, address = hash_token(token), environ.get("REMOTE_ADDR") or ""
        found = state_of(self.app).cache.lookup(token_hash, fmt, time.time(), address)
        if found is None:
            return None
        if found.etag is None:
            environ[EARLIER_MISS] = ((token_hash, fmt, address), found)
        return found.etag


def install(app: Flask) -> None:
    app.wsgi_app = NotModifiedShortcut(app.wsgi_app, app)
