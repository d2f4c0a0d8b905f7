"""The alerts' lane with real RQ workers on a real Redis, on SQLite and PostgreSQL: a routine send job gives way to
waiting alert jobs only when its own worker would take them. A worker that does not serve the alerts' queue sends
its routine batch through instead of giving way, being enqueued again and giving way again for as long as the
alert jobs wait (a loop that once hung a burst worker for good)."""

from __future__ import annotations

import pytest
from rq import Queue, SimpleWorker

from campaigns.delivery.dispatch import Batch
from tests.campaigns.delivery.test_sending_stream import launch, rows
from workers import composition
from workers.dispatching import enqueue_batches
from workers.lane import RedisLane
from workers.queues import ALERTS

NOBODYS_ALERT = Batch(run_id=999_999, first_id=1, last_id=1, alert=True)


@pytest.fixture
def worker_services(settings):
    """This process as a worker of the test database (the simulator channel, the test's Redis)."""
    composition.configure(settings)
    yield
    composition.reset()


def test_a_worker_that_does_not_take_alerts_sends_its_routine_batch_while_alert_jobs_wait(
    session_factory, people, sends, worker_services
):
    _, batch = launch(session_factory, people, extra=5)
    alerts = Queue(ALERTS, connection=sends.connection)
    enqueue_batches(sends.connection, [NOBODYS_ALERT])
    sends.connection.delete(*(f"gridcast:lane:alert:{kind}" for kind in ("sms", "voice")))
    assert enqueue_batches(sends.connection, [batch]) == 1
    SimpleWorker([sends], connection=sends.connection).work(burst=True, max_jobs=3)
    assert {row.status for row in rows(session_factory).values()} == {"delivered"}
    assert alerts.count == 1  # still waiting for a worker that serves the alerts' queue


def test_a_worker_that_takes_alerts_sees_the_waiting_alert_jobs(sends):
    enqueue_batches(sends.connection, [NOBODYS_ALERT])
    assert RedisLane(sends.connection, takes_alert_jobs=True).alert_jobs_waiting()
    assert not RedisLane(sends.connection, takes_alert_jobs=False).alert_jobs_waiting()
