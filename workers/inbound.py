"""Putting received SMS on the queue for processing, once: a message's job id is fixed ("inbound-<id>"), so a
message whose job is still waiting is not enqueued twice, and one whose job vanished is again. A job shown as
started is not trusted (a killed worker leaves it so): processing a message twice at once is safe."""

from __future__ import annotations

from collections.abc import Iterable

from redis import Redis
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from workers.queues import DEFAULT, queue

WAITING_STATUSES = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


def inbound_job_id(inbound_id: int) -> str:
    return f"inbound-{inbound_id}"


def enqueue_inbound(connection: Redis, inbound_ids: Iterable[int]) -> int:
    """Enqueue `process_inbound_job` on the default queue for each message without a live job; returns how many."""
    default = queue(DEFAULT, connection)
    enqueued = 0
    for inbound_id in inbound_ids:
        job_id = inbound_job_id(inbound_id)
        try:
            if Job.fetch(job_id, connection=connection).get_status(refresh=False) in WAITING_STATUSES:
                continue
        except NoSuchJobError:
            pass
        _enqueue(default, inbound_id)
        enqueued += 1
    return enqueued


def enqueue_new_inbound(connection: Redis, inbound_id: int) -> None:
    """Enqueue the processing of a message stored just now: no job can exist for it yet, so none is looked up."""
    _enqueue(queue(DEFAULT, connection), inbound_id)


def _enqueue(default: Queue, inbound_id: int) -> None:
    with default.connection.pipeline() as pipeline:
        default.enqueue(
            "workers.jobs.replies.process_inbound_job",
            inbound_id,
            job_id=inbound_job_id(inbound_id),
            result_ttl=600,
            failure_ttl=86400,
            pipeline=pipeline,
        )
        pipeline.execute()
