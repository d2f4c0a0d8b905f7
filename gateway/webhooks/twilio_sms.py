"""POST /twilio/sms: Twilio's incoming-message webhook (the number's "A message comes in" URL).

Every request must carry a valid X-Twilio-Signature over the public URL (PUBLIC_BASE_URL + path + query string),
exactly like /twilio/status; otherwise 403 and nothing is stored. A signed message is stored whole (every form
field in `raw`), once per MessageSid: a repeated delivery stores nothing new and is answered the same. The answer
is an empty TwiML <Response/> (replies go out through the outbox, not in the webhook's answer); processing is a
job on the default queue, enqueued after the commit. If Redis is down the message is still stored and answered,
and the tick's sweep enqueues it later. In simulator mode (no Twilio credentials) the route is 404.
"""

from __future__ import annotations

import logging

from flask import Response, abort, request

from campaigns.common.errors import ValidationError
from campaigns.common.phones import mask_phone
from campaigns.models.base import utcnow
from campaigns.replies.inbound import record_sms
from gateway.runtime import current_runtime
from gateway.webhooks import webhooks
from gateway.webhooks.inbound_queue import enqueue_processing
from gateway.webhooks.signed import require_twilio_signature

log = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


@webhooks.post("/twilio/sms")
def twilio_sms():
    """Store one signed incoming SMS and enqueue its processing."""
    runtime = current_runtime()
    settings = runtime.settings
    require_twilio_signature(settings, "incoming twilio sms")
    raw = {key: values[0] if len(values) == 1 else values for key, values in request.form.lists()}
    try:
        with runtime.session_factory.begin() as session:
            received = record_sms(
                session,
                "twilio",
                request.form.get("MessageSid") or request.form.get("SmsSid") or "",
                request.form.get("From", ""),
                request.form.get("To", ""),
                request.form.get("Body", ""),
                raw,
                utcnow(),
                settings.default_region,
            )
    except ValidationError:
        abort(400, "the message has no MessageSid")
    log.info(
        "incoming sms %s from %s (new: %s)", received.id, mask_phone(request.form.get("From", "")), received.created
    )
    enqueue_processing(received)
    return Response(EMPTY_TWIML, status=200, mimetype="text/xml")
