"""The composition root: the one place the web app, a worker and the tick get their services from.

`Services` holds what every process needs, built from the settings: the engine and session factory, Redis
(connected on first use) and the sending tools (the channel, limiter and send policy of workers/sending_services.py,
built on first use). Every commit of its session factory that can change a loudspeaker feed bumps the feed version
(workers/feed_version.py). The builders it calls (workers/channel_factory.py, workers/sending_services.py,
workers/audio_services.py) hold no state of their own.

The web app builds one per app (gateway/app.py; `gateway.runtime.current_runtime()` returns it). A worker and the
tick `configure` the process's one with their settings before any job runs; a job started some other way (a test, a
one-off script) builds it from the environment on first use (`services()`). RQ runs each job in a forked work
horse, and a SQLAlchemy engine must not share pooled connections across a fork, so the first use in a new process
drops the inherited pool (without closing the parent's connections), and opens its own Redis connection and
sending tools.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from redis import Redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from campaigns.common.db import make_engine, make_session_factory
from campaigns.common.settings import Settings
from campaigns.loudspeakers.feed_changes import watch_feed_changes
from workers.connections import connect_redis
from workers.feed_version import bump_feed_version
from workers.sending_services import SendingServices, build_sending_services


@dataclass
class Services:
    """Settings, database, Redis and sending tools of one process (or one web app); see the module docstring."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    pid: int = field(default_factory=os.getpid)
    _redis: Redis | None = field(default=None, repr=False)
    _sending: SendingServices | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        watch_feed_changes(self.session_factory, lambda: bump_feed_version(self.redis))

    @classmethod
    def build(cls, settings: Settings) -> Services:
        """Services for `settings`; no connection is opened yet."""
        engine = make_engine(settings.database_url)
        return cls(settings=settings, engine=engine, session_factory=make_session_factory(engine))

    def redis(self) -> Redis:
        """The Redis connection, opened on first use."""
        if self._redis is None:
            self._redis = connect_redis(self.settings)
        return self._redis

    def sending(self) -> SendingServices:
        """The channel, the rate limiters and the send policy, built on first use."""
        if self._sending is None:
            self._sending = build_sending_services(self.settings, self.session_factory, self.redis())
        return self._sending

    def forked(self) -> None:
        """Forget what belongs to the parent process: its pooled connections (left open for it), Redis, channels."""
        self.engine.dispose(close=False)
        self._redis = None
        self._sending = None
        self.pid = os.getpid()


_services: Services | None = None


def configure(settings: Settings) -> Services:
    """Build this process's services for `settings` (replacing any earlier ones); no connection is opened yet."""
    global _services
    reset()
    _services = Services.build(settings)
    return _services


def services() -> Services:
    """This process's services, built from the environment on first use."""
    if _services is None:
        return configure(Settings.from_env())
    if _services.pid != os.getpid():
        _services.forked()
    return _services


def reset() -> None:
    """Forget this process's services (closing its connections); the next `services()` builds new ones."""
    global _services
    if _services is not None and _services.pid == os.getpid():
        _services.engine.dispose()
    _services = None
