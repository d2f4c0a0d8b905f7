"""The gateway's voice webhooks, signed like Twilio signs them: the TwiML of each step of a call (announcement,
prompt, key 1, key 9, no key, wrong keys, goodbye), the call status callbacks, unsigned requests and simulator
mode. SQLite and PostgreSQL."""
# ruff: noqa: F811  (twilio_client is a fixture imported from test_twilio_webhook)

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from campaigns.channels.base import SendResult
from campaigns.delivery.sending import SendPolicy, send_batch
from campaigns.identity.access import Actor
from campaigns.models import Confirmation, OutboxMessage
from campaigns.runs.planning import launch_campaign
from tests.factories import NOW
from tests.fakes import NoLimit, ScriptedChannel
from tests.gateway.webhooks.test_twilio_webhook import ACCOUNT_SID, PUBLIC, TOKEN, twilio_client  # noqa: F401  (a fixture)
from tests.voice_helpers import ready_voice_campaign

CALL_SID = "CA" + "c" * 32


@pytest.fixture
def call(session_factory, people):
    """A voice row of 才让 (Tibetan) whose first call Twilio accepted: (outbox id, announcements, prompts)."""
    with session_factory.begin() as session:
        campaign, announcements, prompts = ready_voice_campaign(session, people)
        planned = launch_campaign(session, Actor.system(), campaign["id"], NOW)
        row_id = session.scalar(select(OutboxMessage.id).where(OutboxMessage.to == "+8613800000001"))
    channel = ScriptedChannel()
    channel.place_call = lambda call: SendResult("accepted", provider_sid=CALL_SID)
    send_batch(session_factory, channel, NoLimit(), SendPolicy(), lambda: NOW, planned.run_id, row_id, row_id)
    return row_id, announcements, prompts


def post(client, path: str, query: str, form: dict, *, signature: str | None = "sign"):
    if signature == "sign":
        signature = RequestValidator(TOKEN).compute_signature(f"{PUBLIC}{path}?{query}", form)
    headers = {"X-Twilio-Signature": signature} if signature else {}
    return client.post(f"{path}?{query}", data=form, headers=headers)


def twilio_form(**extra) -> dict:
    return {"CallSid": CALL_SID, "AccountSid": ACCOUNT_SID, "From": "+15005550006", "To": "+8613800000001",
            "Direction": "outbound-api", "ApiVersion": "2010-04-01", **extra}  # fmt: skip


def twiml(response) -> ET.Element:
    assert response.status_code == 200, response.data
    assert response.mimetype == "text/xml"
    return ET.fromstring(response.data)


def audio(sha256: str) -> str:
    return f"{PUBLIC}/audio/{sha256}.mp3"


def answer_url(row_id: int, round_number: int) -> str:
    return f"{PUBLIC}/twilio/voice/answer?o={row_id}&a=1&r={round_number}"


def shape(root: ET.Element) -> list:
    """The document as [(tag, attributes, text or children)] for exact comparisons."""
    return [(child.tag, child.attrib, shape(child) if len(child) else child.text) for child in root]


def test_answered_call_plays_the_announcement_then_asks_for_one_key(twilio_client, call):
    row_id, announcements, prompts = call
    root = twiml(post(twilio_client, "/twilio/voice", f"o={row_id}&a=1", twilio_form(CallStatus="in-progress")))
    assert root.tag == "Response"
    assert shape(root) == [
        ("Play", {"loop": "2"}, audio(announcements["bo"])),
        ("Gather", {"action": answer_url(row_id, 1), "method": "POST", "numDigits": "1", "timeout": "7"},
         [("Play", {}, audio(prompts[("bo", "press_1_to_confirm")]))]),
        ("Redirect", {"method": "POST"}, answer_url(row_id, 1)),
    ]  # fmt: skip
    assert b"<Say" not in post(twilio_client, "/twilio/voice", f"o={row_id}&a=1", twilio_form()).data


def test_key_1_records_a_voice_confirmation_and_thanks(twilio_client, call, session_factory):
    row_id, _, prompts = call
    form = twilio_form(Digits="1")
    root = twiml(post(twilio_client, "/twilio/voice/answer", f"o={row_id}&a=1&r=1", form))
    assert shape(root) == [("Play", {}, audio(prompts[("bo", "thanks")])), ("Hangup", {}, None)]
    twiml(post(twilio_client, "/twilio/voice/answer", f"o={row_id}&a=1&r=1", form))  # Twilio retried the request
    with session_factory() as session:
        confirmations = session.execute(select(Confirmation.channel, Confirmation.inbound_id)).all()
    assert confirmations == [("voice", None)]


def test_key_9_replays_the_announcement_and_asks_again(twilio_client, call):
    row_id, announcements, prompts = call
    root = twiml(post(twilio_client, "/twilio/voice/answer", f"o={row_id}&a=1&r=1", twilio_form(Digits="9")))
    assert [element.tag for element in root] == ["Play", "Gather", "Redirect"]
    assert root[0].text == audio(announcements["bo"]) and "loop" not in root[0].attrib
    assert root[1].attrib["action"] == answer_url(row_id, 2)
    assert root[1][0].text == audio(prompts[("bo", "press_1_to_confirm")])


@pytest.mark.parametrize("digits", ["", "5", "#"])
def test_no_key_or_another_key_asks_again_without_replaying(twilio_client, call, session_factory, digits):
    row_id, _, _ = call
    form = twilio_form(Digits=digits) if digits else twilio_form()
    root = twiml(post(twilio_client, "/twilio/voice/answer", f"o={row_id}&a=1&r=2", form))
    assert [element.tag for element in root] == ["Gather", "Redirect"]
    assert root[0].attrib["action"] == answer_url(row_id, 3)
    with session_factory() as session:
        assert session.scalars(select(Confirmation)).all() == []


def test_after_the_last_round_the_call_says_goodbye_and_hangs_up(twilio_client, call):
    row_id, _, prompts = call
    root = twiml(post(twilio_client, "/twilio/voice/answer", f"o={row_id}&a=1&r=3", twilio_form()))
    assert shape(root) == [("Play", {}, audio(prompts[("bo", "goodbye")])), ("Hangup", {}, None)]


def test_a_row_without_audio_hangs_up(twilio_client, call):
    root = twiml(post(twilio_client, "/twilio/voice", "o=999999&a=1", twilio_form()))
    assert shape(root) == [("Hangup", {}, None)]


@pytest.mark.parametrize("path", ["/twilio/voice", "/twilio/voice/answer", "/twilio/call-status"])
@pytest.mark.parametrize("signature", [None, "bm90IGEgc2lnbmF0dXJl"])
def test_unsigned_or_badly_signed_requests_are_refused(twilio_client, call, session_factory, path, signature):
    row_id, _, _ = call
    form = twilio_form(Digits="1", CallStatus="completed")
    response = post(twilio_client, path, f"o={row_id}&a=1&r=1", form, signature=signature)
    assert response.status_code == 403
    with session_factory() as session:
        assert session.scalars(select(Confirmation)).all() == []
        assert session.get(OutboxMessage, row_id).status == "sent"


def test_a_signature_for_another_row_is_refused(twilio_client, call):
    row_id, _, _ = call
    form = twilio_form(Digits="1")
    signature = RequestValidator(TOKEN).compute_signature(f"{PUBLIC}/twilio/voice/answer?o={row_id + 1}&a=1&r=1", form)
    response = post(twilio_client, "/twilio/voice/answer", f"o={row_id}&a=1&r=1", form, signature=signature)
    assert response.status_code == 403


def test_a_url_we_never_gave_out_is_a_400(twilio_client, call):
    assert post(twilio_client, "/twilio/voice", "o=abc&a=1", twilio_form()).status_code == 400
    assert post(twilio_client, "/twilio/call-status", "o=1", twilio_form(CallStatus="ringing")).status_code == 400


def test_voice_webhooks_are_404_in_simulator_mode(client, call):
    row_id, _, _ = call
    for path in ("/twilio/voice", "/twilio/voice/answer", "/twilio/call-status"):
        assert post(client, path, f"o={row_id}&a=1&r=1", twilio_form()).status_code == 404


def test_call_status_callbacks_repeated_and_reordered_only_move_forward(twilio_client, call, session_factory):
    row_id, _, _ = call
    for status in ["ringing", "completed", "in-progress", "initiated", "completed", "ringing"]:
        response = post(twilio_client, "/twilio/call-status", f"o={row_id}&a=1", twilio_form(CallStatus=status))
        assert response.status_code == 204
    with session_factory() as session:
        row = session.get(OutboxMessage, row_id)
        assert (row.status, row.call_status, row.provider_sid) == ("delivered", "completed", CALL_SID)


def test_a_no_answer_callback_schedules_the_next_try(twilio_client, call, session_factory):
    row_id, _, _ = call
    for status in ["initiated", "ringing", "no-answer", "ringing", "no-answer"]:
        post(twilio_client, "/twilio/call-status", f"o={row_id}&a=1", twilio_form(CallStatus=status))
    with session_factory() as session:
        row = session.get(OutboxMessage, row_id)
        assert (row.status, row.error_code, row.call_status) == ("queued", "no-answer", "no-answer")
        assert row.next_attempt_at - row.updated_at == timedelta(minutes=30)
