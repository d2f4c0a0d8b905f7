"""KannelChannel without Kannel: how sendsms answers and transport errors are classified, what a request carries,
Kannel's DLR types, incoming text decoding and ids, routing numbers to channels, and the Kannel settings."""

from __future__ import annotations

import socket
import threading
import time
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from campaigns.channels.base import LookupResult, OutgoingSms, SendResult
from campaigns.channels.kannel.callbacks import DeliveryReport, decode_text, delivery_report, dlr_status, incoming_sms
from campaigns.channels.kannel.channel import KannelChannel, classify_sendsms_answer
from campaigns.channels.routing import RoutedChannel, channel_for
from campaigns.common.settings import Settings, SettingsError
from tests.fakes import NoLimit, ScriptedChannel
from tests.servers import free_port
from workers.channel_factory import build_sms_channel

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
SECRET = "kannel-secret-0123456789"
KANNEL_ENV = {
    "KANNEL_SENDSMS_URL": "http://127.0.0.1:13013/cgi-bin/sendsms",
    "KANNEL_USERNAME": "gridcast",
    "KANNEL_PASSWORD": "pw",
    "KANNEL_WEBHOOK_SECRET": SECRET,
}


@pytest.mark.parametrize(
    ("status", "body", "outcome", "flags"),
    [
        (202, "0: Accepted for delivery", "accepted", {}),
        (202, "3: Queued for later delivery", "accepted", {}),
        (200, "Sent.", "accepted", {}),
        (202, "something else", "ambiguous", {}),
        (503, "Temporal failure, try again later.", "retry", {}),
        (403, "Authorization failed for sendsms", "failed", {"configuration_error": True}),
        (403, "Not routable. Do not try again.", "failed", {"configuration_error": True}),
        (400, "Empty receiver number not allowed, rejected", "failed", {"bad_number": True}),
        (400, "Number(s) has/have been denied by white- and/or black-lists.", "failed", {"bad_number": True}),
        (400, "Coding field misformed, rejected", "failed", {"bad_number": False}),
        (500, "Internal Server Error", "ambiguous", {}),
        (502, "", "ambiguous", {}),
    ],
)
def test_sendsms_answers_are_classified_with_the_reason_kept(status, body, outcome, flags):
    result = classify_sendsms_answer(status, body)
    assert result.outcome == outcome
    for flag, value in flags.items():
        assert getattr(result, flag) is value
    if outcome != "accepted":
        assert result.error_code == f"kannel-{status}"
        assert result.error_message == (body or f"HTTP {status}")


def test_too_many_requests_slows_down_with_retry_after():
    result = classify_sendsms_answer(429, "slow down", "7")
    assert (result.outcome, result.throttled, result.retry_after) == ("retry", True, 7.0)


def channel(url: str = "http://127.0.0.1:13013/cgi-bin/sendsms", **overrides) -> KannelChannel:
    options = {"sender": "10690000", "smsc": "modem1", "dlr_url": "https://gc.example/kannel/dlr", "secret": SECRET}
    return KannelChannel(url, "gridcast", "pw", **{**options, **overrides})


def test_a_request_carries_credentials_route_coding_and_a_report_url_naming_the_row():
    chinese = channel().sendsms_parameters(OutgoingSms(outbox_id=42, to="+8613800000001", body="收到请回复1"))
    assert chinese["username"] == "gridcast" and chinese["password"] == "pw"
    assert (chinese["to"], chinese["from"], chinese["smsc"]) == ("+8613800000001", "10690000", "modem1")
    assert (chinese["text"], chinese["charset"], chinese["coding"]) == ("收到请回复1", "UTF-8", "2")
    assert chinese["dlr-mask"] == "31"
    report = urlsplit(chinese["dlr-url"])
    assert report.path == "/kannel/dlr"
    assert report.query == f"o=42&s={SECRET}&type=%d&answer=%A&at=%T"
    latin = channel(smsc=None, sender=None).sendsms_parameters(OutgoingSms(7, "+8613800000001", "Reply 1 (OK)"))
    assert "coding" not in latin and "smsc" not in latin and "from" not in latin
    silent = channel(dlr_url=None).sendsms_parameters(OutgoingSms(7, "+8613800000001", "ཉིན་རེའི་སྙན་ཞུ།"))
    assert silent["coding"] == "2" and "dlr-url" not in silent and "dlr-mask" not in silent


class OneShotServer:
    """A loopback server that reads one request and then answers, stalls or hangs up, as told."""

    def __init__(self, behaviour: str, answer: bytes = b""):
        self.behaviour, self.answer, self.requests = behaviour, answer, []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/cgi-bin/sendsms"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        connection, _ = self.sock.accept()
        with connection:
            self.requests.append(connection.recv(65536).decode("latin-1"))
            if self.behaviour == "stall":
                time.sleep(1.5)
            elif self.behaviour == "answer":
                connection.sendall(self.answer)

    def close(self) -> None:
        self.sock.close()


def test_transport_errors_retry_only_when_kannel_never_saw_the_request():
    message = OutgoingSms(outbox_id=1, to="+8613800000001", body="收到")
    refused = channel(f"http://127.0.0.1:{free_port()}/cgi-bin/sendsms").send_sms(message)
    assert (refused.outcome, refused.error_code) == ("retry", "connect_error")
    stalled = OneShotServer("stall")
    timed_out = channel(stalled.url, timeout=0.5).send_sms(message)
    assert (timed_out.outcome, timed_out.error_code) == ("ambiguous", "timeout")
    hung_up = OneShotServer("close")
    dropped = channel(hung_up.url).send_sms(message)
    assert dropped.outcome == "ambiguous"
    for server in (stalled, hung_up):
        server.close()


def test_a_real_answer_is_read_and_the_text_travels_as_utf8():
    server = OneShotServer("answer", b"HTTP/1.1 202 Accepted\r\nContent-Length: 24\r\n\r\n0: Accepted for delivery")
    result = channel(server.url).send_sms(OutgoingSms(outbox_id=9, to="+8613800000001", body="ཉིན་རེའི 收到"))
    server.close()
    assert result == SendResult("accepted")
    query = parse_qs(urlsplit(server.requests[0].split(" ")[1]).query)
    assert query["text"] == ["ཉིན་རེའི 收到"] and query["coding"] == ["2"] and query["charset"] == ["UTF-8"]
    assert query["dlr-url"] == [f"https://gc.example/kannel/dlr?o=9&s={SECRET}&type=%d&answer=%A&at=%T"]


def test_kannel_cannot_say_whether_it_has_a_message():
    assert channel().find_sms(OutgoingSms(1, "+8613800000001", "x"), NOW) == LookupResult(found=None)


@pytest.mark.parametrize(
    ("dlr_type", "expected"),
    [("1", ("delivered", None)), ("2", ("undelivered", "kannel-dlr-2")), ("4", ("queued", None)),
     ("8", ("sent", None)), ("16", ("failed", "kannel-dlr-16")), ("3", None), ("", None), ("x", None)],
)  # fmt: skip
def test_dlr_types_map_onto_provider_statuses(dlr_type, expected):
    assert dlr_status(dlr_type) == expected


def test_a_delivery_report_is_read_without_the_database():
    assert delivery_report("1", "ACK/") == DeliveryReport("delivered")
    assert delivery_report("16", "  NACK/0x0000000b/Invalid Destination Address ") == DeliveryReport(
        "failed", "kannel-dlr-16", "Kannel: rejected by the SMSC (NACK/0x0000000b/Invalid Destination Address)"
    )
    assert delivery_report("2", None) == DeliveryReport(
        "undelivered", "kannel-dlr-2", "Kannel: not delivered to the phone"
    )
    with pytest.raises(ValueError, match="not a Kannel DLR type"):
        delivery_report("3", None)


def test_incoming_text_is_decoded_by_charset_and_coding():
    assert decode_text("收到".encode("utf-16-be"), "UTF-16BE", "2") == "收到"
    assert decode_text("ཚ་བ་༡".encode("utf-16-be"), None, "2") == "ཚ་བ་༡"
    assert decode_text("收到".encode(), "UTF-8", "0") == "收到"
    assert decode_text("退订".encode(), "UTF-8", "2") == "退订"  # mo-recode turned UCS-2 into UTF-8
    assert decode_text("café".encode("latin-1"), "ISO-8859-1", "0") == "café"
    assert decode_text(b"TD", None, None) == "TD"
    assert decode_text(b"\xff\xfeok", "no-such-charset", "0") == "\ufffd\ufffdok"


def test_incoming_ids_are_kannels_own_or_a_stable_hash():
    assert (
        incoming_sms("1d136291-e189", "+8613800000001", "10690000", None, "fake1", "0").message_id == "I:1d136291-e189"
    )
    first = incoming_sms(None, "+8613800000001", "10690000", "2026-11-22 19:28:27", "fake1", "收到")
    again = incoming_sms("", "+8613800000001", "10690000", "2026-11-22 19:28:27", "fake1", "收到")
    other = incoming_sms(None, "+8613800000001", "10690000", "2026-11-22 19:28:27", "fake1", "收到了")
    assert first.message_id == again.message_id != other.message_id
    assert first.message_id.startswith("H:") and len(first.message_id) <= 64


def test_numbers_go_to_the_longest_matching_prefix():
    routes = (("+86", "kannel"), ("+8613900", "twilio"), ("*", "simulator"))
    assert channel_for(routes, "+8613800000001") == "kannel"
    assert channel_for(routes, "+8613900000001") == "twilio"
    assert channel_for(routes, "+14155550100") == "simulator"


def test_a_routed_channel_paces_each_channel_and_names_it_in_the_result():
    kannel = ScriptedChannel({"+8613800000002": [SendResult("retry", retry_after=5, throttled=True)]})
    twilio = ScriptedChannel()
    limiters = {"kannel": NoLimit(), "twilio": NoLimit()}
    routed = RoutedChannel((("+86", "kannel"), ("*", "twilio")), {"kannel": kannel, "twilio": twilio}, limiters)
    first = routed.send_sms(OutgoingSms(1, "+8613800000001", "收到"))
    throttled = routed.send_sms(OutgoingSms(2, "+8613800000002", "收到"))
    abroad = routed.send_sms(OutgoingSms(3, "+14155550100", "hello"))
    assert (first.provider, throttled.provider, abroad.provider) == ("kannel", "kannel", "twilio")
    assert [m.outbox_id for m in kannel.sent] == [1, 2] and [m.outbox_id for m in twilio.sent] == [3]
    assert (limiters["kannel"].acquired, limiters["twilio"].acquired) == (2, 1)
    assert limiters["kannel"].slowed == [5] and limiters["twilio"].slowed == []
    assert throttled.throttled is False  # the sender's shared limiter must not slow the other channel down


def test_a_routed_channel_asks_the_channel_that_took_the_row():
    kannel = ScriptedChannel(lookups={"+8613800000001": LookupResult(found=None)})
    twilio = ScriptedChannel(lookups={"+8613800000001": LookupResult(found=True, provider_sid="SM1")})
    routed = RoutedChannel((("+86", "kannel"), ("*", "twilio")), {"kannel": kannel, "twilio": twilio})
    assert routed.find_sms(OutgoingSms(1, "+8613800000001", "x", provider="twilio"), NOW).found is True
    assert routed.find_sms(OutgoingSms(1, "+8613800000001", "x"), NOW).found is None  # the current route's
    assert routed.find_sms(OutgoingSms(1, "+8613800000001", "x", provider="gone"), NOW).found is None


def test_settings_read_kannel_and_routes():
    settings = Settings.from_env({
        **KANNEL_ENV, "KANNEL_SMSC": "modem1", "KANNEL_FROM": "10690000", "KANNEL_SMS_RATE": "0.5",
        "KANNEL_ALLOWED_IPS": "127.0.0.1, 10.0.0.0/8", "GRIDCAST_SMS_ROUTES": "+86=kannel, *=simulator",
    })  # fmt: skip
    assert settings.kannel_configured and settings.kannel_smsc == "modem1" and settings.kannel_from == "10690000"
    assert settings.kannel_allowed_ips == ("127.0.0.1/32", "10.0.0.0/8")
    assert settings.sms_route_table == (("+86", "kannel"), ("*", "simulator"))
    assert (settings.sms_rate_for("kannel"), settings.sms_rate_for("simulator")) == (0.5, 10.0)
    assert "pw" not in repr(settings) and SECRET not in repr(settings)
    alone = Settings.from_env(KANNEL_ENV)
    assert alone.sms_route_table == (("*", "kannel"),)
    assert isinstance(build_sms_channel(alone, None, lambda: NOW), KannelChannel)
    routed = build_sms_channel(settings, None, lambda: NOW)
    assert isinstance(routed, RoutedChannel) and set(routed.channels) == {"kannel", "simulator"}


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({**KANNEL_ENV, "KANNEL_SENDSMS_URL": "127.0.0.1:13013"}, "KANNEL_SENDSMS_URL"),
        ({**KANNEL_ENV, "KANNEL_PASSWORD": ""}, "KANNEL_PASSWORD"),
        ({**KANNEL_ENV, "KANNEL_WEBHOOK_SECRET": ""}, "KANNEL_WEBHOOK_SECRET"),
        ({**KANNEL_ENV, "KANNEL_WEBHOOK_SECRET": "short"}, "at least 16"),
        ({**KANNEL_ENV, "KANNEL_ALLOWED_IPS": "kannel.local"}, "KANNEL_ALLOWED_IPS"),
        ({**KANNEL_ENV, "KANNEL_DLR_MASK": "63"}, "KANNEL_DLR_MASK"),
        ({**KANNEL_ENV, "KANNEL_SMS_RATE": "0"}, "KANNEL_SMS_RATE"),
        ({"GRIDCAST_SMS_ROUTES": "+86=kannel,*=simulator"}, "KANNEL_SENDSMS_URL"),
        ({"GRIDCAST_SMS_ROUTES": "*=twilio"}, "TWILIO_ACCOUNT_SID"),
        ({**KANNEL_ENV, "GRIDCAST_SMS_ROUTES": "+86=kannel"}, "every other number"),
        ({**KANNEL_ENV, "GRIDCAST_SMS_ROUTES": "86=kannel,*=kannel"}, "+prefix"),
        ({**KANNEL_ENV, "GRIDCAST_SMS_ROUTES": "+86=modem,*=kannel"}, "+prefix"),
        ({**KANNEL_ENV, "GRIDCAST_SMS_ROUTES": "+86=kannel,+86=simulator,*=kannel"}, "twice"),
        ({**KANNEL_ENV, "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t"}, "GRIDCAST_SMS_ROUTES"),
    ],
)
def test_bad_kannel_settings_are_refused_with_a_clear_message(env, complaint):
    with pytest.raises(SettingsError, match=complaint.replace("+", r"\+")):
        Settings.from_env(env)


def test_the_allow_list_alone_is_enough():
    settings = Settings.from_env({**KANNEL_ENV, "KANNEL_WEBHOOK_SECRET": "", "KANNEL_ALLOWED_IPS": "127.0.0.1"})
    assert settings.kannel_secret is None and settings.kannel_allowed_ips == ("127.0.0.1/32",)
    assert "s=" not in build_sms_channel(settings, None, lambda: NOW).report_url(5)
