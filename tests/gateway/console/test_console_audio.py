"""The campaign builder's channels and the campaign page's audio (both backends): a player per language with audio,
synthesis queued for a real RQ worker (espeak-ng), a recording uploaded, languages without audio blocking launch."""

from __future__ import annotations

import dataclasses
import io
import re

import pytest
from redis import Redis
from rq.queue import Queue
from sqlalchemy import select

from campaigns.models import AuditEntry, Campaign
from tests.audio_helpers import tone
from tests.conftest import TEST_REDIS_URL
from tests.console_helpers import logged_in
from tests.factories import make_campaign
from tests.workers.test_worker import restore_signals  # noqa: F401  (fixture)
from workers.main import run_worker
from workers.queues import AUDIO, queue

PLAYER = re.compile(r'<audio controls preload="none" src="(/audio/[0-9a-f]{64}\.mp3)" data-testid="player-(\w+)"')


@pytest.fixture
def audio_queue():
    connection = Redis.from_url(TEST_REDIS_URL)
    Queue.delete(queue(AUDIO, connection), delete_jobs=True)
    yield queue(AUDIO, connection)
    Queue.delete(queue(AUDIO, connection), delete_jobs=True)
    connection.close()


def _builder(token: str, people: dict, **extra) -> dict:
    return {"csrf_token": token, "name": "防疫广播", "grid_ids": [str(people["623025101"])],
            "text_zh": "明天九点接种。", "text_bo": "སང་ཉིན།", "fallback_language": "zh", "schedule_kind": "now",
            "channels": ["sms", "loudspeaker"], "ls_play_at": "19:30, 08:00", "ls_times": "2", **extra}  # fmt: skip


def test_builder_chooses_channels_and_loudspeaker_plays(client, session_factory, people):
    token = logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    form = client.get("/console/campaigns/new").get_data(as_text=True)
    assert 'name="channels" value="sms" checked' in form and "大喇叭" in form
    bad = client.post("/console/campaigns/new", data=_builder(token, people, ls_times="11"))
    assert bad.status_code == 422 and 'id="err-loudspeaker-times"' in bad.get_data(as_text=True)
    created = client.post("/console/campaigns/new", data=_builder(token, people))
    assert created.status_code == 302, created.get_data(as_text=True)[:2000]
    with session_factory() as session:
        campaign = session.scalar(select(Campaign).where(Campaign.name == "防疫广播"))
        assert campaign.channels == ["sms", "loudspeaker"]
        assert campaign.loudspeaker == {"play_at": ["08:00", "19:30"], "times": 2, "valid_hours": 24}
    edit = client.get(f"/console/campaigns/{campaign.id}/edit").get_data(as_text=True)
    assert 'value="08:00, 19:30"' in edit and 'name="channels" value="voice" >' in edit
    page = client.get(created.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="audio"' in page and PLAYER.search(page) is None
    assert 'data-testid="no-audio-bo"' in page and "有 2 人说这种语言，将什么也听不到：无法发布。" in page
    assert 'data-testid="no-audio-en"' in page  # no English text, and the fallback (zh) has no audio either
    assert 'data-action="launch"' not in page


def test_recording_and_synthesis_give_players_then_launch(
    client,
    session_factory,
    people,
    settings,
    audio_queue,
    tmp_path,
    restore_signals,  # noqa: F811
):
    token = logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    location = client.post("/console/campaigns/new", data=_builder(token, people, channels=["loudspeaker"]))
    location = location.headers["Location"]
    campaign_id = int(location.rsplit("/", 1)[1])
    base = f"/console/campaigns/{campaign_id}/audio"
    refused = client.post(f"{base}/bo/synthesize", data={"csrf_token": token}, follow_redirects=True)
    assert "只能用录音" in refused.get_data(as_text=True) and len(audio_queue) == 0
    empty = client.post(f"{base}/bo/recording", data={"csrf_token": token}, follow_redirects=True)
    assert "请选择录音文件" in empty.get_data(as_text=True)
    recording = (io.BytesIO(tone(tmp_path / "bo.wav", 1.0)), "bo.wav")
    uploaded = client.post(f"{base}/bo/recording", content_type="multipart/form-data", follow_redirects=True,
                           data={"csrf_token": token, "file": recording})  # fmt: skip
    page = uploaded.get_data(as_text=True)
    assert "藏语 的录音已保存。" in page
    players = dict((language, url) for url, language in PLAYER.findall(page))
    assert list(players) == ["bo"]
    download = client.get(players["bo"])
    assert download.status_code == 200 and download.content_type == "audio/mpeg"

    queued = client.post(f"{base}/zh/synthesize", data={"csrf_token": token}, follow_redirects=True)
    assert 'data-testid="synthesis-zh"' in queued.get_data(as_text=True) and len(audio_queue) == 1
    assert run_worker(dataclasses.replace(settings, tts_engines=("espeak",)), queues=[AUDIO], with_scheduler=False,
                      burst=True)  # fmt: skip
    page = client.get(location).get_data(as_text=True)
    assert sorted(language for _url, language in PLAYER.findall(page)) == ["bo", "zh"]
    assert "由离线语音合成生成" in page and 'data-testid="no-audio-' not in page and 'data-action="launch"' in page
    with session_factory() as session:
        actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("campaign.audio%"))))
    assert actions == ["campaign.audio_recording", "campaign.audio_synthesize"]


def test_viewer_and_outsider_cannot_change_audio(client, session_factory, people, audio_queue):
    token = logged_in(client, session_factory, "kan", "viewer", "623025101")
    with session_factory.begin() as session:
        campaign = make_campaign(session, people, channels=["voice"], audience={"grid_ids": [people["623025101"]]})
    page = client.get(f"/console/campaigns/{campaign['id']}").get_data(as_text=True)
    assert 'data-testid="audio"' in page and 'data-action="synthesize-zh"' not in page
    base = f"/console/campaigns/{campaign['id']}/audio"
    assert client.post(f"{base}/zh/synthesize", data={"csrf_token": token}).status_code == 403
    client.post("/console/logout", data={"csrf_token": token})
    token = logged_in(client, session_factory, "lamu", "coordinator", "623025102")
    assert client.post(f"{base}/zh/synthesize", data={"csrf_token": token}).status_code == 404
    assert client.post(f"{base}/zh/recording", data={"csrf_token": token}).status_code == 404
    assert len(audio_queue) == 0
