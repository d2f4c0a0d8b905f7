"""The loudspeaker feed against a real gunicorn server with a real HTTP client (requests), on both backends:
conditional requests (ETag, If-None-Match, 304) through the Redis feed cache, the M3U playlist whose URLs download
the announced audio, plays, heartbeats, and a rotated token refused at once."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from campaigns.models import Speaker, SpeakerPlay
from campaigns.models.base import utcnow
from tests.conftest import TEST_REDIS_URL, TEST_SECRET_KEY
from tests.servers import free_port, stop_group, subprocess_env, wait_for_health
from tests.speaker_helpers import add_speaker, loudspeaker_campaign

APP = "gateway.app:create_app()"


@pytest.fixture
def world(session_factory, people, settings, make_token) -> dict:
    with session_factory.begin() as session:
        speaker, token = add_speaker(session, "623025101201")
        campaign = loudspeaker_campaign(session, people, settings.audio_dir, "623025101", utcnow() - timedelta(hours=1))
    return {"speaker": speaker, "token": token, "campaign": campaign, "staff": make_token("coordinator", "623025101")}


@pytest.fixture
def server(database_url, settings, tmp_path):
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = tmp_path / "gunicorn.log"
    env = subprocess_env(DATABASE_URL=database_url, REDIS_URL=TEST_REDIS_URL, PUBLIC_BASE_URL=base_url,
                         SECRET_KEY=TEST_SECRET_KEY, GRIDCAST_VAR_DIR=str(settings.var_dir))  # fmt: skip
    with log.open("wb") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", APP],
            env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        wait_for_health(f"{base_url}/healthz", process, timeout=60, log=log)
        yield base_url
    finally:
        stop_group(process)


def test_feed_over_http(server, world, session_factory):
    speaker = {"Authorization": f"Bearer {world['token']}"}
    with requests.Session() as http:
        first = http.get(f"{server}/speakers/feed", headers=speaker, timeout=10)
        assert first.status_code == 200 and first.headers["Content-Type"] == "application/json"
        etag = first.headers["ETag"]
        assert first.headers["Vary"] == "Authorization, Accept"
        announcements = first.json()["announcements"]
        assert {item["language"] for item in announcements} == {"bo", "zh"}
        for _ in range(3):
            again = http.get(f"{server}/speakers/feed", headers={**speaker, "If-None-Match": etag}, timeout=10)
            assert (again.status_code, again.content, again.headers["ETag"]) == (304, b"", etag)

        playlist = http.get(f"{server}/speakers/feed", headers={**speaker, "Accept": "audio/x-mpegurl"}, timeout=10)
        assert playlist.status_code == 200 and playlist.headers["ETag"] != etag
        urls = [line for line in playlist.text.splitlines() if not line.startswith("#")]
        assert urls == [item["audio_url"] for item in announcements]
        for item in announcements:
            audio = http.get(item["audio_url"], timeout=10)
            assert audio.status_code == 200 and audio.headers["Content-Type"] == "audio/mpeg"
            assert hashlib.sha256(audio.content).hexdigest() == item["sha256"]
            assert len(audio.content) == item["size_bytes"]

        play = {"announcement_id": announcements[0]["id"], "played_at": utcnow().isoformat(), "times": 2}
        assert http.post(f"{server}/speakers/plays", json=play, headers=speaker, timeout=10).status_code == 201
        assert http.post(f"{server}/speakers/plays", json=play, headers=speaker, timeout=10).status_code == 200
        assert http.post(f"{server}/speakers/heartbeat", headers=speaker, timeout=10).status_code == 200

        staff = {"Authorization": f"Bearer {world['staff']}"}
        rotated = http.post(f"{server}/api/v1/speakers/{world['speaker']['id']}/token", headers=staff, timeout=10)
        assert rotated.status_code == 200
        refused = http.get(f"{server}/speakers/feed", headers={**speaker, "If-None-Match": etag}, timeout=10)
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthenticated"
        renewed = {"Authorization": f"Bearer {rotated.json()['token']}", "If-None-Match": etag}
        assert http.get(f"{server}/speakers/feed", headers=renewed, timeout=10).status_code == 304
    with session_factory() as session:
        assert session.get(Speaker, world["speaker"]["id"]).last_seen_at is not None
        assert len(session.scalars(select(SpeakerPlay)).all()) == 1
