"""Loudspeakers: the devices in the user's scope (online or offline, device state, last plays, item states per
village), add one, rotate its token (shown with the feed signing key), remove.

Everything goes through `campaigns.loudspeakers.terminals` (the API's services, same scope checks); a new or
rotated token is
rendered once in the response and never stored in a cookie or the audit log. Feed-cache entries of a changed
speaker are dropped after the commit, as the API does.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for

from campaigns.common.errors import DomainError
from campaigns.common.languages import LANGUAGES
from campaigns.loudspeakers import terminals
from campaigns.loudspeakers.item_states import speaker_item_states, village_item_states
from campaigns.loudspeakers.plays import recent_plays
from campaigns.models.base import utcnow
from gateway.console import console
from gateway.console.campaign_form import picker_grids
from gateway.console.forms import page_param
from gateway.console.web import _, current_actor, form_errors, record
from gateway.web.session import db
from gateway.web.signing_key import feed_signer
from gateway.web.speaker_heartbeats import flush_heartbeats
from gateway.web.speaker_state import forget_speaker_feeds, speaker_silent_after


def _list_page(errors: dict, values: dict, status: int = 200, issued: dict | None = None):
    flush_heartbeats(current_app, force=True)
    silent = {"yes": True, "no": False}.get(request.args.get("silent", ""))
    actor, now = current_actor(), utcnow()
    listed = terminals.list_speakers(db(), actor, speaker_silent_after(), now, silent=silent, page=page_param())
    villages = village_item_states(db(), actor, now, speaker_silent_after(),
                                   speaker_ids=[speaker["id"] for speaker in listed.items])  # fmt: skip
    html = render_template("console/speakers.html", page=listed, errors=errors, values=values, issued=issued,
                           grids=picker_grids(actor), text_languages=LANGUAGES, villages=villages,
                           signing_key=feed_signer().public_key())  # fmt: skip
    return html, status


@console.get("/speakers")
def speaker_list():
    return _list_page({}, {"languages": ["bo", "zh"]})


def _speaker_data(form) -> dict:
    return {
        "name": form.get("name", ""),
        "grid_code": form.get("grid_code", ""),
        "languages": [lang for lang in form.getlist("languages") if lang][:3],
        "play_slots": [
            slot.strip() for slot in form.get("play_slots", "").replace("，", ",").split(",") if slot.strip()
        ],
    }


@console.post("/speakers")
def add_speaker():
    data = _speaker_data(request.form)
    try:
        speaker = terminals.create_speaker(db(), current_actor(), data, speaker_silent_after(), utcnow())
    except DomainError as exc:
        db().rollback()
        return _list_page(form_errors(exc), {**data, "play_slots": request.form.get("play_slots", "")}, 422)
    record("speaker.create", grid_id=speaker["grid_id"], target=f"speaker {speaker['id']}", name=speaker["name"])
    return _list_page({}, {"languages": data["languages"]}, 201, issued=speaker)


@console.get("/speakers/<int:speaker_id>")
def speaker_page(speaker_id: int, issued: dict | None = None):
    actor = current_actor()
    flush_heartbeats(current_app, force=True)
    speaker = terminals.get_speaker(db(), actor, speaker_id, speaker_silent_after(), utcnow())
    plays = recent_plays(db(), actor, speaker_id)
    items = speaker_item_states(db(), actor, speaker_id, utcnow())
    return render_template("console/speaker.html", speaker=speaker, plays=plays, items=items, issued=issued,
                           signing_key=feed_signer().public_key())  # fmt: skip


@console.post("/speakers/<int:speaker_id>/token")
def rotate_speaker_token(speaker_id: int):
    speaker, old_hash = terminals.rotate_token(db(), current_actor(), speaker_id, speaker_silent_after(), utcnow())
    forget_speaker_feeds(old_hash)
    record("speaker.rotate_token", grid_id=speaker["grid_id"], target=f"speaker {speaker_id}")
    return speaker_page(speaker_id, issued=speaker)


@console.post("/speakers/<int:speaker_id>/remove")
def remove_speaker(speaker_id: int):
    actor = current_actor()
    speaker = terminals.get_speaker(db(), actor, speaker_id, speaker_silent_after(), utcnow())
    forget_speaker_feeds(terminals.remove_speaker(db(), actor, speaker_id))
    record("speaker.remove", grid_id=speaker["grid_id"], target=f"speaker {speaker_id}", name=speaker["name"])
    flash(_("Loudspeaker {name} removed.", name=speaker["name"]), "ok")
    return redirect(url_for("console.speaker_list"))
