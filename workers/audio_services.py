"""The audio library wired to the campaigns' `AudioPort`: built from the settings, with audio errors translated
into the domain's (a refused recording is a ValidationError, a failed engine is SpeechUnavailable)."""

from __future__ import annotations

from audio.engines import build_engines
from audio.errors import AudioTooLarge, EngineFailed, LanguageNotSpoken, UnsupportedAudio
from audio.library import AudioLibrary
from audio.store import AudioStore
from campaigns.common.errors import ValidationError
from campaigns.common.settings import Settings
from campaigns.voice.audio_port import SpeechUnavailable, StoredAudio


class LibraryAudioPort:
    """`campaigns.voice.audio_port.AudioPort` over an `audio.library.AudioLibrary`."""

    def __init__(self, library: AudioLibrary):
        self.library = library

    def engines_for(self, language: str) -> list[str]:
        return self.library.engines_for(language)

    def synthesize(self, engine: str, language: str, text: str) -> StoredAudio:
        try:
            clip = self.library.synthesize(engine, language, text)
        except (EngineFailed, LanguageNotSpoken) as exc:
            raise SpeechUnavailable(str(exc)) from exc
        return StoredAudio(clip.sha256, clip.size_bytes, clip.duration_ms, clip.engine)

    def import_recording(self, data: bytes) -> StoredAudio:
        try:
            clip = self.library.import_recording(data)
        except AudioTooLarge as exc:
            raise ValidationError(str(exc), fields={"file": "too large"}) from exc
        except UnsupportedAudio as exc:
            raise ValidationError(str(exc), fields={"file": "unsupported"}) from exc
        return StoredAudio(clip.sha256, clip.size_bytes, clip.duration_ms, clip.engine)

    def exists(self, sha256: str) -> bool:
        return self.library.path_of(sha256) is not None


def audio_store(settings: Settings) -> AudioStore:
    return AudioStore(settings.audio_dir)


def audio_library(settings: Settings) -> AudioLibrary:
    """The library for `settings`: engines in GRIDCAST_TTS_ENGINES order, the store under `<var_dir>/audio`."""
    return AudioLibrary(
        audio_store(settings),
        build_engines(settings.tts_engines, timeout_seconds=settings.tts_timeout_seconds),
        bitrate_kbps=settings.audio_bitrate_kbps,
        max_upload_bytes=settings.audio_max_upload_bytes,
        max_seconds=settings.audio_max_seconds,
    )


def audio_port(settings: Settings) -> LibraryAudioPort:
    """The campaigns' audio port for `settings` (cheap to build: nothing is opened until used)."""
    return LibraryAudioPort(audio_library(settings))
