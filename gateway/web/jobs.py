"""Jobs the API and the console enqueue, after the request's commit so the job finds the rows; when Redis is down
the periodic tick (or its sweep) enqueues them later. And whether the phone simulator is on."""

from __future__ import annotations

import logging

from campaigns.common.errors import NotFound
from campaigns.models.base import utcnow
from gateway.runtime import current_runtime
from gateway.web.session import after_commit
from workers.audio_queue import synthesis_status
from workers.dispatching import enqueue_run_sending
from workers.import_queue import enqueue_import
from workers.inbound import enqueue_inbound

log = logging.getLogger(__name__)


def dispatch_after_commit(run_ids: list[int]) -> None:
    """Enqueue the dispatch of each run once the request's transaction has committed."""
    for run_id in run_ids:
        after_commit(lambda run_id=run_id: enqueue_dispatch_soon(run_id))


def enqueue_dispatch_soon(run_id: int, alert: bool = False) -> None:
    """Enqueue a run's dispatch (an alert's batches themselves, in the alerts' lane); when Redis is down, log it and
    leave it to the periodic tick."""
    runtime = current_runtime()
    try:
        enqueue_run_sending(runtime.redis(), runtime.session_factory, run_id, alert, runtime.settings.send_batch_size,
                            utcnow())  # fmt: skip
    except Exception:
        log.warning("could not enqueue run %s now; the periodic tick will", run_id, exc_info=True)


def enqueue_simulated_reply(inbound_id: int) -> None:
    """Enqueue a simulated reply's processing; when Redis is down, the tick's sweep enqueues it later."""
    try:
        enqueue_inbound(current_runtime().redis(), [inbound_id])
    except Exception:
        log.warning("could not enqueue simulated reply %s now; the tick's sweep will", inbound_id, exc_info=True)


def simulator_region() -> str:
    """The default region, or NotFound when Twilio is configured (the simulator is for offline use only)."""
    settings = current_runtime().settings
    if settings.twilio_configured:
        raise NotFound("the phone simulator is off: Twilio is configured")
    return settings.default_region


def synthesis_job_status(campaign_id: int, language: str) -> dict | None:
    """The latest synthesis job of a campaign language, or None when Redis cannot be read (listing still works)."""
    try:
        return synthesis_status(current_runtime().redis(), campaign_id, language)
    except Exception:
        log.warning("could not read the synthesis status from Redis", exc_info=True)
        return None


def enqueue_import_soon(import_id: int) -> None:
    """Enqueue a queued import's job; when Redis is down the import stays queued (see docs/importing.md)."""
    try:
        enqueue_import(current_runtime().redis(), import_id)
    except Exception:
        log.warning("could not enqueue import %s now", import_id, exc_info=True)
