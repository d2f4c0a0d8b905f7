"""Incoming Kannel SMS without Kannel's id on SQLite and PostgreSQL: Kannel's retries of one text are stored once,
but identical texts without `%I` and `%t` are merged only within a short window, so tomorrow's "0" is a new report."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from campaigns.channels.kannel.callbacks import DEDUP_WINDOW, incoming_sms
from campaigns.models import InboundMessage
from campaigns.replies.inbound import record_kannel_sms
from tests.factories import NOW

HERDER = "+8613800000001"


def deliver(session_factory, at, sent_at=None, kannel_id=None, text="0"):
    message = incoming_sms(kannel_id, HERDER, "10690000", sent_at, "modem1", text, received_at=at)
    with session_factory.begin() as session:
        return record_kannel_sms(session, message, {"text": text}, at)


def stored(session_factory) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(InboundMessage))


def test_identical_texts_without_id_or_time_are_merged_only_within_the_window(session_factory, people):
    first = deliver(session_factory, NOW)
    retried = deliver(session_factory, NOW + timedelta(seconds=20))
    assert first.created and not retried.created and retried.id == first.id
    tomorrow = deliver(session_factory, NOW + timedelta(days=1))
    assert tomorrow.created and stored(session_factory) == 2


def test_a_retry_across_a_window_boundary_is_still_merged(session_factory, people):
    edge = NOW + DEDUP_WINDOW - timedelta(seconds=1)  # NOW is on a window boundary: this is the window's last second
    first = deliver(session_factory, edge)
    assert not deliver(session_factory, edge + timedelta(seconds=5)).created
    later = deliver(session_factory, edge + DEDUP_WINDOW + timedelta(seconds=5))
    assert later.created and later.id != first.id


def test_with_the_smscs_time_or_kannels_id_the_window_plays_no_part(session_factory, people):
    today = deliver(session_factory, NOW, sent_at="2026-11-23 10:00:00")
    assert not deliver(session_factory, NOW + timedelta(days=1), sent_at="2026-11-23 10:00:00").created
    assert deliver(session_factory, NOW + timedelta(days=1), sent_at="2026-11-24 10:00:00").created
    assert deliver(session_factory, NOW, kannel_id="1d136291").created
    assert not deliver(session_factory, NOW + timedelta(days=2), kannel_id="1d136291").created
    assert today.created and stored(session_factory) == 3
