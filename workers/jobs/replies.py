"""Reply jobs: process one received SMS, then enqueue the sending of its auto-reply (after the commit)."""

from __future__ import annotations

from campaigns.delivery.dispatch import due_batches
from campaigns.replies.processing import process_inbound
from workers.composition import services
from workers.dispatching import enqueue_batches
from workers.sending_services import now


def process_inbound_job(inbound_id: int) -> dict:
    """Classify and apply received SMS `inbound_id`; safe to run twice (a processed message is left alone)."""
    base = services()
    with base.session_factory.begin() as session:
        summary = process_inbound(session, inbound_id, now(), auto_replies=base.settings.auto_replies,
                                  outbox_ttl=base.settings.outbox_ttl)  # fmt: skip
    if summary["reply_run_id"] is not None:
        with base.session_factory() as session:
            batches = due_batches(session, now(), base.settings.send_batch_size, run_id=summary["reply_run_id"])
        enqueue_batches(base.redis(), batches)
    return summary
