"""The worker entry point: `gridcast worker` and the worker child of `gridcast up` call `run_worker`."""

from __future__ import annotations

from collections.abc import Sequence

from rq import Worker

from campaigns.settings import Settings
from workers import composition
from workers.connections import connect_redis
from workers.queues import ALL_QUEUES, queue


def run_worker(
    settings: Settings,
    queues: Sequence[str] = ALL_QUEUES,
    with_scheduler: bool = True,
    burst: bool = False,
) -> bool:
    """Run an RQ worker on `queues` until stopped (SIGINT/SIGTERM: warm shutdown), or until they are empty with `burst`.

    The Redis connection and the composition root are opened here, after start, never at import time. With
    `with_scheduler` the worker also runs RQ's scheduler, which moves jobs enqueued for later onto their queues.
    Returns whether the worker did any work.
    """
    composition.configure(settings)
    connection = connect_redis(settings)
    worker = Worker([queue(name, connection) for name in queues], connection=connection)
    return worker.work(burst=burst, with_scheduler=with_scheduler)
