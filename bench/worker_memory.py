"""Benchmark: peak memory (RSS) of a worker sending a run of 100,000 and of 1,000,000 recipients.

The same end-to-end run as bench/send_run.py (instant stand-in, real RQ worker processes), while a thread samples
every 0.2 s the RSS of each worker process and of each work horse it forks for a job. It must be flat: the same
peak at 100k and at 1M. Prints Markdown rows (figure | setup | result | target | command) for bench/README.md.

    python bench/worker_memory.py [--sizes 100000,1000000] [--workers 2] [--backend postgresql] [--batch 500]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from types import SimpleNamespace

import psutil
from send_run import engine_run
from standin import StandIn


class RssSampler:
    """Samples the RSS of the watched worker processes and of their children (the work horses)."""

    def __init__(self, every: float = 0.2):
        self.every = every
        self.worker_peak = 0
        self.horse_peak = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def watch(self, pids: list[int]) -> None:
        self._thread = threading.Thread(target=self._run, args=(pids,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self, pids: list[int]) -> None:
        workers = [psutil.Process(pid) for pid in pids]
        while not self._stop.wait(self.every):
            for worker in workers:
                try:
                    self.worker_peak = max(self.worker_peak, worker.memory_info().rss)
                    for horse in worker.children():
                        self.horse_peak = max(self.horse_peak, horse.memory_info().rss)
                except psutil.NoSuchProcess:
                    continue
            self.samples += 1


def measure(size: int, args) -> dict:
    options = SimpleNamespace(concurrency=args.concurrency, batch=args.batch, workers=args.workers, logs=None)
    sampler = RssSampler()
    with StandIn(latency=0.0, limit=100) as standin:
        try:
            result = engine_run(args.backend, size, 0.0, standin, options, per_message=False, sampler=sampler)
        finally:
            sampler.stop()
    return {**result, "worker_peak": sampler.worker_peak, "horse_peak": sampler.horse_peak, "samples": sampler.samples}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--backend", default="postgresql", choices=["postgresql", "sqlite"])
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    command = "python bench/worker_memory.py " + " ".join(sys.argv[1:])
    for size in (int(value) for value in args.sizes.split(",")):
        started = time.perf_counter()
        found = measure(size, args)
        print(
            f"| worker peak RSS, {size:,} recipients | {args.backend}, {found['workers']} RQ worker process(es), "
            f"instant stand-in, batches of {args.batch}; load {found['load']} | worker process "
            f"**{found['worker_peak'] / 2**20:.0f} MB**, work horse **{found['horse_peak'] / 2**20:.0f} MB** "
            f"({found['samples']} samples; run {found['rate']:,.0f} msg/s, {time.perf_counter() - started:.0f} s "
            f"with setup) | the same at 100k and 1M | `{command.strip()}` |",
            flush=True,
        )


if __name__ == "__main__":
    main()
