"""The audio package on its own: espeak-ng and ffmpeg for real, gTTS with its HTTP layer answered locally, each
accepted recording format normalized, refused uploads, the content-addressed store, the settings."""

from __future__ import annotations

import pytest

from audio.chinese_text import chinese_number, mandarin_to_pinyin
from audio.encoding import encode_mp3, sniff_format
from audio.engines import RECORDING_ONLY, EspeakEngine, GttsEngine
from audio.errors import AudioTooLarge, EngineFailed, LanguageNotSpoken, UnsupportedAudio
from audio.library import AudioLibrary
from audio.store import AudioStore, is_sha256
from campaigns.common.settings import Settings, SettingsError
from tests.audio_helpers import RECORDING_FORMATS, FakeGoogleTranslate, ascii_wav, decode, tone


@pytest.fixture
def store(tmp_path) -> AudioStore:
    return AudioStore(tmp_path / "audio")


@pytest.fixture
def google(tmp_path, monkeypatch) -> FakeGoogleTranslate:
    return FakeGoogleTranslate(tone(tmp_path / "google.mp3", seconds=1.5, sample_rate=24000)).install(monkeypatch)


def library(store, *engines, **limits) -> AudioLibrary:
    return AudioLibrary(store, list(engines) or [EspeakEngine()], **limits)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("zh", "才让，明天9:00在乡卫生院接种疫苗。"),
        ("yue", "聽日九點打疫苗"),
        ("ug", "ئەتە ئەملەش بار"),
        ("en", "Vaccination tomorrow."),
    ],
)
def test_espeak_speaks_and_the_mp3_decodes_to_44k1_mono(store, tmp_path, language, text):
    clip = library(store).synthesize("espeak", language, text)

    data = store.find(clip.sha256).read_bytes()
    decoded = decode(data, tmp_path)
    assert clip.engine == "espeak" and clip.size_bytes == len(data)
    assert (decoded["codec"], decoded["sample_rate"], decoded["channels"]) == ("mp3", 44100, 1)
    assert decoded["bit_rate"] == 64000
    assert decoded["seconds"] > 0.5 and decoded["peak"] > 1000
    assert abs(decoded["seconds"] * 1000 - clip.duration_ms) < 100


def test_the_same_text_gives_the_same_file(store):
    first = library(store).synthesize("espeak", "zh", "明天接种疫苗")
    second = library(store).synthesize("espeak", "zh", "明天接种疫苗")
    assert first == second
    assert len(list(store.root.rglob("*.mp3"))) == 1


def test_mandarin_goes_to_espeak_as_pinyin_with_tone_numbers():
    assert mandarin_to_pinyin("明天9:00接种。") == "ming2 tian1 jiu3 dian3 jie1 zhong3 ."
    assert mandarin_to_pinyin("共2903户") == "gong4 er4 qian1 jiu3 bai3 ling2 san1 hu4"
    assert [chinese_number(n) for n in (10, 15, 105, 1010, 20000)] == ["十", "十五", "一百零五", "一千零一十", "二万"]


def test_gtts_is_asked_through_its_http_layer_and_normalized(store, google, tmp_path):
    clip = library(store, GttsEngine(), EspeakEngine()).synthesize("gtts", "zh", "明天九点接种疫苗")

    assert google.spoken() == [["明天九点接种疫苗", "zh-CN"]]
    assert clip.engine == "gtts"
    decoded = decode(store.find(clip.sha256).read_bytes(), tmp_path)
    assert (decoded["sample_rate"], decoded["channels"]) == (44100, 1)
    assert abs(decoded["seconds"] - 1.5) < 0.1


def test_gtts_down_or_answering_nonsense_is_an_engine_failure(store, google):
    google.down = True
    with pytest.raises(EngineFailed, match="gTTS failed"):
        library(store, GttsEngine()).synthesize("gtts", "en", "hello")
    google.down, google.status, google.body = False, 500, b"Internal error"
    with pytest.raises(EngineFailed, match="gTTS failed"):
        library(store, GttsEngine()).synthesize("gtts", "en", "hello")
    google.status, google.body = 200, b")]}'\n\nnothing useful\n"
    with pytest.raises(EngineFailed, match="no audio"):
        library(store, GttsEngine()).synthesize("gtts", "en", "hello")
    google.body = b')]}\'\n\n[["wrb.fr","jQ1olc","[\\"bm90IGFuIG1wMw==\\"]"]]\n'
    with pytest.raises(EngineFailed, match="unusable audio"):
        library(store, GttsEngine()).synthesize("gtts", "en", "hello")


def test_languages_per_engine_and_recording_only_languages(store):
    both = library(store, GttsEngine(), EspeakEngine())
    assert both.engines_for("zh") == ["gtts", "espeak"]
    assert both.engines_for("yue") == ["gtts", "espeak"]
    assert both.engines_for("ug") == ["espeak"]
    assert library(store, EspeakEngine(), GttsEngine()).engines_for("en") == ["espeak", "gtts"]
    for language in RECORDING_ONLY:
        assert both.engines_for(language) == []
    with pytest.raises(LanguageNotSpoken):
        both.synthesize("espeak", "bo", "བཀྲ་ཤིས་བདེ་ལེགས།")


def test_a_missing_espeak_program_is_an_engine_failure(store):
    with pytest.raises(EngineFailed, match="not installed"):
        library(store, EspeakEngine(program="no-such-espeak")).synthesize("espeak", "en", "hello")


@pytest.mark.parametrize("kind", RECORDING_FORMATS)
def test_each_recording_format_is_normalized(store, tmp_path, kind):
    original = tone(tmp_path / f"recording.{kind}", seconds=2.0)
    assert sniff_format(original[:16]) == kind

    clip = library(store).import_recording(original)

    decoded = decode(store.find(clip.sha256).read_bytes(), tmp_path)
    assert clip.engine == "recording"
    assert (decoded["sample_rate"], decoded["channels"]) == (44100, 1)
    assert abs(decoded["seconds"] - 2.0) < 0.1 and abs(clip.duration_ms - 2000) < 100
    assert decoded["peak"] > 1000


def test_an_ascii_wav_is_a_real_recording(store):
    clip = library(store).import_recording(ascii_wav(0.5).encode("ascii"))
    assert abs(clip.duration_ms - 500) < 60


def test_refused_uploads_say_why(store, tmp_path):
    wav = tone(tmp_path / "good.wav", seconds=2.0)
    refused = {
        b"": "empty",
        b"name,phone\n\xe6\x89\x8d\xe8\xae\xa9,13800000001\n": "not an audio file",
        b"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n": "not an audio file",
        b"RIFF\x10\x00\x00\x00WAVEgarbage-garbage-garbage": "could not|not a readable",
        wav[:60]: "no sound|could not|not a readable",
        b"OggS" + bytes(400): "could not|not a readable",
    }
    for data, reason in refused.items():
        with pytest.raises(UnsupportedAudio, match=reason):
            library(store).import_recording(data)
    assert not list(store.root.rglob("*.mp3")) if store.root.exists() else True


def test_too_large_and_too_long_recordings_are_refused(store, tmp_path):
    wav = tone(tmp_path / "long.wav", seconds=3.0)
    with pytest.raises(AudioTooLarge, match=f"^the file is larger than {(len(wav) - 1) / 1024:.1f} KB"):
        library(store, max_upload_bytes=len(wav) - 1).import_recording(wav)
    with pytest.raises(AudioTooLarge, match=r"^the file is larger than 20 MB, the most accepted$"):
        library(store, max_upload_bytes=20 * 1024 * 1024).import_recording(wav + bytes(20 * 1024 * 1024))
    with pytest.raises(AudioTooLarge, match="at most 2 s"):
        library(store, max_seconds=2).import_recording(wav)
    with pytest.raises(AudioTooLarge):
        encode_mp3(tone(tmp_path / "long.ogg", seconds=3.0), bitrate_kbps=64, max_seconds=2)


def test_store_layout_is_content_addressed_and_refuses_other_names(store):
    sha = store.put(b"ID3 not really an mp3")
    assert store.put(b"ID3 not really an mp3") == sha
    assert store.find(sha) == store.root / sha[:2] / f"{sha}.mp3"
    assert store.find(sha).read_bytes() == b"ID3 not really an mp3"
    assert not list(store.root.rglob(".incoming-*"))
    for name in ("../" * 3 + "etc/passwd", sha.upper(), sha[:-1], sha + "0", f"{sha[:62]}/.", "", "0" * 64):
        assert store.find(name) is None
        assert not is_sha256(name) or name == "0" * 64
    with pytest.raises(ValueError):
        store.path_for("../../etc/passwd")


def test_audio_settings():
    settings = Settings.from_env({"GRIDCAST_VAR_DIR": "/tmp/x"})
    assert settings.tts_engines == ("gtts", "espeak") and settings.audio_bitrate_kbps == 64
    assert str(settings.audio_dir) == "/tmp/x/audio"
    custom = Settings.from_env({"GRIDCAST_TTS_ENGINES": " espeak , gtts ", "GRIDCAST_AUDIO_BITRATE": "96",
                                "GRIDCAST_AUDIO_MAX_UPLOAD_MB": "5", "GRIDCAST_AUDIO_MAX_SECONDS": "120"})  # fmt: skip
    assert custom.tts_engines == ("espeak", "gtts") and custom.audio_bitrate_kbps == 96
    assert custom.audio_max_upload_bytes == 5 * 1024 * 1024 and custom.audio_max_seconds == 120
    for name, value in (("GRIDCAST_TTS_ENGINES", "espeak,festival"), ("GRIDCAST_TTS_ENGINES", ","),
                        ("GRIDCAST_AUDIO_BITRATE", "65"), ("GRIDCAST_AUDIO_MAX_SECONDS", "-1")):  # fmt: skip
        with pytest.raises(SettingsError, match=name):
            Settings.from_env({name: value})
