"""Raw loops of the official twilio client against the stand-in: the yardstick the engine is measured by.

No Gridcast code is involved: a bare `twilio.rest.Client` whose HTTP client rewrites api.twilio.com to the
stand-in, sending the same message over and over for `seconds`, in one process. `sync`: the synchronous client in
`concurrency` threads; `async`: the async client (`AsyncTwilioHttpClient`, `messages.create_async`) with
`concurrency` requests in flight. Run on its own it prints the rows of the table for the styles the issue quotes:

    python bench/raw_clients.py [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
import time
from urllib.parse import urlsplit, urlunsplit

from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

ACCOUNT_SID = "AC" + "a" * 32
MESSAGE = {"to": "+8613800000001", "from_": "+15005550006", "body": "联系人1，请在今天10点前报告本网格情况。"}


def _rewrite(base: str, url: str) -> str:
    target, parts = urlsplit(base), urlsplit(url)
    return urlunsplit((target.scheme, target.netloc, parts.path, parts.query, ""))


class SyncStandIn(TwilioHttpClient):
    def __init__(self, base: str):
        super().__init__(timeout=15)
        self.base = base

    def request(self, method, url, *args, **kwargs):
        return super().request(method, _rewrite(self.base, url), *args, **kwargs)


class AsyncStandIn(AsyncTwilioHttpClient):
    def __init__(self, base: str):
        super().__init__(timeout=15)
        self.base = base

    async def request(self, method, url, *args, **kwargs):
        return await super().request(method, _rewrite(self.base, url), *args, **kwargs)


def raw_rate(style: str, base: str, concurrency: int, seconds: float) -> float:
    """Messages per second the bare twilio client achieves against the stand-in at `base`."""
    if style == "async":
        return asyncio.run(_async_rate(base, concurrency, seconds))
    return _sync_rate(base, concurrency, seconds)


def _sync_rate(base: str, concurrency: int, seconds: float) -> float:
    messages = Client(ACCOUNT_SID, "token", http_client=SyncStandIn(base)).api.v2010.accounts(ACCOUNT_SID).messages
    counts = [0] * concurrency
    deadline = time.perf_counter() + seconds

    def loop(slot: int) -> None:
        while time.perf_counter() < deadline:
            messages.create(**MESSAGE)
            counts[slot] += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=loop, args=(slot,)) for slot in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - start)


async def _async_rate(base: str, concurrency: int, seconds: float) -> float:
    http_client = AsyncStandIn(base)
    messages = Client(ACCOUNT_SID, "token", http_client=http_client).api.v2010.accounts(ACCOUNT_SID).messages
    done = 0
    deadline = time.perf_counter() + seconds

    async def loop() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await messages.create_async(**MESSAGE)
            done += 1

    start = time.perf_counter()
    try:
        await asyncio.gather(*(loop() for _ in range(concurrency)))
    finally:
        await http_client.close()
    return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    from population import load_average
    from standin import StandIn

    command = "python bench/raw_clients.py " + " ".join(sys.argv[1:])
    for latency in (0.15, 0.0):
        with StandIn(latency=latency, limit=100) as standin:
            for style, concurrency in (("sync", 1), ("sync", 32), ("async", 100)):
                load = load_average()
                rate = raw_rate(style, standin.url, concurrency, args.seconds)
                setup = f"{concurrency} thread(s)" if style == "sync" else f"{concurrency} in flight"
                print(
                    f"| raw twilio client, {latency * 1000:g} ms stand-in | {style} client, {setup}, one process, "
                    f"{args.seconds:g} s; load {load} | **{rate:,.1f} msg/s** | yardstick | `{command.strip()}` |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
