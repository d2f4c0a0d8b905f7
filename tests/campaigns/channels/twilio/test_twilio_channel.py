"""TwilioChannel through the real twilio library against a local stub: how each Twilio answer is classified."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest
import requests

from campaigns.channels.base import OutgoingSms
from campaigns.channels.twilio.channel import TwilioChannel, parse_retry_after
from campaigns.channels.twilio.local_http import StandInHttpClient
from campaigns.common.settings import Settings, SettingsError
from campaigns.simulator.channel import SimulatorChannel
from tests.twilio_stub import ACCOUNT_SID, MESSAGES_PATH, Answer, TwilioStub, listed_message, twilio_error
from workers.channel_factory import build_sms_channel, status_callback_url

FROM = "+15005550006"
TO = "+8613800000001"
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.fixture
def stub():
    with TwilioStub() as stub:
        yield stub


def make_channel(base_url: str, timeout: float = 2.0, **sender) -> TwilioChannel:
    sender = sender or {"from_number": FROM}
    http_client = StandInHttpClient(base_url)
    return TwilioChannel(ACCOUNT_SID, "secret-token", timeout=timeout, http_client=http_client, **sender)


def sms(to: str = TO, body: str = "明天9:00接种疫苗", callback: str | None = None) -> OutgoingSms:
    return OutgoingSms(outbox_id=7, to=to, body=body, status_callback_url=callback)


def test_accepted_send_returns_the_sid_and_sends_what_twilio_expects(stub):
    result = make_channel(stub.url).send_sms(sms(callback="https://gridcast.example/twilio/status?o=7"))
    assert result.outcome == "accepted"
    assert result.provider_sid == f"SM{1:032d}"
    method, path, form = stub.requests[0]
    assert (method, path) == ("POST", MESSAGES_PATH)
    assert form["To"] == [TO] and form["From"] == [FROM] and form["Body"] == ["明天9:00接种疫苗"]
    assert form["StatusCallback"] == ["https://gridcast.example/twilio/status?o=7"]


def test_messaging_service_is_sent_instead_of_a_from_number(stub):
    channel = make_channel(stub.url, messaging_service_sid="MG" + "2" * 32)
    assert channel.send_sms(sms()).outcome == "accepted"
    form = stub.requests[0][2]
    assert form["MessagingServiceSid"] == ["MG" + "2" * 32] and "From" not in form


@pytest.mark.parametrize(
    ("answer", "outcome", "flag"),
    [
        (twilio_error(400, 21610, "Attempt to send to unsubscribed recipient"), "failed", "recipient_opted_out"),
        (twilio_error(400, 21211, "Invalid 'To' Phone Number"), "failed", "bad_number"),
        (twilio_error(400, 21614, "'To' number is not a valid mobile number"), "failed", "bad_number"),
        (twilio_error(400, 21408, "Permission to send an SMS has not been enabled"), "failed", "configuration_error"),
        (twilio_error(400, 30003, "Unreachable destination handset"), "retry", None),
        (twilio_error(400, 30005, "Unknown destination handset"), "retry", None),
        (twilio_error(400, 30008, "Unknown error"), "retry", None),
        (twilio_error(500, 20500, "Internal Server Error"), "ambiguous", None),
        (twilio_error(400, 21602, "Message body is required"), "failed", "configuration_error"),
        (twilio_error(400, 12345, "Something new"), "failed", None),
    ],
)
def test_twilio_error_codes_are_classified(stub, answer, outcome, flag):
    stub.answers[TO] = answer
    result = make_channel(stub.url).send_sms(sms())
    assert result.outcome == outcome
    assert result.error_code == str(answer.body["code"])
    assert answer.body["message"] in result.error_message
    flags = {name for name in ("recipient_opted_out", "bad_number", "configuration_error", "throttled")}
    assert {name for name in flags if getattr(result, name)} == ({flag} if flag else set())


def test_20429_is_a_throttled_retry_honouring_retry_after(stub):
    stub.answers[TO] = twilio_error(429, 20429, "Too Many Requests", **{"Retry-After": "7"})
    result = make_channel(stub.url).send_sms(sms())
    assert (result.outcome, result.throttled, result.retry_after, result.error_code) == ("retry", True, 7.0, "20429")


def test_bare_429_without_a_twilio_code_is_throttled_too(stub):
    stub.answers[TO] = Answer(status=429, body={"message": "slow down", "status": 429})
    result = make_channel(stub.url).send_sms(sms())
    assert (result.outcome, result.throttled, result.retry_after, result.error_code) == (
        "retry",
        True,
        None,
        "http_429",
    )


def test_retry_after_is_remembered_per_send_not_carried_over(stub):
    channel = make_channel(stub.url)
    stub.answers[TO] = twilio_error(429, 20429, "Too Many Requests", **{"Retry-After": "5"})
    assert channel.send_sms(sms()).retry_after == 5.0
    stub.answers[TO] = twilio_error(429, 20429, "Too Many Requests")
    assert channel.send_sms(sms()).retry_after is None


def test_500_without_a_body_is_ambiguous(stub):
    stub.answers[TO] = Answer(status=500, body={"status": 500})
    result = make_channel(stub.url).send_sms(sms())
    assert (result.outcome, result.error_code) == ("ambiguous", "http_500")


def test_answer_slower_than_the_timeout_is_ambiguous(stub):
    stub.answers[TO] = Answer(delay=1.0)
    result = make_channel(stub.url, timeout=0.3).send_sms(sms())
    assert (result.outcome, result.error_code) == ("ambiguous", "timeout")


def test_connection_closed_after_the_request_is_ambiguous(stub):
    stub.answers[TO] = Answer(close=True)
    result = make_channel(stub.url).send_sms(sms())
    assert (result.outcome, result.error_code) == ("ambiguous", "transport_error")


def test_connection_refused_is_a_plain_retry():
    result = make_channel(f"http://127.0.0.1:{_closed_port()}").send_sms(sms())
    assert (result.outcome, result.error_code, result.throttled) == ("retry", "connect_error", False)


def test_connect_timeout_is_a_retry_and_read_timeout_is_ambiguous():
    channel = make_channel("http://127.0.0.1:9")
    assert channel._classify(requests.ConnectTimeout("connect timed out")).outcome == "retry"
    assert channel._classify(requests.ReadTimeout("read timed out")).outcome == "ambiguous"


def test_every_request_carries_the_channel_timeout():
    http_client = StandInHttpClient("http://127.0.0.1:9")
    assert http_client.timeout is None
    TwilioChannel(ACCOUNT_SID, "t", from_number=FROM, timeout=4.5, http_client=http_client)
    assert http_client.timeout == 4.5
    assert TwilioChannel(ACCOUNT_SID, "t", from_number=FROM, timeout=3.0).http_client.timeout == 3.0


def test_find_sms_matches_body_sender_and_time(stub):
    stub.listed = [
        listed_message("SMold", TO, "明天9:00接种疫苗", NOW - timedelta(days=1)),
        listed_message("SMother", TO, "另一条", NOW),
        listed_message("SMelse", TO, "明天9:00接种疫苗", NOW, from_="+15005550009"),
        listed_message("SMmine", TO, "明天9:00接种疫苗", NOW + timedelta(seconds=5), status="queued"),
    ]
    found = make_channel(stub.url).find_sms(sms(), NOW - timedelta(minutes=10))
    assert (found.found, found.provider_sid, found.status) == (True, "SMmine", "queued")
    assert stub.requests[-1][2]["To"] == [TO] and stub.requests[-1][2]["From"] == [FROM]


def test_find_sms_without_a_match_is_certainly_not_found(stub):
    stub.listed = [
        listed_message("SMold", TO, "明天9:00接种疫苗", NOW - timedelta(days=1)),
        listed_message("SMin", TO, "明天9:00接种疫苗", NOW, direction="inbound"),
    ]
    assert make_channel(stub.url).find_sms(sms(), NOW - timedelta(minutes=10)).found is False


def test_find_sms_with_a_full_page_and_no_match_cannot_tell(stub):
    stub.listed = [listed_message(f"SM{n}", TO, f"other {n}", NOW) for n in range(50)]
    assert make_channel(stub.url).find_sms(sms(), NOW - timedelta(minutes=10)).found is None


def test_find_sms_through_a_messaging_service(stub):
    service = "MG" + "3" * 32
    stub.listed = [listed_message("SMsvc", TO, "明天9:00接种疫苗", NOW, from_="+861069", messaging_service_sid=service)]
    found = make_channel(stub.url, messaging_service_sid=service).find_sms(sms(), NOW - timedelta(minutes=10))
    assert (found.found, found.provider_sid) == (True, "SMsvc")
    assert "From" not in stub.requests[-1][2]


def test_find_sms_that_fails_cannot_tell(stub):
    stub.list_status = 500
    assert make_channel(stub.url).find_sms(sms(), NOW).found is None
    assert make_channel(f"http://127.0.0.1:{_closed_port()}").find_sms(sms(), NOW).found is None


def test_parse_retry_after():
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert parse_retry_after("999999") == 3600.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_factory_picks_the_simulator_without_credentials(tmp_path):
    settings = Settings.from_env({"GRIDCAST_VAR_DIR": str(tmp_path)})
    assert isinstance(build_sms_channel(settings, None, lambda: NOW), SimulatorChannel)
    assert status_callback_url(settings) is None


def test_factory_builds_twilio_pointed_at_a_stand_in(stub, tmp_path):
    env = {
        "GRIDCAST_VAR_DIR": str(tmp_path),
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": "secret-token",
        "TWILIO_FROM_NUMBER": FROM,
        "TWILIO_API_BASE": stub.url,
        "GRIDCAST_PROVIDER_TIMEOUT": "2.5",
        "PUBLIC_BASE_URL": "https://gridcast.example/",
    }
    settings = Settings.from_env(env)
    channel = build_sms_channel(settings, None, lambda: NOW)
    assert isinstance(channel, TwilioChannel) and channel.http_client.timeout == 2.5
    assert channel.send_sms(sms()).outcome == "accepted"
    assert status_callback_url(settings) == "https://gridcast.example/twilio/status"
    with pytest.raises(SettingsError, match="TWILIO_FROM_NUMBER"):
        build_sms_channel(Settings.from_env({**env, "TWILIO_FROM_NUMBER": ""}), None, lambda: NOW)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
