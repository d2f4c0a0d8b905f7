"""Twilio's error codes and answers mapped onto send outcomes (for the synchronous and the async client alike)."""

from __future__ import annotations

import dataclasses
import json
import time
from email.utils import parsedate_to_datetime

from twilio.base.exceptions import TwilioRestException, TwilioServiceException

from campaigns.channels.base import SendResult

MAX_RETRY_AFTER_SECONDS = 3600.0

OPTED_OUT = {21610}
BAD_NUMBER = {21211, 21614, 21612, 21217, 21401, 21407, 13223, 13224}  # 1322x: calls
CONFIGURATION = {21408, 20003, 20404, 21606, 21659, 21602, 21603, 21604, 21608, 21210, 21215, 21205}  # 212xx: calls
THROTTLED = {20429, 14107}
CARRIER_TRANSIENT = {30001, 30002, 30003, 30004, 30005, 30006, 30007, 30008, 30017, 30022}


def classify_twilio_error(http_status: int | None, code: int | None, message: str) -> SendResult:
    """Classify a Twilio error: which ones retry, which fail for good and which leave the send in doubt."""
    text = f"{message}"[:500]
    error_code = str(code) if code is not None else (f"http_{http_status}" if http_status else None)
    if code in OPTED_OUT:
        return SendResult("failed", error_code=error_code, error_message=text, recipient_opted_out=True)
    if code in BAD_NUMBER:
        return SendResult("failed", error_code=error_code, error_message=text, bad_number=True)
    if code in CONFIGURATION:
        return SendResult("failed", error_code=error_code, error_message=text, configuration_error=True)
    if code in THROTTLED or http_status == 429:
        return SendResult("retry", error_code=error_code, error_message=text, throttled=True)
    if code in CARRIER_TRANSIENT:
        return SendResult("retry", error_code=error_code, error_message=text)
    if http_status is not None and http_status >= 500:
        return SendResult("ambiguous", error_code=error_code, error_message=text)
    return SendResult("failed", error_code=error_code, error_message=text)


def classify_rest_exception(
    exc: TwilioRestException | TwilioServiceException, retry_after: float | None, error_body: str | None
) -> SendResult:
    """Classify an error answer the twilio library raised, given the answer's Retry-After and error body."""
    status = exc.status
    code = exc.code if exc.code != status else None
    text = exc.msg if isinstance(exc, TwilioRestException) else (exc.detail or exc.title)
    problem = _problem_text(error_body)
    if problem and isinstance(exc, TwilioRestException):
        text = f"{text}: {problem}"
    result = classify_twilio_error(status, code, text)
    if result.throttled:
        result = dataclasses.replace(result, retry_after=retry_after)
    return result


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
