"""The channel ports: what the sender needs from any SMS provider (`SmsChannel`) or voice provider (`VoiceChannel`),
the `RateLimiter` that paces them, and the `CallStep` a voice channel plays (campaigns.voice.call_flow decides it).

A send has four outcomes. `accepted`: the provider took it (with its id). `retry`: it certainly did not take it,
try again later. `failed`: it never will (bad number, opted out...). `ambiguous`: it may have taken it (a timeout,
a 5xx): the row stays `sending` until a status callback or `find_sms` settles it, so nothing is sent twice blindly.

The sender sends only through `send_many` and `place_many`: a stream of messages (or calls) in, each one's result
out as it comes, with up to `concurrency` in flight. A channel whose client sends one at a time gets them from
`BaseSmsChannel` and `CallsInThreads` (a pool of threads over its `send_sms` or `place_call`); TwilioChannel's
`send_many` keeps its requests in flight from one thread with twilio's async client instead.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol, TypeVar

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

    def send_many(self, messages: Iterable[OutgoingSms], concurrency: int) -> Iterator[tuple[OutgoingSms, SendResult]]:
        """Send `messages`, up to `concurrency` at once; yield each (message, result) as its answer comes. The next
        message is taken from `messages` only when a send can start, in the caller's thread, so the caller may
        pace and prepare each one just in time."""
        ...

    def holds(self, provider: str) -> bool:
        """Whether this channel is (or routes to) the channel named `provider`, so it can look up that one's rows."""
        ...

    def close(self) -> None:
        """Let go of the channel's connections and threads."""
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

    def place_many(self, calls: Iterable[OutgoingCall], concurrency: int) -> Iterator[tuple[OutgoingCall, SendResult]]:
        """Place `calls` like `SmsChannel.send_many` sends messages: up to `concurrency` at once, each (call, result)
        yielded as its answer comes, the next call taken only when one can start."""
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


Sent = TypeVar("Sent", OutgoingSms, OutgoingCall)


def send_in_threads(
    send: Callable[[Sent], SendResult], items: Iterable[Sent], concurrency: int
) -> Iterator[tuple[Sent, SendResult]]:
    """`send` each of `items` from a pool of `concurrency` threads; yield each (item, result) as it finishes. The
    next item is taken from `items` (in the caller's thread) only when a thread is free."""
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    source = iter(items)
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="send") as pool:
        pending: dict[Future[SendResult], Sent] = {}

        def start_more() -> None:
            while len(pending) < concurrency and (item := next(source, None)) is not None:
                pending[pool.submit(send, item)] = item

        start_more()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            answered = [(pending.pop(future), future) for future in done]
            start_more()  # before the caller handles the answers, so that its work overlaps the next sends
            for item, future in answered:
                yield item, future.result()
            start_more()


class BaseSmsChannel(ABC):
    """An SMS channel whose client sends one message at a time: `send_many` runs its `send_sms` in a pool of
    threads. It holds only its own rows and has nothing to close, unless it says otherwise."""

    name: str

    @abstractmethod
    def send_sms(self, message: OutgoingSms) -> SendResult:
        """Hand one SMS to the provider; never raises for provider errors, it classifies them."""

    def send_many(self, messages: Iterable[OutgoingSms], concurrency: int) -> Iterator[tuple[OutgoingSms, SendResult]]:
        return send_in_threads(self.send_sms, messages, concurrency)

    def holds(self, provider: str) -> bool:
        return provider == self.name

    def close(self) -> None:
        return None


class CallsInThreads(ABC):
    """A voice channel whose client places one call at a time: `place_many` runs its `place_call` in a pool of
    threads."""

    @abstractmethod
    def place_call(self, call: OutgoingCall) -> SendResult:
        """Ask the provider to place one call; never raises for provider errors, it classifies them."""

    def place_many(self, calls: Iterable[OutgoingCall], concurrency: int) -> Iterator[tuple[OutgoingCall, SendResult]]:
        return send_in_threads(self.place_call, calls, concurrency)
