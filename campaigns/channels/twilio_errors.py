"""Twilio's error codes mapped onto send outcomes."""

from __future__ import annotations

from campaigns.channels.base import SendResult

OPTED_OUT = {21610}
BAD_NUMBER = {21211, 21614, 21612, 21217, 21401, 21407}
CONFIGURATION = {21408, 20003, 20404, 21606, 21659, 21602, 21603, 21604, 21608}
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
