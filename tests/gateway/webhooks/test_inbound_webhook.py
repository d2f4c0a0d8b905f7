"""POST /twilio/sms: signed incoming SMS are stored whole, once per MessageSid, and queued for processing."""

from __future__ import annotations

import dataclasses

import pytest
from rq.job import Job
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from campaigns.models import InboundMessage
from gateway.app import create_app
from tests.reply_helpers import inbound_redis
from workers.composition import Services
from workers.queues import DEFAULT

TOKEN = "twilio-auth-token-for-tests"
ACCOUNT_SID = "AC" + "b" * 32
PUBLIC = "https://gridcast.example/gw"


@pytest.fixture
def redis():
    yield from inbound_redis()


@pytest.fixture
def twilio_client(settings, engine, session_factory, redis):
    configured = dataclasses.replace(
        settings,
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=TOKEN,
        twilio_from_number="+15005550006",
        public_base_url=PUBLIC,
    )
    app = create_app(runtime=Services(settings=configured, engine=engine, session_factory=session_factory))
    app.config["TESTING"] = True
    return app.test_client()


def twilio_form(sid: str, sender: str, body: str) -> dict[str, str]:
    """The fields Twilio posts for an incoming SMS."""
    return {
        "ToCountry": "US",
        "ToState": "CA",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "",
        "SmsSid": sid,
        "FromState": "",
        "SmsStatus": "received",
        "FromCity": "",
        "Body": body,
        "FromCountry": "CN",
        "To": "+15005550006",
        "MessagingServiceSid": "MG" + "c" * 32,
        "ToZip": "",
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }


def post_sms(client, form: dict, *, signature: str | None = "sign", url: str = f"{PUBLIC}/twilio/sms"):
    if signature == "sign":
        signature = RequestValidator(TOKEN).compute_signature(url, form)
    headers = {"X-Twilio-Signature": signature} if signature else {}
    return client.post("/twilio/sms", data=form, headers=headers)


def stored(session_factory) -> list[InboundMessage]:
    with session_factory() as session:
        return list(session.scalars(select(InboundMessage).order_by(InboundMessage.id)))


def test_signed_sms_is_stored_whole_and_queued(twilio_client, session_factory, people, redis):
    form = twilio_form("SM" + "1" * 32, "+8613800000002", "收到")
    response = post_sms(twilio_client, form)
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    assert response.get_data(as_text=True).endswith("<Response/>")
    [message] = stored(session_factory)
    assert message.raw == form
    assert (message.provider, message.provider_sid, message.from_phone, message.body) == (
        "twilio",
        "SM" + "1" * 32,
        "+8613800000002",
        "收到",
    )
    assert message.contact_id is not None and message.processed_at is None
    job = Job.fetch(f"inbound-{message.id}", connection=redis)
    assert (job.func_name, job.args, job.origin) == ("workers.jobs.replies.process_inbound_job", (message.id,), DEFAULT)


def test_repeated_message_sid_stores_one_row(twilio_client, session_factory, people, redis):
    form = twilio_form("SM" + "2" * 32, "+8613800000002", "1")
    assert [post_sms(twilio_client, form).status_code for _ in range(3)] == [200, 200, 200]
    [message] = stored(session_factory)
    assert redis.lrange(f"rq:queue:{DEFAULT}", 0, -1) == [f"inbound-{message.id}".encode()]  # enqueued once


def test_unknown_sender_is_kept(twilio_client, session_factory, people):
    post_sms(twilio_client, twilio_form("SM" + "3" * 32, "+8613900000077", "你好"))
    [message] = stored(session_factory)
    assert (message.contact_id, message.from_phone) == (None, "+8613900000077")


@pytest.mark.parametrize("signature", [None, "", "bm90IGEgc2lnbmF0dXJl"])
def test_bad_or_missing_signature_is_refused_and_stores_nothing(twilio_client, session_factory, people, signature,
                                                                redis):  # fmt: skip
    response = post_sms(twilio_client, twilio_form("SM" + "4" * 32, "+8613800000002", "1"), signature=signature)
    assert response.status_code == 403
    assert stored(session_factory) == []
    assert redis.llen(f"rq:queue:{DEFAULT}") == 0


def test_signature_over_another_url_or_a_tampered_form_is_refused(twilio_client, session_factory, people):
    form = twilio_form("SM" + "5" * 32, "+8613800000002", "1")
    assert post_sms(twilio_client, form, url="http://localhost/twilio/sms").status_code == 403
    signature = RequestValidator(TOKEN).compute_signature(f"{PUBLIC}/twilio/sms", form)
    tampered = {**form, "Body": "STOP"}
    assert post_sms(twilio_client, tampered, signature=signature).status_code == 403
    assert stored(session_factory) == []


def test_signed_request_without_message_sid_is_a_bad_request(twilio_client, session_factory, people):
    form = {"From": "+8613800000002", "Body": "1"}
    assert post_sms(twilio_client, form).status_code == 400
    assert stored(session_factory) == []


def test_stored_even_when_redis_is_down(settings, engine, session_factory, people):
    configured = dataclasses.replace(settings, twilio_account_sid=ACCOUNT_SID, twilio_auth_token=TOKEN,
                                     public_base_url=PUBLIC, redis_url="redis://127.0.0.1:1/0")  # fmt: skip
    app = create_app(runtime=Services(settings=configured, engine=engine, session_factory=session_factory))
    response = post_sms(app.test_client(), twilio_form("SM" + "6" * 32, "+8613800000002", "1"))
    assert response.status_code == 200
    assert len(stored(session_factory)) == 1


def test_simulator_mode_has_no_sms_webhook(client, session_factory, people):
    assert post_sms(client, twilio_form("SM" + "7" * 32, "+8613800000002", "1")).status_code == 404
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(InboundMessage)) == 0
