"""Loudspeaker feed v2 with thousands of terminals polling: how soon after an alert's launch every terminal's poll
shows it (issue 15's goal: all of them within one poll interval).

A county of 10 townships and 100 villages each gets `--terminals` speakers (written in one bulk INSERT, several per
village) and a routine loudspeaker campaign with Chinese and Tibetan audio. gunicorn serves the app; a second
process (an asyncio aiohttp client) plays the terminals: each polls `GET /speakers/v2/feed` with its own token and
If-None-Match (its last ETag) every `--interval` seconds, the terminals spread evenly over the interval. The first
round fetches every feed (200); the rounds after it are answered 304 from the Redis feed cache. `--steady` seconds
into the second round, this process has a second staff member approve an alert (kind "alert", loudspeaker channel,
audio in both languages) to the whole county and launches it through the composition root the web app uses (its
commit bumps the feed version, so every cached feed is dropped). For each terminal the client records when the
answer to its first poll holding an item of priority "alert" arrived; the delay counts from the launch call.
The client polls until one interval plus `--grace` seconds after the launch. Prints one Markdown row.

    python bench/alert_feed.py [--terminals 5000] [--interval 30] [--steady 15] [--grace 10] [--workers 4]
                               [--connections 64] [--backend sqlite|postgresql|both] [--redis URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from inbound_webhook import wait_until_answers as wait_for_server
from population import database, load_average, populate, print_each_backend
from redis import Redis
from speaker_feed import _cpu_seconds, _server_processes
from sqlalchemy import insert, select

from audio.store import AudioStore
from campaigns.broadcasts.campaign_service import create_campaign
from campaigns.broadcasts.loudspeaker_policy import check_play_times
from campaigns.common.db import make_engine, make_session_factory
from campaigns.common.settings import Settings
from campaigns.identity.access import Actor
from campaigns.identity.accounts import create_user, hash_token
from campaigns.loudspeakers.terminals import SPEAKER_TOKEN_PREFIX
from campaigns.models import AudioClip, CampaignAudio, Grid, GridLevel, Speaker
from campaigns.models.base import utcnow
from campaigns.runs.approvals import approve_campaign
from campaigns.runs.planning import launch_campaign
from workers.composition import Services

ROOT = Path(__file__).resolve().parent.parent
APP = "gateway.app:create_app()"
FEED = "/speakers/v2/feed"
LANGUAGES = ("zh", "bo")


def add_audio(session, audio_dir: Path, campaign_id: int, tag: str) -> None:
    for language in LANGUAGES:
        data = f"{tag} audio {language}".encode() * 2_000
        clip = AudioClip(sha256=AudioStore(audio_dir).put(data), size_bytes=len(data), duration_ms=30_000,
                         engine="recording", language=language)  # fmt: skip
        session.add(clip)
        session.flush()
        session.add(CampaignAudio(campaign_id=campaign_id, language=language, clip_id=clip.id))


def prepare(
    database_url: str, audio_dir: Path, terminals: int, townships: int = 10, villages: int = 100
) -> tuple[list[str], int, list[int]]:
    """The county (`townships` of `villages` villages each), a launched routine loudspeaker campaign to it,
    `terminals` speakers spread over the villages in turn and two coordinators of the county; the speakers' tokens,
    the county id and the coordinators' user ids."""
    engine = make_engine(database_url)
    county_id = populate(engine, 0, townships=townships, villages=villages, groups=0)
    factory = make_session_factory(engine)
    now = utcnow()
    with factory.begin() as session:
        routine = create_campaign(session, Actor.system(), {
            "name": "草原防火广播", "channels": ["loudspeaker"], "audience": {"grid_ids": [county_id]},
            "texts": {"zh": "草原防火期，严禁野外用火。", "bo": "རྩྭ་ཐང་མེ་འགོག"}, "fallback_language": "zh",
            "loudspeaker": {"play_at": ["08:00", "12:00", "19:00"], "times": 2, "valid_hours": 48},
        })  # fmt: skip
        add_audio(session, audio_dir, routine["id"], "routine")
        session.flush()
        launch_campaign(session, Actor.system(), routine["id"], now)
        village = select(Grid.id).join(GridLevel, GridLevel.id == Grid.level_id).where(GridLevel.key == "village")
        villages = session.scalars(village.order_by(Grid.code)).all()
        tokens = [SPEAKER_TOKEN_PREFIX + secrets.token_urlsafe(32) for _ in range(terminals)]
        slots = check_play_times(None, "play_slots")
        rows = [
            {"name": f"喇叭{n}", "grid_id": villages[n % len(villages)], "token_hash": hash_token(token),
             "token_prefix": token[:10], "languages": list(LANGUAGES), "play_slots": slots, "token_issued_at": now}
            for n, token in enumerate(tokens)
        ]  # fmt: skip
        session.execute(insert(Speaker), rows)
        users = [
            create_user(session, Actor.system(), username=f"bench-{name}", role="coordinator",
                        password=secrets.token_urlsafe(16), scope_grid_code="623025")["id"]
            for name in ("author", "approver")
        ]  # fmt: skip
    engine.dispose()
    return tokens, county_id, users


def launch_alert(
    env: dict[str, str], county_id: int, users: list[int], audio_dir: Path, tag: str = "alert"
) -> tuple[float, float]:
    """Create, approve (a second staff member) and launch an alert to the county through the web app's composition
    root (`tag` makes its audio differ from another alert's); the time of the launch call and how long it took."""
    services = Services.build(Settings.from_env(env))
    factory = services.session_factory
    with factory() as session:
        county_path = session.scalar(select(Grid.path).where(Grid.id == county_id))
    author, approver = (Actor(user_id=user_id, role="coordinator", scope_path=county_path, username=f"bench-{name}")
                        for user_id, name in zip(users, ("author", "approver"), strict=True))  # fmt: skip
    now = utcnow()
    with factory.begin() as session:
        alert = create_campaign(session, author, {
            "kind": "alert", "name": "暴雪红色预警", "event_type": "暴雪", "severity": "extreme",
            "valid_from": now.isoformat(), "expires_at": (now + timedelta(hours=6)).isoformat(),
            "channels": ["loudspeaker"], "audience": {"grid_ids": [county_id]}, "fallback_language": "zh",
            "texts": {"zh": "暴雪红色预警：今晚有特大暴雪，请立即转移牲畜。", "bo": "ཁ་བ་ཆེན་པོ།"},
        }, now)  # fmt: skip
        add_audio(session, audio_dir, alert["id"], tag)
    with factory.begin() as session:
        approve_campaign(session, approver, alert["id"], utcnow())
    launched = time.time()
    with factory.begin() as session:
        launch_campaign(session, author, alert["id"], utcnow())
    took = time.time() - launched
    services.engine.dispose()
    return launched, took


# The terminals (run in their own process: `python bench/alert_feed.py --client SPEC.json`).


async def _terminals(spec: dict) -> dict:
    import aiohttp

    tokens, interval, start, stop = spec["tokens"], spec["interval"], spec["start"], spec["stop"]
    base_url = spec["base_url"]
    etags: list[str | None] = [None] * len(tokens)
    seen: dict[int, float] = {}
    polls: list[tuple[float, float, int]] = []  # (started, answered, status)
    errors: list[str] = []
    connector = aiohttp.TCPConnector(limit=spec["connections"])
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:

        async def poll(i: int) -> None:
            headers = {"Authorization": f"Bearer {tokens[i]}"}
            if etags[i]:
                headers["If-None-Match"] = etags[i]
            started = time.time()
            try:
                async with http.get(base_url + FEED, headers=headers) as response:
                    status = response.status
                    body = await response.read() if status == 200 else b""
                    answered = time.time()
                    if status == 200:
                        etags[i] = response.headers.get("ETag")
                        items = json.loads(body)["items"]
                        if i not in seen and any(item.get("priority") == "alert" for item in items):
                            seen[i] = answered
                    elif status != 304:
                        errors.append(f"HTTP {status}")
            except (TimeoutError, aiohttp.ClientError) as exc:
                answered, status = time.time(), 0
                errors.append(type(exc).__name__)
            polls.append((started, answered, status))

        tasks = set()
        step = interval / len(tokens)
        n = 0
        while True:
            due = start + n * step
            if due >= stop:
                break
            delay = due - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.create_task(poll(n % len(tokens)))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            n += 1
        if tasks:
            await asyncio.wait(tasks, timeout=60)
    return {"seen": {str(i): t for i, t in seen.items()}, "polls": polls, "errors": errors}


def client_main(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    result = asyncio.run(_terminals(spec))
    Path(spec["result"]).write_text(json.dumps(result))


# The benchmark.


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run(backend: str, args, workdir: Path) -> str:
    port = 8740 + (0 if backend == "sqlite" else 1)
    base_url = f"http://127.0.0.1:{port}"
    with database(backend) as database_url:
        var_dir = workdir / f"var-{backend}"
        audio_dir = var_dir / "audio"
        began = time.time()
        tokens, county_id, users = prepare(database_url, audio_dir, args.terminals)
        setup = time.time() - began
        env = dict(os.environ, DATABASE_URL=database_url, REDIS_URL=args.redis, PUBLIC_BASE_URL=base_url,
                   SECRET_KEY=secrets.token_urlsafe(32), GRIDCAST_VAR_DIR=str(var_dir))  # fmt: skip
        command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
                   "--backlog", "4096", "--log-level", "warning", APP]  # fmt: skip
        server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
        client = None
        try:
            wait_for_server(base_url + "/healthz")
            start = time.time() + 2
            launch_at = start + args.interval + args.steady
            stop = launch_at + args.interval + args.grace
            spec = {"tokens": tokens, "interval": args.interval, "start": start, "stop": stop, "base_url": base_url,
                    "connections": args.connections, "result": str(workdir / f"result-{backend}.json")}  # fmt: skip
            spec_path = workdir / f"spec-{backend}.json"
            spec_path.write_text(json.dumps(spec))
            client = subprocess.Popen([sys.executable, __file__, "--client", str(spec_path)], cwd=ROOT)
            processes = _server_processes(server.pid, args.redis)
            time.sleep(max(0.0, launch_at - time.time() - args.steady / 2))
            cpu_steady_from, steady_from = _cpu_seconds(processes), time.time()
            time.sleep(max(0.0, launch_at - time.time()))
            cpu_steady = {k: v - cpu_steady_from[k] for k, v in _cpu_seconds(processes).items()}
            steady_seconds = time.time() - steady_from
            load_before = load_average()
            launched, launch_took = launch_alert(env, county_id, users, audio_dir)
            cpu_after_from = _cpu_seconds(processes)
            if client.wait(timeout=stop - time.time() + 120) != 0:
                raise SystemExit("the terminals' client failed")
            cpu_after = {k: v - cpu_after_from[k] for k, v in _cpu_seconds(processes).items()}
            after_seconds = time.time() - launched
            load_after = load_average()
        finally:
            if client is not None and client.poll() is None:
                client.kill()
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
            Redis.from_url(args.redis).flushdb()
        result = json.loads(Path(spec["result"]).read_text())
    return _row(backend, args, result, launched, launch_took, setup, load_before, load_after,
                (cpu_steady, steady_seconds), (cpu_after, after_seconds))  # fmt: skip


def _row(backend, args, result, launched, launch_took, setup, load_before, load_after, steady, after) -> str:
    delays = [t - launched for t in result["seen"].values()]
    polls = result["polls"]
    window = (launched - args.steady / 2, launched)
    steady_polls = [p for p in polls if window[0] <= p[1] < window[1]]
    after_polls = [p for p in polls if launched <= p[1] < launched + args.interval]
    rendered = sum(1 for p in after_polls if p[2] == 200)
    latencies = [(p[1] - p[0]) * 1000 for p in after_polls]
    cpu_steady, steady_seconds = steady
    cpu_after, after_seconds = after
    within = sum(1 for d in delays if d <= args.interval)
    summary = (
        f"{len(delays):,} of {args.terminals:,} terminals saw it; delay max {max(delays):.1f} s, "
        f"p50 {statistics.median(delays):.1f} s, p99 {_percentile(delays, 0.99):.1f} s; "
        f"**{'all' if within == args.terminals else f'{within:,}'} within one interval**"
        if delays
        else f"**no terminal saw it** (of {args.terminals:,})"
    )
    errors = len(result["errors"])
    kinds = ", ".join(f"{kind} {result['errors'].count(kind)}" for kind in sorted(set(result["errors"])))
    return (
        f"| loudspeaker feed v2, {args.terminals:,} terminals polling every {args.interval:g} s (spread evenly, "
        f"If-None-Match), gunicorn {args.workers} sync workers, aiohttp client in its own process; an alert with "
        f"zh+bo audio approved and launched to the county (goal: visible to all within one interval) | {backend}, "
        f"load {load_before} at the launch, {load_after} after | {summary}; polls "
        f"{len(steady_polls) / (args.steady / 2):.0f}/s before the launch (all 304 but "
        f"{sum(1 for p in steady_polls if p[2] != 304)}), {len(after_polls) / args.interval:.0f}/s in the interval "
        f"after it ({rendered:,} fresh renders, latency p50 {statistics.median(latencies):.0f} ms, p99 "
        f"{_percentile(latencies, 0.99):.0f} ms); launch call {launch_took * 1000:.0f} ms; {errors} errors"
        f"{f' ({kinds})' if kinds else ''}; gunicorn CPU {cpu_steady['gunicorn'] / steady_seconds:.0%} of a core "
        f"before, {cpu_after['gunicorn'] / after_seconds:.0%} after; setup {setup:.0f} s | "
        f"`python bench/alert_feed.py{''.join(' ' + arg for arg in sys.argv[1:])}` |"
    )


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--client":
        client_main(sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terminals", type=int, default=5_000)
    parser.add_argument("--interval", type=float, default=30.0, help="seconds between a terminal's polls")
    parser.add_argument("--steady", type=float, default=15.0, help="seconds of 304 polling before the launch")
    parser.add_argument("--grace", type=float, default=10.0, help="seconds of polling after the interval")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--connections", type=int, default=64, help="the client's requests in flight at most")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13", help="a Redis database the run may empty")
    args = parser.parse_args()
    print_each_backend(args.backend, lambda backend, workdir: run(backend, args, workdir))


if __name__ == "__main__":
    main()
