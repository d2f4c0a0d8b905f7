"""An SMS channel that places no calls itself (Kannel, several routed by number), with a voice channel attached."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from datetime import datetime

from campaigns.channels.base import LookupResult, OutgoingCall, OutgoingSms, SendResult, SmsChannel, VoiceChannel


class WithCalls:
    """`sms` for messages, `voice` for calls; a call's result names the voice channel (stored in outbox.provider)."""

    def __init__(self, sms: SmsChannel, voice: VoiceChannel):
        self.sms = sms
        self.voice = voice

    @property
    def name(self) -> str:
        return self.sms.name

    def send_sms(self, message: OutgoingSms) -> SendResult:
        return self.sms.send_sms(message)

    def send_many(self, messages: Iterable[OutgoingSms], concurrency: int) -> Iterator[tuple[OutgoingSms, SendResult]]:
        return self.sms.send_many(messages, concurrency)

    def find_sms(self, message: OutgoingSms, since: datetime) -> LookupResult:
        return self.sms.find_sms(message, since)

    def holds(self, provider: str) -> bool:
        return self.sms.holds(provider)

    def close(self) -> None:
        self.sms.close()

    def place_call(self, call: OutgoingCall) -> SendResult:
        return self._named(self.voice.place_call(call))

    def place_many(self, calls: Iterable[OutgoingCall], concurrency: int) -> Iterator[tuple[OutgoingCall, SendResult]]:
        for call, result in self.voice.place_many(calls, concurrency):
            yield call, self._named(result)

    def find_call(self, call: OutgoingCall, since: datetime) -> LookupResult:
        return self.voice.find_call(call, since)

    def _named(self, result: SendResult) -> SendResult:
        return result if result.provider else dataclasses.replace(result, provider=self.voice.name)
