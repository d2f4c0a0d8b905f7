"""Loudspeaker routes for staff: add, list, read, edit, rotate the token of and remove speakers."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, jsonify

from campaigns.loudspeakers import terminals
from campaigns.models.base import utcnow
from gateway.api import api
from gateway.api.context import ID, after_commit, current_actor, db
from gateway.api.models.loudspeakers import (
    ChangedSpeaker,
    Speaker,
    SpeakerChange,
    SpeakerInput,
    SpeakerPage,
    SpeakerQuery,
    SpeakerWithToken,
)
from gateway.api.schema import context, responses, validated
from gateway.app import current_runtime
from gateway.loudspeaker_feed.heartbeats import flush_heartbeats
from gateway.loudspeaker_feed.state import speaker_state

TAGS = ("loudspeakers",)


def speaker_silent_after() -> timedelta:
    """How long a speaker may stay silent before it is flagged (GRIDCAST_SPEAKER_SILENT_AFTER_MINUTES)."""
    return timedelta(minutes=current_runtime().settings.speaker_silent_after_minutes)


def forget_speaker_feeds(*token_hashes: str) -> None:
    """Drop the cached feeds of these token hashes once the request's transaction commits."""
    cache = speaker_state().cache
    after_commit(lambda: cache.forget(*token_hashes))


@api.get("/speakers")
@validated(query=SpeakerQuery, resp=responses((404, 422), HTTP_200=SpeakerPage), tags=TAGS, operation_id="listSpeakers")
def list_speakers():
    """List the loudspeakers in your scope, with last seen, last play and the silent flag"""
    query: SpeakerQuery = context().query
    actor = current_actor()
    flush_heartbeats(current_app, force=True)
    page = terminals.list_speakers(
        db(), actor, speaker_silent_after(), utcnow(),
        **query.model_dump(),
    )  # fmt: skip
    return jsonify(page.as_dict())


@api.post("/speakers")
@validated(
    json=SpeakerInput,
    resp=responses((400, 403, 422), HTTP_201=SpeakerWithToken),
    tags=TAGS,
    operation_id="createSpeaker",
)
def create_speaker():
    """Add a loudspeaker to a grid; its token is in the answer, this once"""
    data = context().json.model_dump(exclude_unset=True)
    return jsonify(terminals.create_speaker(db(), current_actor(), data, speaker_silent_after(), utcnow())), 201


@api.get(f"/speakers/<{ID}:speaker_id>")
@validated(resp=responses((404,), HTTP_200=Speaker), tags=TAGS, operation_id="getSpeaker")
def get_speaker(speaker_id: int):
    """One loudspeaker"""
    actor = current_actor()
    flush_heartbeats(current_app, force=True)
    return jsonify(terminals.get_speaker(db(), actor, speaker_id, speaker_silent_after(), utcnow()))


@api.patch(f"/speakers/<{ID}:speaker_id>")
@validated(
    json=SpeakerChange,
    resp=responses((400, 403, 404, 422), HTTP_200=ChangedSpeaker),
    tags=TAGS,
    operation_id="updateSpeaker",
)
def update_speaker(speaker_id: int):
    """Edit a loudspeaker's name, grid, languages or play slots"""
    data = context().json.model_dump(exclude_unset=True)
    body, token_hash = terminals.update_speaker(
        db(), current_actor(), speaker_id, data, speaker_silent_after(), utcnow()
    )
    forget_speaker_feeds(token_hash)
    return jsonify(body)


@api.post(f"/speakers/<{ID}:speaker_id>/token")
@validated(resp=responses((403, 404), HTTP_200=SpeakerWithToken), tags=TAGS, operation_id="rotateSpeakerToken")
def rotate_token(speaker_id: int):
    """Rotate the speaker's token: a new one, shown this once; the old one stops working"""
    body, old_hash = terminals.rotate_token(db(), current_actor(), speaker_id, speaker_silent_after(), utcnow())
    forget_speaker_feeds(old_hash)
    return jsonify(body)


@api.delete(f"/speakers/<{ID}:speaker_id>")
@validated(resp=responses((403, 404), HTTP_204=None), tags=TAGS, operation_id="removeSpeaker")
def remove_speaker(speaker_id: int):
    """Remove a loudspeaker (its token stops working; the villages' confirmations stay)"""
    forget_speaker_feeds(terminals.remove_speaker(db(), current_actor(), speaker_id))
    return "", 204
