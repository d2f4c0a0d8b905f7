"""Inbound SMS webhooks per second: gunicorn serving /twilio/sms with signature checks and database writes, load
from wrk in a second process on loopback.

Every request is a distinct, correctly signed Twilio inbound message (signatures computed beforehand with
twilio's own RequestValidator and replayed by a wrk Lua script), so each one is checked, stored and its
processing job enqueued on the local Redis (database 12, emptied afterwards; no worker runs, so the figure is the
webhook alone). Prints one Markdown row per backend.

    python bench/inbound_webhook.py [--requests 40000] [--seconds 20] [--connections 16] [--workers 4]
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from population import print_each_backend
from redis import Redis
from sqlalchemy import create_engine, text
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
AUTH_TOKEN = "bench-auth-token"
REDIS_URL = "redis://127.0.0.1:6379/12"


def signed_requests(count: int, base_url: str, path: Path) -> None:
    """Write a Lua table of `count` distinct signed form bodies for wrk to replay."""
    validator = RequestValidator(AUTH_TOKEN)
    url = base_url + "/twilio/sms"
    with path.open("w") as out:
        out.write("bodies = {}\nsignatures = {}\n")
        for number in range(count):
            form = {
                "MessageSid": f"SM{number:032x}",
                "AccountSid": "AC" + "0" * 32,
                "From": f"+86138{number % 100_000_000:08d}",
                "To": "+8610690000",
                "Body": "收到" if number % 2 else "0",
                "NumMedia": "0",
            }
            signature = validator.compute_signature(url, form)
            out.write(f"bodies[{number + 1}] = {_lua(urlencode(form))}\nsignatures[{number + 1}] = {_lua(signature)}\n")


def _lua(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


WRK_SCRIPT = """
dofile("{data}")
counter = 0
request = function()
  counter = counter + 1
  local i = ((counter - 1) % #bodies) + 1
  return wrk.format("POST", "/twilio/sms", {{
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Twilio-Signature"] = signatures[i]
  }}, bodies[i])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d errors=%d non2xx=%d p50=%.1f p99=%.1f seconds=%.2f\\n",
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.duration / 1e6))
end
"""


def run(backend: str, args, workdir: Path) -> str:
    port = 8700 + (0 if backend == "sqlite" else 1)
    base_url = f"http://127.0.0.1:{port}"
    if backend == "sqlite":
        database_url, drop = f"sqlite:///{workdir / 'bench.db'}", None
    else:
        name = f"gridcast_bench_inbound_{os.getpid()}"
        admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        database_url, drop = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", name
    env = dict(os.environ, DATABASE_URL=database_url, REDIS_URL=REDIS_URL,
               PUBLIC_BASE_URL=base_url, TWILIO_ACCOUNT_SID="AC" + "0" * 32, TWILIO_AUTH_TOKEN=AUTH_TOKEN,
               TWILIO_FROM_NUMBER="+15005550006", GRIDCAST_VAR_DIR=str(workdir / "var"),
               SECRET_KEY=secrets.token_urlsafe(32))  # fmt: skip
    subprocess.run([sys.executable, "-m", "gateway.cli", "db", "upgrade"], env=env, check=True, capture_output=True)
    data = workdir / f"requests-{backend}.lua"
    signed_requests(args.requests, base_url, data)
    script = workdir / f"wrk-{backend}.lua"
    script.write_text(WRK_SCRIPT.format(data=data))
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
            "gateway.app:create_app()",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        wait_until_answers(base_url + "/healthz")
        load = subprocess.run(
            ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "-s", str(script), base_url],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        Redis.from_url(REDIS_URL).flushdb()
        if drop:
            with create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT").connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{drop}" WITH (FORCE)'))
    found = re.search(r"RESULT requests=(\d+) errors=(\d+) non2xx=(\d+) p50=([\d.]+) p99=([\d.]+) seconds=([\d.]+)",
                      load.stdout)  # fmt: skip
    if not found:
        raise SystemExit(load.stdout + load.stderr)
    requests, errors, non2xx, p50, p99, seconds = found.groups()
    rate = int(requests) / float(seconds)
    load_avg = os.getloadavg()[0]
    return (
        f"| inbound SMS webhooks (signature check + write), gunicorn {args.workers} workers, wrk {args.connections} "
        f"connections | {backend} | {rate:,.0f} req/s, p50 {p50} ms, p99 {p99} ms, {errors} errors, {non2xx} non-2xx "
        f"(load {load_avg:.1f}) | `python bench/inbound_webhook.py` |"
    )


def wait_until_answers(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError as exc:
            if getattr(exc, "code", None) == 503:
                return
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40_000, help="distinct signed requests to replay")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16, help="concurrent requests in flight")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    print_each_backend(args.backend, lambda backend, workdir: run(backend, args, workdir))


if __name__ == "__main__":
    main()
