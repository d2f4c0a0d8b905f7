"""The campaign audio API on SQLite and PostgreSQL: upload recordings, list and listen, queue a synthesis that a
real RQ worker runs (once per engine, language and text), and see the job's status, failures included."""

from __future__ import annotations

import dataclasses
import io

import pytest
from redis import Redis
from sqlalchemy import func, select

from campaigns.models import AudioClip
from gateway.app import create_app
from gateway.cli.audio_commands import audio_group
from tests.audio_helpers import tone
from tests.conftest import TEST_REDIS_URL
from tests.servers import delete_queue
from tests.workers.test_worker import restore_signals  # noqa: F401  (fixture)
from workers.main import run_worker
from workers.queues import AUDIO, queue

CAMPAIGN = {"name": "接种", "audience": {"grid_ids": []}, "texts": {"zh": "{name}，明天九点接种。", "bo": "སང་ཉིན།"}}


@pytest.fixture
def campaign_id(client, admin_headers, people) -> int:
    body = {**CAMPAIGN, "audience": {"grid_ids": [people["623025101"]]}}
    response = client.post("/api/v1/campaigns", json=body, headers=admin_headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


@pytest.fixture
def audio_queue():
    connection = Redis.from_url(TEST_REDIS_URL)
    delete_queue(queue(AUDIO, connection))
    yield queue(AUDIO, connection)
    delete_queue(queue(AUDIO, connection))
    connection.close()


def upload(client, headers, campaign_id, language, data: bytes, filename="recording.bin"):
    return client.put(f"/api/v1/campaigns/{campaign_id}/audio/{language}",
                      data={"file": (io.BytesIO(data), filename)}, headers=headers)  # fmt: skip


def test_upload_list_and_listen(client, admin_headers, campaign_id, tmp_path):
    response = upload(client, admin_headers, campaign_id, "藏语", tone(tmp_path / "bo.m4a", seconds=1.5), "bo.m4a")

    assert response.status_code == 200, response.get_json()
    row = response.get_json()
    assert (row["language"], row["engines"], row["audio"]["engine"]) == ("bo", [], "recording")
    assert abs(row["audio"]["duration_ms"] - 1500) < 100
    listing = client.get(f"/api/v1/campaigns/{campaign_id}/audio", headers=admin_headers).get_json()
    assert [(item["language"], bool(item["audio"])) for item in listing["languages"]] == [("bo", True), ("zh", False)]
    path = row["audio"]["url"].split("8000", 1)[1]
    assert path == f"/audio/{row['audio']['sha256']}.mp3"
    listened = client.get(path)
    assert listened.status_code == 200 and listened.mimetype == "audio/mpeg"
    assert len(listened.data) == row["audio"]["size_bytes"]


def test_refused_uploads(client, admin_headers, campaign_id, runtime, tmp_path):
    garbage = upload(client, admin_headers, campaign_id, "bo", b"not audio at all")
    assert garbage.status_code == 422 and garbage.get_json()["error"]["fields"] == {"file": "unsupported"}
    missing = client.put(f"/api/v1/campaigns/{campaign_id}/audio/bo", data={}, headers=admin_headers)
    assert missing.status_code == 422 and missing.get_json()["error"]["fields"] == {"file": "required"}
    unknown = upload(client, admin_headers, campaign_id, "klingon", tone(tmp_path / "a.wav", seconds=0.5))
    assert unknown.status_code == 422 and "unknown language" in unknown.get_json()["error"]["message"]

    small = dataclasses.replace(runtime.settings, audio_max_upload_bytes=10_000)
    strict = create_app(runtime=dataclasses.replace(runtime, settings=small)).test_client()
    too_large = upload(strict, admin_headers, campaign_id, "bo", tone(tmp_path / "b.wav", seconds=1.0))
    assert too_large.status_code == 422 and too_large.get_json()["error"]["fields"] == {"file": "too large"}
    assert too_large.get_json()["error"]["message"] == "the file is larger than 9.8 KB, the most accepted"

    assert client.post(f"/api/v1/campaigns/{campaign_id}/cancel", headers=admin_headers).status_code == 200
    cancelled = upload(client, admin_headers, campaign_id, "bo", tone(tmp_path / "c.ogg", seconds=0.5))
    assert cancelled.status_code == 409


def test_synthesis_requests_are_checked_before_queueing(client, admin_headers, campaign_id, audio_queue):
    base = f"/api/v1/campaigns/{campaign_id}/audio"
    tibetan = client.post(f"{base}/bo/synthesize", headers=admin_headers)
    assert tibetan.status_code == 422 and "upload a recording" in tibetan.get_json()["error"]["message"]
    wrong_engine = client.post(f"{base}/zh/synthesize", json={"engine": "festival"}, headers=admin_headers)
    assert wrong_engine.status_code == 422
    not_a_string = client.post(f"{base}/zh/synthesize", json={"engine": 1}, headers=admin_headers)
    assert not_a_string.status_code == 422
    assert len(audio_queue) == 0


def test_a_worker_synthesizes_once_and_the_status_shows(
    client,
    admin_headers,
    campaign_id,
    settings,
    session_factory,
    audio_queue,
    restore_signals,  # noqa: F811
):
    espeak_only = dataclasses.replace(settings, tts_engines=("espeak",))
    base = f"/api/v1/campaigns/{campaign_id}/audio"

    queued = client.post(f"{base}/中文/synthesize", headers=admin_headers)
    assert queued.status_code == 202, queued.get_json()
    assert queued.get_json()["job"]["status"] == "queued" and queued.get_json()["language"] == "zh"
    again = client.post(f"{base}/zh/synthesize", headers=admin_headers)
    assert again.get_json()["job"]["id"] == queued.get_json()["job"]["id"]
    assert len(audio_queue) == 1  # asked twice while waiting: queued once
    zh = _language(client, admin_headers, campaign_id, "zh")
    assert zh["audio"] is None and zh["synthesis"]["status"] == "queued"

    assert run_worker(espeak_only, queues=[AUDIO], with_scheduler=False, burst=True)

    zh = _language(client, admin_headers, campaign_id, "zh")
    assert zh["synthesis"]["status"] == "finished"
    assert zh["audio"]["engine"] == "espeak" and zh["audio"]["text"] == "明天九点接种。"
    assert client.get(zh["audio"]["url"].split("8000", 1)[1]).status_code == 200

    client.post(f"{base}/zh/synthesize", json={"engine": "espeak"}, headers=admin_headers)
    run_worker(espeak_only, queues=[AUDIO], with_scheduler=False, burst=True)
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(AudioClip)) == 1

    client.post(f"{base}/zh/synthesize", headers=admin_headers)
    assert client.post(f"/api/v1/campaigns/{campaign_id}/cancel", headers=admin_headers).status_code == 200
    run_worker(espeak_only, queues=[AUDIO], with_scheduler=False, burst=True)
    failed = _language(client, admin_headers, campaign_id, "zh")["synthesis"]
    assert failed["status"] == "failed" and "cancelled campaign" in failed["error"]


def _language(client, headers, campaign_id: int, language: str) -> dict:
    listing = client.get(f"/api/v1/campaigns/{campaign_id}/audio", headers=headers).get_json()
    return next(item for item in listing["languages"] if item["language"] == language)


def test_cli_lists_engines_and_synthesizes_without_a_worker(app, campaign_id, session_factory, tmp_path):
    runner = app.test_cli_runner()
    engines = runner.invoke(audio_group, ["engines"])
    assert engines.exit_code == 0 and "bo   Tibetan (藏语): recordings only" in engines.output
    assert "zh   Mandarin Chinese (汉语): gtts, espeak" in engines.output

    made = runner.invoke(audio_group, ["synthesize", str(campaign_id), "zh", "--engine", "espeak"])
    assert made.exit_code == 0, made.output
    assert '"engine": "espeak"' in made.output
    refused = runner.invoke(audio_group, ["synthesize", str(campaign_id), "bo"])
    assert refused.exit_code == 1 and "upload a recording" in refused.output

    tone(tmp_path / "bo.wav", seconds=0.5)
    uploaded = runner.invoke(audio_group, ["upload", str(campaign_id), "bo", str(tmp_path / "bo.wav")])
    assert uploaded.exit_code == 0 and '"original_filename": "bo.wav"' in uploaded.output
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(AudioClip)) == 2
