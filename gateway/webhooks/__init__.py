"""Provider webhooks (Twilio and Kannel status callbacks and incoming SMS): checked with the provider's signature
or shared secret, not with our API tokens."""

from __future__ import annotations

from flask import Blueprint

webhooks = Blueprint("webhooks", __name__)

from gateway.webhooks import kannel, twilio_sms, twilio_status, twilio_voice  # noqa: E402, F401  (routes register on import)
