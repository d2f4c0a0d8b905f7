"""Speakers' heartbeats: polls are noted in Redis and written to the database in batches (see speaker_state.py)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from campaigns.loudspeakers.feed import record_heartbeat, record_heartbeats
from gateway.web.speaker_state import state_of

log = logging.getLogger(__name__)


def flush_heartbeats(app: Flask, *, force: bool = False) -> None:
    """Write the pending heartbeats to `last_seen_at`: when due in this process (every 15 s), or now if `force`."""
    state = state_of(app)
    if not force and not state.flush_timer.due():
        return
    seen = state.cache.take_seen()
    if not seen:
        return
    try:
        with app.extensions["gridcast"].session_factory.begin() as session:
            record_heartbeats(session, {key: datetime.fromtimestamp(at, UTC) for key, at in seen.items()})
    except SQLAlchemyError:
        log.warning("could not write %d speaker heartbeats; kept for the next try", len(seen), exc_info=True)
        state.cache.mark_seen(seen)


def heartbeat_without_redis(app: Flask, speaker_id: int, now: datetime) -> None:
    """Write a poll Redis could not note straight to `last_seen_at`, at most once a minute per speaker and process."""
    if state_of(app).direct_heartbeats.due(speaker_id):
        with app.extensions["gridcast"].session_factory.begin() as session:
            record_heartbeat(session, speaker_id, now)
