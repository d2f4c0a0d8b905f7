"""Sending jobs: thin shells that take ids, build nothing but what the composition root gives, and let errors
propagate so a failed job shows as failed."""

from __future__ import annotations

from dataclasses import asdict

from campaigns.delivery.dispatch import due_batches, finish_runs
from campaigns.delivery.sending import send_batch
from workers.composition import services
from workers.dispatching import enqueue_batches
from workers.sending_services import now


def send_batch_job(run_id: int, first_id: int, last_id: int) -> dict:
    """Send the due rows of run `run_id` with ids in [first_id, last_id]; safe to run twice."""
    base = services()
    tools = base.sending()
    session_factory = base.session_factory
    report = send_batch(session_factory, tools.channel, tools.limiter, tools.policy, now, run_id, first_id, last_id)
    with session_factory.begin() as session:
        finish_runs(session, now(), run_id=run_id)
    return asdict(report)


def dispatch_run_job(run_id: int) -> int:
    """Enqueue the send batches of a freshly planned run; returns how many jobs were enqueued."""
    base = services()
    with base.session_factory() as session:
        batches = due_batches(session, now(), base.settings.send_batch_size, run_id=run_id)
    return enqueue_batches(base.redis(), batches)
