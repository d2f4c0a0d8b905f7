"""Releasing a dead send job's claims at once, instead of waiting out their lease and the next tick.

A send job dies in two ways: its work horse is killed (SIGKILL, out of memory), which the worker that forked it
sees at once (`work_horse_killed`, RQ's work_horse_killed_handler); or the job raises, for instance on a dropped
database connection (`send_job_failed`, the on_failure callback of every send job). Either way the job's batch is
released (`campaigns.delivery.claim_release.release_batch`): rows claimed but never handed to the provider go back
to the queue, the leases of rows already handed over end now so the reconciler settles them at its next pass, and
the run's dispatch is enqueued (an alert's batches themselves), so sending resumes within seconds. A worker killed as
a whole (parent and horse) tells no one: its rows wait for their lease, as before. Releasing twice, or a batch a live
job also works on, is safe: a sender only hands over a row that still holds its own claim.
"""

from __future__ import annotations

import logging

from campaigns.delivery.claim_release import HeldRows, release_batch
from campaigns.delivery.dispatch import is_alert_run
from workers.composition import services
from workers.dispatching import SEND_JOB, enqueue_run_sending
from workers.sending_services import now

log = logging.getLogger(__name__)


def release_dead_batch(run_id: int, first_id: int, last_id: int) -> HeldRows:
    """Release the claims of a dead send job of batch [first_id, last_id] of run `run_id` and dispatch the run."""
    base = services()
    with base.session_factory.begin() as session:
        held = release_batch(session, run_id, first_id, last_id, now())
        alert = is_alert_run(session, run_id)
    enqueue_run_sending(base.redis(), base.session_factory, run_id, alert, base.settings.send_batch_size, now())
    log.warning("send job of run %s rows %s-%s died: %s claimed rows requeued, %s leases ended for reconciliation",
                run_id, first_id, last_id, held.requeued, held.with_provider)  # fmt: skip
    return held


def send_job_failed(job, connection, exc_type, exc_value, traceback) -> None:
    """RQ's on_failure callback of a send job: it raised, so its claims are released at once."""
    release_dead_batch(*job.args)


def work_horse_killed(job, retpid, ret_val, rusage) -> None:
    """The worker's handler for a work horse that died while running a job: a send job's claims are released. It runs
    in the worker itself, which must survive a failure here (the database down too): the leases then expire and the
    tick settles the rows, as without this handler."""
    if job.func_name != SEND_JOB:
        return
    try:
        release_dead_batch(*job.args)
    except Exception:
        log.exception("could not release the claims of dead job %s; the tick will once their leases expire", job.id)
