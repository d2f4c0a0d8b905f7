"""GET /api/v1/campaigns/{id}/ebm.xml: an alert launched over the API as an EBM (structure checked), its query
options, the refusals (out of scope, a routine campaign, bad options, no resource code), and the OpenAPI entry."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from campaigns.models.base import utcnow
from gateway.app import create_app
from tests.conftest import TEST_EBM_RESOURCE_CODE
from tests.ebm_helpers import parse_ebm


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _launched_alert(client, make_token, tree) -> tuple[int, dict[str, str]]:
    author, approver = _bearer(make_token("coordinator", "623025")), _bearer(make_token("coordinator", "623025"))
    now = utcnow()
    body = {"kind": "alert", "name": "暴雪预警", "event_type": "暴雪", "severity": "较大",
            "valid_from": now.isoformat(), "expires_at": (now + timedelta(days=1)).isoformat(),
            "audience": {"grid_ids": [tree["623025101"]]}, "fallback_language": "zh",
            "texts": {"zh": "暴雪预警：今晚有暴雪。", "bo": "ཁ་བ་ཆེན་པོ།"}}  # fmt: skip
    alert_id = client.post("/api/v1/campaigns", headers=author, json=body).json["id"]
    assert client.post(f"/api/v1/campaigns/{alert_id}/approval", headers=approver).status_code == 200
    assert client.post(f"/api/v1/campaigns/{alert_id}/launch", headers=author).status_code == 202
    return alert_id, author


def test_an_alert_as_ebm_over_the_api(client, make_token, people):
    alert_id, author = _launched_alert(client, make_token, people)
    response = client.get(f"/api/v1/campaigns/{alert_id}/ebm.xml", headers=author)
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/xml; charset=utf-8"
    document = parse_ebm(response.get_data())
    assert document.findtext("SRC/EBRID") == TEST_EBM_RESOURCE_CODE
    info = document.find("EBM/MsgBasicInfo")
    assert [info.findtext(tag) for tag in ("MsgType", "EventType", "Severity")] == ["1", "暴雪", "3"]
    assert [content.findtext("LanguageCode") for content in document.iterfind("EBM/MsgContent")] == ["zho", "bod"]
    assert document.findtext("EBM/MsgContent/AreaCode") == "623025101000"
    coded = client.get(f"/api/v1/campaigns/{alert_id}/ebm.xml?event_code=11B03", headers=author)
    assert parse_ebm(coded.get_data()).findtext("EBM/MsgBasicInfo/EventType") == "11B03"


def test_refusals(client, make_token, people):
    alert_id, author = _launched_alert(client, make_token, people)
    other_township = _bearer(make_token("coordinator", "623025102"))
    assert client.get(f"/api/v1/campaigns/{alert_id}/ebm.xml", headers=other_township).status_code == 404
    for query, field in (("event_code=snow", "event_code"), ("drill_type=village", "drill_type")):
        refused = client.get(f"/api/v1/campaigns/{alert_id}/ebm.xml?{query}", headers=author)
        assert refused.status_code == 422 and set(refused.json["error"]["fields"]) == {field}
    routine = client.post("/api/v1/campaigns", headers=author, json={
        "name": "通知", "audience": {"grid_ids": [people["623025101"]]}, "texts": {"zh": "明天开会"}}).json  # fmt: skip
    refused = client.get(f"/api/v1/campaigns/{routine['id']}/ebm.xml", headers=author)
    assert refused.status_code == 409 and refused.json["error"]["message_id"] == "ebm.alerts_only"


def test_without_a_resource_code_the_export_is_refused(client, make_token, people, runtime):
    alert_id, author = _launched_alert(client, make_token, people)
    unset = dataclasses.replace(runtime.settings, ebm_resource_code=None)
    bare = create_app(runtime=dataclasses.replace(runtime, settings=unset)).test_client()
    refused = bare.get(f"/api/v1/campaigns/{alert_id}/ebm.xml", headers=author)
    assert refused.status_code == 409 and refused.json["error"]["message_id"] == "ebm.resource_code_unset"


def test_the_openapi_document_lists_the_ebm_route(client):
    operation = client.get("/api/v1/openapi.json").json["paths"]["/api/v1/campaigns/{campaign_id}/ebm.xml"]["get"]
    assert operation["operationId"] == "getCampaignEbm" and "409" in operation["responses"]
