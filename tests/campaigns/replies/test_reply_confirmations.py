"""Which run a reply confirms: only a run that reached the contact and expects a reply; a daily report none."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from campaigns.delivery.status_updates import apply_status
from campaigns.models import Confirmation, Contact, OutboxMessage, Run
from tests.factories import NOW, add_contact
from tests.reply_helpers import add_duty, receive, send_campaign

WANGFANG, NIMA = "+8613800000002", "+8613800000011"
LATER = NOW + timedelta(minutes=5)


@pytest.fixture
def liaison(session_factory, people) -> int:
    """尼玛, a liaison of 一组第一联户 with a daily report duty for the groups of 齐哈玛镇."""
    with session_factory.begin() as session:
        add_duty(session, people)
        return add_contact(session, people["6230251012010101"], NIMA, "尼玛", role="liaison").id


def confirmations(session_factory) -> list[tuple[int, int | None]]:
    with session_factory() as session:
        return [tuple(row) for row in session.execute(select(Confirmation.run_id, Confirmation.contact_id))]


def outbox_row(session, run_id: int, phone: str) -> OutboxMessage:
    return session.scalar(select(OutboxMessage).where(OutboxMessage.run_id == run_id, OutboxMessage.to == phone))


@pytest.mark.parametrize("text", ["0", "零报告", "返乡1人"])
def test_a_daily_report_confirms_no_campaign_run(session_factory, people, liaison, text):
    vaccination = send_campaign(session_factory, people, expects_reply=True)
    summary = receive(session_factory, NIMA, text)
    assert summary["report_id"] is not None
    assert summary["confirmed_run_id"] is None
    assert confirmations(session_factory) == []
    assert receive(session_factory, NIMA, "收到", LATER + timedelta(minutes=1))["confirmed_run_id"] == vaccination


def test_a_reply_never_confirms_a_message_that_did_not_reach_the_contact(session_factory, people):
    run_id = send_campaign(session_factory, people, expects_reply=True)
    with session_factory.begin() as session:
        row = outbox_row(session, run_id, WANGFANG)
        apply_status(session, row.id, "undelivered", provider_sid=row.provider_sid, error_code="21610", now=NOW)
        session.get(Contact, row.contact_id).opted_out_at = NOW
    summary = receive(session_factory, WANGFANG, "1")
    assert summary["confirmed_run_id"] is None
    assert confirmations(session_factory) == []


def test_a_reminder_confirms_its_run_only_when_that_run_reached_the_contact(session_factory, people):
    run_id = send_campaign(session_factory, people, expects_reply=True)
    with session_factory.begin() as session:
        row = outbox_row(session, run_id, WANGFANG)
        row.status = "skipped"
        reminder = Run(campaign_id=session.get(Run, run_id).campaign_id, occurrence_at=NOW + timedelta(minutes=1),
                       kind="reminder", parent_run_id=run_id, status="done")  # fmt: skip
        session.add(reminder)
        session.flush()
        session.add(OutboxMessage(run_id=reminder.id, contact_id=row.contact_id, grid_id=row.grid_id, channel="sms",
                                  to=WANGFANG, language="zh", body="请回复1", status="delivered",
                                  next_attempt_at=NOW))  # fmt: skip
    assert receive(session_factory, WANGFANG, "1")["confirmed_run_id"] is None
    assert confirmations(session_factory) == []


def test_a_reply_confirms_a_run_that_reached_the_contact_by_a_call(session_factory, people):
    run_id = send_campaign(session_factory, people, expects_reply=True)
    with session_factory.begin() as session:
        row = outbox_row(session, run_id, WANGFANG)
        row.channel, row.status = "voice", "delivered"
    assert receive(session_factory, WANGFANG, "1")["confirmed_run_id"] == run_id
