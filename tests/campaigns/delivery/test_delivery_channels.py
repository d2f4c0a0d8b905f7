"""Which channel holds each outbox row, on SQLite and PostgreSQL: every channel writes `outbox.provider` for the rows
it takes, a delivery report from another channel changes nothing, and reconciliation asks only the channel that
holds the row."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from campaigns.channels.base import LookupResult, SendResult
from campaigns.channels.routing import RoutedChannel
from campaigns.delivery.reconcile import reconcile_expired
from campaigns.delivery.status_updates import apply_kannel_report, apply_status
from campaigns.identity.access import Actor
from campaigns.models import OutboxMessage
from campaigns.runs.planning import launch_campaign
from campaigns.simulator.channel import SimulatorChannel
from tests.factories import NOW, make_campaign
from tests.fakes import ScriptedChannel
from tests.reply_helpers import send_run


def sent_with(session_factory, tree, channel) -> dict[str, OutboxMessage]:
    with session_factory.begin() as session:
        planned = launch_campaign(session, Actor.system(), make_campaign(session, tree)["id"], NOW)
    send_run(session_factory, planned.run_id, NOW, channel)
    return rows(session_factory)


def rows(session_factory) -> dict[str, OutboxMessage]:
    with session_factory() as session:
        return {row.to: row for row in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))}


def test_a_single_channel_records_itself_on_every_row_it_takes(session_factory, people):
    answers = {"+8613800000002": [SendResult("failed", error_code="21211")],
               "+8613800000003": [SendResult("ambiguous", error_code="timeout")]}  # fmt: skip
    sent = sent_with(session_factory, people, ScriptedChannel(answers, name="twilio"))
    assert {row.status: row.provider for row in sent.values()} == {
        "sent": "twilio", "failed": "twilio", "sending": "twilio",
    }  # fmt: skip


def test_the_simulator_records_itself(session_factory, people):
    sent = sent_with(session_factory, people, SimulatorChannel(session_factory, lambda: NOW))
    assert {row.provider for row in sent.values()} == {"simulator"}


def test_a_kannel_report_for_a_row_twilio_took_is_refused(session_factory, people):
    taken = next(iter(sent_with(session_factory, people, ScriptedChannel(name="twilio")).values()))
    with session_factory.begin() as session:
        assert not apply_kannel_report(session, taken.id, "16", "NACK", NOW)
    after = rows(session_factory)[taken.to]
    assert (after.status, after.provider, after.error_code) == ("sent", "twilio", None)


def test_a_twilio_callback_for_a_row_kannel_took_is_refused(session_factory, people):
    taken = next(iter(sent_with(session_factory, people, ScriptedChannel(name="kannel")).values()))
    with session_factory.begin() as session:
        assert not apply_status(session, taken.id, "failed", provider_sid="SMx", error_code="30008", now=NOW,
                                provider="twilio")  # fmt: skip
        assert apply_status(session, taken.id, "delivered", provider_sid=None, error_code=None, now=NOW,
                            provider="kannel")  # fmt: skip
    after = rows(session_factory)[taken.to]
    assert (after.status, after.provider) == ("delivered", "kannel")


def test_a_callback_binds_a_row_no_channel_was_recorded_for(session_factory, people):
    sent = sent_with(session_factory, people, ScriptedChannel(answers={}, name="twilio"))
    row = next(iter(sent.values()))
    with session_factory.begin() as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id).values(provider=None))
        assert apply_status(session, row.id, "delivered", provider_sid=row.provider_sid, error_code=None, now=NOW,
                            provider="twilio")  # fmt: skip
    assert rows(session_factory)[row.to].provider == "twilio"


def expire_all(session_factory) -> None:
    with session_factory.begin() as session:
        session.execute(
            update(OutboxMessage).values(
                status="sending", lease_token="t", lease_expires_at=NOW - timedelta(hours=1), handed_at=NOW
            )
        )


def test_the_reconciler_never_asks_a_channel_that_does_not_hold_the_row(session_factory, people):
    sent_with(session_factory, people, ScriptedChannel(name="kannel"))
    expire_all(session_factory)
    twilio = ScriptedChannel(name="twilio")  # the deployment now sends through Twilio, which never saw these rows
    report = reconcile_expired(session_factory, twilio, 4, NOW)
    assert {row.status for row in rows(session_factory).values()} == {"unknown"}  # never "not found": resent
    assert report.requeued == 0 and not twilio.sent


def test_a_routed_channel_cannot_tell_for_a_channel_no_route_names(session_factory, people):
    sent_with(session_factory, people, ScriptedChannel(name="simulator"))
    expire_all(session_factory)
    twilio = ScriptedChannel(lookups={}, name="twilio")
    routed = RoutedChannel((("+86", "twilio"), ("*", "twilio")), {"twilio": twilio})
    assert reconcile_expired(session_factory, routed, 4, NOW).unknown == 3
    assert LookupResult(found=None) == routed.find_sms(
        type("M", (), {"provider": "simulator", "to": "+8613800000001"})(), NOW
    )
