"""Campaign audio services on SQLite and PostgreSQL: synthesized once per engine, language and text; gTTS falling
back to espeak-ng (and saying so); recordings; the preview and launch refusing languages without audio."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from audio.engines import EspeakEngine, GttsEngine
from audio.library import AudioLibrary
from audio.store import AudioStore
from campaigns.broadcasts.campaign_service import update_campaign
from campaigns.common.errors import ValidationError
from campaigns.identity.access import Actor
from campaigns.models import AudioClip, Campaign, CampaignAudio
from campaigns.models.base import utcnow
from campaigns.runs.planning import launch_campaign
from campaigns.runs.preview import Pricing, preview_campaign
from campaigns.voice.audio_port import SpeechUnavailable
from campaigns.voice.campaign_audio import (
    attach_recording,
    list_campaign_audio,
    synthesis_key,
    synthesize_campaign_audio,
)
from tests.audio_helpers import FakeGoogleTranslate, tone
from tests.factories import add_people, make_campaign
from workers.audio_services import LibraryAudioPort

SYSTEM = Actor.system()
BASE_URL = "https://gridcast.example.org"
PRICING = Pricing(0.05, "CNY", 10.0)


class CountingPort(LibraryAudioPort):
    """The real port, counting the syntheses it performs."""

    def __init__(self, library: AudioLibrary):
        super().__init__(library)
        self.synthesized: list[tuple[str, str, str]] = []

    def synthesize(self, engine, language, text):
        self.synthesized.append((engine, language, text))
        return super().synthesize(engine, language, text)


@pytest.fixture
def store(tmp_path) -> AudioStore:
    return AudioStore(tmp_path / "audio")


@pytest.fixture
def espeak_port(store) -> CountingPort:
    return CountingPort(AudioLibrary(store, [EspeakEngine()]))


@pytest.fixture
def google(tmp_path, monkeypatch) -> FakeGoogleTranslate:
    return FakeGoogleTranslate(tone(tmp_path / "google.mp3", seconds=1.0, sample_rate=24000)).install(monkeypatch)


@pytest.fixture
def county(session, tree) -> dict[str, int]:
    add_people(session, tree)
    session.flush()
    return tree


def _campaign(session, tree, channels=("sms", "voice"), **overrides) -> int:
    campaign_id = make_campaign(session, tree, **overrides)["id"]
    session.get(Campaign, campaign_id).channels = list(channels)
    session.flush()
    return campaign_id


def test_the_same_text_language_and_engine_are_synthesized_once(session, tree, espeak_port):
    first = _campaign(session, tree, name="一")
    second = _campaign(session, tree, name="二")

    row = synthesize_campaign_audio(session, SYSTEM, first, "zh", espeak_port)
    again = synthesize_campaign_audio(session, SYSTEM, first, "中文", espeak_port)
    other = synthesize_campaign_audio(session, SYSTEM, second, "zh", espeak_port)

    assert espeak_port.synthesized == [("espeak", "zh", "明天9:00在乡卫生院接种疫苗。")]
    assert row.clip.id == again.clip.id == other.clip.id
    assert row.clip.synthesis_key == synthesis_key("espeak", "zh", "明天9:00在乡卫生院接种疫苗。")
    assert session.scalar(select(func.count()).select_from(AudioClip)) == 1
    assert session.scalar(select(func.count()).select_from(CampaignAudio)) == 2


def test_gtts_failing_falls_back_to_espeak_and_the_clip_says_so(session, tree, store, google):
    port = CountingPort(AudioLibrary(store, [GttsEngine(), EspeakEngine()]))
    campaign_id = _campaign(session, tree)
    google.down = True

    fallen_back = synthesize_campaign_audio(session, SYSTEM, campaign_id, "zh", port)
    assert [engine for engine, _, _ in port.synthesized] == ["gtts", "espeak"]
    assert fallen_back.clip.engine == "espeak"
    listed = list_campaign_audio(session, SYSTEM, campaign_id, port, BASE_URL)["languages"]
    assert [(row["language"], row["audio"] and row["audio"]["engine"]) for row in listed] == [
        ("bo", None),
        ("zh", "espeak"),
    ]

    google.down = False
    upgraded = synthesize_campaign_audio(session, SYSTEM, campaign_id, "zh", port)
    assert upgraded.clip.engine == "gtts"
    assert google.spoken()[-1] == ["明天9:00在乡卫生院接种疫苗。", "zh-CN"]
    assert synthesize_campaign_audio(session, SYSTEM, campaign_id, "zh", port, engine="espeak").clip.engine == "espeak"
    assert len(port.synthesized) == 3  # the espeak clip was reused


def test_every_engine_failing_is_speech_unavailable(session, tree, store, google):
    google.down = True
    port = LibraryAudioPort(AudioLibrary(store, [GttsEngine(), EspeakEngine(program="no-such-espeak")]))
    with pytest.raises(SpeechUnavailable, match=r"gtts: gTTS failed.*espeak: no-such-espeak is not installed"):
        synthesize_campaign_audio(session, SYSTEM, _campaign(session, tree), "zh", port)
    assert session.scalar(select(func.count()).select_from(AudioClip)) == 0


def test_a_clip_whose_file_was_lost_is_synthesized_again(session, tree, store, espeak_port):
    campaign_id = _campaign(session, tree)
    row = synthesize_campaign_audio(session, SYSTEM, campaign_id, "zh", espeak_port)
    store.find(row.clip.sha256).unlink()

    again = synthesize_campaign_audio(session, SYSTEM, campaign_id, "zh", espeak_port)

    assert len(espeak_port.synthesized) == 2 and again.clip.id == row.clip.id
    assert store.find(again.clip.sha256) is not None


def test_tibetan_needs_a_recording(session, tree, tmp_path, espeak_port):
    campaign_id = _campaign(session, tree)
    with pytest.raises(ValidationError, match="no speech engine here speaks bo: upload a recording"):
        synthesize_campaign_audio(session, SYSTEM, campaign_id, "藏语", espeak_port)
    with pytest.raises(ValidationError, match="no text in ug"):
        synthesize_campaign_audio(session, SYSTEM, campaign_id, "ug", espeak_port)

    data = tone(tmp_path / "bo.m4a", seconds=1.0)
    row = attach_recording(session, SYSTEM, campaign_id, "bo", data, "C:\\录音\\bo.m4a", espeak_port)

    audio = next(item for item in list_campaign_audio(session, SYSTEM, campaign_id, espeak_port, BASE_URL)["languages"]
                 if item["language"] == "bo")["audio"]  # fmt: skip
    assert row.clip.engine == audio["engine"] == "recording"
    assert audio["original_filename"] == "bo.m4a" and audio["matches_text"] is True
    assert audio["url"] == f"{BASE_URL}/audio/{row.clip.sha256}.mp3"
    assert abs(audio["duration_ms"] - 1000) < 100
    with pytest.raises(ValidationError, match="not an audio file"):
        attach_recording(session, SYSTEM, campaign_id, "bo", b"hello", "bo.mp3", espeak_port)


def test_preview_names_each_language_without_audio_and_launch_refuses(session, county, tmp_path, espeak_port):
    campaign_id = _campaign(session, county, texts={"zh": "明天接种", "bo": "སང་ཉིན།", "en": "Tomorrow"},
                            fallback_language=None)  # fmt: skip
    synthesize_campaign_audio(session, SYSTEM, campaign_id, "zh", espeak_port)

    preview = preview_campaign(session, SYSTEM, campaign_id, PRICING)

    assert preview["audio"]["languages"] == [
        {"language": "bo", "has_audio": False, "listeners": 0},
        {"language": "en", "has_audio": False, "listeners": 0},
        {"language": "zh", "has_audio": True, "listeners": 1},
    ]
    assert preview["audio"]["without_audio"] == {"bo": 2, "en": 1}
    expected = [
        "2 contacts speak bo and the campaign has no audio for it (nor fallback audio) for voice calls",
        "1 contact speaks en and the campaign has no audio for it (nor fallback audio) for voice calls",
    ]
    assert _audio_blocking(preview["blocking"]) == expected
    with pytest.raises(ValidationError) as refused:
        launch_campaign(session, SYSTEM, campaign_id, utcnow())
    assert "; ".join(expected) in refused.value.message

    attach_recording(session, SYSTEM, campaign_id, "bo", tone(tmp_path / "bo.ogg", seconds=1.0), "bo.ogg", espeak_port)
    synthesize_campaign_audio(session, SYSTEM, campaign_id, "en", espeak_port)
    assert _audio_blocking(preview_campaign(session, SYSTEM, campaign_id, PRICING)["blocking"]) == []


def _audio_blocking(blocking: list[str]) -> list[str]:
    """The reasons about announcement audio (voice prompts, checked elsewhere, have their own)."""
    return [reason for reason in blocking if "has no audio for it" in reason]


def test_an_explicit_fallback_with_audio_is_the_only_fallback(session, county, espeak_port):
    campaign_id = _campaign(session, county, channels=("loudspeaker",))  # zh and bo texts, zh the fallback
    assert preview_campaign(session, SYSTEM, campaign_id, PRICING)["audio"]["without_audio"] == {"bo": 2, "en": 1,
                                                                                                  "zh": 1}  # fmt: skip

    synthesize_campaign_audio(session, SYSTEM, campaign_id, "zh", espeak_port)
    audio = preview_campaign(session, SYSTEM, campaign_id, PRICING)["audio"]

    assert audio["channels"] == ["loudspeaker"]
    assert audio["fallback_language"] == "zh" and audio["fallback_listeners"] == 3
    assert audio["without_audio"] == {}
    assert preview_campaign(session, SYSTEM, campaign_id, PRICING)["blocking"] == []  # loudspeakers need no prompts


def test_an_sms_campaign_needs_no_audio(session, county):
    campaign_id = _campaign(session, county, channels=("sms",))
    preview = preview_campaign(session, SYSTEM, campaign_id, PRICING)
    assert preview["audio"] is None and preview["blocking"] == []


def test_audio_of_an_older_text_is_flagged(session, county, espeak_port):
    campaign_id = _campaign(session, county, channels=("sms", "loudspeaker"))
    synthesize_campaign_audio(session, SYSTEM, campaign_id, "zh", espeak_port)
    assert preview_campaign(session, SYSTEM, campaign_id, PRICING)["audio"]["outdated"] == []

    update_campaign(session, SYSTEM, campaign_id, {"texts": {"zh": "后天9:00接种。", "bo": "སང་ཉིན།"}})

    assert preview_campaign(session, SYSTEM, campaign_id, PRICING)["audio"]["outdated"] == ["zh"]
    listed = list_campaign_audio(session, SYSTEM, campaign_id, espeak_port, BASE_URL)["languages"]
    assert [row["audio"]["matches_text"] for row in listed if row["audio"]] == [False]
    synthesize_campaign_audio(session, SYSTEM, campaign_id, "zh", espeak_port)
    assert preview_campaign(session, SYSTEM, campaign_id, PRICING)["audio"]["outdated"] == []
