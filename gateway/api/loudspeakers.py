"""Loudspeaker routes for staff: add, list, read, edit, rotate the token of and remove speakers; their item states.

A speaker read, added or given a new token comes with `feed_signing_key`, the public key its terminal checks feed
v2 items with (docs/loudspeakers.md)."""

from __future__ import annotations

from flask import current_app, jsonify

from campaigns.loudspeakers import terminals
from campaigns.loudspeakers.item_states import speaker_item_states, village_item_states
from campaigns.models.base import utcnow
from gateway.api import api
from gateway.api.context import ID, bool_arg, current_actor, int_arg, page_args
from gateway.web.bodies import json_body
from gateway.web.session import db
from gateway.web.signing_key import feed_signer
from gateway.web.speaker_heartbeats import flush_heartbeats
from gateway.web.speaker_state import forget_speaker_feeds, speaker_silent_after


def with_signing_key(speaker: dict) -> dict:
    return {**speaker, "feed_signing_key": feed_signer().public_key()}


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
    made = terminals.create_speaker(db(), current_actor(), json_body(), speaker_silent_after(), utcnow())
    return jsonify(with_signing_key(made)), 201


@api.get(f"/speakers/<{ID}:speaker_id>")
def get_speaker(speaker_id: int):
    actor = current_actor()
    flush_heartbeats(current_app, force=True)
    return jsonify(with_signing_key(terminals.get_speaker(db(), actor, speaker_id, speaker_silent_after(), utcnow())))


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
    return jsonify(with_signing_key(body))


@api.delete(f"/speakers/<{ID}:speaker_id>")
def remove_speaker(speaker_id: int):
    forget_speaker_feeds(terminals.remove_speaker(db(), current_actor(), speaker_id))
    return "", 204


@api.get(f"/speakers/<{ID}:speaker_id>/items")
def speaker_items(speaker_id: int):
    """The speaker's item states of the last seven days, newest first."""
    return jsonify({"items": speaker_item_states(db(), current_actor(), speaker_id, utcnow())})


@api.get("/speakers/items")
def village_items():
    """Per village in scope (or under ?grid_id=): speakers online or offline, device state, item states."""
    actor = current_actor()
    flush_heartbeats(current_app, force=True)
    villages = village_item_states(db(), actor, utcnow(), speaker_silent_after(), int_arg("grid_id"))
    return jsonify({"villages": villages})
