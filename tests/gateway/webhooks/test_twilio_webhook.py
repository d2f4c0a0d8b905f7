"""POST /twilio/status: signed Twilio status callbacks move outbox rows forward, and only forward."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from sqlalchemy import update
from twilio.request_validator import RequestValidator

from campaigns.broadcasts.campaign_service import create_campaign
from campaigns.delivery.dispatch import due_batches
from campaigns.delivery.sending import SendPolicy, send_batch
from campaigns.identity.access import Actor
from campaigns.models import OutboxMessage
from campaigns.runs.planning import launch_campaign
from gateway.app import create_app
from tests.factories import add_contact
from tests.fakes import NoLimit, ScriptedChannel
from workers.composition import Services

TOKEN = "twilio-auth-token-for-tests"
ACCOUNT_SID = "AC" + "b" * 32
PUBLIC = "https://gridcast.example/gw"  # behind a proxy: not the host the test client talks to
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
FIRST_SID = f"SM{1:032d}"  # ScriptedChannel's first sid


@pytest.fixture
def twilio_client(settings, engine, session_factory):
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


@pytest.fixture
def sent_row(session_factory, tree) -> int:
    """The id of an outbox row that was handed to the provider and is now `sent` with FIRST_SID."""
    with session_factory.begin() as session:
        add_contact(session, tree["62302510120101"], "+8613800000001", "才让")
        campaign = create_campaign(
            session,
            Actor.system(),
            {"name": "通知", "audience": {"grid_ids": [tree["623025"]]}, "texts": {"zh": "开会"}},
        )
        launch_campaign(session, Actor.system(), campaign["id"], NOW)
        batch = due_batches(session, NOW, 500)[0]
    send_batch(
        session_factory,
        ScriptedChannel(name="twilio"),
        NoLimit(),
        SendPolicy(),
        lambda: NOW,
        batch.run_id,
        batch.first_id,
        batch.last_id,
    )
    return batch.first_id


def callback(client, outbox_id, status: str, sid: str = FIRST_SID, *, signature: str | None = "sign", **extra):
    query = f"o={outbox_id}"
    form = {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": "+15005550006",
        "To": "+8613800000001",
        "MessageStatus": status,
        "SmsStatus": status,
        "ApiVersion": "2010-04-01",
        **extra,
    }
    if signature == "sign":
        signature = RequestValidator(TOKEN).compute_signature(f"{PUBLIC}/twilio/status?{query}", form)
    headers = {"X-Twilio-Signature": signature} if signature else {}
    return client.post(f"/twilio/status?{query}", data=form, headers=headers)


def row(session_factory, outbox_id: int) -> OutboxMessage:
    with session_factory() as session:
        return session.get(OutboxMessage, outbox_id)


def test_signed_delivered_callback_moves_the_row_to_delivered(twilio_client, session_factory, sent_row):
    response = callback(twilio_client, sent_row, "delivered")
    assert response.status_code == 204
    stored = row(session_factory, sent_row)
    assert (stored.status, stored.provider_sid) == ("delivered", FIRST_SID)
    assert stored.finished_at is not None


def test_undelivered_callback_keeps_the_error_code(twilio_client, session_factory, sent_row):
    assert callback(twilio_client, sent_row, "undelivered", ErrorCode="30003").status_code == 204
    stored = row(session_factory, sent_row)
    assert (stored.status, stored.error_code) == ("undelivered", "30003")


@pytest.mark.parametrize("signature", [None, "", "bm90IGEgc2lnbmF0dXJl"])
def test_bad_or_missing_signature_is_refused_and_changes_nothing(twilio_client, session_factory, sent_row, signature):
    response = callback(twilio_client, sent_row, "delivered", signature=signature)
    assert response.status_code == 403
    assert row(session_factory, sent_row).status == "sent"


def test_signature_over_the_internal_url_is_refused(twilio_client, session_factory, sent_row):
    form = {"MessageSid": FIRST_SID, "MessageStatus": "delivered"}
    wrong = RequestValidator(TOKEN).compute_signature(f"http://localhost/twilio/status?o={sent_row}", form)
    response = twilio_client.post(f"/twilio/status?o={sent_row}", data=form, headers={"X-Twilio-Signature": wrong})
    assert response.status_code == 403
    assert row(session_factory, sent_row).status == "sent"


def test_tampered_form_is_refused(twilio_client, session_factory, sent_row):
    form = {"MessageSid": FIRST_SID, "MessageStatus": "sent"}
    signature = RequestValidator(TOKEN).compute_signature(f"{PUBLIC}/twilio/status?o={sent_row}", form)
    tampered = {**form, "MessageStatus": "failed"}
    response = twilio_client.post(
        f"/twilio/status?o={sent_row}", data=tampered, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 403
    assert row(session_factory, sent_row).status == "sent"


def test_duplicated_and_reordered_callbacks_leave_delivered(twilio_client, session_factory, sent_row):
    for status in ("delivered", "delivered", "sent", "queued", "sending"):
        assert callback(twilio_client, sent_row, status).status_code == 204
    assert row(session_factory, sent_row).status == "delivered"


def test_callback_for_a_lost_send_answer_binds_the_sid(twilio_client, session_factory, sent_row):
    with session_factory.begin() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == sent_row)
            .values(status="sending", provider_sid=None, lease_token="lost", sent_at=None)
        )
    assert callback(twilio_client, sent_row, "sent", sid="SM" + "c" * 32).status_code == 204
    stored = row(session_factory, sent_row)
    assert (stored.status, stored.provider_sid, stored.lease_token) == ("sent", "SM" + "c" * 32, None)
    assert callback(twilio_client, sent_row, "delivered", sid="SM" + "c" * 32).status_code == 204
    assert row(session_factory, sent_row).status == "delivered"


def test_callback_with_another_sid_changes_nothing(twilio_client, session_factory, sent_row):
    assert callback(twilio_client, sent_row, "delivered", sid="SM" + "d" * 32).status_code == 204
    assert row(session_factory, sent_row).status == "sent"


def test_unknown_outbox_id_is_answered_204(twilio_client, session_factory, sent_row):
    assert callback(twilio_client, sent_row + 1000, "delivered").status_code == 204
    assert row(session_factory, sent_row).status == "sent"


def test_missing_outbox_id_is_a_bad_request(twilio_client):
    form = {"MessageSid": FIRST_SID, "MessageStatus": "delivered"}
    signature = RequestValidator(TOKEN).compute_signature(f"{PUBLIC}/twilio/status", form)
    response = twilio_client.post("/twilio/status", data=form, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 400


def test_simulator_mode_has_no_status_webhook(client, session_factory, sent_row):
    response = callback(client, sent_row, "delivered")
    assert response.status_code == 404
    assert row(session_factory, sent_row).status == "sent"
