"""The audio library: speech engines, recordings and MP3 encoding in front of the content-addressed store.

Every clip that leaves it is a normalized MP3 (44.1 kHz, mono, the configured bit rate) already in the store, with
its SHA-256, size, duration and the engine that made it ("gtts", "espeak" or "recording").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from audio.encoding import encode_mp3
from audio.engines import SpeechEngine
from audio.errors import AudioTooLarge, EngineFailed, LanguageNotSpoken, UnsupportedAudio
from audio.store import AudioStore

RECORDING = "recording"


@dataclass(frozen=True)
class Clip:
    """A stored MP3."""

    sha256: str
    size_bytes: int
    duration_ms: int
    engine: str


class AudioLibrary:
    """Synthesizes texts and imports recordings into `store`."""

    def __init__(
        self,
        store: AudioStore,
        engines: Sequence[SpeechEngine],
        *,
        bitrate_kbps: int = 64,
        max_upload_bytes: int = 20 * 1024 * 1024,
        max_seconds: int = 600,
    ):
        self.store = store
        self.engines = {engine.name: engine for engine in engines}
        self.bitrate_kbps = bitrate_kbps
        self.max_upload_bytes = max_upload_bytes
        self.max_seconds = max_seconds

    def engines_for(self, language: str) -> list[str]:
        """The configured engines that speak `language`, in the configured order (empty: recordings only)."""
        return [name for name, engine in self.engines.items() if language in engine.languages]

    def synthesize(self, engine_name: str, language: str, text: str) -> Clip:
        """Speak `text` with one engine and store the MP3; EngineFailed or LanguageNotSpoken when it cannot."""
        engine = self.engines.get(engine_name)
        if engine is None:
            raise EngineFailed(f"the engine {engine_name} is not configured")
        if language not in engine.languages:
            raise LanguageNotSpoken(f"{engine_name} has no voice for {language}")
        if not text.strip():
            raise EngineFailed("there is no text to speak")
        raw = engine.speak(text, language)
        try:
            return self._store(raw, engine_name)
        except (UnsupportedAudio, AudioTooLarge) as exc:
            raise EngineFailed(f"{engine_name} returned unusable audio: {exc}") from exc

    def import_recording(self, data: bytes) -> Clip:
        """Normalize and store a staff recording; UnsupportedAudio or AudioTooLarge for a file it refuses.

        Callers read at most one byte past the limit, so a refusal names the limit, never the file's (unknown) size.
        """
        if len(data) > self.max_upload_bytes:
            raise AudioTooLarge(f"the file is larger than {_size_text(self.max_upload_bytes)}, the most accepted")
        if not data:
            raise UnsupportedAudio("the file is empty")
        return self._store(data, RECORDING)

    def path_of(self, sha256: str) -> Path | None:
        return self.store.find(sha256)

    def _store(self, data: bytes, engine: str) -> Clip:
        encoded = encode_mp3(data, bitrate_kbps=self.bitrate_kbps, max_seconds=self.max_seconds)
        sha256 = self.store.put(encoded.data)
        return Clip(sha256=sha256, size_bytes=len(encoded.data), duration_ms=encoded.duration_ms, engine=engine)


def _size_text(size_bytes: int) -> str:
    """20971520 -> "20 MB", 10000 -> "9.8 KB"."""
    value, unit = (size_bytes / 2**20, "MB") if size_bytes >= 2**20 else (size_bytes / 2**10, "KB")
    return f"{value:.1f}".removesuffix(".0") + f" {unit}"
