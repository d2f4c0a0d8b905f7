"""Import jobs on the queue: one job id per import, so enqueueing an import twice while its job waits or runs
queues it once."""

from __future__ import annotations

from redis import Redis
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from workers.queues import IMPORTS, queue

LIVE_STATUSES = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED, JobStatus.STARTED}
JOB_TIMEOUT_SECONDS = 1800


def enqueue_imports(connection: Redis, import_ids: list[int]) -> int:
    """Queue the jobs of `import_ids` whose job is not waiting or running; returns how many were queued."""
    return sum(_enqueue(connection, import_id) for import_id in import_ids)


def import_job_id(import_id: int) -> str:
    return f"import-{import_id}"


def enqueue_import(connection: Redis, import_id: int) -> str:
    """Queue the job that runs import `import_id` (unless its job already waits or runs); returns the job id.
    Call it after the import's report and upload are committed."""
    _enqueue(connection, import_id)
    return import_job_id(import_id)


def _enqueue(connection: Redis, import_id: int) -> bool:
    job_id = import_job_id(import_id)
    try:
        current = Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        current = None
    if current is not None and current.get_status(refresh=False) in LIVE_STATUSES:
        return False
    queue(IMPORTS, connection).enqueue(
        "workers.jobs.imports.run_import_job",
        import_id,
        job_id=job_id,
        job_timeout=JOB_TIMEOUT_SECONDS,
        result_ttl=86400,
        failure_ttl=86400,
    )
    return True
