"""Numbers routed to channels on SQLite and PostgreSQL: the one sender records which channel took each row, the
reconciler asks that channel, and the preview's ETA uses each channel's own rate."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from sqlalchemy import select, update

from campaigns.channels.base import LookupResult, SendResult
from campaigns.channels.routing import RoutedChannel, Unpaced
from campaigns.common.settings import Settings
from campaigns.delivery.reconcile import reconcile_expired
from campaigns.identity.access import Actor
from campaigns.models import OutboxMessage
from campaigns.runs.preview import Pricing, preview_campaign
from campaigns.runs.route_eta import route_rates
from tests.factories import NOW, add_contact, make_campaign
from tests.fakes import NoLimit, ScriptedChannel
from tests.reply_helpers import send_campaign

ROUTES = (("+86", "kannel"), ("*", "twilio"))


def outbox(session_factory) -> dict[str, OutboxMessage]:
    with session_factory() as session:
        return {row.to: row for row in session.scalars(select(OutboxMessage))}


def abroad(session_factory, tree) -> None:
    with session_factory.begin() as session:
        add_contact(session, tree["62302510120101"], "+14155550100", "Anna", language="en")


def test_the_sender_records_which_channel_took_each_row(session_factory, people, monkeypatch):
    abroad(session_factory, people)
    kannel = ScriptedChannel({"+8613800000002": [SendResult("ambiguous", error_code="timeout")]})
    twilio = ScriptedChannel()
    limiters = {"kannel": NoLimit(), "twilio": NoLimit()}
    routed = RoutedChannel(ROUTES, {"kannel": kannel, "twilio": twilio}, limiters)
    monkeypatch.setattr("tests.reply_helpers.ScriptedChannel", lambda: routed)
    send_campaign(session_factory, people)
    rows = outbox(session_factory)
    assert {phone: row.provider for phone, row in rows.items()} == {
        "+8613800000001": "kannel", "+8613800000002": "kannel", "+8613800000003": "kannel", "+14155550100": "twilio",
    }  # fmt: skip
    assert rows["+8613800000002"].status == "sending"  # ambiguous: left for the reconciler
    assert sorted(m.to for m in twilio.sent) == ["+14155550100"]
    assert (limiters["kannel"].acquired, limiters["twilio"].acquired) == (3, 1)


def test_the_reconciler_asks_the_channel_that_took_the_row(session_factory, people):
    abroad(session_factory, people)
    send_campaign(session_factory, people)
    with session_factory.begin() as session:
        session.execute(
            update(OutboxMessage).values(
                status="sending",
                lease_token="t",
                lease_expires_at=NOW - timedelta(hours=1),
                provider=None,
                handed_at=NOW,
            )
        )
        session.execute(update(OutboxMessage).where(OutboxMessage.to == "+8613800000001").values(provider="twilio"))
    found = LookupResult(found=True, provider_sid="SMfound")
    kannel = ScriptedChannel(lookups={phone: LookupResult(found=None) for phone in outbox(session_factory)})
    twilio = ScriptedChannel(lookups={"+8613800000001": found, "+14155550100": found})
    report = reconcile_expired(session_factory, RoutedChannel(ROUTES, {"kannel": kannel, "twilio": twilio}), 4, NOW)
    rows = outbox(session_factory)
    assert rows["+8613800000001"].status == "sent"  # asked Twilio, which took it, although +86 now goes to Kannel
    assert rows["+14155550100"].status == "sent"  # no channel recorded: the current route (Twilio)
    assert rows["+8613800000002"].status == "unknown"  # Kannel cannot tell
    assert (report.found, report.unknown) == (2, 2)


def test_the_preview_estimates_each_channel_at_its_own_rate(session_factory, people):
    abroad(session_factory, people)
    with session_factory.begin() as session:
        campaign = make_campaign(session, people)
    rates = (("+86", "kannel", 1.0), ("*", "twilio", 10.0))
    with session_factory() as session:
        preview = preview_campaign(session, Actor.system(), campaign["id"], Pricing(0.05, "CNY", 10.0, rates))
        alone = preview_campaign(session, Actor.system(), campaign["id"], Pricing(0.05, "CNY", 2.0))
    preview, alone = preview["sms"], alone["sms"]
    assert preview["recipients"] == 4
    assert preview["by_channel"] == [
        {"channel": "kannel", "recipients": 3, "send_rate_per_second": 1.0, "estimated_seconds": 3.0},
        {"channel": "twilio", "recipients": 1, "send_rate_per_second": 10.0, "estimated_seconds": 0.1},
    ]
    assert (preview["estimated_seconds"], preview["send_rate_per_second"]) == (3.0, 1.33)
    assert (alone["estimated_seconds"], alone["send_rate_per_second"]) == (2.0, 2.0)


def test_route_rates_come_from_the_settings():
    settings = Settings.from_env({
        "KANNEL_SENDSMS_URL": "http://127.0.0.1:13013/cgi-bin/sendsms", "KANNEL_USERNAME": "u", "KANNEL_PASSWORD": "p",
        "KANNEL_WEBHOOK_SECRET": "kannel-secret-0123456789", "KANNEL_SMS_RATE": "0.5", "GRIDCAST_SMS_RATE": "20",
        "GRIDCAST_SMS_ROUTES": "+86=kannel,*=simulator",
    })  # fmt: skip
    assert route_rates(settings) == (("+86", "kannel", 0.5), ("*", "simulator", 20.0))
    assert route_rates(Settings.from_env({})) == (("*", "simulator", 10.0),)


def test_an_unpaced_limiter_never_waits():
    limiter = Unpaced()
    assert limiter.acquire() is None and limiter.slow_down(5) is None


def test_a_worker_paces_each_routed_channel_at_its_own_rate(settings):
    from workers.composition import configure, reset

    routed = dataclasses.replace(
        settings, kannel_sendsms_url="http://127.0.0.1:13013/cgi-bin/sendsms", kannel_username="u",
        kannel_password="p", kannel_secret="kannel-secret-0123456789", kannel_rate_per_second=0.5,
        sms_routes=(("+86", "kannel"), ("*", "simulator")),
    )  # fmt: skip
    try:
        tools = configure(routed).sending()
        sms = getattr(tools.channel, "sms", tools.channel)  # a voice channel may be attached beside it
        assert isinstance(sms, RoutedChannel) and isinstance(getattr(tools.limiter, "sms", tools.limiter), Unpaced)
        intervals = {name: limiter._interval_ms for name, limiter in sms.limiters.items()}
        assert intervals == {"kannel": 2000.0, "simulator": 100.0}
        assert tools.policy.claim_size == 10  # at 0.5/s: claimed rows go out well within their lease
    finally:
        reset()
