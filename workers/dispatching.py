"""Putting send batches on the queue, once: a batch's job id is fixed, so a batch whose job is still waiting or
running is not enqueued again, and one whose job vanished (Redis flushed, worker killed) is.

A job RQ shows as started counts as running only while its batch is `leased` (rows under an unexpired lease): a
worker killed with SIGKILL leaves its job "started" in Redis until RQ's maintenance notices, many minutes later,
and the batch's rows, queued again by the reconciler, would wait all that time. Sending a batch twice at once is
safe (claims are exclusive), so a live job mistaken for dead costs nothing but a job that finds little to do.

An alert's batches go on the alerts' queue, which every worker takes first, and open the lane (workers/lane.py) so
routine senders give way. An alert just launched has its batches enqueued at once, from the launching process: no
dispatch job stands between the launch and its first send."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from redis import Redis
from rq import Callback
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy.orm import Session, sessionmaker

from campaigns.delivery.dispatch import Batch, due_batches
from workers.lane import RedisLane, continuation_id
from workers.queues import ALERTS, SENDS, queue

WAITING_STATUSES = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED}
JOB_TIMEOUT_SECONDS = 3600
SEND_JOB = "workers.jobs.sending.send_batch_job"
RELEASE_ON_FAILURE = Callback("workers.recovery.send_job_failed")  # a failed job's claims go back at once


def enqueue_batches(connection: Redis, batches: Iterable[Batch]) -> int:
    """Enqueue a send job for every batch that has no live job (an alert's on the alerts' queue); returns how many
    were enqueued."""
    enqueued = 0
    for batch in batches:
        if _has_live_job(connection, batch):
            continue
        if batch.alert:
            RedisLane(connection).open_for_alert()
        _enqueue_send(connection, batch, batch.job_id)
        enqueued += 1
    return enqueued


def enqueue_after_alert(connection: Redis, batch: Batch) -> None:
    """Enqueue again the sending of a routine batch that gave way to an alert: behind the alert's jobs, since
    every worker takes the alerts' queue first."""
    _enqueue_send(connection, batch, continuation_id(batch))


def _enqueue_send(connection: Redis, batch: Batch, job_id: str) -> None:
    queue(ALERTS if batch.alert else SENDS, connection).enqueue(
        SEND_JOB,
        batch.run_id,
        batch.first_id,
        batch.last_id,
        job_id=job_id,
        job_timeout=JOB_TIMEOUT_SECONDS,
        result_ttl=600,
        failure_ttl=86400,
        on_failure=RELEASE_ON_FAILURE,
    )


def _has_live_job(connection: Redis, batch: Batch) -> bool:
    try:
        job = Job.fetch(batch.job_id, connection=connection)
    except NoSuchJobError:
        return False
    status = job.get_status(refresh=False)
    return status in WAITING_STATUSES or (status == JobStatus.STARTED and batch.leased)


def enqueue_run_dispatch(connection: Redis, run_id: int) -> None:
    """Ask a worker to enqueue the batches of a routine run just planned (called after the planning commit)."""
    queue(SENDS, connection).enqueue("workers.jobs.sending.dispatch_run_job", run_id, result_ttl=600)


def enqueue_alert_batches(connection: Redis, session_factory: sessionmaker[Session], run_id: int, batch_size: int,
                          now: datetime) -> int:  # fmt: skip
    """Enqueue the batches of an alert's run just planned (called after the planning commit) straight onto the
    alerts' queue, opening the lane; returns how many were enqueued."""
    with session_factory() as session:
        batches = due_batches(session, now, batch_size, run_id=run_id)
    return enqueue_batches(connection, batches)


def enqueue_run_sending(connection: Redis, session_factory: sessionmaker[Session], run_id: int, alert: bool,
                        batch_size: int, now: datetime) -> None:  # fmt: skip
    """Get a run's queued rows sent (after its planning or a release): an alert's batches at once, a routine run's
    through a dispatch job."""
    if alert:
        enqueue_alert_batches(connection, session_factory, run_id, batch_size, now)
    else:
        enqueue_run_dispatch(connection, run_id)
