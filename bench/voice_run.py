"""Benchmark: a voice run to 100,000 recipients in four languages synthesizes each language's audio once.

Writes a county of 1,111 grids and N contacts in bulk (not timed) speaking Chinese, Tibetan, Cantonese and English,
creates a voice campaign to all of them, gives it its audio through the real audio library (espeak-ng for zh, yue
and en; a recording, made here with ffmpeg, for Tibetan, which no engine speaks) and the prompt phrases likewise,
counting every synthesis; asks for the audio a second time (nothing is synthesized again); times the launch (checks,
run, N voice outbox rows in one INSERT ... SELECT); and sends the first `--send` calls through the simulator
(the simulated phone answers and presses 1), counting syntheses again. Prints Markdown rows for bench/README.md.

    python bench/voice_run.py [--recipients 100000] [--backends sqlite,postgresql] [--send 2000]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

from population import database, load_average, populate
from sqlalchemy import func, select, text

from campaigns.broadcasts.campaign_service import create_campaign, load_campaign
from campaigns.common.db import make_engine, make_session_factory
from campaigns.common.settings import Settings
from campaigns.delivery.sending import SendPolicy, send_batch
from campaigns.identity.access import Actor
from campaigns.models import Confirmation, OutboxMessage
from campaigns.models.base import utcnow
from campaigns.runs.planning import launch_campaign
from campaigns.runs.preview import launch_blockers
from campaigns.simulator.calls import SimulatedVoice
from campaigns.simulator.channel import SimulatorChannel
from campaigns.voice.audio_port import StoredAudio
from campaigns.voice.call_flow import PROMPT_PHRASES
from campaigns.voice.campaign_audio import attach_recording, synthesize_campaign_audio
from campaigns.voice.voice_prompts import record_prompt, synthesize_prompts
from workers.audio_services import audio_port

TEXTS = {
    "zh": "今夜有暴雪，请把牛羊赶回圈，注意防寒。",
    "yue": "今晚有大雪，請將牛羊趕返圈，注意保暖。",
    "en": "Heavy snow tonight: bring the herds in and keep warm.",
    "bo": "དོ་ནུབ་ཁ་བ་ཆེན་པོ་འབབ། ཕྱུགས་ཁྱིམ་དུ་ཁྲིད།",
}
SYNTHESIZED = ("zh", "yue", "en")


class CountingPort:
    """The real audio port, counting syntheses per language."""

    def __init__(self, port):
        self.port = port
        self.calls: list[tuple[str, str]] = []

    def engines_for(self, language: str) -> list[str]:
        return self.port.engines_for(language)

    def synthesize(self, engine: str, language: str, text: str) -> StoredAudio:
        self.calls.append((engine, language))
        return self.port.synthesize(engine, language, text)

    def import_recording(self, data: bytes) -> StoredAudio:
        return self.port.import_recording(data)

    def exists(self, sha256: str) -> bool:
        return self.port.exists(sha256)


class NoLimit:
    def acquire(self) -> None:
        return None

    def slow_down(self, seconds: float) -> None:
        return None


def tone(path: Path, seconds: float) -> bytes:
    """A WAV standing in for a staff recording."""
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
                    str(path)], check=True)  # fmt: skip
    return path.read_bytes()


def give_audio(factory, port: CountingPort, campaign_id: int, tmp: Path) -> None:
    system = Actor.system()
    with factory.begin() as session:
        for language in SYNTHESIZED:
            synthesize_campaign_audio(session, system, campaign_id, language, port, engine="espeak")
            synthesize_prompts(session, system, language, port, engine="espeak")
        attach_recording(session, system, campaign_id, "bo", tone(tmp / "bo.wav", 6), "bo.wav", port)
        for phrase in PROMPT_PHRASES:
            record_prompt(session, system, "bo", phrase, tone(tmp / f"{phrase}.wav", 1), f"{phrase}.wav", port)


def bench_backend(backend: str, recipients: int, send: int, command: str) -> list[str]:
    with database(backend) as url, tempfile.TemporaryDirectory(prefix="gridcast-voice-") as tmp:
        settings = Settings.from_env({"DATABASE_URL": url, "GRIDCAST_VAR_DIR": tmp})
        engine = make_engine(url)
        try:
            county_id = populate(engine, recipients)
            with engine.begin() as connection:
                connection.execute(text("UPDATE contacts SET language = 'yue' WHERE id % 10 = 1"))
                connection.execute(text("UPDATE contacts SET language = 'en' WHERE id % 10 = 2"))
            factory = make_session_factory(engine)
            with factory.begin() as session:
                campaign = create_campaign(session, Actor.system(), {
                    "name": "雪灾预警", "channels": ["voice"], "audience": {"grid_ids": [county_id]}, "texts": TEXTS,
                    "fallback_language": "zh", "expects_reply": True,
                })  # fmt: skip
            port = CountingPort(audio_port(settings))
            start = time.perf_counter()
            give_audio(factory, port, campaign["id"], Path(tmp))
            audio_seconds = time.perf_counter() - start
            first = len(port.calls)
            with factory.begin() as session:
                for language in SYNTHESIZED:
                    synthesize_campaign_audio(session, Actor.system(), campaign["id"], language, port, engine="espeak")
                    synthesize_prompts(session, Actor.system(), language, port, engine="espeak")
            with factory() as session:
                start = time.perf_counter()
                launch_blockers(session, load_campaign(session, Actor.system(), campaign["id"]))
                checks = time.perf_counter() - start
            load = load_average()
            start = time.perf_counter()
            with factory.begin() as session:
                planned = launch_campaign(session, Actor.system(), campaign["id"], utcnow(), approval_threshold=10**9)
            planning = time.perf_counter() - start
            with factory() as session:
                by_language = dict(session.execute(
                    select(OutboxMessage.language, func.count()).group_by(OutboxMessage.language)
                ).all())  # fmt: skip
                low = session.scalar(select(func.min(OutboxMessage.id)))
            channel = SimulatorChannel(factory, utcnow, SimulatedVoice())
            start = time.perf_counter()
            report = send_batch(factory, channel, NoLimit(), SendPolicy(), utcnow, planned.run_id, low, low + send - 1)
            sending = time.perf_counter() - start
            with factory() as session:
                confirmed = session.scalar(select(func.count()).select_from(Confirmation))
        finally:
            engine.dispose()
    assert planned.planned == sum(by_language.values()) == recipients, (planned, by_language)
    label = {"sqlite": "SQLite", "postgresql": "PostgreSQL 15"}[backend]
    mix = ", ".join(f"{lang} {count:,}" for lang, count in sorted(by_language.items()))
    syntheses = (
        f"**{first} syntheses** (3 announcements + 3 x 3 prompt phrases) in {audio_seconds:.1f} s; asked again: "
        f"{len(port.calls) - first} more; after {report.accepted:,} calls: still {len(port.calls)}"
    )
    return [
        f"| voice run, {recipients:,} recipients, 4 languages | {label}; {mix}; espeak-ng for zh/yue/en, "
        f"recordings for bo; load {load} | {syntheses} | each language synthesized once | `{command}` |",
        f"| voice run planning, {recipients:,} recipients | {label}; launch_campaign + commit (of which launch "
        f"checks, audio and prompts included, {checks:.1f} s); load {load} | {planning:.1f} s, "
        f"**{recipients / planning:,.0f} rows/s** | - | `{command}` |",
        f"| simulated calls, first {report.accepted:,} of the run | {label}; one process, the simulated phone "
        f"answers and presses 1 | {sending:.1f} s, **{report.accepted / sending:,.0f} calls/s**, {confirmed:,} "
        f"confirmations | - | `{command}` |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--send", type=int, default=2000)
    args = parser.parse_args()
    command = f"python bench/voice_run.py --recipients {args.recipients} --backends BACKEND --send {args.send}"
    for backend in args.backends.split(","):
        for row in bench_backend(backend, args.recipients, args.send, command.replace("BACKEND", backend)):
            print(row, flush=True)


if __name__ == "__main__":
    main()
