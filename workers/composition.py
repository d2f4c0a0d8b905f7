"""The composition root of a worker process: settings, engine and session factory, built once and lazily.

`run_worker` configures it with the worker's settings before any job runs; a job started some other way (a test, a
one-off script) builds it from the environment on first use. RQ runs each job in a forked work horse, and a
SQLAlchemy engine must not share pooled connections across a fork, so the first use in a new process drops the
inherited pool (without closing the parent's connections) and opens its own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from campaigns.common.db import make_engine, make_session_factory
from campaigns.common.settings import Settings
from workers.feed_version import bump_on_feed_changes


@dataclass
class Services:
    """What jobs need to reach the database; one per process."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    pid: int

    @classmethod
    def build(cls, settings: Settings) -> Services:
        engine = make_engine(settings.database_url)
        session_factory = make_session_factory(engine)
        bump_on_feed_changes(session_factory, settings)
        return cls(settings=settings, engine=engine, session_factory=session_factory, pid=os.getpid())


_services: Services | None = None


def configure(settings: Settings) -> Services:
    """Build the services for `settings` (replacing any earlier ones); no connection is opened yet."""
    global _services
    reset()
    _services = Services.build(settings)
    return _services


def services() -> Services:
    """The services of this process, built from the environment on first use."""
    if _services is None:
        return configure(Settings.from_env())
    if _services.pid != os.getpid():
        _services.engine.dispose(close=False)
        _services.pid = os.getpid()
    return _services


def reset() -> None:
    """Forget the services (closing this process's connections); the next `services()` builds new ones."""
    global _services
    if _services is not None and _services.pid == os.getpid():
        _services.engine.dispose()
    _services = None
