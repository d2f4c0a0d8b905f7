"""Simulator routes: reply from a contact's simulated phone (or text in from a number that is no contact's), and
read what that phone got and sent.

Only in simulator mode (no Twilio credentials); with Twilio configured both routes are 404, so nobody can forge a
reply on a real deployment.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify

from campaigns.models.base import utcnow
from campaigns.replies.inbox import get_message
from campaigns.simulator.phones import phone_messages, simulate_reply, simulate_unknown_sender
from gateway.api import api
from gateway.api.context import current_actor
from gateway.api.spec import error_responses, json_request, json_response
from gateway.web.bodies import json_body
from gateway.web.jobs import enqueue_simulated_reply, simulator_region
from gateway.web.session import after_commit, db


@api.post("/simulator/replies")
def simulator_reply():
    """Type {phone, body} on a contact's simulated phone; processing is enqueued after the commit."""
    message = simulate_reply(db(), current_actor(), json_body(), utcnow(), simulator_region())
    return _queued(message.id)


@api.post("/simulator/unknown-sender")
def simulator_unknown_sender():
    """Text {phone, body} in from a number that is no contact's; processing is enqueued after the commit."""
    message = simulate_unknown_sender(db(), current_actor(), json_body(), utcnow(), simulator_region())
    return _queued(message.id)


def _queued(inbound_id: int):
    """Enqueue the typed message's processing after the commit; answer 202 with the message."""
    after_commit(lambda: enqueue_simulated_reply(inbound_id))
    return jsonify(get_message(db(), current_actor(), inbound_id)), 202


@api.get("/simulator/phones/<phone>")
def simulator_phone(phone: str):
    region = simulator_region()
    return jsonify(phone_messages(db(), current_actor(), phone, region))


MESSAGE_EXAMPLE = {
    "id": 41,
    "provider": "simulator",
    "from": "+8613800000001",
    "to": "+10000000000",
    "body": "收到",
    "received_at": "2026-11-23T02:05:00+00:00",
    "intent": None,
    "counts": None,
    "contact": {"id": 7, "name": "才让", "role": "liaison", "language": "bo", "grid_id": 12,
                "grid_code": "6230251012010101", "grid_name": "秀玛村一组第一联户"},
    "run_id": None,
    "processed_at": None,
    "reviewed_at": None,
    "note": None,
}  # fmt: skip
PHONE_EXAMPLE = {
    "phone": "+8613800000001",
    "contact_id": 7,
    "name": "才让",
    "opted_out": False,
    "messages": [
        {"direction": "mt", "body": "请在10点前报告今日情况，无事回复0。", "status": "delivered",
         "at": "2026-11-23T01:00:02+00:00", "outbox_id": 311},
        {"direction": "mo", "body": "0", "status": "received", "at": "2026-11-23T01:04:10+00:00", "outbox_id": None},
        {"direction": "mt", "body": "今日零报告已收到，谢谢！", "status": "delivered",
         "at": "2026-11-23T01:04:11+00:00", "outbox_id": 902},
    ],
    "calls": [
        {"id": 88, "status": "completed", "language": "bo", "keys": "1", "at": "2026-11-23T02:00:01+00:00",
         "outbox_id": 915, "attempt": 1, "played": ["5b3a89cc...", "5b3a89cc...", "752c083c...", "7352e6ea..."]},
    ],
}  # fmt: skip
_OBJECT: dict[str, Any] = {"type": "object"}

PATHS: dict[str, Any] = {
    "/api/v1/simulator/replies": {
        "post": {
            "tags": ["simulator"],
            "summary": "Reply from a contact's simulated phone (simulator mode only); processed like a Twilio SMS",
            "requestBody": json_request(
                {
                    "type": "object",
                    "required": ["phone", "body"],
                    "properties": {"phone": {"type": "string"}, "body": {"type": "string", "maxLength": 1600}},
                },
                {"phone": "+8613800000001", "body": "收到"},
            ),
            "responses": {
                "202": json_response(
                    "Received; processing is queued", {"$ref": "#/components/schemas/InboundMessage"}, MESSAGE_EXAMPLE
                ),
                **error_responses(400, 403, 404, 422),
            },
        }
    },
    "/api/v1/simulator/unknown-sender": {
        "post": {
            "tags": ["simulator"],
            "summary": "Text in from a number that is no contact's (simulator mode only, staff without a scope): "
            "stored with no contact, in the inbox's unknown senders",
            "requestBody": json_request(
                {
                    "type": "object",
                    "required": ["phone", "body"],
                    "properties": {"phone": {"type": "string"}, "body": {"type": "string", "maxLength": 1600}},
                },
                {"phone": "+8613900000077", "body": "你好，我是新来的牧民"},
            ),
            "responses": {
                "202": json_response(
                    "Received; processing is queued",
                    {"$ref": "#/components/schemas/InboundMessage"},
                    {**MESSAGE_EXAMPLE, "from": "+8613900000077", "body": "你好，我是新来的牧民", "contact": None},
                ),
                **error_responses(400, 403, 404, 422),
            },
        }
    },
    "/api/v1/simulator/phones/{phone}": {
        "parameters": [
            {
                "name": "phone",
                "in": "path",
                "required": True,
                "description": "a contact's phone (E.164 or national)",
                "schema": {"type": "string"},
                "example": "+8613800000001",
            }
        ],
        "get": {
            "tags": ["simulator"],
            "summary": "What a contact's simulated phone received (mt) and sent (mo), and the calls it took (audio "
            "played by SHA-256, keys pressed), oldest first",
            "responses": {
                "200": json_response("The phone's messages", _OBJECT, PHONE_EXAMPLE),
                **error_responses(404, 422),
            },
        },
    },
}
