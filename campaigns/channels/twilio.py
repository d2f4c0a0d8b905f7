"""TwilioChannel: the SMS port over Twilio's Messages API, through the official `twilio` library.

Every request carries an explicit timeout and is never retried by the HTTP layer (a blind retry could send a
message twice). Twilio's errors are classified by `classify_twilio_error`; transport errors are `retry` when the
request certainly never reached Twilio (connection refused, connect timeout, TLS handshake) and `ambiguous`
otherwise (read timeout, connection dropped after the request went out).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

from campaigns.channels.base import LookupResult, OutgoingSms, SendResult
from campaigns.channels.twilio_errors import classify_twilio_error

log = logging.getLogger(__name__)
# The twilio library logs query strings (phone numbers) at INFO; its requests log here, at WARNING and above only.
HTTP_LOG = logging.getLogger("campaigns.channels.twilio.http")
HTTP_LOG.setLevel(logging.WARNING)

LOOKUP_LIMIT = 50
MAX_RETRY_AFTER_SECONDS = 3600.0


class TwilioChannel:
    """An SMS channel that sends through Twilio from one number or one Messaging Service.

    Safe to share between threads: the Retry-After of a throttled answer is remembered per thread.
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

    def send_sms(self, message: OutgoingSms) -> SendResult:
        sender = {"from_": self.from_number} if self.from_number else {}
        if self.messaging_service_sid:
            sender["messaging_service_sid"] = self.messaging_service_sid
        if message.status_callback_url:
            sender["status_callback"] = message.status_callback_url
        self._answers.retry_after = self._answers.error_body = None
        try:
            created = self._messages.create(to=message.to, body=message.body, **sender)
        except (TwilioException, requests.RequestException, ValueError) as exc:
            result = self._classify(exc)
            log.info("twilio send of outbox %s: %s %s", message.outbox_id, result.outcome, result.error_code)
            return result
        return SendResult("accepted", provider_sid=created.sid)

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

    def _is_ours(self, item) -> bool:
        if not str(item.direction or "outbound").startswith("outbound"):
            return False
        if self.messaging_service_sid:
            return item.messaging_service_sid in (None, self.messaging_service_sid)
        return item.from_ == self.from_number

    def _classify(self, exc: Exception) -> SendResult:
        if isinstance(exc, TwilioRestException | TwilioServiceException):
            status = exc.status
            code = exc.code if exc.code != status else None
            text = exc.msg if isinstance(exc, TwilioRestException) else (exc.detail or exc.title)
            problem = _problem_text(getattr(self._answers, "error_body", None))
            if problem and isinstance(exc, TwilioRestException):
                text = f"{text}: {problem}"
            result = classify_twilio_error(status, code, text)
            if result.throttled:
                result = dataclasses.replace(result, retry_after=getattr(self._answers, "retry_after", None))
            return result
        if isinstance(exc, requests.ConnectionError) and _never_reached_twilio(exc):
            return SendResult("retry", error_code="connect_error", error_message=_describe(exc))
        if isinstance(exc, requests.Timeout):
            return SendResult("ambiguous", error_code="timeout", error_message=_describe(exc))
        return SendResult("ambiguous", error_code="transport_error", error_message=_describe(exc))

    def _remember_answer(self, response: requests.Response, *args, **kwargs) -> None:
        self._answers.retry_after = parse_retry_after(response.headers.get("Retry-After"))
        self._answers.error_body = response.text[:2000] if response.status_code >= 400 else None


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (a number of seconds or an HTTP date), capped at one hour."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


def _never_reached_twilio(exc: requests.ConnectionError) -> bool:
    if isinstance(exc, requests.ConnectTimeout | requests.exceptions.SSLError):
        return True
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


def _problem_text(body: str | None) -> str | None:
    """What an error body without Twilio's `message` says: an RFC 9457 problem's details (a stand-in answers so)."""
    try:
        payload = json.loads(body or "")
    except ValueError:
        return None
    if not isinstance(payload, dict) or "message" in payload:
        return None
    items = [item for item in payload.get("validation") or payload.get("errors") or [] if isinstance(item, dict)]
    details = "; ".join(str(item["message"]) for item in items if item.get("message"))
    return details or payload.get("detail") or payload.get("title")


def _created_since(created: datetime | None, since: datetime) -> bool:
    return created is None or created >= since


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]
