"""Reply routes: the staff inbox (review, link unknown senders), who confirmed a run, reply keywords and the
auto-reply texts."""

from __future__ import annotations

from flask import jsonify

from campaigns.models.base import utcnow
from campaigns.replies import auto_replies, confirmations, inbox, keywords
from campaigns.replies.auto_reply_log import list_sent_auto_replies
from gateway.api import api
from gateway.api.context import ID, current_actor
from gateway.api.models.common import PageQuery
from gateway.api.models.replies import (
    AutoReplies,
    AutoReply,
    AutoReplyChange,
    Confirmations,
    ConfirmationsQuery,
    InboundMessage,
    InboxPage,
    InboxQuery,
    Keyword,
    KeywordCreate,
    KeywordList,
    KeywordQuery,
    Link,
    LinkedMessage,
    Review,
    ReviewedMessage,
    SentAutoReplyPage,
)
from gateway.api.schema import context, responses, validated
from gateway.runtime import current_runtime
from gateway.web.session import db

INBOX, KEYWORDS = ("inbox",), ("keywords",)


@api.get("/inbox")
@validated(query=InboxQuery, resp=responses((422,), HTTP_200=InboxPage), tags=INBOX, operation_id="listInbox")
def list_inbox():
    """Received SMS in your scope, newest first (unknown senders: unscoped staff only)"""
    query: InboxQuery = context().query
    return jsonify(inbox.list_inbox(db(), current_actor(), **query.model_dump()).as_dict())


@api.get("/inbox/auto-replies")
@validated(
    query=PageQuery, resp=responses((422,), HTTP_200=SentAutoReplyPage), tags=INBOX, operation_id="listSentAutoReplies"
)
def sent_auto_replies():
    """Auto-replies to senders in your scope, newest first (to unknown senders: unscoped staff only)"""
    query: PageQuery = context().query
    return jsonify(list_sent_auto_replies(db(), current_actor(), **query.model_dump()).as_dict())


@api.get(f"/inbox/<{ID}:inbound_id>")
@validated(resp=responses((404,), HTTP_200=InboundMessage), tags=INBOX, operation_id="getInboundMessage")
def get_message(inbound_id: int):
    """One received SMS"""
    return jsonify(inbox.get_message(db(), current_actor(), inbound_id))


@api.post(f"/inbox/<{ID}:inbound_id>/review")
@validated(
    json=Review,
    resp=responses((400, 403, 404, 422), HTTP_200=ReviewedMessage),
    tags=INBOX,
    operation_id="reviewMessage",
)
def review_message(inbound_id: int):
    """Mark a message reviewed, with an optional note"""
    body: Review = context().json
    return jsonify(inbox.review_message(db(), current_actor(), inbound_id, body.note, utcnow()))


@api.post(f"/inbox/<{ID}:inbound_id>/link")
@validated(
    json=Link, resp=responses((400, 403, 404, 409, 422), HTTP_200=LinkedMessage), tags=INBOX, operation_id="linkMessage"
)
def link_message(inbound_id: int):
    """Link an unknown sender's message to a contact and process it again (no auto-reply)"""
    body: Link = context().json
    return jsonify(inbox.link_message(db(), current_actor(), inbound_id, body.contact_id, utcnow()))


@api.get(f"/runs/<{ID}:run_id>/confirmations")
@validated(
    query=ConfirmationsQuery,
    resp=responses((404, 422), HTTP_200=Confirmations),
    tags=("runs",),
    operation_id="getRunConfirmations",
)
def run_confirmations(run_id: int):
    """Who confirmed the run (when, by which channel) and who has not"""
    query: ConfirmationsQuery = context().query
    return jsonify(confirmations.run_confirmations(db(), current_actor(), run_id, **query.model_dump()))


@api.get("/keywords")
@validated(query=KeywordQuery, resp=responses((422,), HTTP_200=KeywordList), tags=KEYWORDS, operation_id="listKeywords")
def list_keywords():
    """Reply keywords: the built-in ones and those staff added"""
    query: KeywordQuery = context().query
    return jsonify({"items": keywords.list_keywords(db(), current_actor(), **query.model_dump())})


@api.post("/keywords")
@validated(
    json=KeywordCreate, resp=responses((400, 403, 409, 422), HTTP_201=Keyword), tags=KEYWORDS, operation_id="addKeyword"
)
def add_keyword():
    """Add a keyword for a language and intent, in your scope (admins and coordinators)"""
    body: KeywordCreate = context().json
    return jsonify(keywords.add_keyword(db(), current_actor(), body.model_dump(exclude_unset=True))), 201


@api.delete(f"/keywords/<{ID}:keyword_id>")
@validated(resp=responses((403, 404), HTTP_204=None), tags=KEYWORDS, operation_id="removeKeyword")
def remove_keyword(keyword_id: int):
    """Remove a staff keyword of your scope (built-ins stay; global ones are an admin's)"""
    keywords.remove_keyword(db(), current_actor(), keyword_id)
    return "", 204


@api.get("/auto-replies")
@validated(resp=responses(HTTP_200=AutoReplies), tags=KEYWORDS, operation_id="listAutoReplies")
def list_auto_replies():
    """Auto-reply texts per language and intent, and whether auto-replies are on at all"""
    items = auto_replies.list_auto_replies(db(), current_actor())
    return jsonify({"enabled": current_runtime().settings.auto_replies, "items": items})


@api.put("/auto-replies/<language>/<intent>")
@validated(
    json=AutoReplyChange,
    resp=responses((400, 403, 422), HTTP_200=AutoReply),
    tags=KEYWORDS,
    operation_id="setAutoReply",
    path_parameter_descriptions={
        "language": "a language tag",
        "intent": "confirm, zero_report, incident, opt_out, opt_in, help, unknown, unregistered",
    },
)
def set_auto_reply(language: str, intent: str):
    """Change an auto-reply text or turn it off (admins without a scope)"""
    body: AutoReplyChange = context().json
    return jsonify(
        auto_replies.set_auto_reply(db(), current_actor(), language, intent, body.model_dump(exclude_unset=True))
    )
