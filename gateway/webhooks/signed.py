"""The gate every Twilio webhook passes: 404 in simulator mode, 403 without a valid X-Twilio-Signature."""

from __future__ import annotations

import logging

from flask import abort, request

from campaigns.channels.twilio.signature import twilio_signature_valid
from campaigns.common.settings import Settings

log = logging.getLogger(__name__)


def require_twilio_signature(settings: Settings, what: str) -> None:
    """Abort unless Twilio is configured and the request is signed over its public URL (behind a proxy too)."""
    if not settings.twilio_configured:
        abort(404)
    query = request.query_string.decode("utf-8", "replace")
    public_url = settings.public_base_url + request.path + (f"?{query}" if query else "")
    signature = request.headers.get("X-Twilio-Signature")
    if not twilio_signature_valid(settings.twilio_auth_token, public_url, request.form, signature):
        log.warning("%s with a bad or missing signature refused", what)
        abort(403)
