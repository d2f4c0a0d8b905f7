"""Simulator routes: reply from a contact's simulated phone (or text in from a number that is no contact's), and
read what that phone got and sent.

Only in simulator mode (no Twilio credentials); with Twilio configured both routes are 404, so nobody can forge a
reply on a real deployment.
"""

from __future__ import annotations

from flask import jsonify

from campaigns.models.base import utcnow
from campaigns.replies.inbox import get_message
from campaigns.simulator.phones import phone_messages, simulate_reply, simulate_unknown_sender
from gateway.api import api
from gateway.api.context import current_actor
from gateway.api.models.simulator import (
    PhoneMessages,
    ReceivedReply,
    ReceivedUnknownSender,
    SimulatedReply,
    SimulatedUnknownSender,
)
from gateway.api.schema import context, responses, validated
from gateway.web.jobs import enqueue_simulated_reply, simulator_region
from gateway.web.session import after_commit, db

TAGS = ("simulator",)


@api.post("/simulator/replies")
@validated(
    json=SimulatedReply,
    resp=responses((400, 403, 404, 422), HTTP_202=ReceivedReply),
    tags=TAGS,
    operation_id="simulateReply",
)
def simulator_reply():
    """Reply from a contact's simulated phone (simulator mode only); processed like a Twilio SMS

    Processing is enqueued after the commit.
    """
    body = context().json.model_dump()
    message = simulate_reply(db(), current_actor(), body, utcnow(), simulator_region())
    return _queued(message.id)


@api.post("/simulator/unknown-sender")
@validated(
    json=SimulatedUnknownSender,
    resp=responses((400, 403, 404, 422), HTTP_202=ReceivedUnknownSender),
    tags=TAGS,
    operation_id="simulateUnknownSender",
)
def simulator_unknown_sender():
    """Text in from a number that is no contact's (simulator mode only, staff without a scope)

    Stored with no contact, in the inbox's unknown senders; processing is enqueued after the commit.
    """
    body = context().json.model_dump()
    message = simulate_unknown_sender(db(), current_actor(), body, utcnow(), simulator_region())
    return _queued(message.id)


def _queued(inbound_id: int):
    """Enqueue the typed message's processing after the commit; answer 202 with the message."""
    after_commit(lambda: enqueue_simulated_reply(inbound_id))
    return jsonify(get_message(db(), current_actor(), inbound_id)), 202


@api.get("/simulator/phones/<phone>")
@validated(
    resp=responses((404, 422), HTTP_200=PhoneMessages),
    tags=TAGS,
    operation_id="getSimulatedPhone",
    path_parameter_descriptions={"phone": "a contact's phone (E.164 or national)"},
)
def simulator_phone(phone: str):
    """What a contact's simulated phone received (mt) and sent (mo), and the calls it took, oldest first

    Audio played is named by its SHA-256, with the keys pressed.
    """
    region = simulator_region()
    return jsonify(phone_messages(db(), current_actor(), phone, region))
