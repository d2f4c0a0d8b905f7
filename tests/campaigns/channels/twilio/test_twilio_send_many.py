"""TwilioChannel.send_many: twilio's async client against the local stub, many sends in flight from one thread,
each answer classified like the synchronous path."""

from __future__ import annotations

import os
import socket
import threading
import time

import pytest
from aiohttp import FormData

from campaigns.channels.base import OutgoingSms
from campaigns.channels.twilio.channel import TwilioChannel
from campaigns.channels.twilio.send_many import TwilioAsyncHttpClient, form_body
from tests.twilio_stub import ACCOUNT_SID, MESSAGES_PATH, Answer, TwilioStub, twilio_error

FROM = "+15005550006"


@pytest.fixture
def stub():
    with TwilioStub() as stub:
        yield stub


@pytest.fixture
def make_channel():
    channels = []

    def make(base_url: str, timeout: float = 2.0, **sender) -> TwilioChannel:
        sender = sender or {"from_number": FROM}
        channel = TwilioChannel(ACCOUNT_SID, "secret-token", timeout=timeout,
                                async_http_client=lambda: TwilioAsyncHttpClient(timeout, base_url=base_url),
                                **sender)  # fmt: skip
        channels.append(channel)
        return channel

    yield make
    for channel in channels:
        channel.close()


def sms(number: int, body: str = "明天9:00接种疫苗", callback: str | None = None) -> OutgoingSms:
    return OutgoingSms(outbox_id=number, to=f"+86138{number:08d}", body=body, status_callback_url=callback)


def results(channel: TwilioChannel, messages, concurrency: int = 4) -> dict[int, object]:
    return {message.outbox_id: result for message, result in channel.send_many(messages, concurrency)}


def test_every_message_is_sent_once_with_what_twilio_expects(stub, make_channel):
    callback = "https://gridcast.example/twilio/status?o=1"
    answers = results(make_channel(stub.url), [sms(n, callback=callback if n == 1 else None) for n in range(1, 21)])
    assert sorted(answers) == list(range(1, 21))
    assert all(result.outcome == "accepted" and result.provider_sid.startswith("SM") for result in answers.values())
    forms = {form["To"][0]: form for method, path, form in stub.requests if (method, path) == ("POST", MESSAGES_PATH)}
    assert len(forms) == 20 and len(stub.requests) == 20
    first = forms["+8613800000001"]
    assert first["From"] == [FROM] and first["Body"] == ["明天9:00接种疫苗"]
    assert first["StatusCallback"] == [callback] and "StatusCallback" not in forms["+8613800000002"]


def test_messaging_service_is_sent_instead_of_a_from_number(stub, make_channel):
    channel = make_channel(stub.url, messaging_service_sid="MG" + "2" * 32)
    assert results(channel, [sms(1)])[1].outcome == "accepted"
    form = stub.requests[0][2]
    assert form["MessagingServiceSid"] == ["MG" + "2" * 32] and "From" not in form


def test_at_most_concurrency_in_flight_and_messages_taken_only_when_one_can_start(stub, make_channel):
    for n in range(1, 9):
        stub.answers[f"+86138{n:08d}"] = Answer(delay=0.3)
    taken: list[tuple[float, int]] = []

    def messages():
        for n in range(1, 9):
            taken.append((time.monotonic(), n))
            yield sms(n)

    start = time.monotonic()
    answers = results(make_channel(stub.url), messages(), concurrency=4)
    elapsed = time.monotonic() - start
    assert len(answers) == 8 and all(result.outcome == "accepted" for result in answers.values())
    assert 0.55 < elapsed < 1.5  # two rounds of four, not eight at once nor one at a time
    assert all(at - start < 0.2 for at, n in taken[:4]) and all(at - start > 0.25 for at, n in taken[4:])


@pytest.mark.parametrize(
    ("answer", "outcome", "code", "flag"),
    [
        (twilio_error(400, 21610, "Attempt to send to unsubscribed recipient"), "failed", "21610",
         "recipient_opted_out"),
        (twilio_error(400, 21211, "Invalid 'To' Phone Number"), "failed", "21211", "bad_number"),
        (twilio_error(400, 21408, "Permission to send an SMS has not been enabled"), "failed", "21408",
         "configuration_error"),
        (twilio_error(400, 30003, "Unreachable destination handset"), "retry", "30003", None),
        (twilio_error(500, 20500, "Internal Server Error"), "ambiguous", "20500", None),
        (Answer(status=500, body={"status": 500}), "ambiguous", "http_500", None),
        (Answer(close=True), "ambiguous", "transport_error", None),
    ],
)  # fmt: skip
def test_answers_are_classified_like_the_synchronous_client(stub, make_channel, answer, outcome, code, flag):
    stub.answers["+8613800000001"] = answer
    answers = results(make_channel(stub.url), [sms(1), sms(2)])
    assert (answers[1].outcome, answers[1].error_code) == (outcome, code)
    flags = {"recipient_opted_out", "bad_number", "configuration_error", "throttled"}
    assert {name for name in flags if getattr(answers[1], name)} == ({flag} if flag else set())
    assert answers[2].outcome == "accepted"


def test_throttled_answers_keep_their_own_retry_after(stub, make_channel):
    stub.answers["+8613800000001"] = twilio_error(429, 20429, "Too Many Requests", **{"Retry-After": "7"})
    stub.answers["+8613800000002"] = twilio_error(429, 20429, "Too Many Requests")
    answers = results(make_channel(stub.url), [sms(1), sms(2), sms(3)])
    assert (answers[1].outcome, answers[1].throttled, answers[1].retry_after) == ("retry", True, 7.0)
    assert (answers[2].throttled, answers[2].retry_after) == (True, None)
    assert answers[3].outcome == "accepted"


def test_an_answer_slower_than_the_timeout_is_ambiguous(stub, make_channel):
    stub.answers["+8613800000001"] = Answer(delay=1.0)
    answers = results(make_channel(stub.url, timeout=0.3), [sms(1)])
    assert (answers[1].outcome, answers[1].error_code) == ("ambiguous", "timeout")


def test_connection_refused_is_a_plain_retry(make_channel):
    answers = results(make_channel(f"http://127.0.0.1:{_closed_port()}"), [sms(1)])
    assert (answers[1].outcome, answers[1].error_code, answers[1].throttled) == ("retry", "connect_error", False)


def test_close_stops_the_loop_and_a_later_send_starts_a_new_one(stub, make_channel):
    channel = make_channel(stub.url)
    before = set(threading.enumerate())
    assert results(channel, [sms(1)])[1].outcome == "accepted"
    [loop] = [thread for thread in set(threading.enumerate()) - before if thread.name == "twilio-async"]
    channel.close()
    assert not loop.is_alive()
    assert results(channel, [sms(2)])[2].outcome == "accepted"


def test_a_forked_child_sends_with_a_loop_of_its_own(stub, make_channel):
    channel = make_channel(stub.url)
    assert results(channel, [sms(1)])[1].outcome == "accepted"
    pid = os.fork()
    if pid == 0:
        try:
            ok = results(channel, [sms(2)])[2].outcome == "accepted"
        finally:
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert results(channel, [sms(3)])[3].outcome == "accepted"


def test_the_async_client_rewrites_urls_to_the_stand_in():
    client = TwilioAsyncHttpClient(base_url="http://127.0.0.1:4010/prefix/")
    assert client.rewrite("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?x=1") == (
        "http://127.0.0.1:4010/prefix/2010-04-01/Accounts/AC1/Messages.json?x=1"
    )
    assert TwilioAsyncHttpClient().rewrite("https://api.twilio.com/a") == "https://api.twilio.com/a"
    with pytest.raises(ValueError):
        TwilioAsyncHttpClient(base_url="127.0.0.1:4010")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_form_body_is_what_aiohttp_would_have_encoded():
    fields = {"To": "+8613800000001", "Body": "明天9:00 接种&疫苗", "MediaUrl": ["https://a.example/1", "https://a/2"]}
    assert form_body(fields).decode() == FormData(fields)().decode()
    assert form_body(fields).count(b"MediaUrl=") == 2
