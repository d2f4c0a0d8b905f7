"""`gridcast up` as a user runs it: one command, real gunicorn, real RQ worker, embedded or external Redis."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import psutil
import pytest
from redis import Redis
from rq import Queue
from rq.job import JobStatus

from tests.servers import VENV_BIN, free_port, get_json, stop_group, subprocess_env, wait_for_health
from tests.wiring_jobs import count_contacts

pytestmark = pytest.mark.slow

EXTERNAL_REDIS_URL = os.environ.get("TEST_UP_REDIS_URL", "redis://127.0.0.1:6379/14")


def _logged(log: Path, text: str, within: float = 15.0) -> bool:
    """Whether `text` shows up in `log` within `within` seconds: gunicorn writes its access line after the response."""
    deadline = time.monotonic() + within
    while text not in log.read_text():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _start_up(tmp_path: Path, *args: str, **env: str) -> tuple[subprocess.Popen, Path, int]:
    port = free_port()
    log = tmp_path / "up.log"
    with log.open("wb") as handle:
        process = subprocess.Popen(
            [str(VENV_BIN / "gridcast"), "up", "--port", str(port), *args],
            cwd=tmp_path,
            env=subprocess_env(GRIDCAST_VAR_DIR=str(tmp_path / "var"), **env),
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return process, log, port


def _embedded_redis_pid(var_dir: Path) -> int:
    registry = json.loads((var_dir / "redis.rdb.settings").read_text())
    return int(Path(registry["pidfile"]).read_text())


def _gone(processes: list[psutil.Process], timeout: float = 5) -> bool:
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    return all(p.status() == psutil.STATUS_ZOMBIE for p in alive if p.is_running())


def _wait_for_job(job, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while job.get_status(refresh=True) != JobStatus.FINISHED and time.monotonic() < deadline:
        time.sleep(0.2)


def test_up_runs_everything_with_embedded_redis_and_stops_on_ctrl_c(tmp_path):
    process, log, port = _start_up(tmp_path)
    var_dir = tmp_path / "var"
    try:
        wait_for_health(f"http://127.0.0.1:{port}/healthz", process, timeout=60, log=log)
        token_file = var_dir / "demo-admin-token"
        token = token_file.read_text().strip()
        assert token_file.stat().st_mode & 0o777 == 0o600
        assert token in log.read_text()
        key_file = var_dir / "secret-key"
        assert key_file.stat().st_mode & 0o777 == 0o600 and key_file.read_text().strip() not in log.read_text()

        status, counties = get_json(f"http://127.0.0.1:{port}/api/v1/grids?level=county", token)
        assert status == 200 and [c["name"] for c in counties["items"]] == ["玛曲县", "同仁县"]
        status, maqu = get_json(f"http://127.0.0.1:{port}/api/v1/grids/{counties['items'][0]['id']}", token)
        assert status == 200 and maqu["contacts_in_subtree"] > 2000
        status, _ = get_json(f"http://127.0.0.1:{port}/api/v1/contacts?q=%2B8613912345678", token)
        assert status == 200 and _logged(log, "GET /api/v1/contacts "), "the request is missing from the access log"
        assert "13912345678" not in log.read_text(), "a searched phone number in the access log"

        socket_url = re.search(r"unix://\S+", log.read_text()).group(0)
        redis = Redis.from_url(socket_url)
        job = Queue("default", connection=redis).enqueue(count_contacts)
        _wait_for_job(job)
        with sqlite3.connect(var_dir / "gridcast.db") as db:
            expected = db.execute("SELECT count(*) FROM contacts").fetchone()[0]
        assert job.return_value() == expected
        redis.close()

        children = psutil.Process(process.pid).children(recursive=True)
        names = " ".join(" ".join(child.cmdline()) for child in children)
        assert "gunicorn" in names and "gateway.cli worker" in names
        redis_server = psutil.Process(_embedded_redis_pid(var_dir))

        os.killpg(process.pid, signal.SIGINT)
        assert process.wait(timeout=15) == 0, log.read_text()
    finally:
        stop_group(process)
    assert _gone([*children, redis_server]), log.read_text()
    assert not (var_dir / "redis.rdb.settings").exists()
    assert (var_dir / "redis.rdb").exists()


def test_up_exits_non_zero_and_stops_the_rest_when_a_child_dies(tmp_path):
    process, log, port = _start_up(tmp_path, "--no-demo")
    try:
        wait_for_health(f"http://127.0.0.1:{port}/healthz", process, timeout=60, log=log)
        assert not (tmp_path / "var" / "demo-admin-token").exists()
        children = psutil.Process(process.pid).children(recursive=True)
        worker = next(c for c in children if "worker" in c.cmdline() and c.ppid() == process.pid)
        redis_server = psutil.Process(_embedded_redis_pid(tmp_path / "var"))

        worker.kill()
        assert process.wait(timeout=20) == 1, log.read_text()
    finally:
        stop_group(process)
    assert "worker exited unexpectedly" in log.read_text()
    assert _gone([*children, redis_server]), log.read_text()


def test_up_with_external_database_and_redis_stops_on_sigterm(database_url, session_factory, tmp_path):
    process, log, port = _start_up(tmp_path, DATABASE_URL=database_url, REDIS_URL=EXTERNAL_REDIS_URL)
    try:
        body = wait_for_health(f"http://127.0.0.1:{port}/healthz", process, timeout=60, log=log)
        assert body["redis"] == "ok"
        assert not (tmp_path / "var" / "redis.rdb.settings").exists()
        assert EXTERNAL_REDIS_URL in log.read_text()
        token = (tmp_path / "var" / "demo-admin-token").read_text().strip()
        status, counties = get_json(f"http://127.0.0.1:{port}/api/v1/grids?level=county", token)
        assert status == 200 and counties["total"] == 2
        children = psutil.Process(process.pid).children(recursive=True)

        os.kill(process.pid, signal.SIGTERM)
        assert process.wait(timeout=15) == 0, log.read_text()
    finally:
        stop_group(process)
    assert _gone(children), log.read_text()
