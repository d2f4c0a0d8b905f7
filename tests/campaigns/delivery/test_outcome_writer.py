"""The sender writes outcomes in a thread of its own (campaigns/delivery/outcome_writer.py): every round is written
before send_batch returns, and a failed write fails the batch instead of vanishing with the thread."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from campaigns.delivery.sending import SendPolicy
from tests.campaigns.delivery.test_sending_stream import ConcurrentChannel, launch, rows, send


def test_every_round_is_written_before_the_batch_returns(session_factory, people):
    _, batch = launch(session_factory, people, extra=20)
    report = send(session_factory, ConcurrentChannel(), batch, SendPolicy(concurrency=2))
    assert report.accepted == 23
    assert {row.status for row in rows(session_factory).values()} == {"sent"}


def test_a_failed_write_fails_the_batch(session_factory, people, monkeypatch):
    _, batch = launch(session_factory, people, extra=20)
    written = []

    def second_round_loses_the_database(session, token, policy, at, pairs, report):
        written.append(len(pairs))
        if len(written) == 2:
            raise OperationalError("UPDATE outbox", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr("campaigns.delivery.outcome_writer.record_outcomes", second_round_loses_the_database)
    with pytest.raises(OperationalError):
        send(session_factory, ConcurrentChannel(), batch, SendPolicy(concurrency=2))
    assert len(written) == 2  # no round written after the failed one
