"""After a webhook stored an incoming SMS: enqueue its processing, or leave it to the tick's sweep."""

from __future__ import annotations

import logging

from campaigns.replies.inbound import ReceivedSms
from gateway.runtime import current_runtime
from workers.inbound import enqueue_inbound, enqueue_new_inbound

log = logging.getLogger(__name__)


def enqueue_processing(received: ReceivedSms) -> None:
    """Enqueue the reply job of a stored message that is not processed yet. When Redis cannot be reached the message
    is still stored (and the webhook answered): the failure is logged and the tick's sweep enqueues it later."""
    if received.processed:
        return
    try:
        connection = current_runtime().redis()
        if received.created:
            enqueue_new_inbound(connection, received.id)
        else:
            enqueue_inbound(connection, [received.id])
    except Exception:
        log.warning("could not enqueue incoming sms %s now; the tick's sweep will", received.id, exc_info=True)
