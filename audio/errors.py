"""What can go wrong with audio, as exceptions whose message can be shown to a member of staff."""

from __future__ import annotations


class AudioError(Exception):
    """Base class of every audio error."""


class UnsupportedAudio(AudioError):
    """The bytes are not an MP3, WAV, M4A or Ogg file with a sound track, or they are corrupt."""


class AudioTooLarge(AudioError):
    """The file is bigger, or the sound longer, than the configured limits."""


class EngineFailed(AudioError):
    """A speech engine could not speak the text (no internet, an error from the service, a missing program)."""


class LanguageNotSpoken(AudioError):
    """The engine has no voice for the language (Tibetan, Mongolian, Yi and Kazakh need a recording)."""
