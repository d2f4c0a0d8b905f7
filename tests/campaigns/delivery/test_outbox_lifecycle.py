"""The outbox's life after planning: forward-only callbacks, reconciliation of lost answers, staff controls."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from campaigns.channels.base import LookupResult, SendResult
from campaigns.common.errors import Conflict
from campaigns.delivery.dispatch import due_batches, finish_runs
from campaigns.delivery.reconcile import reconcile_expired
from campaigns.delivery.sending import SendPolicy, send_batch
from campaigns.delivery.status_updates import apply_status
from campaigns.identity.access import Actor
from campaigns.models import Campaign, OutboxMessage, Run
from campaigns.runs.planning import launch_campaign
from campaigns.runs.progress import run_progress
from campaigns.runs.run_control import cancel_campaign, pause_campaign, resume_campaign, retry_failed
from tests.factories import NOW, make_campaign
from tests.fakes import NoLimit, ScriptedChannel

SYSTEM = Actor.system()


def launched(session_factory, tree):
    with session_factory.begin() as session:
        planned = launch_campaign(session, SYSTEM, make_campaign(session, tree)["id"], NOW)
        batch = due_batches(session, NOW, 500)[0]
    return planned, batch


def statuses(session_factory) -> dict[str, str]:
    with session_factory() as session:
        return dict(session.execute(select(OutboxMessage.to, OutboxMessage.status)).all())


def test_callbacks_only_move_forward(session_factory, people):
    _, batch = launched(session_factory, people)
    send_batch(session_factory, ScriptedChannel(), NoLimit(), SendPolicy(), lambda: NOW, batch.run_id,
               batch.first_id, batch.last_id)  # fmt: skip
    with session_factory.begin() as session:
        row = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
        assert apply_status(session, row.id, "delivered", provider_sid=row.provider_sid, error_code=None, now=NOW)
        assert not apply_status(session, row.id, "sent", provider_sid=row.provider_sid, error_code=None, now=NOW)
        assert not apply_status(session, row.id, "delivered", provider_sid=row.provider_sid, error_code=None, now=NOW)
        assert not apply_status(session, row.id, "failed", provider_sid="SMother", error_code="30003", now=NOW)
        assert row.status == "delivered"


def test_callback_binds_a_send_whose_answer_was_lost(session_factory, people):
    launched(session_factory, people)
    with session_factory.begin() as session:
        row_id = session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id))
        session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(status="sending"))
        assert apply_status(session, row_id, "sent", provider_sid="SMlost", error_code=None, now=NOW)
    with session_factory() as session:
        row = session.get(OutboxMessage, row_id)
        assert (row.status, row.provider_sid) == ("sent", "SMlost")


def test_ambiguous_sends_are_reconciled_not_resent(session_factory, people):
    answers = {phone: [SendResult("ambiguous", error_code="http_500")] for phone in
               ("+8613800000001", "+8613800000002", "+8613800000003")}  # fmt: skip
    lookups = {
        "+8613800000001": LookupResult(found=True, provider_sid="SMfound"),
        "+8613800000002": LookupResult(found=False),
        "+8613800000003": LookupResult(found=None),
    }
    channel = ScriptedChannel(answers, lookups)
    _, batch = launched(session_factory, people)
    report = send_batch(session_factory, channel, NoLimit(), SendPolicy(), lambda: NOW, batch.run_id,
                        batch.first_id, batch.last_id)  # fmt: skip
    assert report.ambiguous == 3
    assert set(statuses(session_factory).values()) == {"sending"}
    assert reconcile_expired(session_factory, channel, 4, NOW).found == 0  # lease not expired yet
    later = NOW + timedelta(minutes=2)
    result = reconcile_expired(session_factory, channel, 4, later)
    assert (result.found, result.requeued, result.unknown) == (1, 1, 1)
    assert statuses(session_factory) == {"+8613800000001": "sent", "+8613800000002": "queued",
                                         "+8613800000003": "unknown"}  # fmt: skip
    assert len(channel.sent) == 3


def test_a_stale_claim_cannot_overwrite_a_reconciled_row(session_factory, people):
    _, batch = launched(session_factory, people)
    with session_factory.begin() as session:
        session.execute(update(OutboxMessage).values(status="sending", lease_token="dead-worker", handed_at=NOW,
                                                     lease_expires_at=NOW - timedelta(seconds=1)))  # fmt: skip
    channel = ScriptedChannel(lookups={"+8613800000001": LookupResult(found=True, provider_sid="SMx")})
    reconcile_expired(session_factory, channel, 4, NOW)
    again = send_batch(session_factory, channel, NoLimit(), SendPolicy(), lambda: NOW, batch.run_id,
                       batch.first_id, batch.last_id)  # fmt: skip
    assert again.claimed == 2  # the two rows requeued by the reconciler, not the one found at the provider
    assert statuses(session_factory)["+8613800000001"] == "sent"


def test_last_attempt_fails_with_the_reason(session_factory, people):
    answers = {"+8613800000001": [SendResult("retry", error_code="30005", error_message="unknown handset")] * 2}
    channel = ScriptedChannel(answers)
    _, batch = launched(session_factory, people)
    policy = SendPolicy(max_attempts=2)
    send_batch(session_factory, channel, NoLimit(), policy, lambda: NOW, batch.run_id, batch.first_id, batch.last_id)
    later = NOW + timedelta(minutes=5)
    send_batch(session_factory, channel, NoLimit(), policy, lambda: later, batch.run_id, batch.first_id, batch.last_id)
    with session_factory() as session:
        row = session.scalar(select(OutboxMessage).where(OutboxMessage.to == "+8613800000001"))
    assert row.status == "failed" and row.attempts == 2
    assert row.error_message == "gave up after 2 attempts: unknown handset"


def test_pause_resume_cancel_and_retry(session_factory, people):
    planned, batch = launched(session_factory, people)
    with session_factory.begin() as session:
        pause_campaign(session, SYSTEM, planned.campaign_id)
        assert session.get(Run, planned.run_id).status == "paused"
    paused = send_batch(session_factory, ScriptedChannel(), NoLimit(), SendPolicy(), lambda: NOW, batch.run_id,
                        batch.first_id, batch.last_id)  # fmt: skip
    assert paused.claimed == 0
    with session_factory.begin() as session:
        resume_campaign(session, SYSTEM, planned.campaign_id, NOW)
        assert session.get(Run, planned.run_id).status == "sending"
    failing = ScriptedChannel({"+8613800000003": [SendResult("failed", error_code="21211", bad_number=True)]})
    send_batch(session_factory, failing, NoLimit(), SendPolicy(), lambda: NOW, batch.run_id, batch.first_id,
               batch.last_id)  # fmt: skip
    with session_factory.begin() as session:
        progress = run_progress(session, SYSTEM, planned.run_id, NOW)
        assert progress["by_status"]["sent"] == 2 and progress["by_status"]["failed"] == 1
        assert progress["problems"][0]["error_code"] == "21211"
        assert progress["by_language"]["zh"]["sent"] == 1
        later = run_progress(session, SYSTEM, planned.run_id, NOW + timedelta(seconds=1))
        assert later["rate_per_second"] == 2.0  # 2 sent within the run's first second, not 2 per minute
        assert finish_runs(session, NOW) == [planned.run_id]
        assert retry_failed(session, SYSTEM, planned.run_id, NOW).requeued == 1
        assert session.get(Run, planned.run_id).status == "sending"
        cancel_campaign(session, SYSTEM, planned.campaign_id, NOW)
        assert session.get(Campaign, planned.campaign_id).status == "cancelled"
    assert statuses(session_factory)["+8613800000003"] == "cancelled"
    with session_factory.begin() as session, pytest.raises(Conflict):
        pause_campaign(session, SYSTEM, planned.campaign_id)


def test_a_done_run_that_gets_a_new_row_is_opened_again(session_factory, people):
    planned, batch = launched(session_factory, people)
    send_batch(session_factory, ScriptedChannel(), NoLimit(), SendPolicy(), lambda: NOW, batch.run_id,
               batch.first_id, batch.last_id)  # fmt: skip
    with session_factory.begin() as session:
        assert finish_runs(session, NOW) == [planned.run_id]
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.run_id == planned.run_id)).first()
        late = {"to": "+8613800000009", "language": "zh", "body": "late reply", "next_attempt_at": NOW}
        session.add(OutboxMessage(run_id=planned.run_id, contact_id=None, grid_id=row.grid_id, channel="sms", **late))
    with session_factory.begin() as session:
        assert finish_runs(session, NOW) == []
        assert session.get(Run, planned.run_id).status == "sending"
        assert [b.run_id for b in due_batches(session, NOW, 500)] == [planned.run_id]


def test_reconciler_waits_out_the_provider_timeout_after_a_lease_expires(session_factory, people):
    launched(session_factory, people)
    with session_factory.begin() as session:
        session.execute(update(OutboxMessage).values(status="sending", lease_token="in-flight", handed_at=NOW,
                                                     lease_expires_at=NOW - timedelta(seconds=1)))  # fmt: skip
    channel = ScriptedChannel(lookups={phone: LookupResult(found=False) for phone in ("+8613800000001",)})
    grace = timedelta(seconds=15)
    assert reconcile_expired(session_factory, channel, 4, NOW, grace=grace).requeued == 0
    assert set(statuses(session_factory).values()) == {"sending"}
    assert reconcile_expired(session_factory, channel, 4, NOW + grace, grace=grace).requeued == 3
