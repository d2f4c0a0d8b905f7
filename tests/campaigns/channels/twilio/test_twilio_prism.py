"""TwilioChannel against Prism serving Twilio's own OpenAPI description: every request we make must pass
Twilio's contract (Prism answers 422 naming the field otherwise), through the real twilio library."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from campaigns.broadcasts.campaign_service import create_campaign
from campaigns.channels.base import OutgoingSms
from campaigns.channels.twilio.channel import TwilioChannel
from campaigns.channels.twilio.local_http import StandInHttpClient
from campaigns.delivery.dispatch import due_batches
from campaigns.delivery.sending import SendPolicy, send_batch
from campaigns.identity.access import Actor
from campaigns.models import OutboxMessage
from campaigns.runs.planning import launch_campaign
from tests.factories import add_contact
from tests.fakes import NoLimit
from tests.prism import running_prism

pytestmark = pytest.mark.slow

ACCOUNT_SID = "AC" + "a" * 32
SERVICE_SID = "MG" + "a" * 32
PRISM_SID = "SM" + "a" * 32  # the spec's example answer
FROM = "+15005550006"
CALLBACK = "https://gridcast.example/twilio/status"
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def prism_url(tmp_path_factory):
    with running_prism(tmp_path_factory.mktemp("prism") / "prism.log") as url:
        yield url


def make_channel(url: str, **sender) -> TwilioChannel:
    sender = sender or {"from_number": FROM}
    return TwilioChannel(ACCOUNT_SID, "test-token", timeout=10, http_client=StandInHttpClient(url), **sender)


def last_request(channel: TwilioChannel):
    return channel.http_client._test_only_last_request


def test_sms_from_a_number_with_status_callback_passes_the_contract(prism_url):
    channel = make_channel(prism_url)
    message = OutgoingSms(
        outbox_id=41, to="+8613800000001", body="明天9:00在乡卫生院接种疫苗。", status_callback_url=f"{CALLBACK}?o=41"
    )
    result = channel.send_sms(message)
    assert (result.outcome, result.provider_sid) == ("accepted", PRISM_SID)
    sent = last_request(channel).data
    assert sent["From"] == FROM and sent["StatusCallback"] == f"{CALLBACK}?o=41"
    assert "MessagingServiceSid" not in sent


def test_sms_through_a_messaging_service_passes_the_contract(prism_url):
    channel = make_channel(prism_url, messaging_service_sid=SERVICE_SID)
    result = channel.send_sms(
        OutgoingSms(outbox_id=42, to="+8613800000002", body="收到请回复1", status_callback_url=f"{CALLBACK}?o=42")
    )
    assert (result.outcome, result.provider_sid) == ("accepted", PRISM_SID)
    assert last_request(channel).data["MessagingServiceSid"] == SERVICE_SID
    assert "From" not in last_request(channel).data


def test_a_request_breaking_the_contract_fails_with_the_reason(prism_url):
    result = make_channel(prism_url).send_sms(
        OutgoingSms(outbox_id=43, to="+8613800000003", body="x", status_callback_url="not a url at all")
    )
    assert (result.outcome, result.error_code) == ("failed", "http_422")
    assert "StatusCallback" in result.error_message


def test_lookup_request_passes_the_contract(prism_url):
    channel = make_channel(prism_url)
    lookup = channel.find_sms(OutgoingSms(outbox_id=44, to="+8613800000004", body="x"), NOW - timedelta(minutes=10))
    assert channel.http_client._test_only_last_response.status_code == 200
    assert last_request(channel).url.startswith(f"{prism_url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json")
    assert lookup.found is None  # Prism's examples fill a whole page without our body: nothing can be ruled out


def test_send_batch_through_twilio_ends_sent_with_twilios_sid(prism_url, session_factory, tree):
    with session_factory.begin() as session:
        for n in range(1, 6):
            add_contact(session, tree["62302510120101"], f"+861380000010{n}", f"牧民{n}")
        campaign = create_campaign(
            session,
            Actor.system(),
            {
                "name": "雪灾预警",
                "audience": {"grid_ids": [tree["623025"]]},
                "texts": {"zh": "{name}：今夜有暴雪，请把牛羊赶回圈。"},
            },
        )
        launch_campaign(session, Actor.system(), campaign["id"], NOW)
        batch = due_batches(session, NOW, 500)[0]
    channel = make_channel(prism_url)
    policy = SendPolicy(concurrency=4, status_callback_url=CALLBACK)
    report = send_batch(
        session_factory, channel, NoLimit(), policy, lambda: NOW, batch.run_id, batch.first_id, batch.last_id
    )
    assert (report.claimed, report.accepted, report.failed, report.ambiguous) == (5, 5, 0, 0)
    with session_factory() as session:
        rows = session.execute(select(OutboxMessage.status, OutboxMessage.provider_sid)).all()
    assert sorted(rows) == [("sent", PRISM_SID)] * 5
