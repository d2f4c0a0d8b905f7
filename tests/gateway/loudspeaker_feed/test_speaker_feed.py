"""The loudspeaker feed through the Flask test client, on SQLite and PostgreSQL; plays and heartbeats are in
tests/gateway/loudspeaker_feed/test_speaker_plays.py.

The feed cache is off here (GRIDCAST_SPEAKER_FEED_CACHE_SECONDS=0) so every poll reads the database, except in the
test of the cache itself; tests/gateway/loudspeaker_feed/test_speaker_feed_http.py polls a real server.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from campaigns.common.settings import Settings, SettingsError
from campaigns.models import Speaker
from campaigns.models.base import utcnow
from gateway.app import create_app
from tests.speaker_helpers import (
    BASE,
    add_speaker,
    bearer,
    feed_ok,
    loudspeaker_campaign,
    make_village,
    uncached_settings,
)
from workers.composition import Services


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return uncached_settings(database_url, tmp_path)


@pytest.fixture
def village(session_factory, people, settings) -> dict:
    return make_village(session_factory, people, settings)


def test_feed_holds_the_speakers_grid_and_the_grids_above_in_its_languages(client, village):
    body = feed_ok(client, village["token"]).get_json()
    assert body["speaker"]["grid_code"] == "623025101201"
    shown = {(item["title"], item["language"]) for item in body["announcements"]}
    assert shown == {("county", "bo"), ("county", "zh"), ("township", "bo"), ("township", "zh"), ("zh only", "zh")}
    other = feed_ok(client, village["other_token"]).get_json()
    assert {(item["title"], item["language"]) for item in other["announcements"]} == {("county", "zh"), ("other", "zh")}


def test_feed_item_fields(client, village):
    items = feed_ok(client, village["token"]).get_json()["announcements"]
    township = next(item for item in items if item["title"] == "township" and item["language"] == "bo")
    clip = village["township"]["clips"]["bo"]
    assert township["id"] == village["township"]["run_id"]
    assert township["campaign_id"] == village["township"]["id"]
    assert township["audio_url"] == f"{BASE}/audio/{clip.sha256}.mp3"
    assert (township["sha256"], township["size_bytes"], township["duration_ms"]) == (clip.sha256, clip.size_bytes,
                                                                                      2000)  # fmt: skip
    valid_from = datetime.fromisoformat(township["valid_from"])
    assert datetime.fromisoformat(township["valid_until"]) - valid_from == timedelta(hours=24)
    assert (township["play_at"], township["times"], township["timezone"]) == (["08:00", "12:30"], 3, "Asia/Shanghai")
    county = next(item for item in items if item["title"] == "county")
    assert (county["play_at"], county["times"]) == (["07:30", "19:00"], 1), "the speaker's own slots by default"


def test_only_announcements_whose_window_is_open_now(client, session_factory, people, settings):
    now = utcnow()
    with session_factory.begin() as session:
        _, token = add_speaker(session, "623025101201")
        for name, started, hours in (("expired", now - timedelta(hours=25), 24), ("long", now - timedelta(hours=25),
                                     48), ("fresh", now - timedelta(minutes=5), 1)):  # fmt: skip
            loudspeaker_campaign(session, people, settings.audio_dir, "623025101", started, name=name,
                                 loudspeaker={"valid_hours": hours})  # fmt: skip
        loudspeaker_campaign(session, people, settings.audio_dir, "623025101", now, name="draft", launch=False)
        loudspeaker_campaign(session, people, settings.audio_dir, "623025101", now, name="sms only", channels=["sms"])
    titles = {item["title"] for item in feed_ok(client, token).get_json()["announcements"]}
    assert titles == {"long", "fresh"}


def test_paused_or_cancelled_campaigns_leave_the_feed(client, village, admin_headers):
    for key, action in (("county", "pause"), ("township", "cancel")):
        response = client.post(f"/api/v1/campaigns/{village[key]['id']}/{action}", headers=admin_headers)
        assert response.status_code == 200, response.get_json()
    titles = {item["title"] for item in feed_ok(client, village["token"]).get_json()["announcements"]}
    assert titles == {"zh only"}


def test_m3u_by_query_or_accept_header(client, village):
    by_query = feed_ok(client, village["token"], query_string={"format": "m3u"})
    by_accept = client.get("/speakers/feed", headers={**bearer(village["token"]), "Accept": "audio/x-mpegurl"})
    assert by_query.get_data() == by_accept.get_data()
    assert by_query.headers["Content-Type"].startswith("audio/x-mpegurl")
    lines = by_query.get_data(as_text=True).splitlines()
    assert lines[0] == "#EXTM3U"
    township = f"{BASE}/audio/{village['township']['clips']['bo'].sha256}.mp3"
    assert lines.count(township) == 3, "played `times` times in a row"
    assert lines[lines.index(township) - 1] == "#EXTINF:2,township (bo)"
    assert by_query.headers["ETag"] != feed_ok(client, village["token"]).headers["ETag"], "one ETag per representation"


def test_etag_gives_304_until_something_changes(client, village, admin_headers):
    first = feed_ok(client, village["token"])
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = client.get("/speakers/feed", headers={**bearer(village["token"]), "If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == etag
    listed = client.get("/speakers/feed", headers={**bearer(village["token"]), "If-None-Match": f'"x", W/{etag}'})
    assert listed.status_code == 304
    assert client.post(f"/api/v1/campaigns/{village['county']['id']}/pause", headers=admin_headers).status_code == 200
    changed = client.get("/speakers/feed", headers={**bearer(village["token"]), "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def _cached_client(runtime, session_factory):
    cached = dataclasses.replace(runtime.settings, speaker_feed_cache_seconds=60)
    return create_app(
        runtime=Services(settings=cached, engine=runtime.engine, session_factory=session_factory)
    ).test_client()


def test_an_unchanged_cached_poll_needs_no_database(session_factory, runtime, engine, village, admin_headers):
    client = _cached_client(runtime, session_factory)
    etag = feed_ok(client, village["token"]).headers["ETag"]
    statements = []

    def count(connection, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(5):
            response = client.get("/speakers/feed", headers={**bearer(village["token"]), "If-None-Match": etag})
            assert response.status_code == 304
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert statements == []
    with session_factory.begin() as session:  # as if the first poll's heartbeat had been written long ago
        session.get(Speaker, village["speaker"]["id"]).last_seen_at = utcnow() - timedelta(hours=1)
    client.get("/speakers/feed", headers={**bearer(village["token"]), "If-None-Match": etag})
    listed = client.get(f"/api/v1/speakers/{village['speaker']['id']}", headers=admin_headers).get_json()
    assert datetime.fromisoformat(listed["last_seen_at"]) > utcnow() - timedelta(minutes=1), "heartbeats noted in Redis"


def test_cached_feed_is_dropped_when_staff_change_the_speaker(session_factory, runtime, village, admin_headers):
    client = _cached_client(runtime, session_factory)
    etag = feed_ok(client, village["token"]).headers["ETag"]
    with session_factory.begin() as session:  # behind the cache's back: the cached feed is served
        session.scalar(select(Speaker).where(Speaker.id == village["speaker"]["id"])).languages = ["zh"]
    assert feed_ok(client, village["token"]).headers["ETag"] == etag
    speaker_url = f"/api/v1/speakers/{village['speaker']['id']}"
    assert client.patch(speaker_url, json={"languages": ["bo"]}, headers=admin_headers).status_code == 200
    languages = {item["language"] for item in feed_ok(client, village["token"]).get_json()["announcements"]}
    assert languages == {"bo"}
    rotated = client.post(f"{speaker_url}/token", headers=admin_headers).get_json()["token"]
    assert client.get("/speakers/feed", headers=bearer(village["token"])).status_code == 401
    assert feed_ok(client, rotated).status_code == 200
    assert client.delete(speaker_url, headers=admin_headers).status_code == 204
    assert client.get("/speakers/feed", headers=bearer(rotated)).status_code == 401


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer gs_unknown"},
        {"Authorization": "Bearer gc_a-staff-looking-token"},
        {"Authorization": "Basic Zm9vOmJhcg=="},
    ],
    ids=["missing", "unknown", "staff-shaped", "basic"],
)
def test_bad_speaker_token_gets_401(client, village, headers):
    for method, path in (("GET", "/speakers/feed"), ("POST", "/speakers/plays"), ("POST", "/speakers/heartbeat")):
        response = client.open(path, method=method, headers=headers, json={})
        assert response.status_code == 401, (method, path)
        assert response.get_json()["error"]["code"] == "unauthenticated"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_staff_token_is_not_a_speaker_token(client, village, make_token):
    assert client.get("/speakers/feed", headers=bearer(make_token("admin"))).status_code == 401


def test_play_at_uses_the_campaign_time_zone(client, session_factory, people, settings):
    with session_factory.begin() as session:
        _, token = add_speaker(session, "623025101201")
        loudspeaker_campaign(session, people, settings.audio_dir, "623025101", datetime.now(UTC), name="utc",
                             timezone="UTC", loudspeaker={"play_at": ["23:00", "7:05"]})  # fmt: skip
    (item, *_) = feed_ok(client, token).get_json()["announcements"]
    assert (item["play_at"], item["timezone"]) == (["07:05", "23:00"], "UTC")


@pytest.mark.parametrize(
    ("section", "field"),
    [
        ({"times": 0}, "loudspeaker.times"),
        ({"times": True}, "loudspeaker.times"),
        ({"valid_hours": 721}, "loudspeaker.valid_hours"),
        ({"play_at": ["25:00"]}, "loudspeaker.play_at"),
        ({"play_at": "08:00"}, "loudspeaker.play_at"),
        ({"play_at": [f"{hour:02d}:00" for hour in range(13)]}, "loudspeaker.play_at"),
        ({"volume": 11}, "loudspeaker"),
        ([], "loudspeaker"),
    ],
)
def test_loudspeaker_section_is_validated_on_save(client, tree, admin_headers, section, field):
    body = {"name": "喇叭", "channels": ["sms", "loudspeaker"], "audience": {"grid_ids": [tree["623025101"]]},
            "texts": {"zh": "明天接种"}, "loudspeaker": section}  # fmt: skip
    response = client.post("/api/v1/campaigns", json=body, headers=admin_headers)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]


def test_loudspeaker_section_defaults_and_is_dropped_without_the_channel(client, tree, admin_headers):
    body = {"name": "喇叭", "channels": ["loudspeaker"], "audience": {"grid_ids": [tree["623025101"]]},
            "texts": {"zh": "明天接种"}}  # fmt: skip
    created = client.post("/api/v1/campaigns", json=body, headers=admin_headers).get_json()
    assert created["loudspeaker"] == {"play_at": [], "times": 1, "valid_hours": 24}
    changed = {"channels": ["sms"], "loudspeaker": {"times": 3}}
    updated = client.patch(f"/api/v1/campaigns/{created['id']}", json=changed, headers=admin_headers).get_json()
    assert updated["loudspeaker"] is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GRIDCAST_SPEAKER_SILENT_AFTER_MINUTES", "0"),
        ("GRIDCAST_SPEAKER_SILENT_AFTER_MINUTES", "soon"),
        ("GRIDCAST_SPEAKER_FEED_CACHE_SECONDS", "-1"),
    ],
)
def test_bad_speaker_settings_are_refused(name, value):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_cap_sender_defaults_to_the_public_host():
    assert Settings.from_env({"PUBLIC_BASE_URL": "https://gc.example.cn/"}).cap_sender == "gridcast@gc.example.cn"
    assert Settings.from_env({"GRIDCAST_CAP_SENDER": "maqu@example.cn"}).cap_sender == "maqu@example.cn"
