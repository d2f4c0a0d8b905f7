"""Loudspeaker routes for staff: add, list, read, edit, rotate the token of and remove speakers."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, jsonify

from campaigns.loudspeakers import terminals
from campaigns.models.base import utcnow
from gateway.api import api
from gateway.api.context import ID, after_commit, bool_arg, current_actor, db, int_arg, json_body, page_args
from gateway.app import current_runtime
from gateway.loudspeaker_feed.heartbeats import flush_heartbeats
from gateway.loudspeaker_feed.state import speaker_state


def speaker_silent_after() -> timedelta:
    """How long a speaker may stay silent before it is flagged (GRIDCAST_SPEAKER_SILENT_AFTER_MINUTES)."""
    return timedelta(minutes=current_runtime().settings.speaker_silent_after_minutes)


def forget_speaker_feeds(*token_hashes: str) -> None:
    """Drop the cached feeds of these token hashes once the request's transaction commits."""
    cache = speaker_state().cache
    after_commit(lambda: cache.forget(*token_hashes))


@api.get("/speakers")
def list_speakers():
    actor = current_actor()
    flush_heartbeats(current_app, force=True)
    page = terminals.list_speakers(
        db(), actor, speaker_silent_after(), utcnow(),
        grid_id=int_arg("grid_id"), silent=bool_arg("silent"), **page_args(),
    )  # fmt: skip
    return jsonify(page.as_dict())


@api.post("/speakers")
def create_speaker():
    return jsonify(terminals.create_speaker(db(), current_actor(), json_body(), speaker_silent_after(), utcnow())), 201


@api.get(f"/speakers/<{ID}:speaker_id>")
def get_speaker(speaker_id: int):
    actor = current_actor()
    flush_heartbeats(current_app, force=True)
    return jsonify(terminals.get_speaker(db(), actor, speaker_id, speaker_silent_after(), utcnow()))


@api.patch(f"/speakers/<{ID}:speaker_id>")
def update_speaker(speaker_id: int):
    body, token_hash = terminals.update_speaker(
        db(), current_actor(), speaker_id, json_body(), speaker_silent_after(), utcnow()
    )
    forget_speaker_feeds(token_hash)
    return jsonify(body)


@api.post(f"/speakers/<{ID}:speaker_id>/token")
def rotate_token(speaker_id: int):
    body, old_hash = terminals.rotate_token(db(), current_actor(), speaker_id, speaker_silent_after(), utcnow())
    forget_speaker_feeds(old_hash)
    return jsonify(body)


@api.delete(f"/speakers/<{ID}:speaker_id>")
def remove_speaker(speaker_id: int):
    forget_speaker_feeds(terminals.remove_speaker(db(), current_actor(), speaker_id))
    return "", 204
