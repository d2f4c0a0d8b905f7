"""Failed token checks are limited per address (API bearer tokens and loudspeaker tokens), against the real Redis."""

from __future__ import annotations

import pytest
from redis import Redis

from campaigns.common.settings import Settings
from gateway.app import create_app
from gateway.web.auth_throttle import FailureThrottle
from tests.conftest import TEST_REDIS_URL, forget_auth_failures, settings_environ
from tests.speaker_helpers import add_speaker, bearer
from workers.composition import Services
from workers.feed_version import FEED_VERSION_KEY

LIMIT = 3
ELSEWHERE = {"REMOTE_ADDR": "10.0.0.9"}


@pytest.fixture
def client(database_url, tmp_path, engine, session_factory):
    """An app that allows LIMIT failed token checks per minute and address."""
    settings = Settings.from_env(settings_environ(database_url, tmp_path, GRIDCAST_AUTH_FAILURES_PER_MINUTE=str(LIMIT)))
    forget_auth_failures()
    app = create_app(runtime=Services(settings=settings, engine=engine, session_factory=session_factory))
    app.config["TESTING"] = True
    yield app.test_client()
    forget_auth_failures()


def test_an_address_that_keeps_guessing_api_tokens_gets_429_until_the_window_ends(client, admin_headers):
    for _ in range(10):  # successes are not counted
        assert client.get("/api/v1/grids", headers=admin_headers).status_code == 200
    for _ in range(LIMIT):
        assert client.get("/api/v1/grids", headers=bearer("gc_guess")).status_code == 401
    blocked = client.get("/api/v1/grids", headers=admin_headers)  # even the right token, from this address
    assert blocked.status_code == 429 and blocked.get_json()["error"]["code"] == "too_many_requests"
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    assert client.get("/api/v1/grids", headers=bearer("gc_guess")).status_code == 429
    assert client.get("/api/v1/grids", headers=admin_headers, environ_base=ELSEWHERE).status_code == 200


def test_a_request_without_any_token_is_not_counted(client, admin_headers):
    for _ in range(LIMIT + 2):
        assert client.get("/api/v1/grids").status_code == 401
    assert client.get("/api/v1/grids", headers=admin_headers).status_code == 200


def test_speaker_token_guessing_is_throttled_on_every_speaker_endpoint(client, session_factory, tree):
    with session_factory.begin() as session:
        _speaker, token = add_speaker(session, "623025101201")
    assert client.get("/speakers/feed", headers=bearer(token)).status_code == 200
    assert client.post("/speakers/heartbeat", headers=bearer("gs_guess1")).status_code == 401
    assert client.get("/speakers/feed", headers=bearer("gs_guess2")).status_code == 401
    assert client.post("/speakers/plays", headers=bearer("gs_guess3"), json={}).status_code == 401
    for method, path in (("GET", "/speakers/feed"), ("POST", "/speakers/heartbeat"), ("POST", "/speakers/plays")):
        refused = client.open(path, method=method, headers=bearer(token), json={})
        assert refused.status_code == 429 and "Retry-After" in refused.headers, path
    assert client.get("/speakers/feed", headers=bearer(token), environ_base=ELSEWHERE).status_code == 200


def test_a_blocked_address_is_refused_when_the_fast_path_could_not_answer_its_poll(client, session_factory, tree):
    with session_factory.begin() as session:
        _speaker, token = add_speaker(session, "623025101201")
    etag = client.get("/speakers/v2/feed", headers=bearer(token)).headers["ETag"]
    Redis.from_url(TEST_REDIS_URL).incr(FEED_VERSION_KEY)  # the cached feed is stale: the fast path hands on its miss
    for n in range(LIMIT):
        assert client.get("/speakers/v2/feed", headers=bearer(f"gs_guess{n}")).status_code == 401
    conditional = {**bearer(token), "If-None-Match": etag}
    assert client.get("/speakers/v2/feed", headers=conditional).status_code == 429
    assert client.get("/speakers/v2/feed", headers=conditional, environ_base=ELSEWHERE).status_code == 304


def test_api_and_speaker_failures_count_together(client, admin_headers):
    client.get("/api/v1/grids", headers=bearer("gc_guess"))
    client.get("/speakers/feed", headers=bearer("gs_guess"))
    client.post("/speakers/heartbeat", headers=bearer("gs_guess"))
    assert client.get("/api/v1/grids", headers=admin_headers).status_code == 429


def test_without_redis_each_process_counts_in_memory():
    now = [100.0]
    unreachable = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    throttle = FailureThrottle(lambda: unreachable, limit=2, window=60, clock=lambda: now[0])
    throttle.record_failure("10.0.0.1")
    assert throttle.retry_after("10.0.0.1") is None
    throttle.record_failure("10.0.0.1")
    assert throttle.retry_after("10.0.0.1") == 60 and throttle.retry_after("10.0.0.2") is None
    now[0] += 59.5
    assert throttle.retry_after("10.0.0.1") == 1
    now[0] += 1
    assert throttle.retry_after("10.0.0.1") is None
