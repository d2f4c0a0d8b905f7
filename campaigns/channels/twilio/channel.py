"""TwilioChannel: the SMS port over Twilio's Messages API, through the official `twilio` library.

Every request carries an explicit timeout and is never retried by the HTTP layer (a blind retry could send a
message twice). Twilio's errors are classified by `classify_twilio_error`; transport errors are `retry` when the
request certainly never reached Twilio (connection refused, connect timeout, TLS handshake) and `ambiguous`
otherwise (read timeout, connection dropped after the request went out).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.async_http_client import AsyncHttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

from campaigns.channels.base import BaseSmsChannel, LookupResult, OutgoingSms, SendResult
from campaigns.channels.twilio.errors import classify_rest_exception, parse_retry_after
from campaigns.channels.twilio.send_many import AsyncSender, TwilioAsyncHttpClient
from campaigns.channels.twilio.voice import TwilioCalls

__all__ = ["HTTP_LOG", "TwilioChannel", "parse_retry_after"]

log = logging.getLogger(__name__)
# The twilio library logs query strings (phone numbers) at INFO; its requests log here, at WARNING and above only.
HTTP_LOG = logging.getLogger("campaigns.channels.twilio.channel.http")
HTTP_LOG.setLevel(logging.WARNING)

LOOKUP_LIMIT = 50


class TwilioChannel(BaseSmsChannel, TwilioCalls):
    """An SMS channel that sends through Twilio from one number or one Messaging Service, and places voice calls
    from the number (`place_call`, `find_call` in voice.py).

    Safe to share between threads: the Retry-After of a throttled answer is remembered per thread. `send_many`
    sends through twilio's async client instead, many requests at once from one thread (see send_many.py).
    """

    name = "twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        timeout: float = 15.0,
        http_client: TwilioHttpClient | None = None,
        async_http_client: Callable[[], AsyncHttpClient] | None = None,
        ring_seconds: int = 30,
    ):
        if not (from_number or messaging_service_sid):
            raise ValueError("TwilioChannel needs a from number or a messaging service sid")
        if timeout <= 0:
            raise ValueError("the provider timeout must be positive")
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid
        self.timeout = timeout
        self.http_client = http_client or TwilioHttpClient(timeout=timeout, logger=HTTP_LOG)
        self.http_client.timeout = timeout
        self._answers = threading.local()
        self.http_client.request_hooks.setdefault("response", []).append(self._remember_answer)
        client = Client(account_sid, auth_token, http_client=self.http_client)
        self._messages = client.api.v2010.accounts(account_sid).messages
        self._calls = client.api.v2010.accounts(account_sid).calls
        self.ring_seconds = ring_seconds
        stand_in = getattr(self.http_client, "base_url", None)  # a StandInHttpClient's: the async client goes there too
        make_async_client = async_http_client or (lambda: TwilioAsyncHttpClient(timeout, base_url=stand_in))
        self._async = AsyncSender(account_sid, auth_token, make_async_client, self._create_arguments)

    def send_sms(self, message: OutgoingSms) -> SendResult:
        self._answers.retry_after = self._answers.error_body = None
        try:
            created = self._messages.create(**self._create_arguments(message))
        except (TwilioException, requests.RequestException, ValueError) as exc:
            result = self._classify(exc)
            log.info("twilio send of outbox %s: %s %s", message.outbox_id, result.outcome, result.error_code)
            return result
        return SendResult("accepted", provider_sid=created.sid)

    def send_many(self, messages: Iterable[OutgoingSms], concurrency: int) -> Iterator[tuple[OutgoingSms, SendResult]]:
        """Send `messages` through twilio's async client, up to `concurrency` requests in flight; yields each
        (message, result) as its answer comes. The next message is taken from `messages` only when a request can
        start, in the caller's thread, so the caller may pace and prepare each one just in time."""
        return self._async.send_many(messages, concurrency)

    def close(self) -> None:
        """Stop the async client's loop and close its connections (the synchronous client needs nothing)."""
        self._async.close()

    def _create_arguments(self, message: OutgoingSms) -> dict[str, str]:
        arguments = {"to": message.to, "body": message.body}
        if self.from_number:
            arguments["from_"] = self.from_number
        if self.messaging_service_sid:
            arguments["messaging_service_sid"] = self.messaging_service_sid
        if message.status_callback_url:
            arguments["status_callback"] = message.status_callback_url
        return arguments

    def find_sms(self, message: OutgoingSms, since: datetime) -> LookupResult:
        """Look through the latest messages Twilio has to `message.to` for this body, created since `since`.

        The lookup filters on creation time itself: a message still queued at Twilio has no send date yet, so a
        DateSent filter would miss exactly the messages it is looking for. A full page without a match cannot
        rule anything out, so it answers None.
        """
        since = since if since.tzinfo else since.replace(tzinfo=UTC)
        sender = {"from_": self.from_number} if self.from_number and not self.messaging_service_sid else {}
        try:
            listed = self._messages.list(to=message.to, limit=LOOKUP_LIMIT, page_size=LOOKUP_LIMIT, **sender)
        except (TwilioException, requests.RequestException, ValueError) as exc:
            log.info("twilio lookup of outbox %s failed: %s", message.outbox_id, type(exc).__name__)
            return LookupResult(found=None)
        for item in listed:
            if self._is_ours(item) and item.body == message.body and _created_since(item.date_created, since):
                return LookupResult(found=True, provider_sid=item.sid, status=str(item.status or "") or None)
        if len(listed) >= LOOKUP_LIMIT:
            return LookupResult(found=None)
        return LookupResult(found=False)

    def _is_ours(self, item: Any) -> bool:
        if not str(item.direction or "outbound").startswith("outbound"):
            return False
        if self.messaging_service_sid:
            return item.messaging_service_sid in (None, self.messaging_service_sid)
        return bool(item.from_ == self.from_number)

    def _classify(self, exc: Exception) -> SendResult:
        if isinstance(exc, TwilioRestException | TwilioServiceException):
            answers = self._answers
            return classify_rest_exception(
                exc, getattr(answers, "retry_after", None), getattr(answers, "error_body", None)
            )
        if isinstance(exc, requests.ConnectionError) and _never_reached_twilio(exc):
            return SendResult("retry", error_code="connect_error", error_message=_describe(exc))
        if isinstance(exc, requests.Timeout):
            return SendResult("ambiguous", error_code="timeout", error_message=_describe(exc))
        return SendResult("ambiguous", error_code="transport_error", error_message=_describe(exc))

    def _remember_answer(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._answers.retry_after = parse_retry_after(response.headers.get("Retry-After"))
        self._answers.error_body = response.text[:2000] if response.status_code >= 400 else None


def _never_reached_twilio(exc: requests.ConnectionError) -> bool:
    if isinstance(exc, requests.ConnectTimeout | requests.exceptions.SSLError):
        return True
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


def _created_since(created: datetime | None, since: datetime) -> bool:
    return created is None or created >= since


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]
