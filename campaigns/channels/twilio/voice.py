"""Voice calls through Twilio's Calls API, for TwilioChannel: `place_call` and `find_call`.

A call is created with `url` = our TwiML URL (Twilio fetches it when the phone answers), `status_callback` = our
call status URL with the events initiated, ringing, answered and completed, both POSTed and both carrying our outbox
id and the attempt. Errors are classified exactly like an SMS send's (`TwilioChannel._classify`), so the outbox
treats a call like a message: accepted, retry, failed or ambiguous.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import requests
from twilio.base.exceptions import TwilioException

from campaigns.channels.base import CallsInThreads, LookupResult, OutgoingCall, SendResult

log = logging.getLogger("campaigns.channels.twilio.channel")

STATUS_CALLBACK_EVENTS = ["initiated", "ringing", "answered", "completed"]
LOOKUP_LIMIT = 50


class TwilioCalls(CallsInThreads):
    """The voice half of TwilioChannel (which sets `_calls`, `from_number`, `_answers` and `_classify`); its calls are
    placed from a pool of threads (`place_many`)."""

    ring_seconds: int = 30
    from_number: str | None
    _calls: Any  # twilio's CallList (the library ships no type hints)
    _answers: threading.local
    _classify: Callable[[Exception], SendResult]

    def place_call(self, call: OutgoingCall) -> SendResult:
        """Ask Twilio to place `call`; its answer is classified like an SMS send's."""
        if not self.from_number:
            return SendResult(
                "failed", error_code="no_caller_id", configuration_error=True,
                error_message="voice calls need TWILIO_FROM_NUMBER (a Messaging Service cannot place calls)",
            )  # fmt: skip
        if not call.twiml_url:
            return SendResult("failed", error_code="no_twiml_url", configuration_error=True,
                              error_message="the call has no TwiML URL")  # fmt: skip
        self._answers.retry_after = self._answers.error_body = None
        try:
            created = self._calls.create(**self._call_arguments(call))
        except (TwilioException, requests.RequestException, ValueError) as exc:
            result = self._classify(exc)
            log.info("twilio call of outbox %s: %s %s", call.outbox_id, result.outcome, result.error_code)
            return result
        return SendResult("accepted", provider_sid=created.sid)

    def _call_arguments(self, call: OutgoingCall) -> dict[str, Any]:
        arguments: dict[str, Any] = {"to": call.to, "from_": self.from_number, "url": call.twiml_url, "method": "POST",
                     "timeout": self.ring_seconds}  # fmt: skip
        if call.status_callback_url:
            arguments |= {
                "status_callback": call.status_callback_url,
                "status_callback_event": STATUS_CALLBACK_EVENTS,
                "status_callback_method": "POST",
            }
        return arguments

    def find_call(self, call: OutgoingCall, since: datetime) -> LookupResult:
        """Look through the latest calls Twilio has from our number to `call.to` (one page of 50, newest first),
        created since `since`.

        Calls carry no text to compare, so any outbound call to that number since `since` counts as this one: the
        reconciler asks from shortly before the attempt, and attempts are the call retry delay apart. A full page
        without a match cannot rule anything out (None).
        """
        since = since if since.tzinfo else since.replace(tzinfo=UTC)
        try:
            listed = list(self._calls.page(to=call.to, from_=self.from_number, page_size=LOOKUP_LIMIT))
        except (TwilioException, requests.RequestException, ValueError) as exc:
            log.info("twilio call lookup of outbox %s failed: %s", call.outbox_id, type(exc).__name__)
            return LookupResult(found=None)
        for item in listed:
            outbound = str(item.direction or "outbound").startswith("outbound")
            if outbound and (item.date_created is None or item.date_created >= since):
                return LookupResult(found=True, provider_sid=item.sid, status=str(item.status or "") or None)
        if len(listed) >= LOOKUP_LIMIT:
            return LookupResult(found=None)
        return LookupResult(found=False)
