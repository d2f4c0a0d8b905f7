"""The channel ports: what the sender needs from any SMS provider (`SmsChannel`) or voice provider (`VoiceChannel`),
the `RateLimiter` that paces them, and the `CallStep` a voice channel plays (campaigns.voice.call_flow decides it).

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
    provider: str | None = None  # the channel that took an earlier attempt (outbox.provider), for reconciliation


@dataclass(frozen=True)
class OutgoingCall:
    """One voice call to place: Twilio fetches its TwiML from `twiml_url` and reports to `status_callback_url`, both
    carrying our outbox id and the attempt number, so a late callback of an earlier attempt changes nothing."""

    outbox_id: int
    attempt: int
    to: str
    language: str
    twiml_url: str | None = None
    status_callback_url: str | None = None


@dataclass(frozen=True)
class CallStep:
    """One answer to the phone: clips to play (SHA-256, times), then a prompt awaiting one key in round
    `next_round`, or a hang-up when `prompt` is None. `confirmed` is True when this step recorded a confirmation."""

    plays: tuple[tuple[str, int], ...]
    prompt: str | None = None
    next_round: int = 0
    confirmed: bool = False


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
    provider: str | None = None  # set by a routed channel: which channel took it (stored in outbox.provider)


@dataclass(frozen=True)
class LookupResult:
    """Whether the provider has a message: True (with its id), False (certainly not), None (cannot tell)."""

    found: bool | None
    provider_sid: str | None = None
    status: str | None = None


class SmsChannel(Protocol):
    """An SMS provider."""

    @property
    def name(self) -> str:
        """The provider's name, stored in outbox.provider."""
        ...

    def send_sms(self, message: OutgoingSms) -> SendResult:
        """Hand one SMS to the provider; never raises for provider errors, it classifies them."""
        ...

    def find_sms(self, message: OutgoingSms, since: datetime) -> LookupResult:
        """Look for a message the provider may have accepted, to reconcile an ambiguous send."""
        ...


class VoiceChannel(Protocol):
    """A provider that places voice calls; a call's outcome is classified exactly like an SMS send's."""

    @property
    def name(self) -> str:
        """The provider's name, stored in outbox.provider."""
        ...

    def place_call(self, call: OutgoingCall) -> SendResult:
        """Ask the provider to place one call; never raises for provider errors, it classifies them."""
        ...

    def find_call(self, call: OutgoingCall, since: datetime) -> LookupResult:
        """Look for a call the provider may have accepted, to reconcile an ambiguous placement."""
        ...


class RateLimiter(Protocol):
    """Paces sends per sender across all workers."""

    def acquire(self) -> None:
        """Block until one more send is allowed."""
        ...

    def slow_down(self, seconds: float) -> None:
        """The provider said 'too many requests': hold every sender back for `seconds`."""
        ...


class SmsAndVoiceChannel(SmsChannel, VoiceChannel, Protocol):
    """A channel that sends SMS and places calls: what the sender and the reconciler are given (`with_calls`)."""
