"""/kannel/dlr and /kannel/incoming on SQLite and PostgreSQL: the shared secret and the allow-list on every request,
forward-only delivery reports, incoming text decoded from Kannel's bytes, stored once, queued for the reply job."""

from __future__ import annotations

import dataclasses
from urllib.parse import quote

import pytest
from rq.job import Job
from sqlalchemy import func, select

from campaigns.identity.access import Actor
from campaigns.models import InboundMessage, OutboxMessage
from campaigns.runs.planning import launch_campaign
from gateway.app import create_app
from tests.factories import NOW, make_campaign
from tests.fakes import ScriptedChannel
from tests.reply_helpers import inbound_redis, send_run
from workers.composition import Services
from workers.inbound import inbound_job_id

SECRET = "kannel-webhook-secret-1"


@pytest.fixture
def redis():
    yield from inbound_redis()


def client_for(settings, engine, session_factory, **overrides):
    kannel = {"kannel_sendsms_url": "http://127.0.0.1:13013/cgi-bin/sendsms", "kannel_username": "gridcast",
              "kannel_password": "pw", "kannel_secret": SECRET}  # fmt: skip
    configured = dataclasses.replace(settings, **{**kannel, **overrides})
    app = create_app(runtime=Services(settings=configured, engine=engine, session_factory=session_factory))
    app.config["TESTING"] = True
    return app.test_client()


@pytest.fixture
def kannel_client(settings, engine, session_factory, redis):
    return client_for(settings, engine, session_factory)


def sent_rows(session_factory, tree) -> list[OutboxMessage]:
    with session_factory.begin() as session:
        planned = launch_campaign(session, Actor.system(), make_campaign(session, tree)["id"], NOW)
    send_run(session_factory, planned.run_id, NOW, ScriptedChannel(name="kannel"))
    with session_factory() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def row(session_factory, outbox_id: int) -> OutboxMessage:
    with session_factory() as session:
        return session.get(OutboxMessage, outbox_id)


def test_delivery_reports_only_move_forward(kannel_client, session_factory, people):
    first, second, third = sent_rows(session_factory, people)
    assert first.status == "sent" and first.provider == "kannel"

    def report(outbox_id: int, dlr_type: int, answer: str = "") -> int:
        query = {"s": SECRET, "o": outbox_id, "type": dlr_type, "answer": answer}
        return kannel_client.get("/kannel/dlr", query_string=query).status_code

    assert [report(first.id, dlr) for dlr in (8, 1, 8, 4, 16, 2)] == [200] * 6
    settled = row(session_factory, first.id)
    assert (settled.status, settled.error_code, settled.provider) == ("delivered", None, "kannel")
    assert report(second.id, 2, "NACK/0x0000000b/Invalid Destination Address") == 200
    failed = row(session_factory, second.id)
    assert (failed.status, failed.error_code) == ("undelivered", "kannel-dlr-2")
    assert failed.error_message == "Kannel: not delivered to the phone (NACK/0x0000000b/Invalid Destination Address)"
    assert report(second.id, 1) == 200 and row(session_factory, second.id).status == "undelivered"
    assert (
        kannel_client.post("/kannel/dlr", query_string={"s": SECRET}, data={"o": third.id, "type": 16}).status_code
        == 200
    )
    assert (row(session_factory, third.id).status, row(session_factory, third.id).error_code) == (
        "failed",
        "kannel-dlr-16",
    )


def test_a_report_for_a_row_another_channel_took_changes_nothing(kannel_client, session_factory, people):
    taken = sent_rows(session_factory, people)[0]
    with session_factory.begin() as session:
        session.get(OutboxMessage, taken.id).provider = "twilio"
    assert kannel_client.get("/kannel/dlr", query_string={"s": SECRET, "o": taken.id, "type": 1}).status_code == 200
    assert (row(session_factory, taken.id).status, row(session_factory, taken.id).provider) == ("sent", "twilio")


@pytest.mark.parametrize(
    "query",
    [{"s": SECRET, "type": 1}, {"s": SECRET, "o": "x", "type": 1}, {"s": SECRET, "o": 1, "type": 3},
     {"s": SECRET, "o": 1}],
)  # fmt: skip
def test_malformed_reports_are_refused(kannel_client, session_factory, tree, query):
    assert kannel_client.get("/kannel/dlr", query_string=query).status_code == 400


def test_a_report_for_a_deleted_row_is_answered(kannel_client, session_factory, tree):
    assert kannel_client.get("/kannel/dlr", query_string={"s": SECRET, "o": 999, "type": 1}).status_code == 200


@pytest.mark.parametrize("path", ["/kannel/dlr", "/kannel/incoming"])
@pytest.mark.parametrize("secret", [None, "", "kannel-webhook-secret-2", SECRET.upper()])
def test_without_the_secret_every_request_is_refused(kannel_client, session_factory, people, path, secret):
    first = sent_rows(session_factory, people)[0]
    query = {"o": first.id, "type": 1, "from": "+8613800000001", "text": "TD", "id": "abc"}
    if secret is not None:
        query["s"] = secret
    assert kannel_client.get(path, query_string=query).status_code == 403
    assert row(session_factory, first.id).status == "sent"
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(InboundMessage)) == 0


def test_the_allow_list_is_checked_on_every_request(settings, engine, session_factory, people, redis):
    client = client_for(settings, engine, session_factory, kannel_allowed_ips=("10.0.0.0/8",))
    first = sent_rows(session_factory, people)[0]
    query = {"s": SECRET, "o": first.id, "type": 1}
    assert client.get("/kannel/dlr", query_string=query).status_code == 403  # from 127.0.0.1
    assert client.get("/kannel/dlr", query_string=query, environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    only_addresses = client_for(
        settings, engine, session_factory, kannel_secret=None, kannel_allowed_ips=("10.1.2.3/32",)
    )
    incoming = {"from": "+8613800000001", "text": "0", "id": "x-1"}
    assert only_addresses.get("/kannel/incoming", query_string=incoming).status_code == 403
    answered = only_addresses.get("/kannel/incoming", query_string=incoming, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert answered.status_code == 200


def test_without_kannel_the_routes_do_not_exist(client, session_factory, tree):
    assert client.get("/kannel/dlr", query_string={"s": SECRET, "o": 1, "type": 1}).status_code == 404
    assert client.get("/kannel/incoming", query_string={"s": SECRET, "from": "+86138"}).status_code == 404


def stored(session_factory) -> list[tuple[str, str, str, str]]:
    with session_factory() as session:
        return [
            (m.provider, m.provider_sid, m.from_phone, m.body)
            for m in session.scalars(select(InboundMessage).order_by(InboundMessage.id))
        ]


def test_an_incoming_ucs2_sms_is_decoded_stored_once_and_queued(kannel_client, session_factory, people, redis):
    ucs2 = quote("འབྱོར་收到".encode("utf-16-be"), safe="")  # as Kannel passes %b of a UCS-2 SMS
    query = (f"s={SECRET}&from=%2B8613800000001&to=10690000&text={ucs2}"
             f"&charset=UTF-16BE&coding=2&smsc=modem1&time=2026-11-22+19:28:27&id=1d136291-e189")  # fmt: skip
    for _ in range(2):
        answer = kannel_client.get(f"/kannel/incoming?{query}")
        assert answer.status_code == 200 and answer.data == b""  # an empty answer: Kannel sends no SMS back
    assert stored(session_factory) == [("kannel", "I:1d136291-e189", "+8613800000001", "འབྱོར་收到")]
    with session_factory() as session:
        message = session.scalar(select(InboundMessage))
        assert message.raw["smsc"] == "modem1" and message.raw["coding"] == "2" and "s" not in message.raw
        assert message.contact_id is not None
    assert Job.fetch(inbound_job_id(message.id), connection=redis).func_name.endswith("process_inbound_job")


def test_a_post_url_delivery_without_an_id_is_named_by_its_content(kannel_client, session_factory, people, redis):
    headers = {"X-Kannel-From": "8613800000002", "X-Kannel-To": "10690000", "X-Kannel-Time": "2026-11-22 19:30:00",
               "X-Kannel-SMSC": "modem1", "X-Kannel-Coding": "0"}  # fmt: skip
    for _ in range(2):
        answer = kannel_client.post(f"/kannel/incoming?s={SECRET}", data="退订".encode(),
                                    headers=headers, content_type="text/plain; charset=UTF-8")  # fmt: skip
        assert answer.status_code == 200
    [(provider, sid, phone, body)] = stored(session_factory)
    assert (provider, phone, body) == ("kannel", "+8613800000002", "退订") and sid.startswith("H:")


def test_an_incoming_sms_without_a_sender_is_refused(kannel_client, session_factory, tree):
    assert kannel_client.get("/kannel/incoming", query_string={"s": SECRET, "text": "0"}).status_code == 400
