"""SimulatorChannel: the default when no provider is configured. Messages land on simulated phones, and the
simulated network reports each one at once: delivered; undelivered (error 30003, the phone is off or out of
coverage) for numbers ending in 9999; failed (error 30006, the network refused it) for numbers ending in 8888. So
every outcome staff may have to retry can be produced offline. Calls are played on the simulated phone at once too
(`campaigns/simulator/calls.py`: it answers and presses a key, or not)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from campaigns.channels.base import BaseSmsChannel, CallsInThreads, LookupResult, OutgoingCall, OutgoingSms, SendResult
from campaigns.delivery.status_updates import apply_status
from campaigns.models.calls import SimulatedCall
from campaigns.models.simulator import SimulatedSms
from campaigns.simulator.calls import SimulatedVoice, simulate_call

UNREACHABLE_SUFFIX = "9999"
REFUSED_SUFFIX = "8888"
NETWORK_REPORTS = {UNREACHABLE_SUFFIX: ("undelivered", "30003"), REFUSED_SUFFIX: ("failed", "30006")}


class SimulatorChannel(BaseSmsChannel, CallsInThreads):
    """An SMS channel that needs no network: every message is stored as received by the simulated phone."""

    name = "simulator"

    def __init__(
        self, session_factory: sessionmaker[Session], now: Callable[[], datetime], voice: SimulatedVoice | None = None
    ):
        self._session_factory = session_factory
        self._now = now
        self.voice = voice or SimulatedVoice()

    def send_sms(self, message: OutgoingSms) -> SendResult:
        sid = "SM" + uuid.uuid4().hex
        status, error_code = NETWORK_REPORTS.get(message.to[-4:], ("delivered", None))
        with self._session_factory.begin() as session:
            session.add(
                SimulatedSms(
                    direction="mt",
                    phone=message.to,
                    body=message.body,
                    outbox_id=message.outbox_id,
                    sid=sid,
                    status=status,
                    created_at=self._now(),
                )
            )
            session.flush()
            apply_status(session, message.outbox_id, status, provider_sid=sid, error_code=error_code, now=self._now())
        return SendResult("accepted", provider_sid=sid)

    def find_sms(self, message: OutgoingSms, since: datetime) -> LookupResult:
        with self._session_factory() as session:
            sid = session.scalar(
                select(SimulatedSms.sid).where(
                    SimulatedSms.outbox_id == message.outbox_id, SimulatedSms.direction == "mt"
                )
            )
        return LookupResult(found=sid is not None, provider_sid=sid)

    def place_call(self, call: OutgoingCall) -> SendResult:
        sid = "CA" + uuid.uuid4().hex
        with self._session_factory.begin() as session:
            simulate_call(session, self.voice, call, sid, self._now())
        return SendResult("accepted", provider_sid=sid)

    def find_call(self, call: OutgoingCall, since: datetime) -> LookupResult:
        with self._session_factory() as session:
            sid = session.scalar(
                select(SimulatedCall.sid).where(
                    SimulatedCall.outbox_id == call.outbox_id, SimulatedCall.attempt == call.attempt
                )
            )
        return LookupResult(found=sid is not None, provider_sid=sid)
