"""The shared rate limiter against the real Redis: pacing across threads and the back-off after a 429."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from redis import Redis

from tests.conftest import TEST_REDIS_URL
from workers.rate_limit import RedisRateLimiter


@pytest.fixture
def redis_client():
    client = Redis.from_url(TEST_REDIS_URL)
    yield client
    client.close()


def test_paces_threads_to_the_configured_rate(redis_client):
    limiter = RedisRateLimiter(redis_client, f"test-{uuid.uuid4().hex}", rate_per_second=50)
    stamps: list[float] = []
    lock = threading.Lock()

    def worker():
        for _ in range(10):
            limiter.acquire()
            with lock:
                stamps.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stamps.sort()
    span = stamps[-1] - stamps[0]
    assert len(stamps) == 40
    assert span >= 39 / 50 * 0.9  # 40 acquisitions at 50/s need at least 0.78 s


def test_slow_down_holds_every_sender(redis_client):
    key = f"test-{uuid.uuid4().hex}"
    first = RedisRateLimiter(redis_client, key, rate_per_second=1000)
    second = RedisRateLimiter(redis_client, key, rate_per_second=1000)
    waits: list[float] = []
    first.slow_down(0.3)
    blocked = RedisRateLimiter(
        redis_client, key, rate_per_second=1000, sleep=lambda s: (waits.append(s), time.sleep(s))
    )
    blocked.acquire()
    second.acquire()
    assert waits and waits[0] == pytest.approx(0.3, abs=0.05)
