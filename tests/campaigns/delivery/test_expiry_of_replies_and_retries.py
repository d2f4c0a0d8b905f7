"""Expiry of auto-replies and retried rows (issue 15), on SQLite and PostgreSQL: an auto-reply expires the time to live
after it was queued and is not sent once that passed; a retried row gets a fresh expiry by the same rule (the time to
live from the retry, or the alert's expiry), and an expired alert's run is not retried; the reply job, the API and
the console take the time to live from the settings; plus the rule itself."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import timedelta

import pytest
from redis import Redis
from sqlalchemy import select, update

from campaigns.common.errors import ValidationError
from campaigns.delivery.expiry import outbox_expiry
from campaigns.identity.access import Actor
from campaigns.models import Campaign, OutboxMessage
from campaigns.replies.inbound import receive_sms
from campaigns.runs.run_control import retry_failed
from tests.alert_helpers import launched_alert, staff
from tests.campaigns.delivery.test_alert_lane import expiries, routine_run, send_run, statuses
from tests.campaigns.delivery.test_expiry_of_notices import assert_expires_unsent
from tests.campaigns.delivery.test_sending_stream import ConcurrentChannel
from tests.campaigns.runs.test_retry_and_simulator import simulated_run
from tests.conftest import TEST_REDIS_URL
from tests.console_helpers import logged_in
from tests.factories import NOW
from tests.reply_helpers import receive, replies_to
from workers.composition import configure, reset
from workers.jobs.replies import process_inbound_job
from workers.queues import DEFAULT, SENDS

SYSTEM = Actor.system()
TTL = timedelta(hours=6)
LATER = NOW + timedelta(days=2)


def test_the_rule_an_alerts_expiry_else_the_time_to_live_or_an_earlier_deadline():
    alert = Campaign(kind="alert", expires_at=NOW + timedelta(hours=1))
    routine = Campaign(kind="routine")
    assert outbox_expiry(alert, NOW, TTL, deadline=NOW) == NOW + timedelta(hours=1)
    assert outbox_expiry(routine, NOW, TTL) == NOW + TTL
    assert outbox_expiry(routine, NOW, None) is None
    assert outbox_expiry(routine, NOW, TTL, deadline=NOW + timedelta(hours=2)) == NOW + timedelta(hours=2)
    assert outbox_expiry(routine, NOW, TTL, deadline=NOW + timedelta(days=1)) == NOW + TTL
    assert outbox_expiry(routine, NOW, None, deadline=NOW + timedelta(days=1)) == NOW + timedelta(days=1)


@pytest.mark.parametrize(("phone", "body"), [("+8613800000002", "1"), ("+8613700000099", "你好")])
def test_an_auto_reply_expires_the_time_to_live_after_it_was_queued(session_factory, people, phone, body):
    at = NOW + timedelta(minutes=5)
    summary = receive(session_factory, phone, body, at, outbox_ttl=TTL)  # a contact's "1"; an unknown sender
    [reply] = replies_to(session_factory, phone)
    assert summary["reply_run_id"] == reply.run_id and reply.status == "queued"
    assert_expires_unsent(session_factory, reply.run_id, at + TTL)


def test_an_auto_reply_without_a_time_to_live_never_expires(session_factory, people):
    receive(session_factory, "+8613800000002", "1", NOW, outbox_ttl=None)
    assert [reply.expires_at for reply in replies_to(session_factory, "+8613800000002")] == [None]


def mark_failed(session_factory, run_id: int) -> None:
    with session_factory.begin() as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.run_id == run_id).values(status="failed"))


def fail_every_row(session_factory, run_id: int) -> None:
    send_run(session_factory, run_id, ConcurrentChannel(), lambda: NOW)
    mark_failed(session_factory, run_id)


def test_a_retried_row_gets_a_fresh_time_to_live_and_goes_out(session_factory, people):
    run_id = routine_run(session_factory, people, ttl=TTL)
    fail_every_row(session_factory, run_id)
    with session_factory.begin() as session:
        assert retry_failed(session, SYSTEM, run_id, LATER, outbox_ttl=TTL).requeued == 3
    assert expiries(session_factory, run_id) == {LATER + TTL}  # not the first send's NOW + TTL, long gone
    channel = ConcurrentChannel()
    send_run(session_factory, run_id, channel, lambda: LATER)
    assert len(channel.sent) == 3 and statuses(session_factory, run_id) == Counter({"sent": 3})


def test_a_retried_row_expires_unsent_after_its_fresh_time_to_live(session_factory, people):
    run_id = routine_run(session_factory, people, ttl=TTL)
    fail_every_row(session_factory, run_id)
    with session_factory.begin() as session:
        retry_failed(session, SYSTEM, run_id, LATER, outbox_ttl=TTL)
    assert_expires_unsent(session_factory, run_id, LATER + TTL)


def test_an_alerts_retried_rows_expire_with_the_alert_and_an_expired_alert_is_not_retried(session_factory, people):
    alert = launched_alert(session_factory, people, staff(session_factory, "author"), staff(session_factory, "boss"))
    fail_every_row(session_factory, alert["run_id"])
    with session_factory.begin() as session:
        retry_failed(session, SYSTEM, alert["run_id"], NOW + timedelta(hours=1), outbox_ttl=TTL)
    assert expiries(session_factory, alert["run_id"]) == {NOW + timedelta(days=1)}
    mark_failed(session_factory, alert["run_id"])
    with session_factory.begin() as session, pytest.raises(ValidationError, match="expired"):
        retry_failed(session, SYSTEM, alert["run_id"], NOW + timedelta(days=1), outbox_ttl=TTL)
    assert statuses(session_factory, alert["run_id"]) == Counter({"failed": 3})


@pytest.fixture
def redis():
    connection = Redis.from_url(TEST_REDIS_URL)
    keys = (f"rq:queue:{SENDS}", f"rq:queue:{DEFAULT}")
    connection.delete(*keys, *connection.keys("rq:job:send-*"), *connection.keys("rq:job:inbound-*"))
    yield connection
    connection.delete(*keys, *connection.keys("rq:job:send-*"), *connection.keys("rq:job:inbound-*"))
    connection.close()


def retried_rows(session_factory, run_id: int) -> set:
    """(next attempt, expiry) of the run's queued rows: a retry sets both from its own clock."""
    with session_factory() as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.run_id == run_id))
        return {row.expires_at - row.next_attempt_at for row in rows if row.status == "queued"}


def test_the_api_and_the_console_retry_with_the_time_to_live_of_the_settings(client, admin_headers, session_factory,
                                                                             people, settings, redis):  # fmt: skip
    run_id = simulated_run(session_factory, people)  # two of its rows failed
    assert client.post(f"/api/v1/runs/{run_id}/retry-failed", headers=admin_headers).json["requeued"] == 2
    assert retried_rows(session_factory, run_id) == {settings.outbox_ttl}
    with session_factory.begin() as session:
        queued = update(OutboxMessage).where(OutboxMessage.status == "queued")
        session.execute(queued.values(status="failed", expires_at=None))
    token = logged_in(client, session_factory, "dorje", "admin")
    client.post(f"/console/runs/{run_id}/retry", data={"csrf_token": token})
    assert retried_rows(session_factory, run_id) == {settings.outbox_ttl}


def test_the_reply_job_queues_auto_replies_with_the_time_to_live_of_the_settings(session_factory, people, settings,
                                                                                 redis):  # fmt: skip
    with session_factory.begin() as session:
        message, _ = receive_sms(session, "twilio", "SM" + "a" * 32, "+8613800000002", "", "1", {"Body": "1"}, NOW)
    try:
        configure(dataclasses.replace(settings, outbox_ttl_hours=6))
        summary = process_inbound_job(message.id)
    finally:
        reset()
    [reply] = replies_to(session_factory, "+8613800000002")
    assert reply.run_id == summary["reply_run_id"] and reply.expires_at - reply.next_attempt_at == TTL
