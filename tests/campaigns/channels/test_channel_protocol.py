"""The channel protocol's thread-pool sends: a channel with only `send_sms` (or `place_call`) gets `send_many` (or
`place_many`) from a pool of threads, and send_batch sends through it, many at once, recording each outcome; an
SMS-only channel with a voice channel attached names the voice channel on its calls."""

from __future__ import annotations

import threading
import time
from datetime import datetime

import pytest

from campaigns.channels.base import (
    BaseSmsChannel,
    CallsInThreads,
    LookupResult,
    OutgoingCall,
    OutgoingSms,
    SendResult,
    send_in_threads,
)
from campaigns.channels.calls_attached import WithCalls
from campaigns.delivery.sending import SendPolicy
from tests.campaigns.delivery.test_sending_stream import launch, rows, send

ANSWERS = {
    "+8613800000002": SendResult("retry", error_code="30005", error_message="unknown handset"),
    "+8613800000003": SendResult("failed", error_code="21211", error_message="invalid", bad_number=True),
}


class TogetherOnly(BaseSmsChannel):
    """An SMS channel with only `send_sms`, whose sends return only once `together` of them are in flight at once."""

    name = "together"

    def __init__(self, together: int):
        self.barrier = threading.Barrier(together, timeout=10)
        self.threads: set[int] = set()

    def send_sms(self, message: OutgoingSms) -> SendResult:
        self.threads.add(threading.get_ident())
        self.barrier.wait()
        return ANSWERS.get(message.to, SendResult("accepted", provider_sid=f"SM{message.outbox_id:032d}"))

    def find_sms(self, message: OutgoingSms, since: datetime) -> LookupResult:
        return LookupResult(found=None)


def test_a_channel_with_only_send_sms_sends_many_at_once_and_records_each_outcome(session_factory, people):
    _, batch = launch(session_factory, people, extra=5)  # 8 rows
    channel = TogetherOnly(together=4)
    report = send(session_factory, channel, batch, SendPolicy(concurrency=4))
    assert len(channel.threads) == 4  # four sends in flight, each in a thread of its own
    assert (report.claimed, report.accepted, report.retried, report.failed, report.lost) == (8, 6, 1, 1, 0)
    found = rows(session_factory)
    assert {to: row.status for to, row in found.items() if to in ANSWERS} == {
        "+8613800000002": "queued", "+8613800000003": "failed"}  # fmt: skip
    sent = [row for to, row in found.items() if to not in ANSWERS]
    assert {(row.status, row.provider_sid, row.provider) for row in sent} == {
        ("sent", f"SM{row.id:032d}", "together") for row in sent}  # fmt: skip
    assert all(row.attempts == 1 and row.lease_token is None for row in found.values())


def test_send_in_threads_takes_the_next_item_only_when_a_thread_is_free():
    lock = threading.Lock()
    counts = {"taken": 0, "finished": 0, "busy_at_take": 0, "running": 0, "most_running": 0}

    def items():
        for number in range(12):
            with lock:
                counts["busy_at_take"] = max(counts["busy_at_take"], counts["taken"] - counts["finished"])
                counts["taken"] += 1
            yield number

    def send(number: int) -> SendResult:
        with lock:
            counts["running"] += 1
            counts["most_running"] = max(counts["most_running"], counts["running"])
        time.sleep(0.01)
        with lock:
            counts["running"] -= 1
            counts["finished"] += 1
        return SendResult("accepted", provider_sid=str(number))

    answered = [(number, result.provider_sid) for number, result in send_in_threads(send, items(), 3)]
    assert sorted(answered) == [(number, str(number)) for number in range(12)]
    assert counts["busy_at_take"] < 3 and counts["most_running"] <= 3


def test_send_in_threads_lets_a_send_error_through_and_refuses_no_concurrency():
    def broken(number: int) -> SendResult:
        raise RuntimeError("the client broke")

    with pytest.raises(RuntimeError, match="the client broke"):
        list(send_in_threads(broken, [1, 2], 2))
    with pytest.raises(ValueError, match="at least 1"):
        list(send_in_threads(broken, [1], 0))


class Voice(CallsInThreads):
    """A voice channel with only `place_call`."""

    name = "voice-provider"

    def __init__(self):
        self.placed: list[OutgoingCall] = []

    def place_call(self, call: OutgoingCall) -> SendResult:
        self.placed.append(call)
        return SendResult("accepted", provider_sid=f"CA{call.outbox_id:032d}")

    def find_call(self, call: OutgoingCall, since: datetime) -> LookupResult:
        return LookupResult(found=None)


def test_calls_of_an_attached_voice_channel_name_it_and_go_through_its_place_many():
    voice = Voice()
    channel = WithCalls(TogetherOnly(together=1), voice)
    calls = [OutgoingCall(outbox_id=n, attempt=1, to=f"+86138000000{n:02d}", language="zh") for n in range(5)]
    results = dict(channel.place_many(calls, 2))
    assert set(results) == set(calls) and sorted(voice.placed, key=lambda call: call.outbox_id) == calls
    assert {(result.provider, result.provider_sid) for result in results.values()} == {
        ("voice-provider", f"CA{n:032d}") for n in range(5)}  # fmt: skip
    assert channel.place_call(calls[0]).provider == "voice-provider"
