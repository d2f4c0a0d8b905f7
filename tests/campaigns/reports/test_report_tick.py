"""A full day of a report duty on a fixed clock: reminders to the missing grids' reporters at their times, then the
missing grids escalated to the parent grids' leaders at the deadline and one level up later, each only once."""

from __future__ import annotations

import pytest
from redis import Redis
from sqlalchemy import select

from campaigns.models import Contact, DutyNotice, OutboxMessage, Run
from campaigns.reports.daily_reports import record_report
from campaigns.reports.report_tick import duty_notices_due
from tests.conftest import TEST_REDIS_URL
from tests.fakes import ScriptedChannel
from tests.report_factories import duty_world, local, make_duty
from workers.queues import SENDS
from workers.tick import tick


@pytest.fixture
def world(session_factory, tree):
    with session_factory.begin() as session:
        return duty_world(session, tree)


def step(session_factory, now) -> dict[str, str]:
    """Run the duty tick at `now`; the new messages as {recipient name: body}."""
    with session_factory.begin() as session:
        run_ids = duty_notices_due(session, now)
        rows = session.execute(
            select(Contact.name, OutboxMessage.body)
            .join(Contact, Contact.id == OutboxMessage.contact_id)
            .where(OutboxMessage.run_id.in_(run_ids))
        ).all()
    return dict(rows)


def report(session_factory, world, name, now, kind="zero_report"):
    with session_factory.begin() as session:
        contact = session.get(Contact, world[name])
        record_report(session, contact=contact, kind=kind, counts={}, text="", inbound=None, now=now)


def test_a_day_of_reminders_and_escalations(session_factory, world):
    assert step(session_factory, local(7, 0)) == {}  # before the first reminder, and the window is closed
    report(session_factory, world, "一组联户长", local(7, 30))  # 一组 has reported: nobody there is reminded
    first = step(session_factory, local(8, 0))
    assert sorted(first) == ["二组长", "萨一组长", "萨二组长"]
    assert first["萨一组长"] == "萨一组长：请在10:00前报告萨合塘村一组今日情况，无事回复0。"
    assert step(session_factory, local(8, 1)) == {}
    assert step(session_factory, local(9, 0)) == {}
    report(session_factory, world, "二组长", local(9, 10), kind="incident")
    second = step(session_factory, local(9, 30))
    assert sorted(second) == ["萨一组长", "萨二组长"]
    assert step(session_factory, local(9, 59)) == {}
    escalated = step(session_factory, local(10, 0))
    assert escalated == {"萨合塘村长": "萨合塘村长：萨合塘村下2个网格未报告：萨合塘村一组、萨合塘村二组"}
    assert step(session_factory, local(10, 5)) == {}
    report(session_factory, world, "萨一组长", local(10, 30))
    assert step(session_factory, local(10, 59)) == {}
    up = step(session_factory, local(11, 0))
    assert up == {"镇网格长": "镇网格长：齐哈玛镇下1个网格未报告：萨合塘村二组"}
    for hour in (11, 12, 20):
        assert step(session_factory, local(hour, 30)) == {}
    assert step(session_factory, local(7, 59, days=1)) == {}  # the next day, before the window opens
    next_day = step(session_factory, local(8, 0, days=1))
    assert sorted(next_day) == ["一组联户长", "一组长", "二组长", "萨一组长", "萨二组长"]


def test_each_notice_is_recorded_once_per_grid_and_step(session_factory, world):
    for hour, minute in ((8, 0), (9, 30), (10, 0), (11, 0), (11, 0)):
        step(session_factory, local(hour, minute))
    with session_factory() as session:
        notices = session.execute(select(DutyNotice.step, DutyNotice.grid_id, DutyNotice.detail)).all()
        runs = session.execute(select(Run.kind, Run.planned).order_by(Run.occurrence_at)).all()
    by_step: dict[str, set[int]] = {}
    for step_key, grid_id, _ in notices:
        by_step.setdefault(step_key, set()).add(grid_id)
    groups = {world[code] for code in ("62302510120101", "62302510120102", "62302510120201", "62302510120202")}
    assert by_step["reminder 08:00"] == groups | {0}
    assert by_step["escalation 1"] == {world["623025101201"], world["623025101202"], 0}
    assert by_step["escalation 2"] == {world["623025101"], 0}
    assert len(notices) == len({(s, g) for s, g, _ in notices})
    assert runs == [("duty_reminder", 5), ("duty_reminder", 5), ("duty_escalation", 2), ("duty_escalation", 1)]


def test_a_reminder_missed_while_the_tick_was_down_is_sent_once(session_factory, world):
    late = step(session_factory, local(9, 40))  # 08:00 and 09:30 both passed: only one reminder
    assert len(late) == 5
    assert step(session_factory, local(9, 45)) == {}


def test_a_closed_send_window_holds_every_step_until_it_opens(session_factory, world):
    with session_factory.begin() as session:
        make_duty(session, world, name="夜间", root_grid_id=world["623025101201"], deadline="22:00",
                  reminder_times=["21:30"], escalation_delays=[0], send_window={"start": "08:00", "end": "21:00"},
                  now=local(0))  # fmt: skip
    step(session_factory, local(12))  # the first duty's steps, out of the way
    assert step(session_factory, local(21, 30)) == {}
    assert step(session_factory, local(22, 0)) == {}
    morning = step(session_factory, local(8, 0, days=1))
    assert "秀玛村长" in morning  # yesterday's escalation of the night duty, now that the window is open
    assert "秀玛村长：秀玛村下2个网格未报告：秀玛村一组、秀玛村二组" in morning.values()


@pytest.fixture
def redis():
    """The test Redis without send jobs (ids restart with each test's tables, so old jobs would look alive)."""
    connection = Redis.from_url(TEST_REDIS_URL)

    def clear():
        connection.delete(f"rq:queue:{SENDS}", *connection.keys("rq:job:send-*"))

    clear()
    yield connection
    clear()
    connection.close()


def test_the_tick_creates_and_enqueues_the_notice_runs(session_factory, world, settings, redis):
    report = tick(session_factory, ScriptedChannel(), redis, settings, local(8, 0))
    assert len(report.notice_runs) == 1
    assert report.enqueued == 1
    assert redis.llen(f"rq:queue:{SENDS}") == 1
    again = tick(session_factory, ScriptedChannel(), redis, settings, local(8, 1))
    assert again.notice_runs == [] and again.enqueued == 0
