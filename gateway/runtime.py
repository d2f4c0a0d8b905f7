"""The gateway's runtime: settings, the engine, the session factory and a lazily opened Redis connection."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from redis import Redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from campaigns.common.db import make_engine, make_session_factory
from campaigns.common.settings import Settings
from workers.connections import connect_redis


@dataclass
class Runtime:
    """What a request, a CLI command or a test needs to reach the database and Redis."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    _redis: Redis | None = field(default=None, repr=False)

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        engine = make_engine(settings.database_url)
        return cls(settings=settings, engine=engine, session_factory=make_session_factory(engine))

    def redis(self) -> Redis:
        if self._redis is None:
            self._redis = connect_redis(self.settings)
        return self._redis


def current_runtime() -> Runtime:
    """The runtime of the current app (inside a request or a CLI command)."""
    return current_app.extensions["gridcast"]
