"""TwilioChannel's calls through the real twilio library: against Prism serving Twilio's OpenAPI description (every
Calls request must pass Twilio's contract) and against our stub for Twilio's error codes and lookups."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from campaigns.channels.base import OutgoingCall, OutgoingSms
from campaigns.channels.twilio.channel import TwilioChannel
from campaigns.channels.twilio.local_http import StandInHttpClient
from campaigns.common.settings import Settings
from campaigns.delivery.sending import SendPolicy, send_batch
from campaigns.identity.access import Actor
from campaigns.models import OutboxMessage
from campaigns.runs.planning import launch_campaign
from campaigns.simulator.channel import SimulatorChannel
from tests.campaigns.channels.twilio.test_twilio_channel import FROM, TO, make_channel
from tests.campaigns.channels.twilio.test_twilio_prism import ACCOUNT_SID as PRISM_ACCOUNT
from tests.campaigns.channels.twilio.test_twilio_prism import prism_url  # noqa: F401  (a session fixture)
from tests.factories import NOW
from tests.fakes import NoLimit, ScriptedChannel
from tests.twilio_stub import CALLS_PATH, TwilioStub, listed_message, twilio_error
from tests.voice_helpers import ready_voice_campaign
from workers.channel_factory import call_urls, with_calls

PUBLIC = "https://gridcast.example"
PRISM_CALL_SID = "CA" + "a" * 32  # the spec's example answer


@pytest.fixture
def stub():
    with TwilioStub() as stub:
        yield stub


def prism_channel(url: str) -> TwilioChannel:
    return TwilioChannel(PRISM_ACCOUNT, "t", from_number=FROM, timeout=10, http_client=StandInHttpClient(url))


def a_call(outbox_id: int = 7, to: str = TO) -> OutgoingCall:
    query = f"?o={outbox_id}&a=1"
    return OutgoingCall(outbox_id, 1, to, "bo", twiml_url=f"{PUBLIC}/twilio/voice{query}",
                        status_callback_url=f"{PUBLIC}/twilio/call-status{query}")  # fmt: skip


def test_place_call_passes_twilios_contract(prism_url):  # noqa: F811
    channel = prism_channel(prism_url)
    result = channel.place_call(a_call())
    assert (result.outcome, result.provider_sid) == ("accepted", PRISM_CALL_SID), result.error_message
    sent = channel.http_client._test_only_last_request.data
    assert sent["Url"] == f"{PUBLIC}/twilio/voice?o=7&a=1" and sent["Method"] == "POST"
    assert sent["StatusCallback"] == f"{PUBLIC}/twilio/call-status?o=7&a=1"
    assert sent["StatusCallbackEvent"] == ["initiated", "ringing", "answered", "completed"]
    assert (sent["From"], sent["To"], sent["Timeout"]) == (FROM, TO, 30)


def test_find_call_passes_twilios_contract(prism_url):  # noqa: F811
    channel = prism_channel(prism_url)
    lookup = channel.find_call(a_call(), NOW - timedelta(minutes=10))
    assert channel.http_client._test_only_last_response.status_code == 200
    assert channel.http_client._test_only_last_request.url.startswith(f"{prism_url}/2010-04-01/Accounts/")
    assert lookup.found is not True  # Prism's example calls are from 2019


def test_a_voice_run_through_prism_ends_sent_with_twilios_sid(prism_url, session_factory, people):  # noqa: F811
    with session_factory.begin() as session:
        campaign, _, _ = ready_voice_campaign(session, people)
        planned = launch_campaign(session, Actor.system(), campaign["id"], NOW)
        first, last = session.execute(select(func.min(OutboxMessage.id), func.max(OutboxMessage.id))).one()
    settings = Settings.from_env({"TWILIO_ACCOUNT_SID": PRISM_ACCOUNT, "TWILIO_AUTH_TOKEN": "t",
                                  "TWILIO_FROM_NUMBER": FROM, "PUBLIC_BASE_URL": PUBLIC})  # fmt: skip
    channel = prism_channel(prism_url)
    policy = SendPolicy(concurrency=4, call_urls=call_urls(settings))
    report = send_batch(session_factory, channel, NoLimit(), policy, lambda: NOW, planned.run_id, first, last)
    assert (report.claimed, report.accepted) == (4, 4)
    with session_factory() as session:
        rows = session.execute(select(OutboxMessage.status, OutboxMessage.provider_sid, OutboxMessage.attempts)).all()
    assert sorted(rows) == [("sent", PRISM_CALL_SID, 1)] * 4


def test_call_arguments_reach_twilio_as_expected(stub):
    result = make_channel(stub.url).place_call(a_call())
    assert (result.outcome, result.provider_sid) == ("accepted", f"CA{1:032d}")
    method, path, form = stub.requests[0]
    assert (method, path) == ("POST", CALLS_PATH)
    assert form["StatusCallbackEvent"] == ["initiated", "ringing", "answered", "completed"]
    assert form["Url"] == [f"{PUBLIC}/twilio/voice?o=7&a=1"] and form["StatusCallbackMethod"] == ["POST"]


@pytest.mark.parametrize(
    ("answer", "outcome", "flag"),
    [
        (twilio_error(400, 21211, "Invalid 'To' Phone Number"), "failed", "bad_number"),
        (twilio_error(400, 13224, "Invalid phone number"), "failed", "bad_number"),
        (twilio_error(400, 21215, "Geo permission configuration is not permitting call"), "failed",
         "configuration_error"),
        (twilio_error(400, 21210, "Caller phone number not verified"), "failed", "configuration_error"),
        (twilio_error(429, 20429, "Too Many Requests", **{"Retry-After": "2"}), "retry", "throttled"),
        (twilio_error(500, 20500, "Internal Server Error"), "ambiguous", None),
    ],
)  # fmt: skip
def test_call_errors_are_classified_like_sms(stub, answer, outcome, flag):
    stub.answers[TO] = answer
    result = make_channel(stub.url).place_call(a_call())
    assert (result.outcome, result.error_code) == (outcome, str(answer.body["code"]))
    flags = ("recipient_opted_out", "bad_number", "configuration_error", "throttled")
    assert {name for name in flags if getattr(result, name)} == ({flag} if flag else set())
    if flag == "throttled":
        assert result.retry_after == 2


def test_a_messaging_service_alone_cannot_place_calls(stub):
    result = make_channel(stub.url, messaging_service_sid="MG" + "2" * 32).place_call(a_call())
    assert (result.outcome, result.configuration_error, result.error_code) == ("failed", True, "no_caller_id")
    assert stub.requests == []


def test_find_call_finds_a_recent_outbound_call_to_the_number(stub):
    stub.listed = [
        listed_message("CA" + "1" * 32, TO, "", NOW - timedelta(hours=2)),
        listed_message("CA" + "2" * 32, TO, "", NOW - timedelta(minutes=3), status="ringing"),
    ]
    lookup = make_channel(stub.url).find_call(a_call(), NOW - timedelta(minutes=10))
    assert (lookup.found, lookup.provider_sid, lookup.status) == (True, "CA" + "2" * 32, "ringing")
    assert make_channel(stub.url).find_call(a_call(to="+8613800000009"), NOW - timedelta(minutes=10)).found is False
    stub.list_status = 500
    assert make_channel(stub.url).find_call(a_call(), NOW).found is None


def test_a_channel_without_calls_gets_the_simulators_attached(session_factory):
    settings = Settings.from_env({})
    sms_only = ScriptedChannel()
    channel = with_calls(sms_only, settings, session_factory, lambda: NOW)
    assert isinstance(channel.voice, SimulatorChannel) and channel.sms is sms_only
    assert channel.name == "scripted" and channel.holds("scripted") and not channel.holds("simulator")
    [(message, result)] = channel.send_many([OutgoingSms(outbox_id=1, to=TO, body="hi")], 2)
    assert sms_only.sent == [message] and result.outcome == "accepted"
    simulator = SimulatorChannel(session_factory, lambda: NOW)
    assert with_calls(simulator, settings, session_factory, lambda: NOW) is simulator
