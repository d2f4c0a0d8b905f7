"""Helpers for tests that start real servers: free ports, waiting for HTTP, stopping groups, servers in threads."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

VENV_BIN = Path(sys.executable).parent
REPO_ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def subprocess_env(**overrides: str) -> dict[str, str]:
    """This environment without the service's settings, with the virtualenv first on PATH, plus `overrides`."""
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))  # tests.wiring_jobs
    env.update(overrides)
    return env


def get_json(url: str, token: str | None = None, timeout: float = 5) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def wait_for_health(url: str, process: subprocess.Popen, timeout: float, log: Path | None = None) -> dict:
    """Poll `url` until it answers 200; fail early (with the log) if `process` exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}:\n{_tail(log)}")
        try:
            status, body = get_json(url, timeout=2)
            if status == 200:
                return body
        except (OSError, ValueError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer 200 within {timeout:g} s:\n{_tail(log)}")


def stop_group(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    """Signal the process group led by `process` (started with start_new_session=True), then kill what is left."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=timeout)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _tail(log: Path | None, lines: int = 40) -> str:
    if log is None or not log.exists():
        return ""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def delete_queue(queue) -> None:
    """Remove an RQ queue, its registries and its jobs from Redis."""
    redis = queue.connection
    registries = (queue, queue.finished_job_registry, queue.failed_job_registry, queue.scheduled_job_registry)
    for job_id in {job_id for registry in registries for job_id in registry.get_job_ids()}:
        redis.delete(f"rq:job:{job_id}", f"rq:results:{job_id}")
    for key in redis.scan_iter(f"*{queue.name}*"):
        redis.delete(key)
    redis.srem("rq:queues", f"rq:queue:{queue.name}")


@contextlib.contextmanager
def wsgi_server_in_thread(app):
    """Serve a WSGI `app` on a free local port from a thread (werkzeug, threaded); yields its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


class LocalHttpServer:
    """An HTTP server on a free 127.0.0.1 port, serving from a thread while used as a context manager; `url` is its
    base URL. `backlog` is how many connects may wait at once (raise it when many clients connect together)."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], backlog: int = 5):
        server_class = type("QueuedHTTPServer", (ThreadingHTTPServer,), {"request_queue_size": backlog})
        self._server = server_class(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
