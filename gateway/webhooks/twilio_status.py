"""POST /twilio/status?o=<outbox id>: Twilio's message status callbacks.

Every request must carry a valid X-Twilio-Signature over the public URL (PUBLIC_BASE_URL + path + query string,
so it works behind a proxy) and the form; otherwise 403 and nothing is stored. A signed callback is applied with
`apply_status` (forward-only; a row another channel took, Kannel, is left alone) and answered 204, also when the
outbox row does not exist (Twilio cannot fix that, and an error answer would only fill its debugger). In simulator
mode (no Twilio credentials) the route is 404.
"""

from __future__ import annotations

import logging
import re

from flask import abort, request

from campaigns.delivery.status_updates import apply_status
from campaigns.models.base import utcnow
from gateway.runtime import current_runtime
from gateway.webhooks import webhooks
from gateway.webhooks.signed import require_twilio_signature

log = logging.getLogger(__name__)


@webhooks.post("/twilio/status")
def twilio_status():
    """Apply one signed Twilio status callback to the outbox row named by `o`."""
    runtime = current_runtime()
    settings = runtime.settings
    require_twilio_signature(settings, "twilio status callback")
    outbox_id = request.args.get("o", "")
    if not re.fullmatch(r"[0-9]{1,18}", outbox_id):
        abort(400, "the status callback URL must carry ?o=<outbox id>")
    with runtime.session_factory.begin() as session:
        changed = apply_status(
            session,
            int(outbox_id),
            request.form.get("MessageStatus", ""),
            provider_sid=request.form.get("MessageSid") or None,
            error_code=request.form.get("ErrorCode") or None,
            now=utcnow(),
            provider="twilio",
        )
    log.info("twilio status %.20r for outbox %s (changed: %s)", request.form.get("MessageStatus"), outbox_id, changed)
    return "", 204
