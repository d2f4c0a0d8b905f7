"""A send job that dies releases its claims at once, on SQLite and PostgreSQL with a real Redis and a real RQ
worker: the job's on_failure callback (workers/recovery.py) puts the rows it claimed back in the queue and enqueues
the run's dispatch, so the same burst of the worker sends them, instead of leaving them to the 120 s lease."""

from __future__ import annotations

import pytest
from rq import SimpleWorker
from sqlalchemy.exc import OperationalError

from campaigns.delivery.sending import BatchReport, _claim
from tests.campaigns.delivery.test_sending_stream import launch, rows
from workers import composition
from workers.dispatching import enqueue_batches
from workers.jobs import sending as sending_jobs


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
