"""A tiny stand-in for Twilio's Messages (and Calls) API that answers what a test scripts, per recipient number.

Prism checks our requests against Twilio's contract but cannot produce Twilio's error codes; this stub can:
Twilio-shaped JSON errors, 429 with Retry-After, 500, answers slower than the client's timeout, and connections
closed without an answer. It serves the list endpoint from `listed` (or fails it with `list_status`).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from tests.servers import LocalHttpServer

ACCOUNT_SID = "AC" + "1" * 32
MESSAGES_PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
CALLS_PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json"


@dataclass(frozen=True)
class Answer:
    """What the stub does for one recipient: answer `status` with `body` and `headers`, maybe after `delay`
    seconds, or close the connection without answering."""

    status: int = 201
    body: dict | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    close: bool = False


def twilio_error(status: int, code: int, message: str, **headers: str) -> Answer:
    """An error answer shaped like Twilio's."""
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return Answer(status=status, body=body, headers=headers)


def listed_message(sid: str, to: str, body: str, created, *, from_: str = "+15005550006", **extra) -> dict:
    """One message as Twilio's list endpoint shows it."""
    return {
        "sid": sid,
        "account_sid": ACCOUNT_SID,
        "to": to,
        "from": from_,
        "body": body,
        "status": extra.pop("status", "sent"),
        "direction": extra.pop("direction", "outbound-api"),
        "date_created": format_datetime(created, usegmt=True),
        "messaging_service_sid": extra.pop("messaging_service_sid", None),
        **extra,
    }


class TwilioStub(LocalHttpServer):
    """A Twilio Messages API stand-in on 127.0.0.1, in a thread; `url` is its base URL."""

    def __init__(self):
        self.answers: dict[str, Answer] = {}
        self.listed: list[dict] = []
        self.list_status: int | None = None
        self.requests: list[tuple[str, str, dict[str, list[str]]]] = []
        super().__init__(self._handler())

    def _handler(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode("utf-8"))
                stub.requests.append(("POST", self.path, form))
                path = urlsplit(self.path).path
                if path not in (MESSAGES_PATH, CALLS_PATH):
                    return self._json(404, {"code": 20404, "message": "not found", "status": 404})
                answer = stub.answers.get(form.get("To", [""])[0], Answer())
                time.sleep(answer.delay)
                if answer.close:
                    self.close_connection = True
                    return
                kind = "CA" if path == CALLS_PATH else "SM"
                body = answer.body or {"sid": f"{kind}{len(stub.requests):032d}", "status": "queued"}
                self._json(answer.status, body, answer.headers)

            def do_GET(self):
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                stub.requests.append(("GET", self.path, query))
                if parts.path not in (MESSAGES_PATH, CALLS_PATH):
                    return self._json(404, {"code": 20404, "message": "not found", "status": 404})
                if stub.list_status:
                    return self._json(stub.list_status, {"code": 20500, "message": "list failed", "status": 500})
                to = query.get("To", [None])[0]
                key = "calls" if parts.path == CALLS_PATH else "messages"
                items = [item for item in stub.listed if to is None or item["to"] == to]
                self._json(200, {key: items, "next_page_uri": None, "page": 0, "page_size": 50})

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
                    pass  # the client gave up waiting (the timeout tests)

            def log_message(self, format, *args):
                pass

        return Handler
