"""Provider webhooks (Twilio status callbacks and incoming SMS): signed by the provider, not by our API tokens."""

from __future__ import annotations

from flask import Blueprint

webhooks = Blueprint("webhooks", __name__)

from gateway.webhooks import twilio_sms, twilio_status  # noqa: E402, F401  (routes register on import)
