"""Loudspeaker routes for staff: add, list, read, edit, rotate the token of and remove speakers; their item states.

A speaker read, added or given a new token comes with `feed_signing_key`, the public key its terminal checks feed
v2 items with (docs/loudspeakers.md)."""

from __future__ import annotations

from flask import current_app, jsonify

from campaigns.loudspeakers import terminals
from campaigns.loudspeakers.item_states import speaker_item_states, village_item_states
from campaigns.models.base import utcnow
from gateway.api import api
from gateway.api.context import ID, current_actor
from gateway.api.models.loudspeakers import (
    ChangedSpeaker,
    SpeakerChange,
    SpeakerInput,
    SpeakerItems,
    SpeakerPage,
    SpeakerQuery,
    SpeakerWithKey,
    SpeakerWithToken,
    VillageQuery,
    Villages,
)
from gateway.api.schema import context, responses, validated
from gateway.web.session import db
from gateway.web.signing_key import feed_signer
from gateway.web.speaker_heartbeats import flush_heartbeats
from gateway.web.speaker_state import forget_speaker_feeds, speaker_silent_after

TAGS = ("loudspeakers",)


def with_signing_key(speaker: dict) -> dict:
    return {**speaker, "feed_signing_key": feed_signer().public_key()}


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
    made = terminals.create_speaker(db(), current_actor(), data, speaker_silent_after(), utcnow())
    return jsonify(with_signing_key(made)), 201


@api.get(f"/speakers/<{ID}:speaker_id>")
@validated(resp=responses((404,), HTTP_200=SpeakerWithKey), tags=TAGS, operation_id="getSpeaker")
def get_speaker(speaker_id: int):
    """One loudspeaker, with the feed signing key"""
    actor = current_actor()
    flush_heartbeats(current_app, force=True)
    return jsonify(with_signing_key(terminals.get_speaker(db(), actor, speaker_id, speaker_silent_after(), utcnow())))


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
    return jsonify(with_signing_key(body))


@api.delete(f"/speakers/<{ID}:speaker_id>")
@validated(resp=responses((403, 404), HTTP_204=None), tags=TAGS, operation_id="removeSpeaker")
def remove_speaker(speaker_id: int):
    """Remove a loudspeaker (its token stops working; the villages' confirmations stay)"""
    forget_speaker_feeds(terminals.remove_speaker(db(), current_actor(), speaker_id))
    return "", 204


@api.get(f"/speakers/<{ID}:speaker_id>/items")
@validated(resp=responses((404,), HTTP_200=SpeakerItems), tags=TAGS, operation_id="listSpeakerItemStates")
def speaker_items(speaker_id: int):
    """The speaker's feed item states of the last seven days, newest first"""
    return jsonify({"items": speaker_item_states(db(), current_actor(), speaker_id, utcnow())})


@api.get("/speakers/items")
@validated(
    query=VillageQuery, resp=responses((404, 422), HTTP_200=Villages), tags=TAGS, operation_id="listVillageItemStates"
)
def village_items():
    """Per village in scope (or under ?grid_id=): its speakers online or offline, their device state and feed item
    states"""
    query: VillageQuery = context().query
    actor = current_actor()
    flush_heartbeats(current_app, force=True)
    villages = village_item_states(db(), actor, utcnow(), speaker_silent_after(), query.grid_id)
    return jsonify({"villages": villages})
