"""A send job that dies releases its claims at once, on SQLite and PostgreSQL with a real Redis and a real RQ
worker: the job's on_failure callback (workers/recovery.py) puts the rows it claimed back in the queue and enqueues
the run's dispatch, so the same burst of the worker sends them, instead of leaving them to the 120 s lease."""

from __future__ import annotations

import pytest
from rq import Queue, SimpleWorker
from sqlalchemy.exc import OperationalError

from campaigns.delivery.dispatch import due_batches
from campaigns.delivery.sending import BatchReport, _claim
from tests.alert_helpers import launched_alert, staff
from tests.campaigns.delivery.test_sending_stream import launch, rows
from tests.factories import NOW
from workers import composition
from workers.dispatching import SEND_JOB, enqueue_batches
from workers.jobs import sending as sending_jobs
from workers.queues import ALERTS
from workers.recovery import release_dead_batch


@pytest.fixture
def worker_services(settings, monkeypatch):
    """This process as a worker of the test database (the simulator channel, the test's Redis)."""
    composition.configure(settings)
    yield
    composition.reset()


def test_a_send_job_failing_on_a_dropped_connection_releases_its_claims_at_once(
    session_factory, people, sends, worker_services, monkeypatch
):
    _, batch = launch(session_factory, people, extra=5)
    real_send_batch, claimed = sending_jobs.send_batch, []

    def claims_then_loses_the_database(session_factory, channel, limiter, policy, now, run_id, first_id, last_id,
                                       lane=None):  # fmt: skip
        if claimed:
            return real_send_batch(session_factory, channel, limiter, policy, now, run_id, first_id, last_id, lane)
        rows_claimed, _ = _claim(session_factory, policy, now(), run_id, first_id, last_id, BatchReport())
        claimed.append(len(rows_claimed))
        raise OperationalError("UPDATE outbox", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr("workers.jobs.sending.send_batch", claims_then_loses_the_database)
    assert enqueue_batches(sends.connection, [batch]) == 1
    SimpleWorker([sends], connection=sends.connection).work(burst=True)
    assert claimed == [8]  # the failed job had claimed every row of the batch
    assert {row.status for row in rows(session_factory).values()} == {"delivered"}  # sent in the same burst


def test_a_dead_alert_send_job_puts_the_alerts_batches_back_on_the_alerts_queue(
    session_factory, people, sends, worker_services
):
    alert = launched_alert(session_factory, people, staff(session_factory, "author"), staff(session_factory, "other"))
    with session_factory() as session:
        [batch] = due_batches(session, NOW, 500, run_id=alert["run_id"])
    release_dead_batch(batch.run_id, batch.first_id, batch.last_id)
    alerts = Queue(ALERTS, connection=sends.connection)
    assert [(job.func_name, job.args) for job in alerts.jobs] == [(SEND_JOB, (batch.run_id, batch.first_id,
                                                                             batch.last_id))]  # fmt: skip
    assert sends.count == 0  # no dispatch job waiting behind routine work
