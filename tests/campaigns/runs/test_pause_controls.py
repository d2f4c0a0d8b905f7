"""Pause, resume and cancel against a sender in the middle of a batch, on SQLite and PostgreSQL: rows claimed but not
yet handed to the provider go back to the queue at once, rows already handed over are sent exactly once, resume
enqueues sending at once, and a dead sender's unhanded rows are requeued without asking the provider."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import select, update

from campaigns.channels.base import LookupResult
from campaigns.delivery.reconcile import reconcile_expired
from campaigns.delivery.sending import SendPolicy
from campaigns.identity.access import Actor
from campaigns.models import OutboxMessage, Run
from campaigns.runs.run_control import cancel_campaign, pause_campaign, resume_campaign
from tests.campaigns.delivery.test_sending_stream import ConcurrentChannel, launch, rows, send
from tests.factories import NOW
from tests.fakes import ScriptedChannel
from workers.queues import SENDS

SYSTEM = Actor.system()


class PausingChannel(ScriptedChannel):
    """A one-at-a-time channel that pauses the campaign while its first message is with the provider."""

    def __init__(self, pause):
        super().__init__()
        self.pause, self.paused = pause, None

    def send_sms(self, message):
        if self.paused is None:
            self.paused = self.pause()
        return super().send_sms(message)


def pauser(session_factory, run_id: int):
    def pause():
        with session_factory.begin() as session:
            return pause_campaign(session, SYSTEM, session.get(Run, run_id).campaign_id, NOW)

    return pause


def statuses(session_factory) -> Counter:
    return Counter(row.status for row in rows(session_factory).values())


def test_pause_stops_a_sender_mid_batch_and_gives_back_what_it_had_not_handed_over(session_factory, people):
    run_id, batch = launch(session_factory, people, extra=5)
    channel = PausingChannel(pauser(session_factory, run_id))
    report = send(session_factory, channel, batch, SendPolicy(concurrency=1))
    # one send in flight: the claim holds 5 rounds (5 rows); the 4 not handed over go back, 3 were never claimed
    assert (channel.paused.requeued, channel.paused.with_provider) == (4, 1)
    assert len(channel.sent) == 1 and report.accepted == 1
    assert statuses(session_factory) == Counter({"queued": 7, "sent": 1})
    assert {row.attempts for row in rows(session_factory).values() if row.status == "queued"} == {0}


def test_pause_stops_a_stream_of_sends_after_the_round_in_flight(session_factory, people):
    run_id, batch = launch(session_factory, people, extra=5)
    pause, paused = pauser(session_factory, run_id), []
    channel = ConcurrentChannel(on_take=lambda message: paused or paused.append(pause()))
    send(session_factory, channel, batch, SendPolicy(concurrency=2))
    assert (paused[0].requeued, paused[0].with_provider) == (6, 2)
    assert len(channel.sent) == 2 and statuses(session_factory) == Counter({"queued": 6, "sent": 2})
    with session_factory.begin() as session:
        resume_campaign(session, SYSTEM, paused[0].campaign.id, NOW)
    send(session_factory, channel, batch, SendPolicy(concurrency=2))
    assert statuses(session_factory) == Counter({"sent": 8})
    assert sorted(Counter(message.to for message in channel.sent).values()) == [1] * 8  # never twice


def test_cancel_also_cancels_claimed_rows_not_handed_over(session_factory, people):
    run_id, batch = launch(session_factory, people, extra=2)

    def cancel():
        with session_factory.begin() as session:
            cancel_campaign(session, SYSTEM, session.get(Run, run_id).campaign_id, NOW)

    channel = PausingChannel(cancel)
    send(session_factory, channel, batch, SendPolicy(concurrency=1))
    assert len(channel.sent) == 1 and statuses(session_factory) == Counter({"cancelled": 4, "sent": 1})


def test_resume_enqueues_sending_at_once(client, admin_headers, session_factory, people, sends):
    run_id, _ = launch(session_factory, people)
    with session_factory() as session:
        campaign_id = session.get(Run, run_id).campaign_id
    paused = client.post(f"/api/v1/campaigns/{campaign_id}/pause", headers=admin_headers)
    assert paused.status_code == 200
    assert paused.json["paused"] == {"runs": [run_id], "requeued": 0, "with_provider": 0}
    assert sends.connection.llen(f"rq:queue:{SENDS}") == 0
    assert client.post(f"/api/v1/campaigns/{campaign_id}/resume", headers=admin_headers).status_code == 200
    assert sends.connection.llen(f"rq:queue:{SENDS}") == 1  # the run's dispatch, not the next tick


def test_the_reconciler_requeues_a_dead_senders_unhanded_rows_without_asking(session_factory, people):
    launch(session_factory, people)
    with session_factory.begin() as session:
        session.execute(update(OutboxMessage).values(status="sending", lease_token="dead", handed_at=None,
                                                     lease_expires_at=NOW - timedelta(seconds=1)))  # fmt: skip
        first = session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id))
        session.execute(update(OutboxMessage).where(OutboxMessage.id == first).values(handed_at=NOW))
    found = LookupResult(found=True, provider_sid="SMfound")
    channel = ScriptedChannel(lookups={phone: found for phone in rows(session_factory)})
    report = reconcile_expired(session_factory, channel, 4, NOW)
    assert (report.requeued, report.found) == (2, 1)  # only the handed row was looked up
    assert statuses(session_factory) == Counter({"queued": 2, "sent": 1})
