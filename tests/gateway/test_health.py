"""GET /healthz: database and Redis reachability."""

from __future__ import annotations

import time

from campaigns.common.settings import Settings
from gateway.app import create_app
from tests.conftest import TEST_SECRET_KEY
from tests.servers import free_port
from workers.composition import Services


def test_healthz_is_200_when_database_and_redis_answer(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_healthz_is_503_naming_redis_when_redis_is_down(database_url, engine, session_factory, tmp_path):
    closed = f"redis://127.0.0.1:{free_port()}/0?socket_connect_timeout=1&socket_timeout=1"
    settings = Settings.from_env(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": closed,
            "GRIDCAST_VAR_DIR": str(tmp_path / "var"),
            "SECRET_KEY": TEST_SECRET_KEY,
        }
    )
    app = create_app(runtime=Services(settings=settings, engine=engine, session_factory=session_factory))

    started = time.monotonic()
    response = app.test_client().get("/healthz")

    assert time.monotonic() - started < 5
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "degraded"
    assert body["database"] == "ok"
    assert body["redis"].startswith("error: ") and "ConnectionError" in body["redis"]
