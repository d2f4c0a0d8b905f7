"""The channel port: what the sender needs from any SMS provider.

A send has four outcomes. `accepted`: the provider took it (with its id). `retry`: it certainly did not take it,
try again later. `failed`: it never will (bad number, opted out...). `ambiguous`: it may have taken it (a timeout,
a 5xx): the row stays `sending` until a status callback or `find_sms` settles it, so nothing is sent twice blindly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

Outcome = Literal["accepted", "retry", "failed", "ambiguous"]


@dataclass(frozen=True)
class OutgoingSms:
    """One SMS to send: our outbox id travels in the status callback URL."""

    outbox_id: int
    to: str
    body: str
    status_callback_url: str | None = None


@dataclass(frozen=True)
class SendResult:
    """The provider's answer to one send, already classified."""

    outcome: Outcome
    provider_sid: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    retry_after: float | None = None
    recipient_opted_out: bool = False
    bad_number: bool = False
    configuration_error: bool = False
    throttled: bool = False


@dataclass(frozen=True)
class LookupResult:
    """Whether the provider has a message: True (with its id), False (certainly not), None (cannot tell)."""

    found: bool | None
    provider_sid: str | None = None
    status: str | None = None


class SmsChannel(Protocol):
    """An SMS provider."""

    name: str

    def send_sms(self, message: OutgoingSms) -> SendResult:
        """Hand one SMS to the provider; never raises for provider errors, it classifies them."""
        ...

    def find_sms(self, message: OutgoingSms, since: datetime) -> LookupResult:
        """Look for a message the provider may have accepted, to reconcile an ambiguous send."""
        ...
