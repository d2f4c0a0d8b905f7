"""Shared fixtures: every database test runs on SQLite and on PostgreSQL, against migrated schemas."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from campaigns.common import migrate
from campaigns.common.db import make_engine, make_session_factory
from campaigns.common.settings import Settings
from campaigns.identity import accounts, passwords
from campaigns.identity.access import Actor
from campaigns.models import Base
from gateway.app import create_app
from gateway.web.auth_throttle import KEY_PREFIX as AUTH_FAILURES_PREFIX
from tests.factories import add_people, build_demo_tree
from tests.servers import delete_queue
from tests.socket_guard import SocketGuard
from workers.composition import Services
from workers.feed_version import bump_feed_version
from workers.lane import KINDS as LANE_KINDS
from workers.lane import flag_key
from workers.queues import ALERTS, SENDS

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _test_redis_url() -> str:
    """TEST_REDIS_URL, or a database of the local Redis picked by process; each xdist worker gets its own."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    index = int(worker[2:] or 0) if worker.startswith("gw") else 0
    if os.environ.get("TEST_REDIS_URL"):
        base, _, number = os.environ["TEST_REDIS_URL"].rpartition("/")
        return f"{base}/{int(number or 0) + index}" if worker else os.environ["TEST_REDIS_URL"]
    number = 1 + (index if worker else os.getpid()) % 15
    return f"redis://127.0.0.1:6379/{number}"


TEST_REDIS_URL = _test_redis_url()
TEST_SECRET_KEY = "test-secret-key-" + uuid.uuid4().hex
TEST_EBM_RESOURCE_CODE = "43415230000000103010101"  # a county platform's resource code, as in public examples
BACKENDS = ["sqlite", "postgresql"]

# Fixtures that reach PostgreSQL, Redis, a running app or the Prism mock server (a Node process that takes seconds to
# start); a test that uses none of them (directly or through another fixture) and is not slow belongs to the unit
# tier (`pytest -m unit`).
SERVICE_FIXTURES = frozenset(
    {
        "database_url", "engine", "session_factory", "session", "settings", "runtime", "app", "client",
        "redis", "redis_client", "audio_queue", "import_queue", "sends", "test_queue", "workers", "prism_url",
    }
)  # fmt: skip


def pytest_collection_modifyitems(config, items) -> None:
    """Mark every test that needs no database, Redis or app (and is not slow) with `unit`."""
    for item in items:
        if item.get_closest_marker("slow") is None and SERVICE_FIXTURES.isdisjoint(item.fixturenames):
            item.add_marker(pytest.mark.unit)


def _create_postgres_database() -> tuple[str, str]:
    name = f"gridcast_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def _drop_postgres_database(name: str) -> None:
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def _installed_socket_guard() -> Iterator[SocketGuard]:
    guard = SocketGuard()
    guard.install()
    yield guard
    guard.uninstall()


@pytest.fixture(autouse=True)
def socket_guard(_installed_socket_guard) -> Iterator[SocketGuard]:
    """No test reaches the internet (tests/socket_guard.py): only loopback and Unix sockets connect, and a test whose
    code swallowed a refusal still fails here."""
    _installed_socket_guard.take_blocked()
    yield _installed_socket_guard
    blocked = _installed_socket_guard.take_blocked()
    if blocked:
        pytest.fail(f"the test tried to reach the internet: {'; '.join(blocked)}")


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashes() -> Iterator[None]:
    """The suite hashes passwords with scrypt at N=2**14 (0.06 s instead of 0.6 s a login);
    tests/campaigns/identity/test_passwords.py checks the OWASP cost itself. Subprocesses (gridcast up, gunicorn) keep
    the full cost."""
    saved = passwords.SCRYPT_N
    passwords.SCRYPT_N = 2**14
    yield
    passwords.SCRYPT_N = saved


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory) -> Iterator[str]:
    """A fresh, migrated database of each backend for the whole test session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'gridcast.db'}"
        yield url
        return
    name, url = _create_postgres_database()
    yield url
    _drop_postgres_database(name)


@pytest.fixture(scope="session")
def engine(database_url):
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def _empty_tables(engine) -> None:
    tables = [table for table in reversed(Base.metadata.sorted_tables) if table.name != "grid_levels"]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            connection.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
            for table in tables:
                connection.execute(table.delete())


def forget_cached_feeds() -> None:
    """Bump the loudspeaker feed version. Each test starts from emptied tables whose ids start again (a change the
    version never saw), so feeds and feed items cached for a grid of an earlier test or run must not be served."""
    client = Redis.from_url(TEST_REDIS_URL)
    try:
        bump_feed_version(lambda: client)
    finally:
        client.close()


def forget_send_jobs() -> None:
    """Drop the send jobs, the send queues and the alerts' lane flags an earlier test left in this process's Redis
    database. A batch's job id is made of its run and first row id (`send-1-1`), which start again with each test's
    tables, so an earlier test's job would look alive to the dispatcher and keep the same batch of this test from
    ever being enqueued."""
    client = Redis.from_url(TEST_REDIS_URL)
    try:
        stale = client.keys("rq:job:send-*")
        client.delete(f"rq:queue:{SENDS}", f"rq:queue:{ALERTS}", *(flag_key(kind) for kind in LANE_KINDS), *stale)
    finally:
        client.close()


@pytest.fixture
def session_factory(engine):
    forget_cached_feeds()
    forget_send_jobs()
    yield make_session_factory(engine)
    _empty_tables(engine)


@pytest.fixture
def session(session_factory) -> Iterator[Session]:
    session = session_factory()
    yield session
    session.rollback()
    session.close()


def settings_environ(database_url: str, tmp_path, **extra: str) -> dict[str, str]:
    """The environment of a test's Settings: its database, a var dir under tmp_path, its Redis, the test key and
    an EBM resource code."""
    environ = {
        "DATABASE_URL": database_url,
        "GRIDCAST_VAR_DIR": str(tmp_path / "var"),
        "REDIS_URL": TEST_REDIS_URL,
        "SECRET_KEY": TEST_SECRET_KEY,
        "GRIDCAST_EBM_RESOURCE_CODE": TEST_EBM_RESOURCE_CODE,
    }
    return {**environ, **extra}


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings.from_env(settings_environ(database_url, tmp_path))


@pytest.fixture
def runtime(settings, engine, session_factory) -> Services:
    return Services(settings=settings, engine=engine, session_factory=session_factory)


def forget_auth_failures() -> None:
    """Drop the per-address counts of failed token checks, so one test's refused tokens do not block the next."""
    client = Redis.from_url(TEST_REDIS_URL)
    try:
        keys = client.keys(AUTH_FAILURES_PREFIX + "*")
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
def app(runtime):
    forget_auth_failures()
    app = create_app(runtime=runtime)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def system() -> Actor:
    return Actor.system()


@pytest.fixture
def tree(session_factory) -> dict[str, int]:
    """A small county: codes mapped to grid ids (see tests/factories.py)."""
    with session_factory.begin() as session:
        return build_demo_tree(session)


@pytest.fixture
def make_token(session_factory, tree):
    """make_token(role, scope_code) -> a bearer token for a new user with that role and scope."""
    counter = iter(range(1, 10_000))

    def make(role: str = "admin", scope_code: str | None = None) -> str:
        with session_factory.begin() as session:
            username = f"{role}{next(counter)}"
            accounts.create_user(session, Actor.system(), username=username, role=role, scope_grid_code=scope_code)
            return accounts.create_token(session, Actor.system(), username=username, name="test")["token"]

    return make


@pytest.fixture
def admin_headers(make_token) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token('admin')}"}


@pytest.fixture
def people(session_factory, tree) -> dict[str, int]:
    """The small county with six contacts (tests/factories.py `add_people`); returns the tree."""
    with session_factory.begin() as session:
        add_people(session, tree)
    return tree


@pytest.fixture
def sends():
    """The sends queue on the test Redis, emptied before and after the test, with the alerts' lane clear: an alert
    job or lane flag left by another test would make every routine send job give way (workers/lane.py)."""
    connection = Redis.from_url(TEST_REDIS_URL)
    queue, alerts = Queue(SENDS, connection=connection), Queue(ALERTS, connection=connection)

    def clear() -> None:
        delete_queue(queue)
        delete_queue(alerts)
        connection.delete(*(flag_key(kind) for kind in LANE_KINDS))

    clear()
    yield queue
    clear()
    connection.close()
