"""The port through which campaign services reach the audio library (`audio/`), which they may not import.

`workers/audio_services.py` adapts the real library to it; tests may pass any object with these methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class StoredAudio:
    """A normalized MP3 in the audio store, and the engine that made it (gtts, espeak or recording)."""

    sha256: str
    size_bytes: int
    duration_ms: int
    engine: str


class SpeechUnavailable(Exception):
    """An engine could not speak the text (no internet, a service error, a missing program)."""


class AudioPort(Protocol):
    """Speech engines, recordings and the store, as campaign services need them.

    `synthesize` raises SpeechUnavailable when the engine fails; `import_recording` raises
    `campaigns.common.errors.ValidationError` for a file it refuses (unsupported, corrupt, too large or too long).
    """

    def engines_for(self, language: str) -> list[str]: ...

    def synthesize(self, engine: str, language: str, text: str) -> StoredAudio: ...

    def import_recording(self, data: bytes) -> StoredAudio: ...

    def exists(self, sha256: str) -> bool: ...
