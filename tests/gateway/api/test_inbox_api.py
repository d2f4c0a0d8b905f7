"""The reply API: simulator replies and phones, the staff inbox, run confirmations, keywords and auto-reply texts."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from redis import Redis
from sqlalchemy import select

from campaigns.models import Contact, InboundMessage, SimulatedSms
from gateway.app import create_app
from tests.conftest import TEST_REDIS_URL
from tests.factories import NOW
from tests.reply_helpers import receive, send_campaign, send_run
from workers.composition import Services
from workers.queues import DEFAULT

WANGFANG, STRANGER = "+8613800000002", "+8613900000077"


@pytest.fixture
def redis():
    connection = Redis.from_url(TEST_REDIS_URL)
    connection.delete(f"rq:queue:{DEFAULT}", *connection.keys("rq:job:inbound-*"))
    yield connection
    connection.delete(f"rq:queue:{DEFAULT}", *connection.keys("rq:job:inbound-*"))
    connection.close()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_simulator_reply_is_received_and_queued(client, admin_headers, session_factory, people, redis):
    response = client.post("/api/v1/simulator/replies", json={"phone": "138 0000 0002", "body": "收到"},
                           headers=admin_headers)  # fmt: skip
    assert response.status_code == 202, response.json
    body = response.json
    assert (body["provider"], body["from"], body["body"], body["intent"]) == ("simulator", WANGFANG, "收到", None)
    assert body["contact"]["name"] == "王芳"
    assert redis.lrange(f"rq:queue:{DEFAULT}", 0, -1) == [f"inbound-{body['id']}".encode()]
    with session_factory() as session:
        [typed] = session.scalars(select(SimulatedSms).where(SimulatedSms.direction == "mo")).all()
        message = session.get(InboundMessage, body["id"])
    assert (typed.phone, typed.body, typed.sid) == (WANGFANG, "收到", message.provider_sid)
    assert message.raw["From"] == WANGFANG and message.raw["Body"] == "收到"


def test_simulated_phone_shows_what_it_got_and_sent(client, admin_headers, session_factory, people):
    send_campaign(session_factory, people, expects_reply=True)  # through a scripted channel: not on the phone
    summary = receive(session_factory, WANGFANG, "1", NOW + timedelta(minutes=5))
    send_run(session_factory, summary["reply_run_id"], NOW + timedelta(minutes=6))
    # Typed on the simulated phone now, after the fixed clock of the run above: it comes last.
    client.post("/api/v1/simulator/replies", json={"phone": WANGFANG, "body": "明天几点？"}, headers=admin_headers)
    phone = client.get(f"/api/v1/simulator/phones/{WANGFANG}", headers=admin_headers).json
    assert (phone["name"], phone["opted_out"]) == ("王芳", False)
    assert [(m["direction"], m["body"], m["status"]) for m in phone["messages"]] == [
        ("mt", "已收到您的确认，谢谢！", "delivered"),
        ("mo", "明天几点？", "received"),
    ]


def test_simulator_is_scoped_and_needs_a_writer(client, make_token, session_factory, people):
    other = bearer(make_token("coordinator", "623025102"))
    viewer = bearer(make_token("viewer", "623025101"))
    reply = {"phone": WANGFANG, "body": "1"}
    assert client.post("/api/v1/simulator/replies", json=reply, headers=other).status_code == 404
    assert client.get(f"/api/v1/simulator/phones/{WANGFANG}", headers=other).status_code == 404
    assert client.post("/api/v1/simulator/replies", json=reply, headers=viewer).status_code == 403
    assert client.get(f"/api/v1/simulator/phones/{WANGFANG}", headers=viewer).status_code == 200
    assert client.post("/api/v1/simulator/replies", json={**reply, "phone": "+8613900000077"},
                       headers=bearer(make_token("admin"))).status_code == 404  # fmt: skip
    assert client.post("/api/v1/simulator/replies", json={**reply, "body": ""},
                       headers=bearer(make_token("admin"))).status_code == 422  # fmt: skip


def test_simulator_routes_are_off_when_twilio_is_configured(settings, engine, session_factory, make_token, people):
    configured = dataclasses.replace(settings, twilio_account_sid="AC" + "b" * 32, twilio_auth_token="secret")
    app = create_app(runtime=Services(settings=configured, engine=engine, session_factory=session_factory))
    headers = bearer(make_token("admin"))
    client = app.test_client()
    assert (
        client.post("/api/v1/simulator/replies", json={"phone": WANGFANG, "body": "1"}, headers=headers).status_code
        == 404
    )
    assert client.get(f"/api/v1/simulator/phones/{WANGFANG}", headers=headers).status_code == 404


@pytest.fixture
def inbox(session_factory, people) -> dict[str, int]:
    """Replies: 王芳 (齐哈玛镇) confirms a run, asks a question; 多杰 (欧拉镇) says 0; a stranger writes."""
    run_id = send_campaign(session_factory, people, expects_reply=True)
    later = NOW + timedelta(minutes=5)
    return {
        "run": run_id,
        "confirm": receive(session_factory, WANGFANG, "收到", later)["inbound_id"],
        "question": receive(session_factory, WANGFANG, "明天几点开会？", later + timedelta(seconds=1))["inbound_id"],
        "other": receive(session_factory, "+8613800000006", "0", later + timedelta(seconds=2))["inbound_id"],
        "stranger": receive(session_factory, STRANGER, "收到", later + timedelta(seconds=3))["inbound_id"],
    }


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json
    return [item["id"] for item in response.json["items"]]


def test_inbox_scope_and_filters(client, make_token, inbox):
    root, own = bearer(make_token("admin")), bearer(make_token("coordinator", "623025101"))
    assert ids(client.get("/api/v1/inbox", headers=root)) == [
        inbox[k] for k in ("stranger", "other", "question", "confirm")
    ]
    assert ids(client.get("/api/v1/inbox", headers=own)) == [inbox["question"], inbox["confirm"]]
    assert ids(client.get("/api/v1/inbox?reviewed=false", headers=own)) == [inbox["question"]]
    assert ids(client.get("/api/v1/inbox?intent=confirm", headers=root)) == [inbox["stranger"], inbox["confirm"]]
    assert ids(client.get("/api/v1/inbox?unknown_sender=true", headers=root)) == [inbox["stranger"]]
    assert ids(client.get("/api/v1/inbox?unknown_sender=true", headers=own)) == []
    assert client.get("/api/v1/inbox?intent=nonsense", headers=root).status_code == 422
    for key in ("other", "stranger"):
        assert client.get(f"/api/v1/inbox/{inbox[key]}", headers=own).status_code == 404
    message = client.get(f"/api/v1/inbox/{inbox['confirm']}", headers=own).json
    assert (message["intent"], message["run_id"], message["contact"]["name"]) == ("confirm", inbox["run"], "王芳")


def test_review_marks_a_message_with_a_note(client, make_token, inbox):
    own = bearer(make_token("coordinator", "623025101"))
    response = client.post(f"/api/v1/inbox/{inbox['question']}/review", json={"note": "已电话回复：9点"}, headers=own)
    assert response.status_code == 200
    assert response.json["note"] == "已电话回复：9点" and response.json["reviewed_at"]
    assert ids(client.get("/api/v1/inbox?reviewed=false", headers=own)) == []
    viewer = bearer(make_token("viewer", "623025101"))
    assert client.post(f"/api/v1/inbox/{inbox['confirm']}/review", headers=viewer).status_code == 403


def test_link_an_unknown_sender_then_reprocess(client, make_token, session_factory, inbox):
    root = bearer(make_token("admin"))
    with session_factory() as session:
        wangfang = session.scalar(select(Contact.id).where(Contact.phone == WANGFANG))
    own = bearer(make_token("coordinator", "623025101"))
    assert client.post(f"/api/v1/inbox/{inbox['stranger']}/link", json={"contact_id": wangfang},
                       headers=own).status_code == 404  # fmt: skip
    response = client.post(f"/api/v1/inbox/{inbox['stranger']}/link", json={"contact_id": wangfang}, headers=root)
    assert response.status_code == 200, response.json
    assert response.json["message"]["contact"]["id"] == wangfang
    assert response.json["processing"]["confirmed_run_id"] == inbox["run"]
    again = client.post(f"/api/v1/inbox/{inbox['stranger']}/link", json={"contact_id": wangfang}, headers=root)
    assert again.status_code == 409
    for bad in ("x", 2**31, None):
        response = client.post(f"/api/v1/inbox/{inbox['other']}/link", json={"contact_id": bad}, headers=root)
        assert response.status_code == 422, bad


def test_run_confirmations_list_who_did_and_who_did_not(client, make_token, inbox):
    own = bearer(make_token("coordinator", "623025101"))
    body = client.get(f"/api/v1/runs/{inbox['run']}/confirmations", headers=own).json
    assert (body["recipients"], body["confirmed"], body["not_confirmed"]) == (3, 1, 2)
    confirmed = {item["name"]: item for item in body["items"] if item["confirmed"]}
    assert list(confirmed) == ["王芳"] and confirmed["王芳"]["channel"] == "sms"
    assert confirmed["王芳"]["inbound_id"] == inbox["confirm"]
    missing = client.get(f"/api/v1/runs/{inbox['run']}/confirmations?confirmed=false", headers=own).json
    assert sorted(item["name"] for item in missing["items"]) == ["Tom", "才让"] and missing["total"] == 2
    other = bearer(make_token("coordinator", "623025102"))
    assert client.get(f"/api/v1/runs/{inbox['run']}/confirmations", headers=other).status_code == 404


def test_keywords_api(client, make_token, session_factory, people):
    coordinator, viewer = bearer(make_token("coordinator", "623025101")), bearer(make_token("viewer", "623025102"))
    listed = client.get("/api/v1/keywords?language=bo&intent=confirm", headers=viewer).json["items"]
    assert {"id": None, "language": "bo", "intent": "confirm", "keyword": "ལགས", "builtin": True,
            "scope_grid_code": None, "editable": False} in listed  # fmt: skip
    body = {"language": "藏语", "intent": "confirm", "keyword": "འབྱོར་བྱུང"}
    assert client.post("/api/v1/keywords", json=body, headers=viewer).status_code == 403
    created = client.post("/api/v1/keywords", json=body, headers=coordinator)
    assert created.status_code == 201 and created.json["language"] == "bo"
    assert client.post("/api/v1/keywords", json=body, headers=coordinator).status_code == 409
    builtin = {**body, "keyword": "ལགས"}
    assert client.post("/api/v1/keywords", json=builtin, headers=coordinator).status_code == 409
    bad = {**body, "intent": "unknown"}
    assert client.post("/api/v1/keywords", json=bad, headers=coordinator).status_code == 422
    send_campaign(session_factory, people, expects_reply=True)
    assert receive(session_factory, "+8613800000001", "འབྱོར་བྱུང")["intent"] == "confirm"
    assert client.delete(f"/api/v1/keywords/{created.json['id']}", headers=coordinator).status_code == 204
    assert client.delete(f"/api/v1/keywords/{created.json['id']}", headers=coordinator).status_code == 404


def test_auto_reply_texts_api(client, make_token):
    root, township_admin = bearer(make_token("admin")), bearer(make_token("admin", "623025101"))
    listed = client.get("/api/v1/auto-replies", headers=township_admin).json
    assert listed["enabled"] is True
    by_key = {(item["language"], item["intent"]): item for item in listed["items"]}
    assert (by_key["zh", "help"]["custom"], by_key["bo", "confirm"]["enabled"]) == (False, True)
    change = {"text": "收到，谢谢！", "enabled": True}
    assert client.put("/api/v1/auto-replies/zh/confirm", json=change, headers=township_admin).status_code == 403
    changed = client.put("/api/v1/auto-replies/zh/confirm", json=change, headers=root)
    assert changed.json == {
        "language": "zh",
        "intent": "confirm",
        "text": "收到，谢谢！",
        "enabled": True,
        "custom": True,
    }
    off = client.put("/api/v1/auto-replies/zh/unknown", json={"enabled": False}, headers=root)
    assert (off.status_code, off.json["enabled"], off.json["text"]) == (
        200,
        False,
        "您的消息已收到，工作人员会尽快查看。",
    )
    assert client.put("/api/v1/auto-replies/ug/unknown", json={"enabled": False}, headers=root).status_code == 422
    assert client.put("/api/v1/auto-replies/zh/nonsense", json=change, headers=root).status_code == 422
