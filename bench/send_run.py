"""Benchmark: a campaign run end to end (planning, queue, claims, sends, status writes) with real RQ worker
processes sending through TwilioChannel to the Twilio stand-in, side by side with a raw twilio client loop.

For each stand-in latency (150 ms like Twilio, and instant), in the same stand-in process: first a raw loop of
the official twilio client as TwilioChannel.send_many uses it (its async client under a semaphore) for
`--raw-seconds`, then the engine run: N contacts are
written in bulk (not timed), the worker processes are started and idle, and the clock runs from the launch
(planning and commit, the dispatch job, batches on the queue, claims, sends, outcome writes) until no row is
queued or sending. Every row must end `sent` and the stand-in must have accepted exactly N messages (nothing sent
twice). With `--per-message N` it also runs the one-job-per-message synchronous design on N rows.
GRIDCAST_SMS_RATE is raised so the rate limiter (measured by bench/rate_limit.py) does not cap the run.

    python bench/send_run.py [--recipients 100000] [--workers 1] [--latencies 0.15,0] [--backend postgresql]
                             [--concurrency 100] [--batch 500] [--raw-seconds 20] [--per-message 0]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from population import BENCH_REDIS_URL, database, draft_campaign, load_average, populate
from raw_clients import raw_rate
from redis import Redis
from rq import Queue, Worker
from sqlalchemy import func, select
from standin import StandIn

from campaigns.common.db import make_engine, make_session_factory
from campaigns.identity.access import Actor
from campaigns.models import OutboxMessage
from campaigns.models.base import utcnow
from campaigns.runs.planning import launch_campaign
from workers.dispatching import enqueue_run_dispatch
from workers.queues import SENDS

BENCH_DIR = Path(__file__).resolve().parent
ACCOUNT_SID = "AC" + "b" * 32
FROM = "+15005550006"
OPEN = ("queued", "sending")


def worker_env(url: str, standin_url: str, var_dir: str, args, extra: dict[str, str]) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GRIDCAST_", "TWILIO_"))}
    env.update(
        DATABASE_URL=url,
        REDIS_URL=BENCH_REDIS_URL,
        GRIDCAST_VAR_DIR=var_dir,
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_AUTH_TOKEN="bench-token",
        TWILIO_FROM_NUMBER=FROM,
        TWILIO_API_BASE=standin_url,
        PUBLIC_BASE_URL="https://gridcast.example",
        GRIDCAST_SMS_RATE="100000",
        GRIDCAST_SEND_CONCURRENCY=str(args.concurrency),
        GRIDCAST_SEND_BATCH=str(args.batch),
        PYTHONPATH=f"{BENCH_DIR}{os.pathsep}{env.get('PYTHONPATH', '')}",
        **extra,
    )
    return env


def start_workers(count: int, env: dict[str, str], redis: Redis, log_dir: str,
                  queues: tuple[str, ...] = (SENDS,)) -> list[subprocess.Popen]:  # fmt: skip
    command = [sys.executable, "-m", "gateway.cli", "worker", "--without-scheduler", *queues]
    workers = []
    for number in range(count):
        log = open(Path(log_dir) / f"worker{number}.log", "w")  # noqa: SIM115 (closed with the process)
        workers.append(subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT))
    deadline = time.monotonic() + 60
    while Worker.count(connection=redis) < count:
        if time.monotonic() > deadline or any(worker.poll() is not None for worker in workers):
            raise RuntimeError(f"workers did not start; see {log_dir}")
        time.sleep(0.1)
    return workers


def stop_workers(workers: list[subprocess.Popen]) -> float:
    """Stop the workers (warm shutdown); returns the CPU seconds they and their work horses used."""
    cpu = 0.0
    for worker in workers:
        worker.terminate()
    for worker in workers:
        process = psutil.Process(worker.pid)
        try:
            times = process.cpu_times()
            cpu += times.user + times.system + times.children_user + times.children_system
        except psutil.NoSuchProcess:
            pass
        worker.wait(60)
    return cpu


def open_rows(factory, run_id: int) -> int:
    with factory() as session:
        return session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.run_id == run_id, OutboxMessage.status.in_(OPEN))
        )


def engine_run(backend: str, recipients: int, latency: float, standin: StandIn, args, per_message: bool,
               sampler=None) -> dict:  # fmt: skip
    """One end-to-end run; returns its timings and counts. `sampler.watch(pids)` is called once the workers run."""
    redis = Redis.from_url(BENCH_REDIS_URL)
    redis.flushdb()
    with database(backend) as url, tempfile.TemporaryDirectory(prefix="gridcast-send-") as tmp:
        engine = make_engine(url)
        campaign_id = draft_campaign(engine, populate(engine, recipients))
        factory = make_session_factory(engine)
        count = 1 if per_message else args.workers
        logs = args.logs or tmp
        workers = start_workers(count, worker_env(url, standin.url, tmp, args, {}), redis, logs)
        if sampler is not None:
            sampler.watch([worker.pid for worker in workers])
        standin.reset()
        stand_cpu = standin.cpu_seconds()
        load = load_average()
        try:
            start = time.perf_counter()
            with factory.begin() as session:
                run_id = launch_campaign(session, Actor.system(), campaign_id, utcnow()).run_id
            planned_at = time.perf_counter()
            if per_message:
                enqueue_one_job_per_row(factory, redis, run_id)
            else:
                enqueue_run_dispatch(redis, run_id)
            while standin.stats()["accepted"] < recipients:
                time.sleep(0.05)
                if any(worker.poll() is not None for worker in workers):
                    raise RuntimeError(f"a worker died; see {logs}")
            while open_rows(factory, run_id):
                time.sleep(0.05)
            seconds = time.perf_counter() - start
        finally:
            worker_cpu = stop_workers(workers)
        with factory() as session:
            statuses = dict(
                session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
            )
        engine.dispose()
    accepted = standin.stats()["accepted"]
    assert statuses == {"sent": recipients} and accepted == recipients, (statuses, accepted)
    return {
        "seconds": seconds,
        "planning": planned_at - start,
        "rate": recipients / seconds,
        "worker_cpu": worker_cpu / seconds,
        "standin_cpu": (standin.cpu_seconds() - stand_cpu) / seconds,
        "load": load,
        "workers": count,
    }


def enqueue_one_job_per_row(factory, redis: Redis, run_id: int) -> None:
    with factory() as session:
        ids = session.scalars(select(OutboxMessage.id).where(OutboxMessage.run_id == run_id)).all()
    sends = Queue(SENDS, connection=redis)
    jobs = [Queue.prepare_data("per_message_job.send_one_message", (run_id, row_id), result_ttl=60) for row_id in ids]
    for start in range(0, len(jobs), 1000):
        sends.enqueue_many(jobs[start : start + 1000])


def figure_rows(args, latency: float, command: str) -> list[str]:
    style = "async"  # TwilioChannel.send_many: twilio's async client
    lines = []
    with StandIn(latency=latency, limit=100) as standin:
        raw = raw_rate(style, standin.url, args.concurrency, args.raw_seconds)
        result = engine_run(args.backend, args.recipients, latency, standin, args, per_message=False)
        per_process = result["rate"] / result["workers"]
        ratio = per_process / raw
        client = f"async client, {args.concurrency} in flight"
        target = ">= 80% of the raw loop per worker process" if latency else ">= 1,000 messages/s"
        lines.append(
            f"| send run, {args.recipients:,} recipients, {latency * 1000:g} ms stand-in | {args.backend}, "
            f"{result['workers']} RQ worker process(es), TwilioChannel ({client}), batches of {args.batch}; "
            f"load {result['load']} | **{result['rate']:,.0f} msg/s** end to end ({result['seconds']:.1f} s, "
            f"planning {result['planning']:.1f} s), {per_process:,.0f}/s per worker process = **{ratio:.0%}** of "
            f"the raw loop's {raw:,.0f}/s ({style} twilio client, {client}, one process); CPU: workers "
            f"{result['worker_cpu']:.0%}, stand-in {result['standin_cpu']:.0%} of a core | {target} | `{command}` |"
        )
        if args.per_message and latency:
            raw_one = raw_rate("sync", standin.url, 1, args.raw_seconds)
            small = engine_run(args.backend, args.per_message, latency, standin, args, per_message=True)
            lines.append(
                f"| one RQ job per message (synchronous design), {args.per_message:,} recipients, "
                f"{latency * 1000:g} ms stand-in | {args.backend}, 1 RQ worker process, sync twilio client; "
                f"load {small['load']} | **{small['rate']:,.1f} msg/s** end to end ({small['seconds']:.1f} s); "
                f"raw sync loop in one thread {raw_one:,.1f}/s | expect under 10/s | `{command}` |"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=1, help="RQ worker processes")
    parser.add_argument("--latencies", default="0.15,0", help="stand-in latencies in seconds")
    parser.add_argument("--backend", default="postgresql", choices=["postgresql", "sqlite"])
    parser.add_argument("--concurrency", type=int, default=100, help="GRIDCAST_SEND_CONCURRENCY (per process)")
    parser.add_argument("--batch", type=int, default=500, help="GRIDCAST_SEND_BATCH (rows per job)")
    parser.add_argument("--raw-seconds", type=float, default=20.0)
    parser.add_argument("--per-message", type=int, default=0, help="rows for the one-job-per-message design")
    parser.add_argument("--logs", help="keep the worker logs in this directory")
    args = parser.parse_args()
    command = "python bench/send_run.py " + " ".join(sys.argv[1:])
    for latency in (float(value) for value in args.latencies.split(",")):
        for line in figure_rows(args, latency, command.strip()):
            print(line, flush=True)


if __name__ == "__main__":
    main()
