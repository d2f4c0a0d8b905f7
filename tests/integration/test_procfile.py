"""The Procfile's commands, run as a deployment would run them: settings from the environment only."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import psutil
import pytest
from redis import Redis
from rq import Queue
from rq.job import JobStatus

from tests.conftest import TEST_REDIS_URL, TEST_SECRET_KEY
from tests.factories import add_contact
from tests.servers import REPO_ROOT, delete_queue, free_port, get_json, stop_group, subprocess_env, wait_for_health
from tests.wiring_jobs import count_contacts

PROCFILE = REPO_ROOT / "Procfile"


def procfile() -> dict[str, str]:
    entries = {}
    for line in PROCFILE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            entries[name.strip()] = command.strip()
    return entries


def _start(command: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("wb") as handle:
        return subprocess.Popen(
            ["/bin/sh", "-c", f"exec {command}"],
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


@pytest.fixture
def deployment_env(database_url, engine, tmp_path) -> dict[str, str]:
    """A migrated database of each backend and the real Redis, handed over as environment variables only."""
    return subprocess_env(
        DATABASE_URL=database_url,
        REDIS_URL=TEST_REDIS_URL,
        GRIDCAST_VAR_DIR=str(tmp_path / "var"),
        SECRET_KEY=TEST_SECRET_KEY,
    )


def test_procfile_declares_web_and_worker():
    entries = procfile()

    assert {"web", "worker"} <= entries.keys()
    assert "'gateway.app:create_app()'" in entries["web"] and "${PORT:-8000}" in entries["web"]
    assert entries["worker"].startswith("gridcast worker")


def test_procfile_web_boots_and_answers_healthz(deployment_env, tmp_path):
    port = free_port()
    log = tmp_path / "web.log"
    home = tmp_path / "home"
    env = {name: value for name, value in deployment_env.items() if name != "XDG_RUNTIME_DIR"}
    process = _start(procfile()["web"], {**env, "PORT": str(port), "HOME": str(home)}, log)
    try:
        body = wait_for_health(f"http://127.0.0.1:{port}/healthz", process, timeout=60, log=log)
        assert body == {"status": "ok", "database": "ok", "redis": "ok"}
        status, spec = get_json(f"http://127.0.0.1:{port}/api/v1/openapi.json")
        assert status == 200 and "paths" in spec
        assert not (home / ".gunicorn").exists(), "gunicorn opened a control socket shared by the user's servers"
    finally:
        stop_group(process)
    assert "Booting worker" in log.read_text()


def test_procfile_web_refuses_to_start_without_a_secret_key(deployment_env, tmp_path):
    env = {name: value for name, value in deployment_env.items() if name != "SECRET_KEY"}
    log = tmp_path / "web.log"
    process = _start(procfile()["web"], {**env, "PORT": str(free_port())}, log)
    try:
        returncode = process.wait(timeout=60)
    finally:
        stop_group(process)
    assert returncode != 0 and "SECRET_KEY is not set" in log.read_text()


def test_a_killed_procfile_worker_leaves_no_process_and_no_scheduler_lock(deployment_env, tmp_path):
    redis = Redis.from_url(TEST_REDIS_URL)
    queue = Queue(f"test-{uuid.uuid4().hex[:12]}", connection=redis)
    log = tmp_path / "worker.log"
    process = _start(f"{procfile()['worker']} {queue.name}", deployment_env, log)
    try:
        deadline = time.monotonic() + 60
        while "Listening on" not in log.read_text() and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            time.sleep(0.2)
        os.kill(process.pid, signal.SIGKILL)  # the parent only, as an OOM killer or `kill -9` would
        process.wait()
        left = [p for p in psutil.process_iter() if _group_of(p.pid) == process.pid]
        assert not left, f"still running after the worker was killed: {[p.cmdline() for p in left]}"
        assert not redis.exists(f"rq:scheduler-lock:{queue.name}")
    finally:
        stop_group(process)
        delete_queue(queue)
        redis.close()


def _group_of(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def test_procfile_worker_runs_jobs_and_stops_on_sigterm(deployment_env, tree, session_factory, tmp_path):
    with session_factory.begin() as session:
        add_contact(session, tree["6230251012010101"], "+8613800009001")
    redis = Redis.from_url(TEST_REDIS_URL)
    queue = Queue(f"test-{uuid.uuid4().hex[:12]}", connection=redis)
    job = queue.enqueue(count_contacts)
    log = tmp_path / "worker.log"
    process = _start(f"{procfile()['worker']} {queue.name}", deployment_env, log)
    try:
        deadline = time.monotonic() + 60
        while job.get_status(refresh=True) != JobStatus.FINISHED and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            time.sleep(0.2)
        assert job.get_status() == JobStatus.FINISHED, log.read_text()
        assert job.return_value() == 1
    finally:
        stop_group(process)
        delete_queue(queue)
        redis.close()
    assert process.returncode == 0, log.read_text()
    assert "warm shut down requested" in log.read_text()
