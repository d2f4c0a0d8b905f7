"""A fault-injecting stand-in for Twilio's Messages API, for the fault tests.

A threaded HTTP server on 127.0.0.1 that the official twilio client talks to (TWILIO_API_BASE). It answers a create
(POST .../Messages.json) with 201 and a Twilio-shaped message (a unique sid, status `queued`) and a list (GET with
To/From filters) with the messages it accepted, newest first. It records every message it ACCEPTED, with the outbox
id from the `?o=` of its StatusCallback, and can be scripted per recipient number: the n-th create for a number
gets the n-th fault of that number's script, then a plain accept. Faults:

- `500`: answer 500 before accepting (nothing recorded);
- `500_after`: accept (recorded), then answer 500;
- `429`: answer 429 with Retry-After (nothing recorded);
- `slow`: accept (recorded), then answer only after the client's timeout;
- `close`: close the connection without an answer (nothing recorded);
- `close_after`: accept (recorded), then close the connection without an answer;
- `21211`: refuse the number as Twilio does, with an error message that quotes it (never drawn by `seeded_scripts`).

Lookups can be scripted the same way (`list_scripts`, fault `500`). `seeded_scripts` draws scripts from a seed.
"""

from __future__ import annotations

import itertools
import json
import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from tests.servers import LocalHttpServer

ACCOUNT_SID = "AC" + "5" * 32
AUTH_TOKEN = "standin-auth-token"
FROM_NUMBER = "+15005550006"
MESSAGES_PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
SEND_FAULTS = ("500", "500_after", "429", "slow", "close", "close_after")
ACCEPTING = {"ok", "500_after", "slow", "close_after"}


@dataclass(frozen=True)
class Accepted:
    """One message the stand-in accepted."""

    sid: str
    outbox_id: int | None
    to: str
    body: str
    created: datetime
    fault: str = "ok"


def seeded_scripts(numbers: Iterable[str], seed: int, fault_rate: float, max_faults: int = 4) -> dict[str, list[str]]:
    """Per number, a run of faults drawn from `seed`: each create fails with probability `fault_rate`."""
    rng = random.Random(seed)
    scripts = {}
    for number in numbers:
        script = []
        while len(script) < max_faults and rng.random() < fault_rate:
            script.append(rng.choice(SEND_FAULTS))
        if script:
            scripts[number] = script
    return scripts


class ProviderStandIn(LocalHttpServer):
    """The stand-in, serving in a thread while used as a context manager; `url` is its base URL."""

    def __init__(self, client_timeout: float, retry_after: int = 1):
        self.client_timeout = client_timeout
        self.retry_after = retry_after
        self.scripts: dict[str, list[str]] = {}
        self.list_scripts: dict[str, list[str]] = {}
        self.on_accept: Callable[[Accepted], None] | None = None
        self.accepted: list[Accepted] = []
        self.creates: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self.lookups = 0
        self._lists: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._sids = itertools.count(1)
        self._prefix = f"{random.getrandbits(32):08x}"
        super().__init__(self._handler(), backlog=128)  # sixteen senders at once must never see a refused connect

    def accepted_by_outbox(self) -> dict[int | None, list[Accepted]]:
        """Every accepted message, grouped by the outbox id of its status callback."""
        grouped: dict[int | None, list[Accepted]] = defaultdict(list)
        with self._lock:
            for item in self.accepted:
                grouped[item.outbox_id].append(item)
        return grouped

    def _next_fault(self, scripts: dict[str, list[str]], counter: Counter[str], to: str) -> str:
        with self._lock:
            attempt = counter[to]
            counter[to] += 1
            script = scripts.get(to, [])
            return script[attempt] if attempt < len(script) else "ok"

    def _accept(self, form: dict[str, list[str]], fault: str) -> Accepted:
        callback = form.get("StatusCallback", [""])[0]
        outbox = parse_qs(urlsplit(callback).query).get("o", [None])[0]
        with self._lock:
            item = Accepted(
                sid=f"SM{self._prefix}{next(self._sids):024x}",
                outbox_id=int(outbox) if outbox else None,
                to=form["To"][0],
                body=form.get("Body", [""])[0],
                created=datetime.now(UTC),
                fault=fault,
            )
            self.accepted.append(item)
        if self.on_accept:
            self.on_accept(item)
        return item

    def _listed(self, to: str | None, from_: str | None) -> list[dict]:
        with self._lock:
            items = [item for item in self.accepted if to is None or item.to == to]
        if from_ not in (None, FROM_NUMBER):
            items = []
        return [_message_json(item) for item in reversed(items)]

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode("utf-8"))
                if urlsplit(self.path).path != MESSAGES_PATH or "To" not in form:
                    return self._json(404, _error(404, 20404, "not found"))
                to = form["To"][0]
                fault = standin._next_fault(standin.scripts, standin.creates, to)
                with standin._lock:
                    standin.faults[fault] += 1
                if fault == "500":
                    return self._json(500, _error(500, 20500, "Internal Server Error"))
                if fault == "429":
                    body = _error(429, 20429, "Too Many Requests")
                    return self._json(429, body, {"Retry-After": str(standin.retry_after)})
                if fault == "close":
                    self.close_connection = True
                    return
                if fault == "21211":
                    return self._json(400, _error(400, 21211, f"The 'To' number {to} is not a valid phone number."))
                item = standin._accept(form, fault)
                if fault == "500_after":
                    return self._json(500, _error(500, 20500, "Internal Server Error"))
                if fault == "close_after":
                    self.close_connection = True
                    return
                if fault == "slow":
                    time.sleep(standin.client_timeout + 1.0)
                self._json(201, _message_json(item))

            def do_GET(self):
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                if parts.path != MESSAGES_PATH:
                    return self._json(404, _error(404, 20404, "not found"))
                to = query.get("To", [None])[0]
                with standin._lock:
                    standin.lookups += 1
                if to and standin._next_fault(standin.list_scripts, standin._lists, to) == "500":
                    return self._json(500, _error(500, 20500, "Internal Server Error"))
                messages = standin._listed(to, query.get("From", [None])[0])
                size = int(query.get("PageSize", ["50"])[0])
                body = {"messages": messages[:size], "next_page_uri": None, "page": 0, "page_size": size}
                self._json(200, body)

            def _json(self, status: int, body: dict, headers: dict[str, str] | None = None):
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the `slow` fault)

            def log_message(self, format, *args):
                pass

        return Handler


def _message_json(item: Accepted) -> dict:
    return {
        "sid": item.sid,
        "account_sid": ACCOUNT_SID,
        "to": item.to,
        "from": FROM_NUMBER,
        "body": item.body,
        "status": "queued",
        "direction": "outbound-api",
        "num_segments": "1",
        "date_created": format_datetime(item.created, usegmt=True),
        "date_updated": format_datetime(item.created, usegmt=True),
        "date_sent": None,
        "messaging_service_sid": None,
        "api_version": "2010-04-01",
        "uri": f"{MESSAGES_PATH[:-5]}/{item.sid}.json",
    }


def _error(status: int, code: int, message: str) -> dict:
    more_info = f"https://www.twilio.com/docs/errors/{code}"
    return {"code": code, "message": message, "more_info": more_info, "status": status}
