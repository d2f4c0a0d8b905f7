"""MP3 encoding with ffmpeg: any accepted input (MP3, WAV, M4A, Ogg) becomes a 44.1 kHz mono MP3.

The container is recognised from the file's first bytes, and ffmpeg is told which demuxer to use and may only open
local files, so an upload can never make ffmpeg read a playlist, fetch a URL or pick a demuxer by guessing.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from audio.errors import AudioTooLarge, UnsupportedAudio

SAMPLE_RATE = 44_100
ACCEPTED_FORMATS = ("mp3", "wav", "m4a", "ogg")
_DEMUXERS = {"mp3": "mp3", "wav": "wav", "m4a": "mov", "ogg": "ogg"}
_TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class EncodedMp3:
    """A normalized MP3 and what ffprobe measured of it."""

    data: bytes
    duration_ms: int
    sample_rate: int
    channels: int


def sniff_format(head: bytes) -> str | None:
    """The accepted format the first bytes announce (mp3, wav, m4a, ogg), or None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"OggS":
        return "ogg"
    if head[4:8] == b"ftyp":
        return "m4a"
    if head[:3] == b"ID3":
        return "mp3"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06 and (head[1] >> 3) & 3 != 1:
        return "mp3"
    return None


def encode_mp3(data: bytes, *, bitrate_kbps: int, max_seconds: int) -> EncodedMp3:
    """Decode `data` (an accepted format) and encode it as MP3, 44.1 kHz, mono, `bitrate_kbps` CBR.

    UnsupportedAudio when the bytes are not an accepted format, hold no sound track or cannot be decoded;
    AudioTooLarge when the sound lasts longer than `max_seconds`.
    """
    kind = sniff_format(data[:16])
    if kind is None:
        raise UnsupportedAudio(f"not an audio file this service accepts ({', '.join(ACCEPTED_FORMATS)})")
    with tempfile.TemporaryDirectory(prefix="gridcast-audio-") as work:
        source, target = Path(work) / f"in.{kind}", Path(work) / "out.mp3"
        source.write_bytes(data)
        found = _probe(source, _DEMUXERS[kind])
        if not any(stream.get("codec_type") == "audio" for stream in found.get("streams", [])):
            raise UnsupportedAudio(f"the {kind} file holds no sound track")
        duration = _seconds(found.get("format", {}).get("duration"))
        if duration is not None and duration > max_seconds:
            raise AudioTooLarge(f"the recording lasts {duration:.0f} s; at most {max_seconds} s are accepted")
        _run(
            ["ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-protocol_whitelist", "file",
             "-f", _DEMUXERS[kind], "-i", str(source), "-map", "0:a:0", "-vn", "-sn", "-dn",
             "-t", str(max_seconds + 1), "-ac", "1", "-ar", str(SAMPLE_RATE), "-c:a", "libmp3lame",
             "-b:a", f"{bitrate_kbps}k", "-map_metadata", "-1", "-id3v2_version", "0", "-write_xing", "1",
             "-f", "mp3", str(target)],
            f"the {kind} file could not be decoded (corrupt or truncated?)",
        )  # fmt: skip
        encoded = measure_mp3(target)
        if encoded.duration_ms <= 0:
            raise UnsupportedAudio(f"the {kind} file holds no sound")
        if encoded.duration_ms > max_seconds * 1000:
            raise AudioTooLarge(f"the recording lasts more than {max_seconds} s")
        return encoded


def measure_mp3(path: Path) -> EncodedMp3:
    """The bytes of an MP3 file with its duration, sample rate and channels, as ffprobe reads them."""
    found = _probe(path, "mp3")
    streams = [stream for stream in found.get("streams", []) if stream.get("codec_type") == "audio"]
    if not streams:
        raise UnsupportedAudio("the encoded MP3 holds no sound track")
    duration = _seconds(found.get("format", {}).get("duration")) or 0.0
    return EncodedMp3(
        data=path.read_bytes(),
        duration_ms=round(duration * 1000),
        sample_rate=int(streams[0].get("sample_rate") or 0),
        channels=int(streams[0].get("channels") or 0),
    )


def _probe(path: Path, demuxer: str) -> dict:
    output = _run(
        ["ffprobe", "-v", "error", "-protocol_whitelist", "file", "-f", demuxer, "-show_entries",
         "format=duration:stream=codec_type,sample_rate,channels", "-of", "json", str(path)],
        "the file is not a readable audio file (corrupt or truncated?)",
    )  # fmt: skip
    try:
        return json.loads(output or b"{}")
    except ValueError as exc:
        raise UnsupportedAudio("the file is not a readable audio file") from exc


def _run(command: list[str], failure: str) -> bytes:
    try:
        done = subprocess.run(command, capture_output=True, timeout=_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired as exc:
        raise UnsupportedAudio(f"{failure}: decoding took too long") from exc
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UnsupportedAudio(f"{failure}: {detail[-1][:200]}" if detail else failure)
    return done.stdout


def _seconds(raw) -> float | None:
    try:
        return float(raw)
    except (TypeError, ValueError):
        return None
