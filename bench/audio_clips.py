"""Benchmark: audio on this machine. espeak-ng synthesis (with MP3 encoding) per language, the normalization of a
one-minute staff recording, and `GET /audio/<sha256>.mp3` under wrk load (a whole clip, a 304 revalidation and a
range), served by gunicorn from the content-addressed store. Prints Markdown rows for bench/README.md; nothing
here is a test. The database is never touched (the download route reads the store only).

    python bench/audio_clips.py [--repeat 5] [--seconds 10] [--connections 16] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from audio.engines import EspeakEngine
from audio.library import AudioLibrary
from audio.store import AudioStore

ROOT = Path(__file__).resolve().parent.parent
COMMAND = "`python bench/audio_clips.py`"
TEXTS = {
    "zh": "各位牧民朋友请注意，明天上午9:00在乡卫生院接种疫苗，请带好身份证，按时到场。",
    "yue": "各位街坊請注意，聽日上午九點喺鄉衛生院打疫苗，記得帶身份證。",
    "ug": "ھۆرمەتلىك چارۋىچىلار، ئەتە سائەت توققۇزدا يېزا دوختۇرخانىسىدا ئەملەش بار.",
    "en": "Attention please: vaccinations at the township clinic tomorrow at nine. Bring your identity card.",
}


def synthesis_rows(library: AudioLibrary, repeat: int) -> list[str]:
    rows = []
    for language, text in TEXTS.items():
        times, clip = [], None
        for _ in range(repeat):
            started = time.perf_counter()
            clip = library.synthesize("espeak", language, text)
            times.append(time.perf_counter() - started)
        rows.append(f"| espeak-ng synthesis + MP3 encoding, {language}, {len(text)} characters -> "
                    f"{clip.duration_ms / 1000:.1f} s of audio | median {statistics.median(times) * 1000:,.0f} ms "
                    f"of {repeat} | {COMMAND} |")  # fmt: skip
    return rows


def normalization_row(library: AudioLibrary, workdir: Path) -> str:
    wav = workdir / "minute.wav"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=300:duration=60",
                    "-ar", "44100", "-ac", "2", str(wav)], check=True)  # fmt: skip
    data = wav.read_bytes()
    started = time.perf_counter()
    clip = library.import_recording(data)
    seconds = time.perf_counter() - started
    return (f"| recording normalized: 60 s WAV, 44.1 kHz stereo ({len(data) / 1e6:.1f} MB) -> MP3 mono 64 kbit/s "
            f"({clip.size_bytes / 1e3:.0f} kB) | {seconds * 1000:,.0f} ms | {COMMAND} |")  # fmt: skip


def download_rows(sha256: str, size: int, workdir: Path, args) -> list[str]:
    port = 8790
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, GRIDCAST_VAR_DIR=str(workdir / "var"), DATABASE_URL=f"sqlite:///{workdir / 'unused.db'}",
               SECRET_KEY=secrets.token_urlsafe(32))  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
         "--log-level", "warning", "gateway.app:create_app()"],
        env=env, cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    rows = []
    try:
        _wait(f"{base}/audio/{sha256}.mp3")
        cases = (
            (f"whole clip ({size / 1e3:.0f} kB), 200", []),
            ("revalidation with If-None-Match, 304", ["-H", f'If-None-Match: "{sha256}"']),
            ("first 64 kB, Range, 206", ["-H", "Range: bytes=0-65535"]),
        )
        for label, headers in cases:
            load = subprocess.run(
                ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--latency", *headers,
                 f"{base}/audio/{sha256}.mp3"],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            rate = float(re.search(r"Requests/sec:\s+([\d.]+)", load.stdout).group(1))
            p99 = re.search(r"99%\s+([\d.]+\w+)", load.stdout).group(1)
            found = re.search(r"Non-2xx or 3xx responses: (\d+)", load.stdout)
            errors, load_avg = found.group(1) if found else 0, os.getloadavg()[0]
            rows.append(f"| `GET /audio/<sha256>.mp3`, {label}; gunicorn {args.workers} workers, wrk "
                        f"{args.connections} connections | {rate:,.0f} req/s, p99 {p99}, {errors} errors "
                        f"(load {load_avg:.1f}) | {COMMAND} |")  # fmt: skip
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    return rows


def _wait(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gridcast-bench-audio-") as work:
        workdir = Path(work)
        library = AudioLibrary(AudioStore(workdir / "var" / "audio"), [EspeakEngine()])
        rows = synthesis_rows(library, args.repeat)
        rows.append(normalization_row(library, workdir))
        clip = library.synthesize("espeak", "zh", TEXTS["zh"])
        rows += download_rows(clip.sha256, clip.size_bytes, workdir, args)
    print("| figure | result | command |\n|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
