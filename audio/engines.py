"""Speech engines behind one small interface: gTTS (Google Translate's voice, online) and espeak-ng (offline).

Each engine says which of Gridcast's languages (BCP-47 tags: zh, yue, en, ug...) it speaks. No engine here speaks
Tibetan (bo), Mongolian (mn), Yi (ii) or Kazakh (kk): those languages need a recording by staff.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from typing import ClassVar, Protocol

from audio.chinese_text import mandarin_to_pinyin
from audio.errors import EngineFailed, LanguageNotSpoken

RECORDING_ONLY = ("bo", "mn", "ii", "kk")


class SpeechEngine(Protocol):
    """Turns a text in one of `languages` into audio bytes (any format `audio.encoding` accepts)."""

    name: str
    languages: frozenset[str]

    def speak(self, text: str, language: str) -> bytes: ...


class GttsEngine:
    """Google Translate's text-to-speech through the gTTS library; needs the internet, fails with EngineFailed."""

    name = "gtts"
    _LANGUAGES: ClassVar[dict[str, str]] = {"zh": "zh-CN", "yue": "yue", "en": "en"}
    languages = frozenset(_LANGUAGES)

    def __init__(self, timeout_seconds: float = 20.0):
        self.timeout_seconds = timeout_seconds

    def speak(self, text: str, language: str) -> bytes:
        if language not in self._LANGUAGES:
            raise LanguageNotSpoken(f"gTTS has no voice for {language}")
        from gtts import gTTS

        buffer = io.BytesIO()
        try:
            speech = gTTS(text, lang=self._LANGUAGES[language], lang_check=False, timeout=self.timeout_seconds)
            speech.write_to_fp(buffer)
        except Exception as exc:  # a remote service: any failure (network, HTTP, an answer it cannot parse) is one
            raise EngineFailed(f"gTTS failed: {str(exc)[:200]}") from exc
        if not buffer.getvalue():
            raise EngineFailed("gTTS returned no audio")
        return buffer.getvalue()


class EspeakEngine:
    """espeak-ng run as a program, offline. Mandarin goes through pinyin with tone numbers (`cmn-latn-pinyin`)."""

    name = "espeak"
    _VOICES: ClassVar[dict[str, str]] = {"zh": "cmn-latn-pinyin", "yue": "yue", "ug": "ug", "en": "en-us"}
    languages = frozenset(_VOICES)

    def __init__(self, program: str = "espeak-ng", timeout_seconds: float = 60.0):
        self.program = program
        self.timeout_seconds = timeout_seconds

    def speak(self, text: str, language: str) -> bytes:
        if language not in self._VOICES:
            raise LanguageNotSpoken(f"espeak-ng has no voice for {language}")
        executable = shutil.which(self.program)
        if executable is None:
            raise EngineFailed(f"{self.program} is not installed")
        spoken = mandarin_to_pinyin(text) if language == "zh" else text
        try:
            done = subprocess.run(
                [executable, "-v", self._VOICES[language], "-b", "1", "--stdin", "--stdout"],
                input=spoken.encode("utf-8"),
                capture_output=True,
                timeout=self.timeout_seconds,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise EngineFailed(f"espeak-ng took longer than {self.timeout_seconds:g} s") from exc
        if done.returncode != 0 or len(done.stdout) <= 44:
            raise EngineFailed(f"espeak-ng failed: {done.stderr.decode('utf-8', 'replace').strip()[:200]}")
        return done.stdout


ENGINE_TYPES: dict[str, type] = {"gtts": GttsEngine, "espeak": EspeakEngine}


def build_engines(names: tuple[str, ...], timeout_seconds: float = 20.0) -> list[SpeechEngine]:
    """The engines called `names`, in that order (the order the synthesizer tries them in)."""
    return [ENGINE_TYPES[name](timeout_seconds=timeout_seconds) for name in names]
