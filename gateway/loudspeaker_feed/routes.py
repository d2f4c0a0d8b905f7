"""GET /speakers/feed (v1), GET /speakers/v2/feed, GET /speakers/signing-key, POST /speakers/plays (plays and
item states), POST /speakers/heartbeat: thin shells over campaigns.loudspeakers (feed, feed_v2, item_states).

The feed is the hot path (every speaker polls it): an unchanged poll is usually answered by shortcut.py before it
gets here; this route answers the rest from the Redis feed cache or renders the format asked for, from the feed
items speakers of the same village share (shared_items.py) or else from the database.
"""

from __future__ import annotations

from datetime import datetime

from flask import Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from campaigns.common.errors import AuthenticationFailed, DomainError, ValidationError
from campaigns.identity.accounts import hash_token
from campaigns.loudspeakers.feed import authenticate_speaker, record_heartbeat, record_play
from campaigns.loudspeakers.item_states import record_device_state, record_item_states
from campaigns.models.base import utcnow
from gateway.loudspeaker_feed import loudspeaker_feed
from gateway.loudspeaker_feed.rendering import (
    CONTENT_TYPES,
    EARLIER_MISS,
    ITEMS_OF,
    V2,
    bearer_token,
    etag_matches,
    feed_format,
    feed_headers,
    render_feed,
)
from gateway.loudspeaker_feed.shared_items import feed_items
from gateway.runtime import current_runtime
from gateway.web.auth_throttle import check_token, count_failure, refuse_if_blocked, refuse_if_counted_over
from gateway.web.bodies import json_body
from gateway.web.errors import STATUS_BY_ERROR, error_response
from gateway.web.feed_cache import UNAVAILABLE, FeedLookup, RenderedFeed
from gateway.web.signing_key import feed_signer
from gateway.web.speaker_heartbeats import flush_heartbeats, heartbeat_without_redis
from gateway.web.speaker_state import speaker_state


@loudspeaker_feed.errorhandler(DomainError)
def domain_error(exc: DomainError):
    return error_response(STATUS_BY_ERROR.get(type(exc), 400), exc.code, exc.message, exc.fields)


@loudspeaker_feed.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    response = error_response(exc.code or 500, (exc.name or "error").lower().replace(" ", "_"), exc.description or "")
    for name, value in exc.get_headers():
        if name.lower() == "retry-after":
            response.headers[name] = value
    return response


def _token() -> str:
    token = bearer_token(request.headers.get("Authorization", ""))
    if token is None:
        raise AuthenticationFailed("send the speaker's token as 'Authorization: Bearer gs_...'")
    return token


def _authenticated(session, token: str):
    """The speaker of `token`; refused tokens count against the caller's address (gateway/web/auth_throttle.py)."""
    return check_token(lambda: authenticate_speaker(session, token), AuthenticationFailed)


def _render(token: str, token_hash: str, fmt: str, version: str, now: datetime) -> RenderedFeed:
    """The speaker's feed in `fmt`, rendered from its feed's items at `version`; kept in the cache with the items
    and the poll's heartbeat, in one round trip."""
    runtime = current_runtime()
    settings, cache, signer = runtime.settings, speaker_state().cache, feed_signer()
    with runtime.session_factory() as session:
        speaker = count_failure(lambda: authenticate_speaker(session, token), AuthenticationFailed)
        items = feed_items(session, speaker, ITEMS_OF[fmt], version, now, cache, settings, signer)
        rendered = render_feed(fmt, speaker, items.made.items, signer)
    ttl = items.ttl_seconds(now, settings.speaker_feed_cache_seconds)
    if not cache.store(token_hash, rendered, version, ttl, now.timestamp(), items.keep):
        heartbeat_without_redis(current_app, rendered.speaker_id, now)
    return rendered


@loudspeaker_feed.get("/feed")
def feed():
    """The speaker's active announcements (JSON, or M3U with ?format=m3u or Accept: audio/x-mpegurl); 304 when
    If-None-Match holds the current ETag."""
    token = _token()
    fmt = feed_format(request.args.get("format"), request.headers.get("Accept", ""))
    if fmt is None:
        raise ValidationError("format must be json or m3u", fields={"format": "unknown"})
    return _serve(token, fmt)


@loudspeaker_feed.get("/v2/feed")
def feed_v2():
    """Feed v2: the speaker's signed items (announcements and cancels) in play order; 304 as for v1."""
    return _serve(_token(), V2)


@loudspeaker_feed.get("/signing-key")
def signing_key():
    """The public key that signs feed v2 items (no token needed: it is public)."""
    return jsonify(feed_signer().public_key())


def _serve(token: str, fmt: str) -> Response:
    """The cached or freshly rendered body `fmt` of the speaker's feed, or 304."""
    now, token_hash, address = utcnow(), hash_token(token), request.remote_addr or ""
    found = _looked_up(token_hash, fmt, address, now)
    # blocked addresses are refused before the cache, or they could go on guessing against cached tokens
    if found is None:
        refuse_if_blocked()
    else:
        refuse_if_counted_over(found.failures, found.failures_ttl)
    if found is not None and found.etag is not None and found.body is not None:
        etag, body = found.etag, found.body
    else:
        rendered = _render(token, token_hash, fmt, found.version if found else UNAVAILABLE, now)
        etag, body = rendered.etags[fmt], rendered.bodies[fmt]
    flush_heartbeats(current_app)
    if etag_matches(request.headers.get("If-None-Match"), etag):
        return Response(status=304, headers=feed_headers(etag))
    return Response(body, status=200, headers=feed_headers(etag), content_type=CONTENT_TYPES[fmt])


def _looked_up(token_hash: str, fmt: str, address: str, now: datetime) -> FeedLookup | None:
    """The cache's answer for this poll (None: Redis is unavailable): the fast path's own when it asked and missed
    (shortcut.py), else from a lookup of its own."""
    earlier = request.environ.get(EARLIER_MISS)
    if earlier is not None and earlier[0] == (token_hash, fmt, address):
        return earlier[1]
    return speaker_state().cache.lookup(token_hash, fmt, now.timestamp(), address, with_body=True)


@loudspeaker_feed.post("/plays")
def plays():
    """Report a play ({"announcement_id", "played_at", "times", "language"}: 201 when new, 200 for a repeat), or
    item states ({"item_id", "state", "at", "detail"} or {"reports": [...]}: 200 with each item's state)."""
    token, now = _token(), utcnow()
    data = json_body()
    with current_runtime().session_factory.begin() as session:
        speaker = _authenticated(session, token)
        if "item_id" in data or "reports" in data:
            return jsonify({"items": record_item_states(session, speaker, data, now)})
        play, created = record_play(session, speaker, data, now)
    return jsonify({"play": play, "new": created}), 201 if created else 200


@loudspeaker_feed.post("/heartbeat")
def heartbeat():
    """The speaker is alive; an optional JSON object may give its `device_state` (normal, fault, recovered) and a
    `detail`; other fields are accepted and not kept."""
    token, now = _token(), utcnow()
    data = json_body(optional=True) or {}
    with current_runtime().session_factory.begin() as session:
        speaker = _authenticated(session, token)
        record_device_state(session, speaker, data, now)
        record_heartbeat(session, speaker.id, now)
        speaker_id = speaker.id
    return jsonify({"speaker_id": speaker_id, "server_time": now.isoformat()})
