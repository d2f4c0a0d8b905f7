"""Report duties in the console (both backends): created and edited through the API's services, the root grid
picked by name, errors beside their fields, scope and role refusals, audit entries; the dashboard shows every duty
in scope."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from campaigns.identity.access import Actor
from campaigns.models import AuditEntry
from campaigns.reports.report_duties import get_duty
from tests.console_helpers import logged_in
from tests.report_factories import build_report_world, make_duty


@pytest.fixture
def world(session_factory, tree):
    with session_factory.begin() as session:
        return build_report_world(session, tree)


def _form(token: str, **overrides) -> dict:
    form = {
        "csrf_token": token,
        "name": "草场防火日报",
        "root_grid_id": "",
        "root_grid_id_name": "齐哈玛镇",
        "level": "village",
        "reporter_roles": ["grid_leader"],
        "deadline": "18:00",
        "reminder_times": "16:00, 17:30",
        "escalation_delays": "0, 90",
        "window_start": "08:00",
        "window_end": "21:00",
        "timezone": "Asia/Shanghai",
        "reminder_zh": "{name}：请在{deadline}前报告{grid}火情，无事回复0。",
        "escalation_zh": "{name}：{grid}下{count}个村未报告：{missing}",
        "reminder_bo": "{name} ཉིན་རེའི་སྙན་ཞུ།",
    }
    form.update(overrides)
    return form


def _duty(session_factory, duty_id: int) -> dict:
    with session_factory() as session:
        return get_duty(session, Actor.system(), duty_id)


def _actions(session_factory) -> list[tuple[str, str]]:
    with session_factory() as session:
        return [(entry.action, entry.target) for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_a_coordinator_creates_and_edits_a_duty(client, session_factory, world):
    token = logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    page = client.get("/console/reports/duties/new").get_data(as_text=True)
    assert "新建日报任务" in page and 'name="root_grid_id_name"' in page and "08:00, 09:30" in page
    created = client.post("/console/reports/duties/new", data=_form(token))
    assert created.status_code == 302
    duty_id = int(re.search(r"duty_id=(\d+)", created.headers["Location"]).group(1))
    duty = _duty(session_factory, duty_id)
    assert duty["root_grid_id"] == world["623025101"] and duty["level"] == "village"
    assert duty["reminder_times"] == ["16:00", "17:30"] and duty["escalation_delays"] == [0, 90]
    assert duty["deadline"] == "18:00" and duty["reporter_roles"] == ["grid_leader"]
    assert set(duty["texts"]["reminder"]) == {"zh", "bo"} and "火情" in duty["texts"]["reminder"]["zh"]
    assert duty["send_window"] == {"start": "08:00", "end": "21:00"}

    reports = client.get(f"/console/reports?duty_id={duty_id}").get_data(as_text=True)
    assert "草场防火日报" in reports and "16:00, 17:30" in reports and "截止后 90 分钟" in reports
    assert f"/console/reports/duties/{duty_id}/edit" in reports

    edit = client.get(f"/console/reports/duties/{duty_id}/edit").get_data(as_text=True)
    assert 'value="齐哈玛镇"' in edit and 'value="16:00, 17:30"' in edit
    assert "data-grid-path>齐哈玛镇<" in edit  # the path starts at the coordinator's own grid
    picked = {"root_grid_id": str(world["623025101"]), "root_grid_id_name": "齐哈玛镇"}
    changed = _form(token, deadline="19:00", reminder_times="18:30", escalation_delays="30",
                    escalation_zh="{name}：还有{count}个村未报。", **picked)  # fmt: skip
    assert client.post(f"/console/reports/duties/{duty_id}/edit", data=changed).status_code == 302
    duty = _duty(session_factory, duty_id)
    assert duty["deadline"] == "19:00" and duty["reminder_times"] == ["18:30"] and duty["escalation_delays"] == [30]
    assert duty["texts"]["escalation"] == {"zh": "{name}：还有{count}个村未报。"}
    assert _actions(session_factory)[-2:] == [("duty.create", f"duty {duty_id}"), ("duty.update", f"duty {duty_id}")]
    audit_words = client.get("/console/audit")
    assert audit_words.status_code == 403  # a coordinator reads no audit log


def test_errors_come_back_beside_their_fields(client, session_factory, world):
    token = logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    late = client.post("/console/reports/duties/new", data=_form(token, reminder_times="19:00"))
    assert late.status_code == 422 and 'id="err-reminder_times"' in late.get_data(as_text=True)
    nowhere = client.post("/console/reports/duties/new", data=_form(token, root_grid_id_name="欧拉镇"))
    assert nowhere.status_code == 422
    page = nowhere.get_data(as_text=True)
    assert re.search(r'id="err-root_grid_id" role="alert">您的范围内没有名为 欧拉镇 的网格', page)
    delays = client.post("/console/reports/duties/new", data=_form(token, escalation_delays="soon"))
    assert delays.status_code == 422 and 'id="err-escalation_delays"' in delays.get_data(as_text=True)
    placeholder = client.post("/console/reports/duties/new", data=_form(token, reminder_zh="{who}请报告"))
    assert placeholder.status_code == 422 and 'id="err-text_reminder_zh"' in placeholder.get_data(as_text=True)
    assert not [action for action, _ in _actions(session_factory) if action.startswith("duty.")]


def test_scope_and_role_rules_are_the_apis(client, session_factory, world):
    with session_factory.begin() as session:
        duty_id = make_duty(session, world)["id"]
    token = logged_in(client, session_factory, "ola", "coordinator", "623025102")
    assert client.get(f"/console/reports/duties/{duty_id}/edit").status_code == 404
    posted = client.post(f"/console/reports/duties/{duty_id}/edit", data=_form(token, root_grid_id_name="欧拉镇"))
    assert posted.status_code == 404
    viewer = client.application.test_client()
    token = logged_in(viewer, session_factory, "kan", "viewer", "623025101")
    assert viewer.get("/console/reports/duties/new").status_code == 403
    assert viewer.post("/console/reports/duties/new", data=_form(token)).status_code == 403
    assert "新建日报任务" not in viewer.get("/console/reports").get_data(as_text=True)
    assert _duty(session_factory, duty_id)["deadline"] == "10:00"


def test_the_dashboard_shows_every_duty_in_scope(client, session_factory, world):
    with session_factory.begin() as session:
        first = make_duty(session, world)["id"]
        second = make_duty(session, world, name="草场防火日报", level="village")["id"]
        elsewhere = make_duty(session, world, name="欧拉镇日报", root_grid_id=world["623025102"])["id"]
    logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    page = client.get("/console/").get_data(as_text=True)
    shown = [int(found) for found in re.findall(r'data-testid="duty-board" data-duty="(\d+)"', page)]
    assert shown == [first, second] and elsewhere not in shown
    assert "疫情零报告" in page and "草场防火日报" in page and "欧拉镇日报" not in page
    admin = client.application.test_client()
    logged_in(admin, session_factory, "root")
    page = admin.get("/console/").get_data(as_text=True)
    assert re.findall(r'data-testid="duty-board" data-duty="(\d+)"', page) == [str(first), str(second), str(elsewhere)]
