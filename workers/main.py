"""The worker entry point: `gridcast worker` and the worker child of `gridcast up` call `run_worker`."""

from __future__ import annotations

import gc
import importlib
import pkgutil
from collections.abc import Sequence

from rq import Worker
from sqlalchemy.orm import configure_mappers

from campaigns.common.settings import Settings
from workers import composition, jobs
from workers.channel_factory import preload_channels
from workers.queues import ALL_QUEUES, queue
from workers.recovery import work_horse_killed


def run_worker(
    settings: Settings,
    queues: Sequence[str] = ALL_QUEUES,
    with_scheduler: bool = False,
    burst: bool = False,
) -> bool:
    """Run an RQ worker on `queues` until stopped (SIGINT/SIGTERM: warm shutdown), or until they are empty with `burst`.

    The Redis connection and the composition root are opened here, after start, never at import time. Gridcast
    enqueues no delayed jobs (the tick plans what is due), so workers run without RQ's scheduler: its child process
    would outlive a SIGKILLed worker and hold its locks. `with_scheduler` runs it anyway, for delayed jobs of your own.
    A send job whose work horse dies has its claims released at once (workers/recovery.py).
    Returns whether the worker did any work.
    """
    connection = composition.configure(settings).redis()
    prepare_for_forks()
    worker = Worker(
        [queue(name, connection) for name in queues],
        connection=connection,
        work_horse_killed_handler=work_horse_killed,
    )
    return worker.work(burst=burst, with_scheduler=with_scheduler)


def prepare_for_forks() -> None:
    """Do once in the worker what every forked work horse would otherwise do again for each job: import the job
    modules and what the channels load lazily, configure the ORM mappers, then freeze the objects so far out of the
    garbage collector (a horse's first full collection would otherwise touch, and so copy, the whole inherited
    heap: ~0.14 s a job, measured). Opens no connection."""
    for module in pkgutil.iter_modules(jobs.__path__, jobs.__name__ + "."):
        importlib.import_module(module.name)
    preload_channels()
    configure_mappers()
    gc.collect()
    gc.freeze()
