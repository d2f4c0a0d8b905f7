"""Domain errors reach the console in its language (both backends): an import's rejected rows, a builder error
naming a field path (texts.bo) and a not-found page read in Chinese with field names in words, and in English as
the services say them; English pages pluralize; the API's JSON error adds the message id and its parameters."""

from __future__ import annotations

import io
import re

from tests.console_helpers import logged_in
from tests.speaker_helpers import add_speaker

ENGLISH_FIELD = re.compile(r"\b(phone|grid_code|texts\.bo|unknown grid code|not found)\b")


def _import(client, token: str):
    csv = "姓名,手机,网格编码\n才让,13800000101,623025101201\n卓玛,12345,623025101201\n多杰,13800000102,623099\n"
    return client.post("/console/contacts/import", content_type="multipart/form-data",
                       data={"csrf_token": token, "file": (io.BytesIO(csv.encode()), "联系人.csv")})  # fmt: skip


def _rejected_cells(page: str) -> list[str]:
    return re.findall(r"<tr><td>\d+</td><td>([^<]*)</td>", page)


def test_import_rejections_read_in_chinese_with_field_names(client, session_factory, tree):
    token = logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    page = _import(client, token).get_data(as_text=True)
    cells = _rejected_cells(page)
    assert len(cells) == 2, page
    assert cells[0].startswith("电话号码：电话号码 ") and "不是有效的号码" in cells[0]
    assert cells[1] == "网格代码：未知的网格代码 623099"
    assert not any(ENGLISH_FIELD.search(cell) for cell in cells), cells

    client.get("/console/language/en")
    english = _rejected_cells(_import(client, token).get_data(as_text=True))
    assert english[1] == "grid_code: unknown grid code 623099"


def test_builder_errors_name_fields_in_chinese(client, session_factory, people):
    token = logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    form = {"csrf_token": token, "name": "接种提醒", "grid_ids": [str(people["623025101"])], "text_zh": "明天接种",
            "text_bo": "{nmae} སང་ཉིན།", "fallback_language": "zh", "schedule_kind": "now"}  # fmt: skip
    refused = client.post("/console/campaigns/new", data=form)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "藏语文本：未知的占位符 {nmae}；请用 {name} 或 {grid}" in page
    assert "texts.bo" not in page and "unknown placeholder" not in page

    client.get("/console/language/en")
    english = client.post("/console/campaigns/new", data=form).get_data(as_text=True)
    assert "texts.bo: unknown placeholder {nmae}; use {name} or {grid}" in english


def test_a_missing_thing_is_named_in_chinese(client, session_factory, tree):
    logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    response = client.get("/console/campaigns/2000000")
    page = response.get_data(as_text=True)
    assert response.status_code == 404 and "未找到该通知" in page and "not found" not in page


def test_english_pages_pluralize(client, session_factory, tree):
    logged_in(client, session_factory, "root")
    client.get("/console/language/en")
    with session_factory.begin() as session:
        add_speaker(session, "623025101201")
    one = client.get("/console/speakers").get_data(as_text=True)
    assert "1 loudspeaker<" in one and "1 loudspeakers" not in one
    with session_factory.begin() as session:
        add_speaker(session, "623025101202")
    assert "2 loudspeakers<" in client.get("/console/speakers").get_data(as_text=True)
    client.get("/console/language/zh-Hans")
    assert "2 个喇叭" in client.get("/console/speakers").get_data(as_text=True)


def test_api_errors_add_the_message_id_and_parameters(client, admin_headers, tree):
    body = client.get("/api/v1/grids/2000000", headers=admin_headers).get_json()["error"]
    assert body["code"] == "not_found" and body["message"] == "grid not found"
    assert body["message_id"] == "grid.not_found" and body["params"] == {}
    contact = {"name": "才让", "phone": "12345", "grid_code": "623025101201"}
    bad = client.post("/api/v1/contacts", headers=admin_headers, json=contact).get_json()["error"]
    assert bad["code"] == "invalid" and bad["message"] == f"phone: {bad['fields']['phone']}"
    assert bad["message_id"] == "input.field_error" and bad["params"]["name"] == "phone"
    assert bad["params"]["message"]["message_id"] == "phone.invalid"
