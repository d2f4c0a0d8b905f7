"""The feed version: commits that can change a loudspeaker feed bump it (in the gateway and in workers), others do
not, and a cached feed is never served after such a commit."""

from __future__ import annotations

from datetime import timedelta

from redis import Redis
from sqlalchemy import update

from campaigns.loudspeakers.feed_changes import watch_feed_changes
from campaigns.models import Campaign, Run
from campaigns.models.base import utcnow
from tests.conftest import TEST_REDIS_URL
from tests.factories import add_contact, make_campaign
from tests.servers import free_port
from tests.speaker_helpers import add_speaker, bearer, feed_ok, loudspeaker_campaign
from workers.composition import Services
from workers.feed_version import FEED_VERSION_KEY, bump_feed_version


def test_only_commits_that_touch_feed_rows_count(session_factory, tree):
    changes = []
    watch_feed_changes(session_factory, lambda: changes.append(1))
    with session_factory.begin() as session:
        add_contact(session, tree["623025101201"], "+8613800000001")
    assert changes == [], "contacts do not change a feed"
    with session_factory.begin() as session:
        campaign = make_campaign(session, tree)
    assert changes == [1]
    with session_factory.begin() as session:
        session.execute(update(Campaign).where(Campaign.id == campaign["id"]).values(name="改"))
    assert changes == [1, 1], "a bulk UPDATE counts too"
    with session_factory.begin() as session:
        session.execute(update(Run).where(Run.id == -1).values(status="paused"))
        session.get(Campaign, campaign["id"]).name = "再改"
    assert changes == [1, 1, 1], "once per commit"


def test_worker_commits_bump_the_feed_version(settings, engine, tree):
    redis = Redis.from_url(TEST_REDIS_URL)
    before = int(redis.get(FEED_VERSION_KEY) or 0)
    services = Services.build(settings)
    try:
        with services.session_factory.begin() as session:
            make_campaign(session, tree)
    finally:
        services.engine.dispose()
    assert int(redis.get(FEED_VERSION_KEY)) == before + 1


def test_a_cached_feed_is_never_served_after_a_change(client, session_factory, people, settings, admin_headers):
    assert settings.speaker_feed_cache_seconds == 300, "the default: cached for minutes"
    with session_factory.begin() as session:
        _, token = add_speaker(session, "623025101201")
        campaign = loudspeaker_campaign(session, people, settings.audio_dir, "623025101", utcnow() - timedelta(hours=1))
    etag = feed_ok(client, token).headers["ETag"]
    assert client.get("/speakers/feed", headers={**bearer(token), "If-None-Match": etag}).status_code == 304
    assert client.post(f"/api/v1/campaigns/{campaign['id']}/pause", headers=admin_headers).status_code == 200
    changed = client.get("/speakers/feed", headers={**bearer(token), "If-None-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["announcements"] == []


def test_a_commit_succeeds_when_redis_is_down(session_factory, tree):
    closed = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0?socket_connect_timeout=1")
    watch_feed_changes(session_factory, lambda: bump_feed_version(lambda: closed))
    with session_factory.begin() as session:
        campaign_id = make_campaign(session, tree)["id"]
    with session_factory() as session:
        assert session.get(Campaign, campaign_id) is not None
