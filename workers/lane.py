"""The alerts' priority lane in Redis: alert jobs have their own queue, first in every worker's list, and a flag per
channel kind tells routine senders to give way.

The flag (`gridcast:lane:alert:<kind>`) is set for LANE_DISPATCH_SECONDS when an alert's sending is enqueued, and
kept set by the alert's senders (LANE_HOLD_SECONDS past their last look), so routine sending resumes a few seconds
after an alert's last send. A routine sender that sees it stops after the sends in flight and its job is enqueued
again behind the alert's (`follow_alert`); that job, if it starts while the alert still sends, waits without
claiming anything until the flag clears, or gives its worker back at once when more alert jobs wait.

Waiting alert jobs make a routine sender give way only when its own worker takes the alerts' queue (every worker
started without queue names does): a worker that would not take them gains the alert nothing by stopping, and
would only stop, be enqueued again and stop again for as long as the jobs wait.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from redis import Redis
from rq import get_current_job

from campaigns.delivery.dispatch import Batch
from workers.queues import ALERTS

KINDS = ("sms", "voice")
LANE_DISPATCH_SECONDS = 10.0
LANE_HOLD_SECONDS = 3.0
WAIT_POLL_SECONDS = 0.1


def flag_key(kind: str) -> str:
    return f"gridcast:lane:alert:{kind}"


class RedisLane:
    """The `Lane` of campaigns.delivery.sending on a Redis shared by every worker."""

    def __init__(self, redis: Redis, takes_alert_jobs: bool = False):
        self.redis = redis
        self.takes_alert_jobs = takes_alert_jobs

    @classmethod
    def for_current_job(cls, redis: Redis) -> RedisLane:
        """The lane as the worker running the current RQ job sees it: whether that worker takes alert jobs."""
        return cls(redis, takes_alert_jobs=current_worker_takes_alerts(redis))

    def alert_waiting(self, kind: str) -> bool:
        return bool(self.redis.exists(flag_key(kind))) or self.alert_jobs_waiting()

    def alert_sending(self, kind: str) -> None:
        self.redis.set(flag_key(kind), "1", px=int(LANE_HOLD_SECONDS * 1000))

    def alert_jobs_waiting(self) -> bool:
        """Whether alert jobs wait in their queue for a worker, and this lane's worker would take them."""
        return self.takes_alert_jobs and bool(self.redis.llen(f"rq:queue:{ALERTS}"))

    def open_for_alert(self) -> None:
        """An alert's sending was just enqueued: routine senders of every kind give way until its senders start."""
        for kind in KINDS:
            self.redis.set(flag_key(kind), "1", px=int(LANE_DISPATCH_SECONDS * 1000))

    def busy(self) -> bool:
        """Whether an alert holds the lane on any kind."""
        return bool(self.redis.exists(*(flag_key(kind) for kind in KINDS)))

    def wait_until_clear(self, timeout: float, sleep: Callable[[float], None] = time.sleep) -> bool:
        """For a routine job about to start: wait while an alert sends. False when alert jobs wait for a worker
        (give this one back) or the wait passed `timeout`; True once the lane is clear."""
        deadline = time.monotonic() + timeout
        while self.busy():
            if self.alert_jobs_waiting() or time.monotonic() > deadline:
                return False
            sleep(WAIT_POLL_SECONDS)
        return True


def current_worker_takes_alerts(redis: Redis) -> bool:
    """Whether the worker running the current RQ job listens to the alerts' queue (False outside a job)."""
    job = get_current_job()
    if job is None or not job.worker_name:
        return False
    queues = redis.hget(f"rq:worker:{job.worker_name}", "queues") or b""
    names = queues.decode() if isinstance(queues, bytes) else queues
    return ALERTS in names.split(",")


def continuation_id(batch: Batch) -> str:
    """The job id of a batch's sending enqueued again after it gave way (unique: the job giving way still runs)."""
    return f"{batch.job_id}-after-alert-{uuid.uuid4().hex[:8]}"
