"""The CPU cost of the loudspeaker feed round that follows an alert's launch, in one process (the Flask test client).

A county of `--townships` x `--villages` villages gets `--per-village` speakers in each village (written like
bench/alert_feed.py's) and a routine loudspeaker campaign with Chinese and Tibetan audio. Every speaker polls
`GET /speakers/v2/feed` once (the round before the launch: it fills the feed cache), then an alert with zh and bo
audio is approved and launched to the county through the composition root (its commit bumps the feed version, so
no cached feed is current any more), and every speaker polls again with its last ETag, as a terminal does: each of
these polls renders the feed. The script prints the process CPU time (time.process_time: this process's client,
Flask, SQLAlchemy, signatures and Redis client) and the Redis server's CPU per render, the renders per second one
core would manage, and the CPU of a round of unchanged polls (304 from the cache) for scale. Every post-launch
answer is checked: 200 with the alert's items. `--profile` launches a second alert and runs the round after it
under cProfile, printing where the time goes.

    python bench/feed_render_cost.py [--townships 2] [--villages 100] [--per-village 5]
                                     [--backend sqlite|postgresql|both] [--redis URL] [--profile 25]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import secrets
import sys
import time
from pathlib import Path

from alert_feed import launch_alert, prepare
from population import database, load_average, print_each_backend
from redis import Redis

from campaigns.common.settings import Settings
from gateway.app import create_app
from workers.composition import Services

FEED = "/speakers/v2/feed"


def _redis_cpu(redis: Redis) -> float:
    info = redis.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def _round(client, tokens: list[str], etags: dict[str, str]) -> list:
    """Every speaker polls once, with its last ETag when it has one; the answers, in order."""
    answers = []
    for token in tokens:
        headers = {"Authorization": f"Bearer {token}"}
        if token in etags:
            headers["If-None-Match"] = etags[token]
        answers.append(client.get(FEED, headers=headers))
    return answers


def _timed_round(client, tokens, etags, redis: Redis) -> tuple[list, float, float, float]:
    """A round with its process CPU, wall time and Redis server CPU (seconds)."""
    redis_from, wall_from, cpu_from = _redis_cpu(redis), time.perf_counter(), time.process_time()
    answers = _round(client, tokens, etags)
    cpu, wall = time.process_time() - cpu_from, time.perf_counter() - wall_from
    return answers, cpu, wall, _redis_cpu(redis) - redis_from


def _alert_seen_by_all(answers) -> None:
    for response in answers:
        if response.status_code != 200:
            raise SystemExit(f"a post-launch poll got {response.status_code}: {response.get_data(as_text=True)}")
        if not any(item["priority"] == "alert" for item in response.get_json()["items"]):
            raise SystemExit("a post-launch poll did not show the alert")


def run(backend: str, args, workdir: Path) -> str:
    terminals = args.townships * args.villages * args.per_village
    with database(backend) as database_url:
        var_dir = workdir / f"var-{backend}"
        audio_dir = var_dir / "audio"
        tokens, county_id, users = prepare(database_url, audio_dir, terminals, args.townships, args.villages)
        redis = Redis.from_url(args.redis)
        redis.flushdb()
        env = dict(os.environ, DATABASE_URL=database_url, REDIS_URL=args.redis, PUBLIC_BASE_URL="https://gc.example.cn",
                   SECRET_KEY=secrets.token_urlsafe(32), GRIDCAST_VAR_DIR=str(var_dir))  # fmt: skip
        services = Services.build(Settings.from_env(env))
        client = create_app(runtime=services).test_client()
        try:
            before = _round(client, tokens, {})
            etags = {token: response.headers["ETag"] for token, response in zip(tokens, before, strict=True)}
            _, cpu_304, _, redis_304 = _timed_round(client, tokens, etags, redis)
            load = load_average()
            launch_alert(env, county_id, users, audio_dir)
            answers, cpu, wall, redis_cpu = _timed_round(client, tokens, etags, redis)
            _alert_seen_by_all(answers)
            profile = _profiled_round(client, tokens, answers, env, county_id, users, audio_dir, args.profile)
        finally:
            redis.flushdb()
            services.engine.dispose()
    per_render, per_poll = cpu / terminals * 1000, cpu_304 / terminals * 1000
    row = (
        f"| post-launch feed v2 round, {args.townships * args.villages:,} villages x {args.per_village} speakers "
        f"({terminals:,} renders), Flask test client in one process | {backend}, load {load} | "
        f"**{per_render:.2f} ms CPU per render** ({1000 / per_render:,.0f} renders/s on one core), wall "
        f"{wall / terminals * 1000:.2f} ms, Redis server {redis_cpu / terminals * 1000:.3f} ms; an unchanged poll "
        f"(304 from the cache) {per_poll:.2f} ms CPU, Redis {redis_304 / terminals * 1000:.3f} ms | "
        f"`python bench/feed_render_cost.py{''.join(' ' + arg for arg in sys.argv[1:])}` |"
    )
    return row + (f"\n\n{profile}" if profile else "")


def _profiled_round(client, tokens, answers, env, county_id, users, audio_dir, top: int) -> str:
    """The round after a second alert's launch under cProfile (timing CPU, not wall time: the machine is shared):
    the `top` functions by own time, and by total."""
    if not top:
        return ""
    etags = {token: response.headers["ETag"] for token, response in zip(tokens, answers, strict=True)}
    launch_alert(env, county_id, users, audio_dir, tag="second alert")
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    _round(client, tokens, etags)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--townships", type=int, default=2)
    parser.add_argument("--villages", type=int, default=100, help="villages per township")
    parser.add_argument("--per-village", type=int, default=5, help="speakers per village")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12", help="a Redis database the run may empty")
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions of a profiled round")
    args = parser.parse_args()
    print_each_backend(args.backend, lambda backend, workdir: run(backend, args, workdir))


if __name__ == "__main__":
    main()
