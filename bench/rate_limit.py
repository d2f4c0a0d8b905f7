"""Benchmark: the shared Redis rate limiter (workers/rate_limit.py) with several processes at a configured rate.

Each process builds its own RedisRateLimiter on the same key (as every worker process does) and acquires as fast
as it is allowed for `--seconds`, recording when each acquisition returned. The achieved rate is the number of
acquisitions over the span from the first to the last, across all processes; the busiest one-second window is
shown too. Target: within 5% of the configured rate. Prints Markdown rows for bench/README.md.

    python bench/rate_limit.py [--rates 10,100,1000] [--processes 4] [--seconds 20]
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
import uuid

from population import BENCH_REDIS_URL, load_average
from redis import Redis

from workers.rate_limit import RedisRateLimiter


def acquire_for(key: str, rate: float, seconds: float, ready, results) -> None:
    limiter = RedisRateLimiter(Redis.from_url(BENCH_REDIS_URL), key, rate)
    ready.wait()
    stop_at = time.time() + seconds
    stamps = []
    while time.time() < stop_at:
        limiter.acquire()
        stamps.append(time.time())
    results.put(stamps)


def measure(rate: float, processes: int, seconds: float) -> tuple[float, int, int]:
    key = f"bench-{uuid.uuid4().hex}"
    context = multiprocessing.get_context("spawn")
    ready, results = context.Barrier(processes), context.Queue()
    workers = [context.Process(target=acquire_for, args=(key, rate, seconds, ready, results)) for _ in range(processes)]
    for worker in workers:
        worker.start()
    stamps = sorted(stamp for _ in workers for stamp in results.get())
    for worker in workers:
        worker.join()
    achieved = (len(stamps) - 1) / (stamps[-1] - stamps[0])
    busiest, low = 0, 0
    for high, stamp in enumerate(stamps):
        while stamps[low] <= stamp - 1.0:
            low += 1
        busiest = max(busiest, high - low + 1)
    return achieved, busiest, len(stamps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", default="10,100,1000")
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    command = "python bench/rate_limit.py " + " ".join(sys.argv[1:])
    for rate in (float(value) for value in args.rates.split(",")):
        load = load_average()
        achieved, busiest, count = measure(rate, args.processes, args.seconds)
        print(
            f"| rate limiter at {rate:g}/s | {args.processes} processes acquiring as fast as allowed for "
            f"{args.seconds:g} s, one Redis key; load {load} | **{achieved:.2f}/s** ({achieved / rate - 1:+.1%}; "
            f"{count:,} acquisitions, busiest second {busiest}) | within 5% of {rate:g}/s | `{command.strip()}` |",
            flush=True,
        )


if __name__ == "__main__":
    main()
