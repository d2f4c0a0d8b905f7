"""Audio test helpers: recordings made at test time with ffmpeg (no binary fixtures), MP3s decoded back, a gTTS
whose HTTP layer answers from here (never the internet), and a WAV file that is plain ASCII text."""

from __future__ import annotations

import base64
import json
import struct
import subprocess
from pathlib import Path

import requests

RECORDING_FORMATS = ("wav", "mp3", "m4a", "ogg")


def tone(path: Path, seconds: float = 2.0, frequency: int = 440, sample_rate: int = 22050) -> bytes:
    """A stereo sine tone written by ffmpeg in the format of `path`'s suffix; returns its bytes."""
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi",
         "-i", f"sine=frequency={frequency}:duration={seconds}:sample_rate={sample_rate}", "-ac", "2", str(path)],
        check=True,
        timeout=60,
    )  # fmt: skip
    return path.read_bytes()


def decode(data: bytes, tmp_path: Path) -> dict:
    """Decode an MP3 back to PCM with ffmpeg: its sample rate, channels and duration counted from the samples."""
    source = tmp_path / "decode-me.mp3"
    source.write_bytes(data)
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-f", "mp3", "-show_entries", "stream=codec_name,sample_rate,channels,bit_rate",
         "-of", "json", str(source)],
        capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    stream = json.loads(probe.stdout)["streams"][0]
    pcm = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-f", "mp3", "-i", str(source), "-f", "s16le", "-acodec", "pcm_s16le",
         "-"],
        capture_output=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    rate, channels = int(stream["sample_rate"]), int(stream["channels"])
    return {
        "codec": stream["codec_name"],
        "sample_rate": rate,
        "channels": channels,
        "bit_rate": int(stream.get("bit_rate") or 0),
        "seconds": len(pcm) / (2 * channels * rate),
        "peak": max(abs(value) for (value,) in struct.iter_unpack("<h", pcm)) if pcm else 0,
    }


def ascii_wav(seconds: float = 0.5, rate: int = 8000) -> str:
    """A valid 8-bit mono WAV whose every byte is below 0x80, as text (for upload helpers that send text)."""
    count = int(seconds * rate) // 256 * 256  # size fields with no byte >= 0x80
    samples = bytes(0x20 if (index // 10) % 2 else 0x70 for index in range(count))
    header = b"RIFF" + struct.pack("<I", 36 + len(samples)) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate,
                                                                                        rate, 1, 8)  # fmt: skip
    data = header + b"data" + struct.pack("<I", len(samples)) + samples
    assert max(data) < 0x80, "a size field needs a byte >= 0x80: pick another length"
    return data.decode("ascii")


class FakeGoogleTranslate:
    """Stands in for the HTTP transport gTTS uses (requests' HTTPAdapter.send): answers the TTS RPC with `mp3`,
    records each request, fails (ConnectionError) when `down`, and answers `status` / `body` when set. Any other
    host is refused loudly."""

    HOST = "translate.google.com"

    def __init__(self, mp3: bytes):
        self.mp3 = mp3
        self.down = False
        self.status = 200
        self.body: bytes | None = None  # answer this instead of the audio
        self.requests: list[requests.PreparedRequest] = []

    def install(self, monkeypatch) -> FakeGoogleTranslate:
        """Answer every request sent through requests' HTTPAdapter (the transport gTTS uses) for the test."""
        monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", lambda adapter, request, **kw: self.send(request))
        return self

    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:
        if self.HOST not in (request.url or ""):
            raise AssertionError(f"a test tried to reach {request.url}")
        self.requests.append(request)
        if self.down:
            raise requests.exceptions.ConnectionError("network is unreachable (simulated)")
        payload = base64.b64encode(self.mp3).decode("ascii")
        line = '[["wrb.fr","jQ1olc","[\\"' + payload + '\\"]",null,null,null,"generic"]]'
        response = requests.Response()
        response.status_code = self.status
        response._content = self.body if self.body is not None else (")]}'\n\n" + line + "\n").encode()
        response.request, response.url = request, request.url
        return response

    def spoken(self) -> list[list]:
        """The [text, language] pairs gTTS asked for."""
        from urllib.parse import parse_qs

        pairs = []
        for request in self.requests:
            body = request.body.decode() if isinstance(request.body, bytes) else request.body
            rpc = json.loads(parse_qs(body)["f.req"][0])
            pairs.append(json.loads(rpc[0][0][1])[:2])
        return pairs
