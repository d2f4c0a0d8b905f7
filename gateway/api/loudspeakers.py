"""Loudspeaker routes for staff: add, list, read, edit, rotate the token of and remove speakers."""

from __future__ import annotations

from flask import current_app, jsonify

from campaigns.loudspeakers import terminals
from campaigns.models.base import utcnow
from gateway.api import api
from gateway.api.context import ID, bool_arg, current_actor, int_arg, page_args
from gateway.web.bodies import json_body
from gateway.web.session import db
from gateway.web.speaker_heartbeats import flush_heartbeats
from gateway.web.speaker_state import forget_speaker_feeds, speaker_silent_after


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
