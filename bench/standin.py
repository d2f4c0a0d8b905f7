"""A stand-in for Twilio's Messages API on 127.0.0.1, fast enough never to be the bottleneck of a benchmark.

It answers POST /2010-04-01/Accounts/{sid}/Messages.json with 201 and a Twilio-shaped message (a unique sid,
status `queued`) after `--latency` seconds, with at most `--limit` requests in flight: requests beyond that wait,
first come first served, like an account at Twilio's default concurrency (about 150 ms a request and 100 in
flight is a ceiling of about 660 messages/s). GET /stats answers the counters as JSON, POST /reset zeroes them.
It is a bare asyncio protocol (HTTP/1.1 with keep-alive, Content-Length bodies), run in its own process:

    python bench/standin.py [--port 0] [--latency 0.15] [--limit 100]     # prints its URL, serves until killed
    python bench/standin.py --check [--seconds 10]                        # its capacity with a raw aiohttp loop

Other scripts start it with `StandIn(latency, limit)` (a context manager around the subprocess).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from email.utils import formatdate
from urllib.parse import parse_qs

MESSAGES_SUFFIX = b"/Messages.json"


class Counters:
    def __init__(self):
        self.accepted = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.max_waiting = 0
        self.prefix = os.urandom(4).hex()


class Server:
    """The shared state: the in-flight limit, the queue of waiting requests and the counters."""

    def __init__(self, latency: float, limit: int):
        self.latency = latency
        self.limit = limit
        self.waiting: collections.deque = collections.deque()
        self.counters = Counters()
        self.loop = asyncio.get_running_loop()

    def admit(self, connection: Connection, request: tuple) -> None:
        if self.counters.in_flight < self.limit:
            self._start(connection, request)
        else:
            self.waiting.append((connection, request))
            self.counters.max_waiting = max(self.counters.max_waiting, len(self.waiting))

    def _start(self, connection: Connection, request: tuple) -> None:
        counters = self.counters
        counters.in_flight += 1
        counters.max_in_flight = max(counters.max_in_flight, counters.in_flight)
        if self.latency > 0:
            self.loop.call_later(self.latency, self._finish, connection, request)
        else:
            self._finish(connection, request)

    def _finish(self, connection: Connection, request: tuple) -> None:
        self.counters.in_flight -= 1
        connection.answer(*self.respond(*request))
        while self.waiting and self.counters.in_flight < self.limit:
            self._start(*self.waiting.popleft())

    def respond(self, method: bytes, path: bytes, body: bytes, authorized: bool) -> tuple[int, bytes]:
        counters = self.counters
        if path == b"/stats":
            keys = ("accepted", "in_flight", "max_in_flight", "max_waiting")
            return 200, json.dumps({key: getattr(counters, key) for key in keys}).encode()
        if path == b"/reset" and method == b"POST":
            fresh = Counters()
            fresh.in_flight = counters.in_flight
            self.counters = fresh
            return 200, b"{}"
        if method != b"POST" or not path.startswith(b"/2010-04-01/Accounts/") or not path.endswith(MESSAGES_SUFFIX):
            return 404, b'{"code": 20404, "message": "The requested resource was not found", "status": 404}'
        if not authorized:
            return 401, b'{"code": 20003, "message": "Authentication Error - No credentials provided", "status": 401}'
        counters.accepted += 1
        form = parse_qs(body.decode())
        account = path.split(b"/")[3].decode()
        sid = f"SM{counters.prefix}{counters.accepted:024x}"
        now = formatdate(usegmt=True)
        message = {
            "account_sid": account,
            "api_version": "2010-04-01",
            "body": form.get("Body", [""])[0],
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": form.get("From", [None])[0],
            "messaging_service_sid": form.get("MessagingServiceSid", [None])[0],
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "queued",
            "subresource_uris": {"media": f"/2010-04-01/Accounts/{account}/Messages/{sid}/Media.json"},
            "to": form.get("To", [""])[0],
            "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json",
        }
        return 201, json.dumps(message).encode()


REASONS = {200: b"OK", 201: b"CREATED", 401: b"UNAUTHORIZED", 404: b"NOT FOUND"}


class Connection(asyncio.Protocol):
    """One client connection: parses requests one at a time (clients here never pipeline) and answers in order."""

    def __init__(self, server: Server):
        self.server = server
        self.buffer = bytearray()
        self.busy = False
        self.keep_alive = True
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def connection_lost(self, exc) -> None:
        self.transport = None

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._next()

    def _next(self) -> None:
        if self.busy:
            return
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end]).split(b"\r\n")
        method, path, _ = head[0].split(b" ", 2)
        length, authorized, self.keep_alive = 0, False, True
        for line in head[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"authorization":
                authorized = True
            elif name == b"connection" and value.strip().lower() == b"close":
                self.keep_alive = False
        if len(self.buffer) < end + 4 + length:
            return
        body = bytes(self.buffer[end + 4 : end + 4 + length])
        del self.buffer[: end + 4 + length]
        self.busy = True
        self.server.admit(self, (method, path.split(b"?", 1)[0], body, authorized))

    def answer(self, status: int, payload: bytes) -> None:
        self.busy = False
        if self.transport is None:
            return
        self.transport.write(
            b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: %s\r\n\r\n%s"
            % (status, REASONS[status], len(payload), b"keep-alive" if self.keep_alive else b"close", payload)
        )
        if not self.keep_alive:
            self.transport.close()
            return
        self._next()


async def serve(port: int, latency: float, limit: int) -> None:
    server = Server(latency, limit)
    listener = await server.loop.create_server(lambda: Connection(server), "127.0.0.1", port, backlog=4096)
    print(f"http://127.0.0.1:{listener.sockets[0].getsockname()[1]}", flush=True)
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        server.loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    listener.close()


class StandIn:
    """The stand-in in a subprocess: `with StandIn(latency=0.15) as standin: standin.url, standin.stats()`."""

    def __init__(self, latency: float = 0.0, limit: int = 100):
        self.latency = latency
        self.limit = limit
        self.process: subprocess.Popen | None = None
        self.url = ""

    def __enter__(self) -> StandIn:
        command = [sys.executable, __file__, "--latency", str(self.latency), "--limit", str(self.limit)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        self.url = self.process.stdout.readline().strip()
        if not self.url.startswith("http://"):
            self.process.kill()
            raise RuntimeError("the stand-in did not start")
        return self

    def __exit__(self, *exc) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(10)

    def stats(self) -> dict:
        with urllib.request.urlopen(self.url + "/stats", timeout=10) as answer:
            return json.loads(answer.read())

    def reset(self) -> None:
        urllib.request.urlopen(urllib.request.Request(self.url + "/reset", method="POST"), timeout=10).close()

    def cpu_seconds(self) -> float:
        import psutil

        times = psutil.Process(self.process.pid).cpu_times()
        return times.user + times.system


async def raw_aiohttp_loop(url: str, seconds: float, concurrency: int) -> int:
    """Plain aiohttp POSTs (no twilio library) from `concurrency` coroutines for `seconds`; returns the count."""
    import aiohttp

    target = f"{url}/2010-04-01/Accounts/AC{'1' * 32}/Messages.json"
    form = {"To": "+8613800000001", "From": "+15005550006", "Body": "请在10点前报告今日情况，无事回复0。"}
    done = 0
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)
    headers = {"Authorization": aiohttp.encode_basic_auth("AC", "token")}
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def client() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                async with session.post(target, data=form) as response:
                    await response.read()
                    assert response.status == 201, response.status
                done += 1

        await asyncio.gather(*(client() for _ in range(concurrency)))
    return done


def check(seconds: float, concurrency: int, latency: float) -> None:
    with StandIn(latency=latency, limit=100) as standin:
        start = time.perf_counter()
        done = asyncio.run(raw_aiohttp_loop(standin.url, seconds, concurrency))
        elapsed = time.perf_counter() - start
        stats = standin.stats()
        cpu = standin.cpu_seconds()
    assert stats["accepted"] == done, (stats, done)
    print(
        f"| stand-in, {latency * 1000:g} ms, limit 100 | raw aiohttp loop (no twilio library), "
        f"{concurrency} in flight, one process, {seconds:g} s | {done / elapsed:,.0f} req/s; "
        f"stand-in CPU {cpu / elapsed:.0%} of a core, "
        f"{cpu / done * 1e6:.0f} µs a request (capacity ~{done / cpu:,.0f} req/s a core) | well over 2,000 req/s "
        f"| `python bench/standin.py --check --latency {latency:g} --seconds {seconds:g}` |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each answer (0.15 like Twilio)")
    parser.add_argument("--limit", type=int, default=100, help="requests in flight at most; the rest wait")
    parser.add_argument("--check", action="store_true", help="measure the stand-in with a raw aiohttp loop")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=100)
    args = parser.parse_args()
    if args.check:
        check(args.seconds, args.concurrency, args.latency)
    else:
        asyncio.run(serve(args.port, args.latency, args.limit))


if __name__ == "__main__":
    main()
