"""Outbox expiry and the alerts' priority lane (issue 15), on SQLite and PostgreSQL: rows carry the alert's expiry
or the routine time to live, an expired row is never claimed nor handed over and ends `expired` (counted), the tick
expires queued rows so runs finish, a scheduled alert past its expiry is not planned; a routine stream gives way to
an alert and gives its unsent rows back; the hold setting keeps routine rows in an alert's area queued; and with
real RQ workers an alert launched while a routine run sends gets its messages out before the routine run's rest."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import func, insert, select

from campaigns.broadcasts.campaign_service import create_campaign
from campaigns.delivery.dispatch import due_batches, finish_runs
from campaigns.delivery.sending import SendPolicy, send_batch
from campaigns.identity.access import Actor
from campaigns.models import AuditEntry, Campaign, Contact, OutboxMessage, Run
from campaigns.models.base import utcnow
from campaigns.runs.planning import launch_campaign, plan_due_runs
from campaigns.runs.progress import run_progress
from tests.alert_helpers import alert_data, approved_launch, launched_alert, staff
from tests.campaigns.delivery.test_sending_stream import ConcurrentChannel
from tests.conftest import TEST_REDIS_URL, delete_queue
from tests.factories import NOW, make_campaign
from tests.fakes import NoLimit
from tests.fault_harness import counts, fault_settings, launch_run, tick_once, wait_until, worker_env
from tests.provider_standin import ProviderStandIn
from tests.servers import stop_group
from workers.dispatching import enqueue_alert_batches
from workers.queues import ALERTS, SENDS
from workers.tick import tick

SYSTEM = Actor.system()
TTL = timedelta(hours=24)


def statuses(session_factory, run_id: int) -> Counter:
    with session_factory() as session:
        return Counter(session.scalars(select(OutboxMessage.status).where(OutboxMessage.run_id == run_id)))


def expiries(session_factory, run_id: int) -> set:
    with session_factory() as session:
        return set(session.scalars(select(OutboxMessage.expires_at).where(OutboxMessage.run_id == run_id)))


def send_run(session_factory, run_id: int, channel, now, policy=None, lane=None):
    with session_factory() as session:
        [batch] = due_batches(session, now(), 500, run_id=run_id)
    return send_batch(session_factory, channel, NoLimit(), policy or SendPolicy(concurrency=1), now, batch.run_id,
                      batch.first_id, batch.last_id, lane=lane)  # fmt: skip


def alert_run(session_factory, tree) -> tuple[int, object]:
    author, approver = staff(session_factory, "author"), staff(session_factory, "approver")
    alert = launched_alert(session_factory, tree, author, approver)
    with session_factory() as session:
        return alert["run_id"], session.get(Campaign, alert["id"]).expires_at


def routine_run(session_factory, tree, ttl=TTL, **overrides) -> int:
    with session_factory.begin() as session:
        campaign = make_campaign(session, tree, **overrides)
        return launch_campaign(session, SYSTEM, campaign["id"], NOW, outbox_ttl=ttl).run_id


def test_rows_carry_the_alerts_expiry_or_the_routine_time_to_live(session_factory, people):
    run_id, expires_at = alert_run(session_factory, people)
    assert expiries(session_factory, run_id) == {expires_at}
    assert expiries(session_factory, routine_run(session_factory, people)) == {NOW + TTL}
    with session_factory.begin() as session:
        session.execute(Run.__table__.delete())
    assert expiries(session_factory, routine_run(session_factory, people, ttl=None)) == {None}


def test_expired_rows_are_never_claimed_end_expired_and_are_counted(session_factory, people):
    run_id, expires_at = alert_run(session_factory, people)
    channel = ConcurrentChannel()
    report = send_run(session_factory, run_id, channel, lambda: expires_at)
    assert channel.sent == [] and report.expired == 3 and report.claimed == 0
    assert statuses(session_factory, run_id) == Counter({"expired": 3})
    with session_factory.begin() as session:
        assert finish_runs(session, expires_at) == [run_id]
        progress = run_progress(session, SYSTEM, run_id, expires_at)
    assert progress["by_status"]["expired"] == 3 and progress["remaining"] == 0


def test_a_claimed_row_whose_expiry_passes_before_its_hand_over_is_not_sent(session_factory, people):
    run_id, expires_at = alert_run(session_factory, people)
    clock = iter([expires_at - timedelta(seconds=1)] * 2)  # the batch is found and claimed before the expiry
    channel = ConcurrentChannel()
    report = send_run(session_factory, run_id, channel, lambda: next(clock, expires_at))
    assert report.claimed == 3 and channel.sent == []
    with session_factory() as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.run_id == run_id)).all()
    assert {(row.status, row.attempts, row.handed_at) for row in rows} == {("expired", 0, None)}


def test_the_tick_expires_queued_rows_and_the_run_finishes(session_factory, people, settings):
    run_id = routine_run(session_factory, people)
    redis = Redis.from_url(TEST_REDIS_URL)
    try:
        early = tick(session_factory, ConcurrentChannel(), redis, settings, NOW + TTL - timedelta(minutes=1))
        assert early.expired == 0 and statuses(session_factory, run_id) == Counter({"queued": 3})
        late = tick(session_factory, ConcurrentChannel(), redis, settings, NOW + TTL)
    finally:
        delete_queue(Queue(SENDS, connection=redis))
        redis.close()
    assert late.expired == 3 and run_id in late.finished_runs
    assert statuses(session_factory, run_id) == Counter({"expired": 3})


def test_a_scheduled_alert_whose_expiry_passed_is_not_planned(session_factory, people):
    author, approver = staff(session_factory, "author"), staff(session_factory, "approver")
    local = (NOW + timedelta(hours=2)).astimezone(ZoneInfo("Asia/Shanghai"))
    later = {"kind": "once", "at": local.replace(tzinfo=None).isoformat(timespec="minutes")}
    expiry = (NOW + timedelta(hours=1)).isoformat()
    with session_factory.begin() as session:
        alert = create_campaign(session, author, alert_data(people, schedule=later, expires_at=expiry), NOW)
    assert approved_launch(session_factory, author, approver, alert["id"]) is None
    with session_factory.begin() as session:
        assert plan_due_runs(session, NOW + timedelta(hours=2), TTL) == []
        campaign = session.get(Campaign, alert["id"])
        assert (campaign.status, campaign.next_run_at) == ("finished", None)
        assert session.scalar(select(func.count()).select_from(Run)) == 0
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "alert.expired_unsent")).one()
    assert entry.target == f"campaign:{alert['id']}" and "expired" in entry.detail["reason"]


class ScriptedLane:
    """A lane that says an alert is waiting from its `after`-th look on; records what alert senders said."""

    def __init__(self, after: int):
        self.after, self.looks, self.said = after, 0, []

    def alert_waiting(self, kind):
        self.looks += 1
        return self.looks > self.after

    def alert_sending(self, kind):
        self.said.append(kind)


def test_a_routine_stream_gives_way_to_an_alert_and_gives_back_its_unsent_rows(session_factory, people, monkeypatch):
    monkeypatch.setattr("campaigns.delivery.sending.LANE_CHECK_SECONDS", 0.0)
    run_id = routine_run(session_factory, people)
    channel, lane = ConcurrentChannel(), ScriptedLane(after=1)
    report = send_run(session_factory, run_id, channel, lambda: NOW, SendPolicy(concurrency=1), lane)
    assert report.yielded and len(channel.sent) == 1
    with session_factory() as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.run_id == run_id)).all()
    queued = [row for row in rows if row.status == "queued"]
    assert len(queued) == 2 and all(row.attempts == 0 and row.lease_token is None for row in queued)
    again = send_run(session_factory, run_id, channel, lambda: NOW)
    assert not again.yielded and statuses(session_factory, run_id) == Counter({"sent": 3})


def test_an_alert_stream_never_gives_way_and_keeps_the_lane(session_factory, people, monkeypatch):
    monkeypatch.setattr("campaigns.delivery.sending.LANE_CHECK_SECONDS", 0.0)
    run_id, _ = alert_run(session_factory, people)
    lane = ScriptedLane(after=0)
    report = send_run(session_factory, run_id, ConcurrentChannel(), lambda: NOW, lane=lane)
    assert report.alert and not report.yielded and lane.looks == 0 and "sms" in lane.said
    assert statuses(session_factory, run_id)["sent"] == 3


@pytest.mark.parametrize("hold", [True, False])
def test_the_hold_setting_keeps_routine_rows_in_the_alerts_area_queued(session_factory, people, hold):
    alert = dict(zip(("run", "expiry"), alert_run(session_factory, people), strict=True))
    everywhere = {"grid_ids": [people["623025"]]}  # the alert reaches 齐哈玛镇, not 欧拉镇's 多杰
    run_id = routine_run(session_factory, people, audience=everywhere)
    channel = ConcurrentChannel()
    send_run(session_factory, run_id, channel, lambda: NOW, SendPolicy(hold_routine_in_alert_area=hold))
    sent = {message.to for message in channel.sent}
    if hold:
        assert sent == {"+8613800000006"} and statuses(session_factory, run_id)["queued"] == 3
        send_run(session_factory, alert["run"], channel, lambda: NOW)  # the alert goes out: the hold ends
        send_run(session_factory, run_id, channel, lambda: NOW, SendPolicy(hold_routine_in_alert_area=True))
    assert statuses(session_factory, run_id) == Counter({"sent": 4})


ROUTINE, ALERTED = 300, 30


def test_an_alert_overtakes_a_routine_run_in_progress_with_real_workers(session_factory, tree, settings, tmp_path):
    redis = Redis.from_url(TEST_REDIS_URL)
    queues = [Queue(name, connection=redis) for name in (ALERTS, SENDS)]
    for queue in queues:
        delete_queue(queue)
    redis.delete(*redis.keys("gridcast:lane:*") or ["-"])
    workers = []
    with ProviderStandIn(client_timeout=1.0) as standin:
        configured = fault_settings(settings, standin, sms_rate_per_second=40.0, lease_seconds=30)
        try:
            for number in range(2):
                with (tmp_path / f"worker-{number}.log").open("ab") as log:
                    command = [sys.executable, "-m", "gateway.cli", "worker", "--without-scheduler", ALERTS, SENDS]
                    env = worker_env(configured)
                    workers.append(
                        subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
                    )
            routine = launch_run(session_factory, tree, ROUTINE)
            tick_once(session_factory, configured, redis)
            wait_until(lambda: len(standin.accepted) >= 40, 60, "the routine run to be sending")
            area = tree["62302510220101"]
            with session_factory.begin() as session:
                session.execute(insert(Contact), [
                    {"name": f"牧民{n}", "phone": f"+86137{n:08d}", "grid_id": area, "role": "household_head",
                     "language": "zh", "channels": ["sms"]} for n in range(ALERTED)])  # fmt: skip
            author, approver = staff(session_factory, "author"), staff(session_factory, "approver")
            data = alert_data(tree, audience={"grid_ids": [area]}, valid_from=utcnow().isoformat(),
                              expires_at=(utcnow() + timedelta(hours=1)).isoformat())  # fmt: skip
            with session_factory.begin() as session:
                alert_id = create_campaign(session, author, data, utcnow())["id"]
            planned = approved_launch(session_factory, author, approver, alert_id, now=utcnow())
            enqueue_alert_batches(redis, session_factory, planned.run_id, configured.send_batch_size, utcnow())
            wait_until(lambda: counts(session_factory, planned.run_id).get("sent") == ALERTED, 60, "the alert")
            wait_until(lambda: counts(session_factory, routine).get("sent") == ROUTINE, 120, "the routine run",
                       interval=0.5)  # fmt: skip
        finally:
            for process in workers:
                stop_group(process)
            for queue in queues:
                delete_queue(queue)
            redis.close()
    with session_factory() as session:
        alert_ids = set(session.scalars(select(OutboxMessage.id).where(OutboxMessage.run_id == planned.run_id)))
    order = [item.outbox_id in alert_ids for item in standin.accepted]
    first, last = order.index(True), len(order) - 1 - order[::-1].index(True)
    overtaken = order[last + 1 :].count(False)
    assert order.count(True) == ALERTED and overtaken > 0  # the routine run still had rows when the alert was out
    assert order[first : last + 1].count(False) <= 2 * configured.send_concurrency  # at most the sends in flight
