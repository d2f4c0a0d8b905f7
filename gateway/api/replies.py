"""Reply routes: the staff inbox (review, link unknown senders), who confirmed a run, reply keywords and the
auto-reply texts. The OpenAPI description is in gateway/api/replies_spec.py."""

from __future__ import annotations

from flask import jsonify, request

from campaigns.models.base import utcnow
from campaigns.replies import auto_replies, confirmations, inbox, keywords
from campaigns.replies.auto_reply_log import list_sent_auto_replies
from gateway.api import api
from gateway.api.context import ID, bool_arg, current_actor, int_arg, optional_int, page_args
from gateway.runtime import current_runtime
from gateway.web.bodies import json_body
from gateway.web.session import db


@api.get("/inbox")
def list_inbox():
    page = inbox.list_inbox(
        db(),
        current_actor(),
        intent=request.args.get("intent"),
        reviewed=bool_arg("reviewed"),
        contact_id=int_arg("contact_id"),
        unknown_sender=bool_arg("unknown_sender"),
        **page_args(),
    )
    return jsonify(page.as_dict())


@api.get("/inbox/auto-replies")
def sent_auto_replies():
    return jsonify(list_sent_auto_replies(db(), current_actor(), **page_args()).as_dict())


@api.get(f"/inbox/<{ID}:inbound_id>")
def get_message(inbound_id: int):
    return jsonify(inbox.get_message(db(), current_actor(), inbound_id))


@api.post(f"/inbox/<{ID}:inbound_id>/review")
def review_message(inbound_id: int):
    note = json_body(optional=True).get("note")
    return jsonify(inbox.review_message(db(), current_actor(), inbound_id, note, utcnow()))


@api.post(f"/inbox/<{ID}:inbound_id>/link")
def link_message(inbound_id: int):
    contact_id = optional_int(json_body(), "contact_id")
    return jsonify(inbox.link_message(db(), current_actor(), inbound_id, contact_id, utcnow()))


@api.get(f"/runs/<{ID}:run_id>/confirmations")
def run_confirmations(run_id: int):
    return jsonify(
        confirmations.run_confirmations(db(), current_actor(), run_id, confirmed=bool_arg("confirmed"), **page_args())
    )


@api.get("/keywords")
def list_keywords():
    items = keywords.list_keywords(
        db(), current_actor(), language=request.args.get("language"), intent=request.args.get("intent")
    )
    return jsonify({"items": items})


@api.post("/keywords")
def add_keyword():
    return jsonify(keywords.add_keyword(db(), current_actor(), json_body())), 201


@api.delete(f"/keywords/<{ID}:keyword_id>")
def remove_keyword(keyword_id: int):
    keywords.remove_keyword(db(), current_actor(), keyword_id)
    return "", 204


@api.get("/auto-replies")
def list_auto_replies():
    items = auto_replies.list_auto_replies(db(), current_actor())
    return jsonify({"enabled": current_runtime().settings.auto_replies, "items": items})


@api.put("/auto-replies/<language>/<intent>")
def set_auto_reply(language: str, intent: str):
    return jsonify(auto_replies.set_auto_reply(db(), current_actor(), language, intent, json_body()))
