"""Expiry of the outbox rows written outside the planner (issue 15), on SQLite and PostgreSQL: a confirmation
follow-up's reminders and escalations, a report duty's reminders and escalations, and an alert's visit list carry
the alert's expiry or the routine time to live (a report reminder at most its deadline); once that passes the sender
does not send them and they end `expired`; the tick gives them the time to live of the settings."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from redis import Redis
from sqlalchemy import select

from campaigns.common.errors import Conflict
from campaigns.models import Campaign, OutboxMessage, Run
from campaigns.replies.confirmation_tick import confirmation_work_due
from campaigns.reports.report_tick import duty_notices_due
from campaigns.runs.visit_lists import send_visit_list
from tests.alert_reach_helpers import MINUTE, delivered, launch_alert, reach_world
from tests.campaigns.delivery.test_alert_lane import expiries, send_run, statuses
from tests.campaigns.delivery.test_sending_stream import ConcurrentChannel
from tests.campaigns.replies.test_confirmation_tick import launch
from tests.conftest import TEST_REDIS_URL
from tests.factories import NOW
from tests.report_factories import duty_world, local
from workers.queues import ALERTS, SENDS
from workers.tick import tick

TTL = timedelta(hours=6)
ONE_REMINDER = {"remind_after_minutes": 60, "max_reminders": 1, "reminder_channel": "sms",
                "escalate_after_minutes": 60}  # fmt: skip


@pytest.fixture
def world(session_factory, tree):
    """The report world (grids, reporters, leaders, the household head 户主甲) with a duty due at 10:00."""
    with session_factory.begin() as session:
        return duty_world(session, tree)


@pytest.fixture
def alert_world(session_factory, tree):
    return reach_world(session_factory, tree)


def assert_expires_unsent(session_factory, run_id: int, expires_at) -> None:
    """The rows of `run_id` expire at `expires_at`; a send at that moment hands none over and they end `expired`."""
    assert expiries(session_factory, run_id) == {expires_at}
    count = sum(statuses(session_factory, run_id).values())
    channel = ConcurrentChannel()
    report = send_run(session_factory, run_id, channel, lambda: expires_at)
    assert channel.sent == [] and channel.calls == [] and report.expired == count > 0
    assert statuses(session_factory, run_id) == Counter({"expired": count})


def confirmation_step(session_factory, now, ttl=TTL) -> list[int]:
    with session_factory.begin() as session:
        return confirmation_work_due(session, now, ttl)


def duty_step(session_factory, now, ttl=TTL) -> list[int]:
    with session_factory.begin() as session:
        return duty_notices_due(session, now, ttl)


def run_kind(session_factory, run_id: int) -> str:
    with session_factory() as session:
        return session.get_one(Run, run_id).kind


def test_a_routine_campaigns_reminder_and_escalation_expire_after_the_time_to_live(session_factory, world):
    launch(session_factory, world, local(9), confirmation=ONE_REMINDER)
    [reminder] = confirmation_step(session_factory, local(10))
    [escalation] = confirmation_step(session_factory, local(11))
    assert (run_kind(session_factory, reminder), run_kind(session_factory, escalation)) == ("reminder", "escalation")
    assert_expires_unsent(session_factory, reminder, local(10) + TTL)
    assert_expires_unsent(session_factory, escalation, local(11) + TTL)


def test_an_alerts_follow_up_expires_with_the_alert_and_stops_once_it_has_expired(session_factory, alert_world):
    expires_at = NOW + 20 * MINUTE  # the default policy: a reminder 15 minutes after the first send, then leaders
    alert_id, _ = launch_alert(session_factory, alert_world, expires_at=expires_at.isoformat())
    [reminder] = confirmation_step(session_factory, NOW + 16 * MINUTE)
    with session_factory() as session:
        assert session.get_one(Campaign, alert_id).expires_at == expires_at
    assert confirmation_step(session_factory, NOW + 46 * MINUTE) == []  # the escalation would come after the expiry
    assert_expires_unsent(session_factory, reminder, expires_at)


def test_an_alerts_escalation_to_liaisons_and_leaders_expires_with_the_alert(session_factory, alert_world):
    alert_id, _ = launch_alert(session_factory, alert_world)
    confirmation_step(session_factory, NOW + 16 * MINUTE)
    [escalation] = confirmation_step(session_factory, NOW + 46 * MINUTE)
    assert run_kind(session_factory, escalation) == "escalation"
    with session_factory() as session:
        expires_at = session.get_one(Campaign, alert_id).expires_at
    assert expires_at == NOW + timedelta(days=1)  # not the time to live after the step
    assert_expires_unsent(session_factory, escalation, expires_at)


@pytest.mark.parametrize(("ttl", "expires_at"), [(TTL, local(10)), (timedelta(hours=1), local(9)), (None, local(10))])
def test_a_report_reminder_expires_at_the_deadline_or_sooner_with_a_short_time_to_live(session_factory, world, ttl,
                                                                                        expires_at):  # fmt: skip
    [reminder] = duty_step(session_factory, local(8), ttl)
    assert run_kind(session_factory, reminder) == "duty_reminder"
    assert_expires_unsent(session_factory, reminder, expires_at)


def test_a_report_escalation_expires_after_the_time_to_live(session_factory, world):
    [escalation] = duty_step(session_factory, local(10))
    assert run_kind(session_factory, escalation) == "duty_escalation"
    assert_expires_unsent(session_factory, escalation, local(10) + TTL)


def test_a_visit_list_expires_with_the_alert_and_none_is_sent_once_it_has_expired(session_factory, alert_world):
    alert_id, run_id = launch_alert(session_factory, alert_world)
    delivered(session_factory, alert_world, ["户主甲"], run_id, NOW + 3 * MINUTE)
    grid = alert_world["62302510120202"]
    with session_factory.begin() as session:
        sent = send_visit_list(session, alert_world["author"], alert_id, grid, NOW + 20 * MINUTE)
    assert_expires_unsent(session_factory, sent["run_id"], NOW + timedelta(days=1))
    with session_factory.begin() as session, pytest.raises(Conflict, match="expired"):
        send_visit_list(session, alert_world["author"], alert_id, grid, NOW + timedelta(days=1))


@pytest.fixture
def redis():
    connection = Redis.from_url(TEST_REDIS_URL)
    queues = [f"rq:queue:{SENDS}", f"rq:queue:{ALERTS}"]
    connection.delete(*queues, *connection.keys("rq:job:send-*"))
    yield connection
    connection.delete(*queues, *connection.keys("rq:job:send-*"))
    connection.close()


def new_rows(session_factory, run_ids: list[int]) -> dict[str, set]:
    with session_factory() as session:
        rows = session.execute(
            select(Run.kind, OutboxMessage.expires_at)
            .join(Run, Run.id == OutboxMessage.run_id)
            .where(Run.id.in_(run_ids))
        ).all()
    kinds: dict[str, set] = {}
    for kind, expires_at in rows:
        kinds.setdefault(kind, set()).add(expires_at)
    return kinds


def test_the_tick_gives_notices_the_time_to_live_of_the_settings(session_factory, world, settings, redis):
    assert settings.outbox_ttl == timedelta(hours=24)
    at_eight = tick(session_factory, ConcurrentChannel(), redis, settings, local(8)).notice_runs
    launch(session_factory, world, local(9), confirmation=ONE_REMINDER)  # to 户主甲, the household head
    at_ten = tick(session_factory, ConcurrentChannel(), redis, settings, local(10)).notice_runs
    assert new_rows(session_factory, at_eight) == {"duty_reminder": {local(10)}}  # the deadline comes first
    assert new_rows(session_factory, at_ten) == {
        "duty_escalation": {local(10) + settings.outbox_ttl},
        "reminder": {local(10) + settings.outbox_ttl},
    }
