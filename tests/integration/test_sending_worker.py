"""End to end with real processes: launch through the API, a real RQ worker sends through the simulator, the tick
finishes the run; and the tick rebuilds the queue after Redis is flushed."""

from __future__ import annotations

import subprocess
import sys

import pytest
from redis import Redis
from sqlalchemy import func, select

from campaigns.models import OutboxMessage, Run, SimulatedSms
from campaigns.models.base import utcnow
from tests.conftest import TEST_REDIS_URL
from tests.servers import subprocess_env
from workers.queues import SENDS


@pytest.fixture
def redis():
    connection = Redis.from_url(TEST_REDIS_URL)
    connection.delete(f"rq:queue:{SENDS}")
    yield connection
    connection.delete(f"rq:queue:{SENDS}")
    connection.close()


def run_burst_worker(settings, tmp_path) -> str:
    env = subprocess_env(DATABASE_URL=settings.database_url, REDIS_URL=TEST_REDIS_URL,
                         GRIDCAST_VAR_DIR=str(tmp_path / "var"), GRIDCAST_SMS_RATE="200")  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "worker", "--burst", "--without-scheduler", SENDS],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stderr


def launch(client, headers, tree) -> dict:
    body = {
        "name": "每日零报告提醒",
        "audience": {"grid_ids": [tree["623025101"]]},
        "texts": {"zh": "请{name}在10点前报告今日情况，无事回复0。", "bo": "{name} ཉིན་རེའི་སྙན་ཞུ། 0"},
        "fallback_language": "zh",
    }
    created = client.post("/api/v1/campaigns", json=body, headers=headers)
    assert created.status_code == 201, created.json
    launched = client.post(f"/api/v1/campaigns/{created.json['id']}/launch", headers=headers)
    assert launched.status_code == 202, launched.json
    return launched.json


def test_launch_is_sent_by_a_real_worker(client, admin_headers, people, settings, session_factory, redis, tmp_path):
    launched = launch(client, admin_headers, people)
    assert launched["run"]["planned"] == 3
    assert redis.llen(f"rq:queue:{SENDS}") == 1  # the dispatch job, enqueued after the commit
    run_burst_worker(settings, tmp_path)
    with session_factory() as session:
        statuses = dict(
            session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
        )
        phones = set(session.scalars(select(SimulatedSms.phone)))
    assert statuses == {"delivered": 3}
    assert phones == {"+8613800000001", "+8613800000002", "+8613800000003"}
    progress = client.get(f"/api/v1/runs/{launched['run']['id']}", headers=admin_headers).json
    assert progress["by_status"]["delivered"] == 3 and progress["remaining"] == 0
    assert progress["run"]["status"] == "done"


def test_tick_rebuilds_what_a_flushed_redis_lost(client, admin_headers, people, settings, session_factory, redis,
                                                 tmp_path):  # fmt: skip
    from workers.tick import tick

    launched = launch(client, admin_headers, people)
    redis.delete(f"rq:queue:{SENDS}")  # as if Redis had been flushed before any worker ran
    channel = _simulator(session_factory)
    report = tick(session_factory, channel, redis, settings, utcnow())
    assert report.enqueued == 1
    again = tick(session_factory, channel, redis, settings, utcnow())
    assert again.enqueued == 0  # the batch's job is still waiting: not enqueued twice
    run_burst_worker(settings, tmp_path)
    final = tick(session_factory, channel, redis, settings, utcnow())
    assert final.finished_runs == []  # the last send job already finished the run
    assert final.enqueued == 0
    with session_factory() as session:
        assert session.get(Run, launched["run"]["id"]).status == "done"
        assert session.scalar(select(func.count()).select_from(SimulatedSms)) == 3


def _simulator(session_factory):
    from campaigns.simulator.channel import SimulatorChannel

    return SimulatorChannel(session_factory, utcnow)


def test_tick_command_runs_once(settings, tree, tmp_path):
    env = subprocess_env(DATABASE_URL=settings.database_url, REDIS_URL=TEST_REDIS_URL,
                         GRIDCAST_VAR_DIR=str(tmp_path / "var"))  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "tick", "--once"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "tick: TickReport(planned_runs=[]" in done.stderr
