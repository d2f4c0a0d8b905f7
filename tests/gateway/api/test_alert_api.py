"""Alerts over the API, in CAP 1.2 and in the console: create, approve, launch, update, cancel; the county rule;
the CAP document's structure checked against the element order and cardinality of CAP 1.2; drills apart."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from rq import Queue
from sqlalchemy import select, update

from campaigns.models import AuditEntry, OutboxMessage
from campaigns.models.base import utcnow
from tests.console_helpers import csrf_of, logged_in
from workers.dispatching import SEND_JOB
from workers.lane import RedisLane
from workers.queues import ALERTS

NS = "{urn:oasis:names:tc:emergency:cap:1.2}"
# CAP 1.2 (OASIS, 2010) sequences: (element, required, repeatable), in schema order.
ALERT_SEQUENCE = [("identifier", True, False), ("sender", True, False), ("sent", True, False),
                  ("status", True, False), ("msgType", True, False), ("source", False, False),
                  ("scope", True, False), ("restriction", False, False), ("addresses", False, False),
                  ("code", False, True), ("note", False, False), ("references", False, False),
                  ("incidents", False, False), ("info", False, True)]  # fmt: skip
INFO_SEQUENCE = [("language", False, False), ("category", True, True), ("event", True, False),
                 ("responseType", False, True), ("urgency", True, False), ("severity", True, False),
                 ("certainty", True, False), ("audience", False, False), ("eventCode", False, True),
                 ("effective", False, False), ("onset", False, False), ("expires", False, False),
                 ("senderName", False, False), ("headline", False, False), ("description", False, False),
                 ("instruction", False, False), ("web", False, False), ("contact", False, False),
                 ("parameter", False, True), ("resource", False, True), ("area", False, True)]  # fmt: skip
AREA_SEQUENCE = [("areaDesc", True, False), ("polygon", False, True), ("circle", False, True),
                 ("geocode", False, True), ("altitude", False, False), ("ceiling", False, False)]  # fmt: skip
GEOCODE_SEQUENCE = [("valueName", True, False), ("value", True, False)]
ENUMS = {"status": {"Actual", "Exercise", "System", "Test", "Draft"}, "msgType": {"Alert", "Update", "Cancel", "Ack",
         "Error"}, "scope": {"Public", "Restricted", "Private"},
         "severity": {"Extreme", "Severe", "Moderate", "Minor", "Unknown"},
         "urgency": {"Immediate", "Expected", "Future", "Past", "Unknown"}}  # fmt: skip


def check_sequence(element: ET.Element, sequence: list[tuple[str, bool, bool]]) -> None:
    """Children follow the sequence: known names only, in order, required ones present, single ones once."""
    tags = [child.tag.removeprefix(NS) for child in element]
    names = [name for name, _required, _many in sequence]
    assert set(tags) <= set(names), set(tags) - set(names)
    positions = [names.index(tag) for tag in tags]
    assert positions == sorted(positions), tags
    for name, required, many in sequence:
        assert tags.count(name) >= (1 if required else 0), f"{name} missing"
        assert many or tags.count(name) <= 1, f"{name} repeated"
    for child in element:
        tag = child.tag.removeprefix(NS)
        if tag in ENUMS:
            assert child.text in ENUMS[tag], (tag, child.text)


def check_cap(document: ET.Element) -> None:
    assert document.tag == f"{NS}alert"
    check_sequence(document, ALERT_SEQUENCE)
    for info in document.findall(f"{NS}info"):
        check_sequence(info, INFO_SEQUENCE)
        for area in info.findall(f"{NS}area"):
            check_sequence(area, AREA_SEQUENCE)
            for geocode in area.findall(f"{NS}geocode"):
                check_sequence(geocode, GEOCODE_SEQUENCE)


def test_the_structure_check_catches_a_misplaced_element():
    bad = ET.fromstring(f'<alert xmlns="{NS[1:-1]}"><identifier>a</identifier><sender>s</sender><status>Actual'
                        "</status><sent>2026-11-23T10:00:00+08:00</sent><msgType>Alert</msgType><scope>Public</scope>"
                        "</alert>")  # fmt: skip
    with pytest.raises(AssertionError):
        check_cap(bad)


def _alert_body(tree, **overrides) -> dict:
    now = utcnow()
    body = {
        "kind": "alert", "name": "暴雪预警", "event_type": "暴雪", "severity": "重大",
        "valid_from": now.isoformat(), "expires_at": (now + timedelta(days=1)).isoformat(),
        "audience": {"grid_ids": [tree["623025101"]]}, "fallback_language": "zh",
        "texts": {"zh": "暴雪预警：今晚有暴雪。", "bo": "ཁ་བ་ཆེན་པོ།"},
    }  # fmt: skip
    body.update(overrides)
    return body


def _approved_launch(client, author, approver, campaign_id: int):
    assert client.post(f"/api/v1/campaigns/{campaign_id}/approval", headers=approver).status_code == 200
    launched = client.post(f"/api/v1/campaigns/{campaign_id}/launch", headers=author)
    assert launched.status_code == 202, launched.json
    return launched.json


def _cap(client, headers, campaign_id: int) -> ET.Element:
    response = client.get(f"/api/v1/campaigns/{campaign_id}/cap.xml", headers=headers)
    assert response.status_code == 200
    document = ET.fromstring(response.get_data())
    check_cap(document)
    return document


def _text(element: ET.Element, path: str) -> str | None:
    return element.findtext("/".join(f"{NS}{part}" for part in path.split("/")))


def test_alert_update_and_cancel_over_the_api_and_in_cap(client, make_token, people, session_factory):
    author = {"Authorization": f"Bearer {make_token('coordinator', '623025')}"}
    approver = {"Authorization": f"Bearer {make_token('coordinator', '623025')}"}
    bad = client.post("/api/v1/campaigns", headers=author, json=_alert_body(people, expires_at=None))
    assert bad.status_code == 422 and "expires_at" in bad.json["error"]["fields"]
    created = client.post("/api/v1/campaigns", headers=author, json=_alert_body(people))
    assert created.status_code == 201 and created.json["alert"]["severity"] == "severe"
    alert_id = created.json["id"]
    refused = client.post(f"/api/v1/campaigns/{alert_id}/launch", headers=author)
    assert refused.status_code == 409 and refused.json["error"]["fields"] == {"approval": "required"}
    run_id = _approved_launch(client, author, approver, alert_id)["run"]["id"]
    original = _cap(client, author, alert_id)
    assert (_text(original, "status"), _text(original, "msgType"), _text(original, "references")) == (
        "Actual", "Alert", None)  # fmt: skip
    assert [_text(info, "language") for info in original.findall(f"{NS}info")] == ["zh", "bo"]
    info = original.find(f"{NS}info")
    assert (_text(info, "event"), _text(info, "severity"), _text(info, "urgency")) == ("暴雪", "Severe", "Immediate")
    assert _text(info, "expires").endswith("+08:00") and _text(info, "effective").endswith("+08:00")
    assert (_text(info, "area/areaDesc"), _text(info, "area/geocode/value")) == ("齐哈玛镇", "623025101")
    with session_factory.begin() as session:
        reached = (OutboxMessage.run_id == run_id) & (OutboxMessage.to == "+8613800000001")
        session.execute(update(OutboxMessage).where(reached).values(status="sent"))

    updated = client.post(f"/api/v1/campaigns/{alert_id}/update-alert", headers=author,
                          json={"texts": {"zh": "暴雪加大，请留在室内。"}})  # fmt: skip
    assert updated.status_code == 201 and updated.json["alert"]["msg_type"] == "update"
    update_run = _approved_launch(client, author, approver, updated.json["id"])["run"]["id"]
    progress = client.get(f"/api/v1/runs/{run_id}", headers=author).json
    assert progress["by_status"]["cancelled"] == 2 and progress["by_status"]["sent"] == 1
    assert client.get(f"/api/v1/runs/{update_run}", headers=author).json["total"] == 3
    update_cap = _cap(client, author, updated.json["id"])
    sender, identifier, sent = _text(update_cap, "references").split(",")
    assert (sender, identifier, sent) == (_text(original, "sender"), _text(original, "identifier"),
                                          _text(original, "sent"))  # fmt: skip
    assert _text(update_cap, "msgType") == "Update"

    no_bool = client.post(f"/api/v1/campaigns/{updated.json['id']}/cancel-alert", headers=author, json={})
    assert no_bool.status_code == 422
    cancel = client.post(f"/api/v1/campaigns/{updated.json['id']}/cancel-alert", headers=author,
                         json={"all_clear": True})  # fmt: skip
    assert cancel.status_code == 201 and cancel.json["texts"]["zh"] == "【解除】暴雪预警解除。"
    _approved_launch(client, author, approver, cancel.json["id"])
    assert client.get(f"/api/v1/runs/{update_run}", headers=author).json["by_status"]["cancelled"] == 3
    cancel_cap = _cap(client, author, cancel.json["id"])
    assert _text(cancel_cap, "msgType") == "Cancel" and len(_text(cancel_cap, "references").split(" ")) == 2


def test_drills_are_marked_test_in_cap_and_listed_apart(client, admin_headers, people):
    drill = client.post("/api/v1/campaigns", headers=admin_headers, json=_alert_body(people, is_drill=True)).json
    client.post("/api/v1/campaigns", headers=admin_headers, json=_alert_body(people))
    assert drill["texts"]["zh"].startswith("【演练】") and drill["texts"]["bo"].startswith("[TEST] ")
    assert _text(_cap(client, admin_headers, drill["id"]), "status") == "Test"
    listed = client.get("/api/v1/campaigns?drill=true", headers=admin_headers).json
    assert [item["id"] for item in listed["items"]] == [drill["id"]]
    assert client.get("/api/v1/campaigns?kind=alert", headers=admin_headers).json["total"] == 2


def test_the_county_rule_over_the_api(client, make_token, people, session_factory):
    admin = {"Authorization": f"Bearer {make_token('admin', '623025')}"}
    clerk = {"Authorization": f"Bearer {make_token('coordinator', '623025')}"}
    rule = f"/api/v1/grids/{people['623025']}/alert-rule"
    assert client.get(rule, headers=admin).json["skip_approval_for_extreme"] is False
    assert client.put(rule, headers=clerk, json={"skip_approval_for_extreme": True}).status_code == 403
    assert client.put(f"/api/v1/grids/{people['623025101']}/alert-rule", headers=admin,
                      json={"skip_approval_for_extreme": True}).status_code == 422  # fmt: skip
    assert client.put(rule, headers=admin, json={"skip_approval_for_extreme": True}).json["skip_approval_for_extreme"]
    extreme = client.post("/api/v1/campaigns", headers=admin, json=_alert_body(people, severity="extreme")).json
    assert client.get(f"/api/v1/campaigns/{extreme['id']}/approval", headers=admin).json["may_skip"] is True
    assert client.post(f"/api/v1/campaigns/{extreme['id']}/launch", headers=admin).status_code == 202
    with session_factory() as session:
        actions = set(session.scalars(select(AuditEntry.action).where(AuditEntry.action.startswith("alert."))))
    assert actions == {"alert.county_rule", "alert.approval_skipped"}


def test_the_openapi_document_lists_the_alert_routes(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {"/api/v1/campaigns/{campaign_id}/update-alert", "/api/v1/campaigns/{campaign_id}/cancel-alert",
            "/api/v1/grids/{grid_id}/alert-rule"} <= set(paths)  # fmt: skip


def test_the_console_composes_an_alert_in_local_time_and_offers_update_and_cancel(client, session_factory, people):
    token = logged_in(client, session_factory, "chief", "admin", "623025")
    form = {"csrf_token": token, "name": "暴雪演练", "event_type": "暴雪", "severity": "extreme",
            "valid_from": "2030-11-23T18:00", "expires_at": "2030-11-24T08:00", "is_drill": "on",
            "channels": "sms", "grid_ids": str(people["623025101"]), "text_zh": "今晚暴雪",
            "fallback_language": "zh"}  # fmt: skip
    wrong = client.post("/console/alerts/new", data={**form, "expires_at": "2030-11-23T08:00"})
    assert wrong.status_code == 422 and "2030-11-23T08:00" in wrong.get_data(as_text=True)
    created = client.post("/console/alerts/new", data=form)
    assert created.status_code == 302
    page = client.get(created.headers["Location"]).get_data(as_text=True)
    assert "特别重大" in page and "【演练】今晚暴雪" in page and 'data-testid="drill"' in page
    assert 'datetime="2030-11-24T00:00:00+00:00"' in page  # 08:00 in Asia/Shanghai
    assert 'data-testid="update-alert"' not in page  # a draft is edited, not updated
    listing = client.get("/console/campaigns").get_data(as_text=True)
    assert 'data-testid="kind">演练' in listing
    rules = client.get("/console/alert-rules")
    assert 'data-testid="rule-623025"' in rules.get_data(as_text=True)
    client.post(f"/console/alert-rules/{people['623025']}", data={"csrf_token": csrf_of(rules), "skip": "on"})
    page = client.get(created.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="may-skip"' in page and 'data-action="launch"' in page
    campaign_id = int(created.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    client.post(f"/console/campaigns/{campaign_id}/launch", data={"csrf_token": token})
    page = client.get(f"/console/campaigns/{campaign_id}").get_data(as_text=True)
    assert 'data-testid="update-alert"' in page and 'data-testid="cancel-alert"' in page
    follow = client.post(
        f"/console/campaigns/{campaign_id}/cancel-alert", data={"csrf_token": token, "all_clear": "on"}
    )
    assert follow.status_code == 302
    assert "【演练】【解除】暴雪预警解除。" in client.get(follow.headers["Location"]).get_data(as_text=True)
    dashboard = client.get("/console/").get_data(as_text=True)
    assert "已发布 0 条预警" in dashboard and "演练（不计入上面）：1 条预警" in dashboard


def test_a_launched_alert_has_its_send_batches_on_the_alerts_queue_at_once(client, make_token, people, sends):
    author = {"Authorization": f"Bearer {make_token('coordinator', '623025')}"}
    approver = {"Authorization": f"Bearer {make_token('coordinator', '623025')}"}
    created = client.post("/api/v1/campaigns", headers=author, json=_alert_body(people))
    run_id = _approved_launch(client, author, approver, created.json["id"])["run"]["id"]
    jobs = Queue(ALERTS, connection=sends.connection).jobs
    assert [(job.func_name, job.args[0]) for job in jobs] == [(SEND_JOB, run_id)]  # no dispatch job in between
    assert RedisLane(sends.connection).busy()  # routine senders give way from now
