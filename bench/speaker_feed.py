"""Loudspeaker feed polls per second on the path that matters: a poll that changes nothing (If-None-Match holds
the current ETag, the answer is 304). gunicorn serves the app, wrk loads it from a second process on loopback.

A county of 100 villages gets one speaker each and a loudspeaker campaign with Chinese and Tibetan audio; each
speaker's feed is fetched once for its ETag, then wrk replays the speakers' polls round robin, each with its own
token and ETag. Polls are served from the Redis feed cache (GRIDCAST_SPEAKER_FEED_CACHE_SECONDS, default 300 s;
any change through Gridcast bumps the feed version, so a cached feed is never stale) and heartbeats are noted in
Redis and written to the database in one statement every 15 s per process. Any answer other than 304 is counted,
and so is the CPU time the gunicorn processes and the Redis server use per poll (what the rate would be on two
idle cores follows from it; the machine is shared).
Prints one Markdown row per backend.

    python bench/speaker_feed.py [--seconds 20] [--connections 32] [--workers 4] [--worker-class sync]
                                 [--backend both] [--redis redis://127.0.0.1:6379/11]
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import subprocess
import sys
import urllib.request
from datetime import timedelta
from pathlib import Path

import psutil
from inbound_webhook import wait_until_answers as wait_for_server
from population import database, load_average, populate, print_each_backend
from redis import Redis
from sqlalchemy import select

from audio.store import AudioStore
from campaigns.broadcasts.campaign_service import create_campaign
from campaigns.common.db import make_engine, make_session_factory
from campaigns.identity.access import Actor
from campaigns.loudspeakers import terminals
from campaigns.models import AudioClip, CampaignAudio, Grid, GridLevel
from campaigns.models.base import utcnow
from campaigns.runs.planning import launch_campaign

ROOT = Path(__file__).resolve().parent.parent
APP = "gateway.app:create_app()"

WRK_SCRIPT = """
dofile("{data}")
local threads = {{}}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  counter = 0
  not_modified_misses = 0
end
function request()
  counter = counter + 1
  local i = ((counter - 1) % #tokens) + 1
  return wrk.format("GET", "/speakers/feed", {{["Authorization"] = "Bearer " .. tokens[i],
                                               ["If-None-Match"] = etags[i]}})
end
function response(status, headers, body)
  if status ~= 304 then not_modified_misses = not_modified_misses + 1 end
end
function done(summary, latency, requests)
  local misses = 0
  for _, thread in ipairs(threads) do misses = misses + thread:get("not_modified_misses") end
  io.write(string.format("RESULT requests=%d errors=%d not304=%d p50=%.1f p99=%.1f seconds=%.2f\\n",
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    misses, latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.duration / 1e6))
end
"""


def prepare(database_url: str, audio_dir: Path) -> list[str]:
    """Grids, contacts, a launched loudspeaker campaign to the county with audio, a speaker per village; tokens."""
    engine = make_engine(database_url)
    county_id = populate(engine, 2_000, townships=2, villages=50, groups=2)
    factory = make_session_factory(engine)
    now = utcnow()
    with factory.begin() as session:
        campaign = create_campaign(session, Actor.system(), {
            "name": "草原防火广播", "channels": ["sms", "loudspeaker"], "audience": {"grid_ids": [county_id]},
            "texts": {"zh": "草原防火期，严禁野外用火。", "bo": "རྩྭ་ཐང་མེ་འགོག"}, "fallback_language": "zh",
            "loudspeaker": {"play_at": ["08:00", "12:00", "19:00"], "times": 2, "valid_hours": 48},
        })  # fmt: skip
        for language in ("zh", "bo"):
            data = f"bench audio {language}".encode() * 2_000
            clip = AudioClip(sha256=AudioStore(audio_dir).put(data), size_bytes=len(data), duration_ms=30_000,
                             engine="recording", language=language)  # fmt: skip
            session.add(clip)
            session.flush()
            session.add(CampaignAudio(campaign_id=campaign["id"], language=language, clip_id=clip.id))
        session.flush()
        launch_campaign(session, Actor.system(), campaign["id"], now)
        village = select(Grid.code).join(GridLevel, GridLevel.id == Grid.level_id).where(GridLevel.key == "village")
        tokens = [
            terminals.create_speaker(
                session,
                Actor.system(),
                {"name": f"喇叭{code}", "grid_code": code, "languages": ["bo", "zh"]},
                timedelta(minutes=30),
                now,
            )["token"]
            for code in session.scalars(village.order_by(Grid.code))
        ]
    engine.dispose()
    return tokens


def _etag(base_url: str, token: str) -> str:
    request = urllib.request.Request(base_url + "/speakers/feed", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers["ETag"]


def _lua(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def run(backend: str, args, workdir: Path) -> str:
    port = 8720 + (0 if backend == "sqlite" else 1)
    base_url = f"http://127.0.0.1:{port}"
    with database(backend) as database_url:
        var_dir = workdir / f"var-{backend}"
        tokens = prepare(database_url, var_dir / "audio")
        env = dict(os.environ, DATABASE_URL=database_url, REDIS_URL=args.redis, PUBLIC_BASE_URL=base_url,
                   SECRET_KEY=secrets.token_urlsafe(32),
                   GRIDCAST_VAR_DIR=str(var_dir))  # fmt: skip
        command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
                   "--worker-class", args.worker_class, "--log-level", "warning", APP]  # fmt: skip
        server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
        try:
            wait_for_server(base_url + "/healthz")
            etags = [_etag(base_url, token) for token in tokens]
            data = workdir / f"polls-{backend}.lua"
            data.write_text(
                "tokens = {" + ",".join(map(_lua, tokens)) + "}\netags = {" + ",".join(map(_lua, etags)) + "}\n"
            )
            script = workdir / f"wrk-{backend}.lua"
            script.write_text(WRK_SCRIPT.format(data=data))
            processes = _server_processes(server.pid, args.redis)
            cpu_before = _cpu_seconds(processes)
            load = subprocess.run(
                ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "-s", str(script), base_url],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            cpu = {name: _cpu_seconds(processes)[name] - cpu_before[name] for name in cpu_before}
            load_avg = load_average()
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
            Redis.from_url(args.redis).flushdb()
    found = re.search(r"RESULT requests=(\d+) errors=(\d+) not304=(\d+) p50=([\d.]+) p99=([\d.]+) seconds=([\d.]+)",
                      load.stdout)  # fmt: skip
    if not found:
        raise SystemExit(load.stdout + load.stderr)
    requests, errors, not304, p50, p99, seconds = found.groups()
    rate = int(requests) / float(seconds)
    per_request = {name: used / int(requests) * 1000 for name, used in cpu.items()}
    return (
        f"| speaker feed polls answered 304 (If-None-Match), {len(tokens)} speakers, gunicorn {args.workers} "
        f"{args.worker_class} workers, wrk {args.connections} connections (target >= 2,000 req/s) | {backend}, load "
        f"{load_avg} | {rate:,.0f} req/s, p50 {p50} ms, p99 {p99} ms, {errors} errors, {not304} not 304; CPU per "
        f"poll: gunicorn {per_request['gunicorn']:.3f} ms, Redis {per_request['redis']:.3f} ms | "
        f"`python bench/speaker_feed.py` |"
    )


def _server_processes(gunicorn_pid: int, redis_url: str) -> dict[str, list[psutil.Process]]:
    master = psutil.Process(gunicorn_pid)
    redis_pid = Redis.from_url(redis_url).info("server")["process_id"]
    return {"gunicorn": [master, *master.children(recursive=True)], "redis": [psutil.Process(redis_pid)]}


def _cpu_seconds(processes: dict[str, list[psutil.Process]]) -> dict[str, float]:
    """CPU time (user + system) each group of processes has used so far."""
    return {name: sum(sum(p.cpu_times()[:2]) for p in group) for name, group in processes.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (sync, gthread)")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/11", help="a Redis database the run may empty")
    args = parser.parse_args()
    print_each_backend(args.backend, lambda backend, workdir: run(backend, args, workdir))


if __name__ == "__main__":
    main()
