"""Twilio's voice webhooks: the TwiML of each step of a call, and the call status callbacks.

- POST /twilio/voice?o=<outbox id>&a=<attempt>: Twilio fetches it when the phone answers; the announcement in the
  row's language, then the prompt inside a one-key <Gather>.
- POST /twilio/voice/answer?o=..&a=..&r=<round>: the <Gather>'s action, with `Digits` (none when no key came):
  1 confirms, 9 replays, anything else asks again, a few times, then goodbye.
- POST /twilio/call-status?o=..&a=..: CallStatus callbacks (initiated, ringing, in-progress, completed, busy,
  no-answer, failed, canceled), applied forward-only by `apply_call_status`, which also schedules the next try.

Like every Twilio webhook: 404 in simulator mode (simulated calls never come here), 403 and nothing done without a
valid X-Twilio-Signature over the public URL, 400 for a URL we never gave out.
"""

from __future__ import annotations

import logging
import re

from flask import Response, abort, request

from campaigns.channels.twilio.twiml import step_twiml
from campaigns.models.base import utcnow
from campaigns.voice.call_flow import answer_step, opening_step
from campaigns.voice.call_status import apply_call_status
from campaigns.voice.campaign_audio import clip_url
from gateway.runtime import current_runtime
from gateway.webhooks import webhooks
from gateway.webhooks.signed import require_twilio_signature
from workers.channel_factory import CALL_ANSWER_PATH, call_flow_policy, call_retry_policy

log = logging.getLogger(__name__)

NUMBER = re.compile(r"[0-9]{1,18}")


def _number(name: str) -> int:
    value = request.args.get(name, "")
    if not NUMBER.fullmatch(value):
        abort(400, f"the call's URL must carry ?{name}=<number>")
    return int(value)


def _twiml(step, outbox_id: int, attempt: int) -> Response:
    settings = current_runtime().settings

    def answer_url(round_number: int) -> str:
        return f"{settings.public_base_url}{CALL_ANSWER_PATH}?o={outbox_id}&a={attempt}&r={round_number}"

    body = step_twiml(step, lambda sha256: clip_url(settings.public_base_url, sha256), answer_url)
    return Response(body, status=200, mimetype="text/xml")


@webhooks.post("/twilio/voice")
def twilio_voice():
    """The TwiML of an answered call: the announcement, then the prompt awaiting one key."""
    runtime = current_runtime()
    require_twilio_signature(runtime.settings, "twilio voice webhook")
    outbox_id, attempt = _number("o"), _number("a")
    with runtime.session_factory() as session:
        step = opening_step(session, outbox_id, call_flow_policy(runtime.settings))
    return _twiml(step, outbox_id, attempt)


@webhooks.post("/twilio/voice/answer")
def twilio_voice_answer():
    """The TwiML after a round of the prompt, given the key pressed (`Digits`); key 1 records a confirmation."""
    runtime = current_runtime()
    require_twilio_signature(runtime.settings, "twilio voice answer")
    outbox_id, attempt, round_number = _number("o"), _number("a"), _number("r")
    digits = request.form.get("Digits", "")
    with runtime.session_factory.begin() as session:
        step = answer_step(session, outbox_id, round_number, digits, call_flow_policy(runtime.settings), utcnow())
    log.info("call of outbox %s, round %s: key %.1r (confirmed: %s)", outbox_id, round_number, digits, step.confirmed)
    return _twiml(step, outbox_id, attempt)


@webhooks.post("/twilio/call-status")
def twilio_call_status():
    """Apply one signed CallStatus callback to the call's outbox row (forward-only; unanswered calls retried)."""
    runtime = current_runtime()
    require_twilio_signature(runtime.settings, "twilio call status callback")
    outbox_id, attempt = _number("o"), _number("a")
    status = request.form.get("CallStatus", "")
    with runtime.session_factory.begin() as session:
        changed = apply_call_status(
            session,
            outbox_id,
            attempt,
            status,
            call_sid=request.form.get("CallSid") or None,
            now=utcnow(),
            retry=call_retry_policy(runtime.settings),
        )
    log.info("call status %.20r for outbox %s attempt %s (changed: %s)", status, outbox_id, attempt, changed)
    return "", 204
