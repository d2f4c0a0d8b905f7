"""The call gate: calls per second through the rate limiter, and no new call while GRIDCAST_CALL_CONCURRENCY calls
are in progress (counted in the database); the sender's limiters per channel. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from campaigns.channels.base import SendResult
from campaigns.delivery.sending import SendLimiters, SendPolicy, send_batch
from campaigns.identity.access import Actor
from campaigns.models import OutboxMessage
from campaigns.runs.planning import launch_campaign
from campaigns.voice.call_status import CallRetryPolicy, apply_call_status
from tests.factories import NOW
from tests.fakes import NoLimit, ScriptedChannel
from tests.voice_helpers import ready_voice_campaign
from workers.call_gate import CallGate


def test_the_gate_waits_for_a_free_call_slot_then_for_the_rate(session_factory, people):
    with session_factory.begin() as session:
        campaign, _, _ = ready_voice_campaign(session, people)
        planned = launch_campaign(session, Actor.system(), campaign["id"], NOW)
    channel = ScriptedChannel()
    channel.place_call = lambda call: SendResult("accepted", provider_sid=f"CA{call.outbox_id:032d}")
    rate = NoLimit()
    waits: list[float] = []

    def sleep(seconds: float) -> None:  # while the gate waits, the first call in progress ends
        waits.append(seconds)
        with session_factory.begin() as session:
            first = session.scalar(select(func_min_id()))
            apply_call_status(session, first, 1, "completed", call_sid=None, now=NOW, retry=CallRetryPolicy())

    gate = CallGate(rate, session_factory, max_concurrent=3, now=lambda: NOW, sleep=sleep)
    limiters = SendLimiters(NoLimit(), gate)
    with session_factory() as session:
        low, high = session.execute(select(func_min_id(), func_max_id())).one()
    report = send_batch(session_factory, channel, limiters, SendPolicy(concurrency=1), lambda: NOW, planned.run_id,
                        low, high)  # fmt: skip
    assert report.accepted == 4
    assert waits == [0.5] and rate.acquired == 4 and gate.waits == 1
    assert limiters.for_channel("sms") is limiters.sms and limiters.for_channel("voice") is gate


def test_calls_whose_callbacks_never_came_stop_holding_slots_after_15_minutes(session_factory, people):
    with session_factory.begin() as session:
        campaign, _, _ = ready_voice_campaign(session, people)
        launch_campaign(session, Actor.system(), campaign["id"], NOW)
    channel = ScriptedChannel()
    channel.place_call = lambda call: SendResult("accepted", provider_sid="CA" + "1" * 32)
    with session_factory() as session:
        run_id, low, high = session.execute(
            select(OutboxMessage.run_id, func_min_id(), func_max_id()).group_by(OutboxMessage.run_id)
        ).one()
    send_batch(session_factory, channel, NoLimit(), SendPolicy(), lambda: NOW, run_id, low, high)
    later = NOW + timedelta(minutes=20)
    gate = CallGate(NoLimit(), session_factory, max_concurrent=1, now=lambda: later, sleep=lambda s: 1 / 0)
    gate.acquire()  # four calls whose callbacks never came, 20 minutes ago: no longer in progress


def func_min_id():
    return func.min(OutboxMessage.id)


def func_max_id():
    return func.max(OutboxMessage.id)
