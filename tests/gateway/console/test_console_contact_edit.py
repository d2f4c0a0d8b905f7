"""Contacts in the console (both backends): one contact edited through the API's contact services (grid picked by
name, opt-out), the filtered list as cards, and the grid picker's search limited to the user's scope."""

from __future__ import annotations

import re

from sqlalchemy import select

from campaigns.directory.grids import insert_grid, level_lookup
from campaigns.models import AuditEntry, Contact, Grid
from tests.console_helpers import logged_in

CAIRANG = "+8613800000001"


def _contact(session_factory, phone: str) -> Contact:
    with session_factory() as session:
        contact = session.scalar(select(Contact).where(Contact.phone == phone))
        session.expunge(contact)
        return contact


def _form(token: str, **overrides) -> dict:
    form = {"csrf_token": token, "name": "才让东智", "phone": "13800000011", "grid_id": "",
            "grid_id_name": "萨合塘村", "role": "liaison", "language": "bo", "channels": ["voice"],
            "tags": "牧民, 冬窝子", "opted_out": "on"}  # fmt: skip
    form.update(overrides)
    return form


def test_a_coordinator_edits_a_contact(client, session_factory, people):
    token = logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    contact_id = _contact(session_factory, CAIRANG).id
    shown = client.get(f"/console/contacts/{contact_id}").get_data(as_text=True)
    assert f"/console/contacts/{contact_id}/edit" in shown
    page = client.get(f"/console/contacts/{contact_id}/edit").get_data(as_text=True)
    assert 'value="秀玛村一组"' in page and "齐哈玛镇 › 秀玛村 › 秀玛村一组" in page
    saved = client.post(f"/console/contacts/{contact_id}/edit", data=_form(token))
    assert saved.status_code == 302 and saved.headers["Location"] == f"/console/contacts/{contact_id}"
    contact = _contact(session_factory, "+8613800000011")
    assert (contact.name, contact.grid_id, contact.role, contact.language) == (
        "才让东智", people["623025101202"], "liaison", "bo")  # fmt: skip
    assert contact.channels == ["voice"] and contact.opted_out_via == "staff" and contact.opted_out_at is not None
    shown = client.get(f"/console/contacts/{contact_id}").get_data(as_text=True)
    assert "冬窝子" in shown and "工作人员操作" in shown
    with session_factory() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "contact.update")).one()
        assert entry.target == f"contact {contact_id}" and entry.grid_id == people["623025101202"]
        assert "13800000011" not in str(entry.detail) and "opted_out" in entry.detail["changed"]
    back_in = _form(token, grid_id=str(people["623025101202"]), opted_out="")
    assert client.post(f"/console/contacts/{contact_id}/edit", data=back_in).status_code == 302
    assert _contact(session_factory, "+8613800000011").opted_out_at is None


def test_refusals_come_back_beside_the_fields(client, session_factory, people):
    token = logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    contact_id = _contact(session_factory, CAIRANG).id
    taken = client.post(f"/console/contacts/{contact_id}/edit", data=_form(token, phone="13800000002"))
    assert taken.status_code == 422 and 'id="err-phone"' in taken.get_data(as_text=True)
    outside = client.post(f"/console/contacts/{contact_id}/edit", data=_form(token, grid_id_name="达尔庆村"))
    assert outside.status_code == 422
    page = outside.get_data(as_text=True)
    assert re.search(r'id="err-grid_id" role="alert">您的范围内没有名为 达尔庆村 的网格', page)
    assert _contact(session_factory, CAIRANG).name == "才让"
    other = _contact(session_factory, "+8613800000006").id  # 多杰, in 欧拉镇
    assert client.get(f"/console/contacts/{other}/edit").status_code == 404
    assert client.post(f"/console/contacts/{other}/edit", data=_form(token, phone="13800000006")).status_code == 404
    viewer = client.application.test_client()
    viewer_token = logged_in(viewer, session_factory, "kan", "viewer", "623025101")
    assert viewer.get(f"/console/contacts/{contact_id}/edit").status_code == 403
    assert viewer.post(f"/console/contacts/{contact_id}/edit", data=_form(viewer_token)).status_code == 403
    assert "/edit" not in viewer.get("/console/contacts").get_data(as_text=True)


def _names(page: str) -> list[str]:
    return re.findall(r'<td class="lead"><a href="/console/contacts/\d+">([^<]+)</a>', page)


def test_the_contact_list_filters_and_reads_as_cards(client, session_factory, people):
    logged_in(client, session_factory, "root")
    everyone = client.get("/console/contacts").get_data(as_text=True)
    assert '<table class="stack"' in everyone and 'data-label="手机">+8613800000001' in everyone
    assert len(_names(everyone)) == 6
    assert sorted(_names(client.get("/console/contacts?language=bo").get_data(as_text=True))) == ["才让", "扎西"]
    assert _names(client.get("/console/contacts?opted_out=yes").get_data(as_text=True)) == ["拉毛"]
    assert len(_names(client.get("/console/contacts?opted_out=no").get_data(as_text=True))) == 5
    by_name = client.get("/console/contacts?grid_id=&grid_id_name=萨合塘村").get_data(as_text=True)
    assert sorted(_names(by_name)) == ["Tom", "扎西", "拉毛"] and 'value="萨合塘村"' in by_name
    assert "玛曲县 › 齐哈玛镇 › 萨合塘村" in by_name
    assert _names(client.get("/console/contacts?grid_id_name=萨合塘村&role=liaison").get_data(as_text=True)) == []
    unknown = client.get("/console/contacts?grid_id_name=没有的村").get_data(as_text=True)
    assert 'id="err-grid_id"' in unknown


def test_the_grid_picker_finds_grids_by_name_in_scope_only(client, session_factory, people):
    logged_in(client, session_factory, "ola", "coordinator", "623025102")
    found = client.get("/console/grids/find?q=村").get_json()["items"]
    assert [grid["name"] for grid in found] == ["达尔庆村", "达尔庆村一组"]
    assert found[0]["path"] == "欧拉镇 › 达尔庆村" and found[0]["id"] == people["623025102201"]
    assert client.get("/console/grids/find?q=秀玛").get_json()["items"] == []
    assert client.get("/console/grids/find?q=").get_json()["items"] == []
    admin = client.application.test_client()
    logged_in(admin, session_factory, "root")
    starts_first = admin.get("/console/grids/find?q=秀玛").get_json()["items"]
    assert [grid["name"] for grid in starts_first] == ["秀玛村", "秀玛村一组"]
    assert starts_first[0]["path"] == "玛曲县 › 齐哈玛镇 › 秀玛村"


def test_a_name_two_grids_share_must_be_picked_from_the_list(client, session_factory, people):
    with session_factory.begin() as session:
        parent = session.get(Grid, people["623025102"])
        village = level_lookup(session)["village"]
        insert_grid(session, code="623025102299", name="萨合塘村", level=village, parent=parent)
    logged_in(client, session_factory, "root")
    page = client.get("/console/contacts?grid_id_name=萨合塘村").get_data(as_text=True)
    assert re.search(r'id="err-grid_id" role="alert">有多个网格名为 萨合塘村', page)
    picked = client.get(f"/console/contacts?grid_id={people['623025101202']}&grid_id_name=萨合塘村")
    assert sorted(_names(picked.get_data(as_text=True))) == ["Tom", "扎西", "拉毛"]


def test_users_get_their_scope_by_grid_name(client, session_factory, tree):
    token = logged_in(client, session_factory, "root")
    form = {"csrf_token": token, "username": "lamu", "role": "coordinator", "password": "long enough pw"}
    made = client.post("/console/users", data={**form, "scope_grid_id_name": "齐哈玛镇"})
    assert made.status_code == 302
    users = client.get("/console/users").get_data(as_text=True)
    assert "齐哈玛镇" in users and ">623025101<" not in users
    user = client.get("/console/users/lamu").get_data(as_text=True)
    assert 'value="齐哈玛镇"' in user and f'value="{tree["623025101"]}"' in user
    wrong = client.post("/console/users/lamu", data={"csrf_token": token, "role": "coordinator",
                                                     "scope_grid_id_name": "不存在镇"})  # fmt: skip
    assert wrong.status_code == 422 and 'id="err-scope_grid_id"' in wrong.get_data(as_text=True)
