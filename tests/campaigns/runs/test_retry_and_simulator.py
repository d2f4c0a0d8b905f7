"""Retrying a run on SQLite and PostgreSQL: `failed` and `undelivered` rows go out again as new sends, the answer
counts them by status or says why nothing was queued; and the simulator produces every outcome offline: delivered,
undelivered (numbers ending in 9999), failed (8888), and an SMS from an unknown sender."""

from __future__ import annotations

import pytest
from redis import Redis
from sqlalchemy import select, update

from campaigns.identity.access import Actor
from campaigns.models import InboundMessage, OutboxMessage
from campaigns.runs.planning import launch_campaign
from campaigns.runs.run_control import retry_failed
from campaigns.simulator.channel import SimulatorChannel
from tests.conftest import TEST_REDIS_URL
from tests.console_helpers import logged_in
from tests.factories import NOW, add_contact, make_campaign
from tests.reply_helpers import send_run
from workers.queues import DEFAULT, SENDS

SYSTEM = Actor.system()
OFF_AIR, REFUSED = "+8613800009999", "+8613800008888"


@pytest.fixture
def redis():
    connection = Redis.from_url(TEST_REDIS_URL)
    keys = (f"rq:queue:{SENDS}", f"rq:queue:{DEFAULT}")
    connection.delete(*keys, *connection.keys("rq:job:inbound-*"))
    yield connection
    connection.delete(*keys, *connection.keys("rq:job:inbound-*"))
    connection.close()


def simulated_run(session_factory, tree) -> int:
    """A run to 秀玛村一组 plus a herder out of coverage and a refused number, sent through the simulator."""
    with session_factory.begin() as session:
        add_contact(session, tree["62302510120101"], OFF_AIR, "扎西")
        add_contact(session, tree["62302510120101"], REFUSED, "卓玛")
        planned = launch_campaign(session, SYSTEM, make_campaign(session, tree)["id"], NOW)
    send_run(session_factory, planned.run_id, NOW, SimulatorChannel(session_factory, lambda: NOW))
    return planned.run_id


def rows(session_factory) -> dict[str, OutboxMessage]:
    with session_factory() as session:
        return {row.to: row for row in session.scalars(select(OutboxMessage))}


def test_the_simulator_produces_undelivered_and_failed_sms(session_factory, people):
    simulated_run(session_factory, people)
    sent = rows(session_factory)
    assert (sent[OFF_AIR].status, sent[OFF_AIR].error_code) == ("undelivered", "30003")
    assert (sent[REFUSED].status, sent[REFUSED].error_code) == ("failed", "30006")
    assert {sent[phone].status for phone in sent if phone not in (OFF_AIR, REFUSED)} == {"delivered"}


def test_retry_sends_undelivered_and_failed_rows_again_as_new_sends(session_factory, people):
    run_id = simulated_run(session_factory, people)
    before = rows(session_factory)
    with session_factory.begin() as session:
        retried = retry_failed(session, SYSTEM, run_id, NOW)
    assert (retried.requeued, retried.by_status, retried.reason) == (2, {"undelivered": 1, "failed": 1}, None)
    queued = rows(session_factory)[OFF_AIR]
    assert (queued.status, queued.provider_sid, queued.provider, queued.error_code) == ("queued", None, None, None)
    send_run(session_factory, run_id, NOW, SimulatorChannel(session_factory, lambda: NOW))
    again = rows(session_factory)
    for phone, status in ((OFF_AIR, "undelivered"), (REFUSED, "failed")):
        assert again[phone].status == status  # the new send's own report bound to it
        assert again[phone].provider_sid not in (None, before[phone].provider_sid)
        assert again[phone].attempts == 1


def test_a_retry_that_queues_nothing_says_why(session_factory, people):
    run_id = simulated_run(session_factory, people)
    with session_factory.begin() as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.to.in_((OFF_AIR, REFUSED)))
                        .values(status="failed", error_code="21610"))  # fmt: skip
        stopped = retry_failed(session, SYSTEM, run_id, NOW)
    assert (stopped.requeued, stopped.opted_out) == (0, 2)
    assert stopped.reason == "2 failed messages went to contacts who opted out; they are never sent again"
    with session_factory.begin() as session:
        unknown_row = update(OutboxMessage).where(OutboxMessage.to == OFF_AIR)
        session.execute(unknown_row.values(status="unknown", error_code=None))
        session.execute(update(OutboxMessage).where(OutboxMessage.to == REFUSED).values(status="delivered"))
        unknown = retry_failed(session, SYSTEM, run_id, NOW)
    assert (unknown.requeued, unknown.unknown_left) == (0, 1)
    assert unknown.reason == "1 message has an unknown outcome: retry with include_unknown to resend them"
    with session_factory.begin() as session:
        assert retry_failed(session, SYSTEM, run_id, NOW, include_unknown=True).by_status == {"unknown": 1}
        session.execute(update(OutboxMessage).values(status="delivered"))
        assert retry_failed(session, SYSTEM, run_id, NOW).reason == "the run has no failed or undelivered messages"


def test_the_retry_answer_counts_by_status(client, admin_headers, session_factory, people, redis):
    run_id = simulated_run(session_factory, people)
    answer = client.post(f"/api/v1/runs/{run_id}/retry-failed", headers=admin_headers)
    assert answer.status_code == 200
    assert answer.json == {"requeued": 2, "by_status": {"failed": 1, "undelivered": 1}, "reason": None,
                           "opted_out": 0, "unknown_left": 0}  # fmt: skip
    assert redis.llen(f"rq:queue:{SENDS}") == 1  # the run's dispatch, at once
    nothing = client.post(f"/api/v1/runs/{run_id}/retry-failed", headers=admin_headers).json
    assert (nothing["requeued"], nothing["reason"]) == (0, "the run has no failed or undelivered messages")


def test_an_unknown_sender_can_text_in_from_the_simulator(client, admin_headers, make_token, session_factory, people,
                                                          redis):  # fmt: skip
    text = {"phone": "139 0000 0077", "body": "你好，我是新来的牧民"}
    answer = client.post("/api/v1/simulator/unknown-sender", json=text, headers=admin_headers)
    assert answer.status_code == 202, answer.json
    assert (answer.json["from"], answer.json["contact"], answer.json["provider"]) == ("+8613900000077", None,
                                                                                     "simulator")  # fmt: skip
    assert redis.lrange(f"rq:queue:{DEFAULT}", 0, -1) == [f"inbound-{answer.json['id']}".encode()]
    with session_factory() as session:
        assert session.get(InboundMessage, answer.json["id"]).contact_id is None
    scoped = {"Authorization": f"Bearer {make_token('coordinator', '623025101')}"}
    assert client.post("/api/v1/simulator/unknown-sender", json=text, headers=scoped).status_code == 403
    contact = {**text, "phone": "+8613800000002"}
    assert client.post("/api/v1/simulator/unknown-sender", json=contact, headers=admin_headers).status_code == 422


def test_the_console_simulator_texts_in_from_an_unknown_number(client, session_factory, people, redis):
    token = logged_in(client, session_factory, "dorje", "admin")
    page = client.get("/console/simulator").get_data(as_text=True)
    assert "以未知号码发送短信" in page and "尾号 8888" in page
    sent = client.post("/console/simulator", data={"csrf_token": token, "phone": "13900000077", "body": "你好"},
                       follow_redirects=True)  # fmt: skip
    assert "已收到来自未知号码的短信" in sent.get_data(as_text=True)
    with session_factory() as session:
        [message] = session.scalars(select(InboundMessage)).all()
    assert (message.from_phone, message.contact_id) == ("+8613900000077", None)
    again = client.post("/console/simulator", data={"csrf_token": token, "phone": "+8613800000002", "body": "1"},
                        follow_redirects=True)  # fmt: skip
    assert "该号码属于一位联系人" in again.get_data(as_text=True)
