"""An SMS channel that places no calls itself (Kannel, several routed by number), with a voice channel attached."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from campaigns.channels.base import LookupResult, OutgoingCall, SendResult, SmsChannel, VoiceChannel


class WithCalls:
    """`sms` for everything it does (send_sms, find_sms, send_many, close, name...), `voice` for calls."""

    def __init__(self, sms: SmsChannel, voice: VoiceChannel):
        self.sms = sms
        self.voice = voice

    @property
    def name(self) -> str:
        return self.sms.name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.sms, attribute)

    def place_call(self, call: OutgoingCall) -> SendResult:
        return self.voice.place_call(call)

    def find_call(self, call: OutgoingCall, since: datetime) -> LookupResult:
        return self.voice.find_call(call, since)
