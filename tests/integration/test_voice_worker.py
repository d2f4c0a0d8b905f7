"""Voice calls end to end with real processes and real audio: prompts synthesized by espeak-ng once, a voice
campaign launched through the API and called by a real RQ worker through the simulator, key 1 confirming."""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import func, select

from campaigns.common.errors import PermissionDenied, ValidationError
from campaigns.identity.access import Actor
from campaigns.models import AudioClip, Confirmation, OutboxMessage, SimulatedCall, SimulatedSms, VoicePrompt
from campaigns.voice.audio_port import StoredAudio
from campaigns.voice.voice_prompts import list_prompts, record_prompt, synthesize_prompts
from tests.integration.test_sending_worker import redis, run_burst_worker  # noqa: F401  (redis is a fixture)
from tests.voice_helpers import give_announcements, give_prompts
from workers.audio_services import audio_port


class CountingPort:
    """The real audio port, counting syntheses."""

    def __init__(self, port):
        self.port = port
        self.synthesized: list[tuple[str, str, str]] = []

    def engines_for(self, language: str) -> list[str]:
        return self.port.engines_for(language)

    def synthesize(self, engine: str, language: str, text: str) -> StoredAudio:
        self.synthesized.append((engine, language, text))
        return self.port.synthesize(engine, language, text)

    def import_recording(self, data: bytes) -> StoredAudio:
        return self.port.import_recording(data)

    def exists(self, sha256: str) -> bool:
        return self.port.exists(sha256)


def test_prompts_are_synthesized_once_by_espeak_and_listed(session_factory, settings):
    port = CountingPort(audio_port(settings))
    with session_factory.begin() as session:
        prompts = synthesize_prompts(session, Actor.system(), "zh", port, engine="espeak")
    assert [(prompt.phrase, prompt.clip.engine) for prompt in prompts] == [
        ("press_1_to_confirm", "espeak"), ("thanks", "espeak"), ("goodbye", "espeak"),
    ]  # fmt: skip
    assert all(prompt.clip.duration_ms > 500 for prompt in prompts)
    with session_factory.begin() as session:
        synthesize_prompts(session, Actor.system(), "中文", port, engine="espeak")
        listing = list_prompts(session, "https://gridcast.example")
        assert session.scalar(select(func.count()).select_from(AudioClip)) == 3
    assert len(port.synthesized) == 3  # the second run reused every clip
    [zh] = listing["languages"]
    assert zh["complete"] and zh["phrases"]["thanks"]["url"].startswith("https://gridcast.example/audio/")


def test_tibetan_prompts_need_recordings_and_admins(session_factory, settings, tmp_path):
    port = audio_port(settings)
    with session_factory.begin() as session:
        with pytest.raises(ValidationError):
            synthesize_prompts(session, Actor.system(), "bo", port)
        with pytest.raises(PermissionDenied):
            synthesize_prompts(session, Actor(user_id=1, role="coordinator", scope_path=None), "zh", port)
    wav = tmp_path / "thanks.wav"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=1", str(wav)],
                   check=True)  # fmt: skip
    with session_factory.begin() as session:
        prompt = record_prompt(session, Actor.system(), "藏语", "thanks", wav.read_bytes(), "thanks.wav", port)
        assert (prompt.language, prompt.clip.engine, prompt.clip.original_filename) == ("bo", "recording", "thanks.wav")
        assert session.scalar(select(func.count()).select_from(VoicePrompt)) == 1


def test_a_voice_and_sms_campaign_is_called_by_a_real_worker(client, admin_headers, people, settings,
                                                            session_factory, redis, tmp_path):  # noqa: F811  # fmt: skip
    body = {
        "name": "雪灾预警",
        "channels": ["sms", "voice"],
        "audience": {"grid_ids": [people["623025101"]]},
        "texts": {"zh": "今夜有暴雪，请把牛羊赶回圈。", "bo": "དོ་ནུབ་ཁ་བ་ཆེན་པོ་འབབ།"},
        "fallback_language": "zh",
        "expects_reply": True,
    }
    created = client.post("/api/v1/campaigns", json=body, headers=admin_headers)
    assert created.status_code == 201, created.json
    with session_factory.begin() as session:
        give_announcements(session, created.json["id"], ["zh", "bo"])
        give_prompts(session, ["zh"])
    blocked = client.post(f"/api/v1/campaigns/{created.json['id']}/launch", headers=admin_headers)
    assert blocked.status_code == 422 and "voice prompts have no audio in bo" in blocked.json["error"]["message"]
    with session_factory.begin() as session:
        give_prompts(session, ["bo"])
    launched = client.post(f"/api/v1/campaigns/{created.json['id']}/launch", headers=admin_headers)
    assert launched.status_code == 202, launched.json
    assert launched.json["run"]["planned"] == 7  # 3 SMS + 4 calls
    run_burst_worker(settings, tmp_path)
    with session_factory() as session:
        statuses = dict(
            session.execute(
                select(OutboxMessage.channel + ":" + OutboxMessage.status, func.count()).group_by(
                    OutboxMessage.channel, OutboxMessage.status
                )
            ).all()
        )
        calls = session.scalar(select(func.count()).select_from(SimulatedCall))
        texts = session.scalar(select(func.count()).select_from(SimulatedSms))
        confirmed = set(session.execute(select(Confirmation.channel, func.count()).group_by(Confirmation.channel)))
    assert statuses == {"sms:delivered": 3, "voice:delivered": 4}
    assert (calls, texts) == (4, 3)
    assert confirmed == {("voice", 4)}
    progress = client.get(f"/api/v1/runs/{launched.json['run']['id']}", headers=admin_headers).json
    assert progress["run"]["status"] == "done"
