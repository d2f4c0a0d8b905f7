"""Sending jobs: thin shells that take ids, build nothing but what the composition root gives, and let errors
propagate so a failed job shows as failed."""

from __future__ import annotations

from dataclasses import asdict

from campaigns.delivery.dispatch import Batch, due_batches, finish_runs, is_alert_run
from campaigns.delivery.sending import BatchReport, send_batch
from workers.composition import services
from workers.dispatching import enqueue_after_alert, enqueue_batches
from workers.lane import RedisLane
from workers.sending_services import now

ROUTINE_WAIT_SECONDS = 600.0


def send_batch_job(run_id: int, first_id: int, last_id: int) -> dict:
    """Send the due rows of run `run_id` with ids in [first_id, last_id]; safe to run twice.

    A routine batch gives way to alerts (workers/lane.py): started while an alert sends, it waits for the lane to
    clear; stopped by one, it is enqueued again behind the alert's jobs.
    """
    base = services()
    tools = base.sending()
    session_factory = base.session_factory
    lane = RedisLane.for_current_job(base.redis())
    batch = Batch(run_id, first_id, last_id)
    with session_factory() as session:
        alert = is_alert_run(session, run_id)
    if not alert and not lane.wait_until_clear(ROUTINE_WAIT_SECONDS):
        enqueue_after_alert(lane.redis, batch)
        return asdict(BatchReport(yielded=True))
    report = send_batch(session_factory, tools.channel, tools.limiter, tools.policy, now, run_id, first_id, last_id,
                        lane=lane)  # fmt: skip
    if report.yielded:
        enqueue_after_alert(lane.redis, batch)
    with session_factory.begin() as session:
        finish_runs(session, now(), run_id=run_id)
    return asdict(report)


def dispatch_run_job(run_id: int) -> int:
    """Enqueue the send batches of a freshly planned run; returns how many jobs were enqueued."""
    base = services()
    with base.session_factory() as session:
        batches = due_batches(session, now(), base.settings.send_batch_size, run_id=run_id)
    return enqueue_batches(base.redis(), batches)
