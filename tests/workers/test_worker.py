"""The worker entry point and a real job, run by a real RQ worker against the Redis at 127.0.0.1:6379."""

from __future__ import annotations

import signal
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from redis import Redis
from rq import Queue
from rq.job import JobStatus

from tests.conftest import TEST_REDIS_URL
from tests.factories import add_contact
from tests.servers import delete_queue, subprocess_env
from tests.wiring_jobs import count_contacts
from workers import composition
from workers.main import run_worker


@pytest.fixture
def redis() -> Redis:
    connection = Redis.from_url(TEST_REDIS_URL)
    yield connection
    connection.close()


@pytest.fixture
def test_queue(redis):
    """A queue with a name no other test uses; its keys and jobs are deleted afterwards."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    queue = Queue(name, connection=redis)
    yield queue
    delete_queue(queue)


@pytest.fixture
def restore_signals():
    """An in-process RQ worker installs its own SIGINT/SIGTERM handlers; put pytest's back."""
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)
    composition.reset()


@pytest.fixture
def contacts(session_factory, tree) -> dict[str, int]:
    """Three committed contacts: two in 齐哈玛镇, one in 欧拉镇."""
    with session_factory.begin() as session:
        for number, code in enumerate(("6230251012010101", "623025101202", "62302510220101"), start=1):
            add_contact(session, tree[code], f"+86138000090{number:02d}")
    return tree


def test_burst_worker_runs_count_contacts(settings, contacts, test_queue, restore_signals):
    everything = test_queue.enqueue(count_contacts)
    township = test_queue.enqueue(count_contacts, contacts["623025101"])

    assert run_worker(settings, queues=[test_queue.name], with_scheduler=False, burst=True) is True

    assert everything.get_status(refresh=True) == JobStatus.FINISHED
    assert everything.return_value() == 3
    assert township.return_value() == 2


def test_scheduler_moves_due_jobs_onto_the_queue(settings, contacts, test_queue, restore_signals):
    job = test_queue.enqueue_at(datetime.now(UTC) - timedelta(seconds=1), count_contacts)
    assert job.get_status() == JobStatus.SCHEDULED

    run_worker(settings, queues=[test_queue.name], with_scheduler=True, burst=True)

    assert job.get_status(refresh=True) == JobStatus.FINISHED
    assert job.return_value() == 3


def test_a_failing_job_is_recorded_as_failed(settings, contacts, test_queue, restore_signals):
    job = test_queue.enqueue(count_contacts, 10**9)

    run_worker(settings, queues=[test_queue.name], with_scheduler=False, burst=True)

    assert job.get_status(refresh=True) == JobStatus.FAILED
    assert "NotFound" in job.latest_result().exc_string


def test_gridcast_worker_command_in_burst_mode(settings, contacts, test_queue, tmp_path):
    job = test_queue.enqueue(count_contacts)
    env = subprocess_env(
        DATABASE_URL=settings.database_url, REDIS_URL=TEST_REDIS_URL, GRIDCAST_VAR_DIR=str(tmp_path / "var")
    )

    command = [sys.executable, "-m", "gateway.cli", "worker", "--burst", "--without-scheduler", test_queue.name]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    assert job.get_status(refresh=True) == JobStatus.FINISHED
    assert job.return_value() == 3


def test_composition_root_is_built_once_per_process(settings):
    try:
        first = composition.configure(settings)
        assert composition.services() is first
        assert first.settings.database_url == settings.database_url
    finally:
        composition.reset()


def test_configure_replaces_the_sending_tools_with_the_rest(settings):
    try:
        tools = composition.configure(settings).sending()
        assert composition.services().sending() is tools, "built once per process"
        assert composition.configure(settings).sending() is not tools, "new settings, new channel and limiters"
    finally:
        composition.reset()


def test_a_forked_process_opens_its_own_redis_and_sending_tools(settings):
    try:
        base = composition.configure(settings)
        redis, tools = base.redis(), base.sending()
        base.pid = -1  # as if inherited from the parent process
        assert composition.services() is base
        assert base.redis() is not redis and base.sending() is not tools
    finally:
        composition.reset()


def test_the_web_app_uses_the_same_composition_root(settings):
    from gateway.app import create_app

    services = create_app(settings).extensions["gridcast"]
    try:
        assert isinstance(services, composition.Services) and services.redis().ping()
    finally:
        services.engine.dispose()
