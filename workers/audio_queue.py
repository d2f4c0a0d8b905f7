"""Synthesis jobs on the queue: one job id per campaign, language and engine choice, so asking twice while a job
waits or runs does not queue a second one, and the job's status can be shown to staff."""

from __future__ import annotations

from typing import Any

from redis import Redis
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from workers.queues import AUDIO, queue

LIVE_STATUSES = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED, JobStatus.STARTED}
JOB_TIMEOUT_SECONDS = 600


def synthesis_job_id(campaign_id: int, language: str, engine: str | None = None) -> str:
    return f"audio-synthesize-{campaign_id}-{language}-{engine or 'auto'}"


def enqueue_synthesis(connection: Redis, campaign_id: int, language: str, engine: str | None = None) -> dict:
    """Queue the synthesis of a campaign language (unless the same request is already waiting or running)."""
    job_id = synthesis_job_id(campaign_id, language, engine)
    current = _fetch(connection, job_id)
    if current is not None and current.get_status(refresh=False) in LIVE_STATUSES:
        return job_info(current)
    job = queue(AUDIO, connection).enqueue(
        "workers.jobs.audio.synthesize_campaign_audio_job",
        campaign_id,
        language,
        engine,
        job_id=job_id,
        job_timeout=JOB_TIMEOUT_SECONDS,
        result_ttl=86400,
        failure_ttl=86400,
    )
    return job_info(job)


def synthesis_status(connection: Redis, campaign_id: int, language: str) -> dict | None:
    """The latest synthesis job of a campaign language (any engine choice), or None when there is none."""
    jobs = [_fetch(connection, synthesis_job_id(campaign_id, language, engine)) for engine in (None, "gtts", "espeak")]
    found = [job for job in jobs if job is not None]
    if not found:
        return None
    return job_info(max(found, key=lambda job: job.enqueued_at or job.created_at))


def job_info(job: Job) -> dict[str, Any]:
    status = job.get_status(refresh=False)
    info: dict[str, Any] = {"id": job.id, "status": str(status.value if status else "unknown")}
    info["enqueued_at"] = job.enqueued_at.isoformat() if job.enqueued_at else None
    if status == JobStatus.FAILED:
        info["error"] = _last_line(job)
    return info


def _last_line(job: Job) -> str:
    result = job.latest_result()
    text = (result.exc_string if result is not None else None) or ""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:500] if lines else "failed"


def _fetch(connection: Redis, job_id: str) -> Job | None:
    try:
        return Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        return None
