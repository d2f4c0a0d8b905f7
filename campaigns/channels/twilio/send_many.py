"""Many sends at once through twilio's async client (`messages.create_async` over aiohttp), for TwilioChannel.

An asyncio loop runs in a daemon thread of the process, started on first use (and again in a forked child, which
never touches its parent's loop). The caller's thread feeds it: it takes the next message only when fewer than
`concurrency` requests are in flight, so it can pace and prepare each send just in time, and it gets each result
as it comes. Like the synchronous client, every request has explicit connect and read timeouts and is never
retried; errors are classified the same way, transport errors with aiohttp's exception types.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import os
import queue
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import aiohttp
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.async_http_client import AsyncHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from campaigns.channels.base import OutgoingSms, SendResult
from campaigns.channels.twilio.errors import classify_rest_exception, parse_retry_after

log = logging.getLogger("campaigns.channels.twilio.channel")

# (Retry-After seconds, error body) of the last answer in this task: each send runs in a task of its own.
_last_answer: ContextVar[tuple[float | None, str | None]] = ContextVar("twilio_last_answer", default=(None, None))


FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


def form_body(fields: dict[str, Any]) -> bytes:
    """Twilio's request parameters as a form body (a list value repeats its name), encoded as aiohttp would, without
    the multipart writer and the random boundary aiohttp builds for every dict it is given."""
    return urlencode(list(fields.items()), doseq=True).encode()


class TwilioAsyncHttpClient(AsyncHttpClient):  # type: ignore[misc]  # twilio ships no type hints
    """twilio's async HTTP client over one aiohttp session: connect and read timeouts of `timeout` seconds on
    every request, no retries, no connection limit (the sender bounds what is in flight), and with `base_url` every
    request goes to that local stand-in (e.g. http://127.0.0.1:4010) instead of *.twilio.com."""

    def __init__(self, timeout: float = 15.0, base_url: str | None = None):
        super().__init__(logging.getLogger("campaigns.channels.twilio.channel.http"), True, timeout)
        self.base = urlsplit(base_url) if base_url else None
        if self.base is not None and (self.base.scheme not in ("http", "https") or not self.base.netloc):
            raise ValueError(f"base URL {base_url!r} must look like http://host:port")
        self._session: aiohttp.ClientSession | None = None

    def rewrite(self, url: str) -> str:
        if self.base is None:
            return url
        parts = urlsplit(url)
        path = self.base.path.rstrip("/") + parts.path
        return urlunsplit((self.base.scheme, self.base.netloc, path, parts.query, ""))

    async def request(self, method: str, url: str, params: Any = None, data: Any = None,
                      headers: dict[str, str] | None = None, auth: tuple[str, str] | None = None,
                      timeout: float | None = None, allow_redirects: bool = False) -> Response:  # fmt: skip
        if self._session is None:
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        seconds = timeout or self.timeout
        headers = dict(headers or {})
        if auth is not None:
            headers["Authorization"] = "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        if isinstance(data, dict):
            data = form_body(data)
            headers["Content-Type"] = FORM_CONTENT_TYPE
        async with self._session.request(
            method.upper(),
            self.rewrite(url),
            params=params,
            data=data,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=seconds, sock_read=seconds),
            allow_redirects=allow_redirects,
        ) as answer:
            text = await answer.text()
        error_body = text[:2000] if answer.status >= 400 else None
        _last_answer.set((parse_retry_after(answer.headers.get("Retry-After")), error_body))
        return Response(answer.status, text, answer.headers)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


class AsyncSender:
    """The loop thread, the async twilio account client built in it, and `send_many` for TwilioChannel."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        make_http_client: Callable[[], AsyncHttpClient],
        create_arguments: Callable[[OutgoingSms], dict[str, str]],
    ) -> None:
        self._credentials = (account_sid, auth_token)
        self._make_http_client = make_http_client
        self._create_arguments = create_arguments
        self._lock = threading.Lock()
        self._state: _LoopState | None = None

    def send_many(self, messages: Iterable[OutgoingSms], concurrency: int) -> Iterator[tuple[OutgoingSms, SendResult]]:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        state = self._loop_state()
        pending: dict[Future[SendResult], OutgoingSms] = {}
        done: queue.SimpleQueue[Future[SendResult]] = queue.SimpleQueue()
        source = iter(messages)

        def start_more() -> None:
            while len(pending) < concurrency and (message := next(source, None)) is not None:
                future = asyncio.run_coroutine_threadsafe(self._send(state, message), state.loop)
                pending[future] = message
                future.add_done_callback(done.put)

        start_more()
        while pending:
            finished = [done.get()]
            with contextlib.suppress(queue.Empty):
                while True:
                    finished.append(done.get_nowait())
            answered = [(pending.pop(future), future) for future in finished]
            start_more()  # before the caller handles the answers, so that its work overlaps the next sends
            for message, future in answered:
                yield message, future.result()
            start_more()

    def close(self) -> None:
        with self._lock:
            state, self._state = self._state, None
        if state is not None and state.pid == os.getpid():
            state.stop()

    def _loop_state(self) -> _LoopState:
        with self._lock:
            if self._state is None or self._state.pid != os.getpid():
                self._state = _LoopState()
                weakref.finalize(self, self._state.stop)
            return self._state

    async def _send(self, state: _LoopState, message: OutgoingSms) -> SendResult:
        if state.account is None:
            state.http_client = self._make_http_client()
            client = Client(*self._credentials, http_client=state.http_client)
            state.account = client.api.v2010.accounts(self._credentials[0])
        _last_answer.set((None, None))
        try:
            created = await state.account.messages.create_async(**self._create_arguments(message))
        except (TwilioException, aiohttp.ClientError, TimeoutError, ValueError) as exc:
            result = classify_async_error(exc)
            log.info("twilio send of outbox %s: %s %s", message.outbox_id, result.outcome, result.error_code)
            return result
        return SendResult("accepted", provider_sid=created.sid)


class _LoopState:
    """An event loop running in a daemon thread of the process that created it."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.account: Any = None  # twilio's AccountContext, built in the loop
        self.http_client: AsyncHttpClient | None = None
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="twilio-async", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.pid != os.getpid() or self.loop.is_closed():
            return
        if threading.current_thread() is self.thread:
            self.loop.stop()
            return
        if self.http_client is not None:
            asyncio.run_coroutine_threadsafe(self.http_client.close(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


def classify_async_error(exc: Exception) -> SendResult:
    """Classify what `create_async` raised: Twilio's errors by code; transport errors as `retry` when the request
    certainly never left (no connection could be made) and `ambiguous` otherwise (timeout, dropped connection)."""
    if isinstance(exc, TwilioRestException | TwilioServiceException):
        return classify_rest_exception(exc, *_last_answer.get())
    message = f"{type(exc).__name__}: {exc}"[:500]
    if isinstance(exc, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError):
        return SendResult("retry", error_code="connect_error", error_message=message)
    if isinstance(exc, TimeoutError):
        return SendResult("ambiguous", error_code="timeout", error_message=message)
    return SendResult("ambiguous", error_code="transport_error", error_message=message)
