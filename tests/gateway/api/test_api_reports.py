"""The daily report routes: duties, board (JSON and CSV), history, incidents and marking them handled."""

from __future__ import annotations

import pytest

from campaigns.models import Contact, ReportDuty
from campaigns.models.base import utcnow
from campaigns.reports.daily_reports import duty_day, record_report
from tests.report_factories import build_report_world, make_duty

DUTY = {
    "name": "雪灾零报告",
    "level": "组",
    "reporter_roles": ["网格长", "联户长"],
    "deadline": "18:00",
    "reminder_times": ["16:00"],
    "escalation_delays": [0, 60],
    "fields": [{"key": "snowbound", "names": {"zh": ["被困", "被困户"], "bo": ["ཁ་བས་བཀག"]}},
               {"key": "dead_livestock", "label": "死亡牲畜", "names": ["死畜", "牲畜死亡"]}],
    "texts": {"reminder": {"zh": "{name}：请在{deadline}前报告{grid}雪灾情况", "bo": "{name} {grid} {deadline}"}},
    "send_window": {"start": "08:00", "end": "20:00"},
}  # fmt: skip


@pytest.fixture
def world(session_factory, tree):
    with session_factory.begin() as session:
        world = build_report_world(session, tree)
        world["duty"] = make_duty(session, world)["id"]
        now = utcnow()
        for name, kind, counts, text in [
            ("一组长", "zero_report", None, ""),
            ("二组长", "incident", {"returnees": 2}, "返乡2人"),
            ("萨二组长", "zero_report", None, ""),
        ]:
            contact = session.get(Contact, world[name])
            record_report(session, contact=contact, kind=kind, counts=counts, text=text, inbound=None, now=now)
        world["today"] = duty_day(session.get(ReportDuty, world["duty"]), now).isoformat()
    return world


def test_create_read_change_and_list_duties(client, admin_headers, tree):
    created = client.post("/api/v1/reports/duties", json={**DUTY, "root_grid_id": tree["623025101"]},
                          headers=admin_headers)  # fmt: skip
    assert created.status_code == 201, created.json
    duty = created.json
    assert duty["level"] == "group" and duty["reporter_roles"] == ["grid_leader", "liaison"]
    assert duty["fields"][0] == {"key": "snowbound", "label": "被困", "names": ["被困", "被困户", "ཁ་བས་བཀག"]}
    assert duty["texts"]["escalation"]["zh"].startswith("{name}")  # the default text
    assert duty["send_window"] == {"start": "08:00", "end": "20:00"} and duty["status"] == "active"
    changed = client.patch(f"/api/v1/reports/duties/{duty['id']}", json={"deadline": "19:00", "send_window": None},
                           headers=admin_headers)  # fmt: skip
    assert changed.status_code == 200, changed.json
    assert changed.json["deadline"] == "19:00" and changed.json["send_window"] is None
    assert changed.json["reminder_times"] == ["16:00"]
    assert client.get(f"/api/v1/reports/duties/{duty['id']}", headers=admin_headers).json["deadline"] == "19:00"
    listed = client.get("/api/v1/reports/duties?active=true", headers=admin_headers).json["items"]
    assert [item["id"] for item in listed] == [duty["id"]]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reminder_times": ["18:30"]}, "reminder_times"),
        ({"level": "township"}, "level"),
        ({"level": "省"}, "level"),
        ({"escalation_delays": [0, 0]}, "escalation_delays"),
        ({"fields": [{"key": "Bad Key"}]}, "fields.0"),
        ({"texts": {"reminder": {"zh": "{who}"}}}, "texts.reminder.zh"),
        ({"timezone": "Mars/Base"}, "timezone"),
        ({"deadline": "25:00"}, "deadline"),
        ({"send_window": {"start": "08:00", "end": "08:00"}}, "send_window"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_duties_are_refused_with_the_field(client, admin_headers, tree, changes, field):
    body = {**DUTY, "root_grid_id": tree["623025101"], **changes}
    response = client.post("/api/v1/reports/duties", json=body, headers=admin_headers)
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"]


def test_board_history_csv_and_incidents(client, make_token, world):
    headers = {"Authorization": f"Bearer {make_token('coordinator', '623025101')}"}
    board = client.get(f"/api/v1/reports/board?date={world['today']}&depth=2", headers=headers)
    assert board.status_code == 200, board.json
    township = board.json["grid"]
    assert (township["reported"], township["missing"], township["percent"]) == (3, 1, 75.0)
    assert [child["name"] for child in township["children"]] == ["秀玛村", "萨合塘村"]
    history = client.get("/api/v1/reports/history?days=30", headers=headers).json
    assert len(history["days"]) == 30 and history["days"][-1]["reported"] == 3
    exported = client.get(f"/api/v1/reports/board.csv?date={world['today']}", headers=headers)
    assert exported.status_code == 200 and exported.content_type.startswith("text/csv")
    assert "秀玛村二组" in exported.get_data(as_text=True)
    incidents = client.get("/api/v1/reports/incidents?handled=false", headers=headers).json
    assert incidents["total"] == 1 and incidents["items"][0]["text"] == "返乡2人"
    incident_id = incidents["items"][0]["id"]
    handled = client.post(f"/api/v1/reports/incidents/{incident_id}/handled", headers=headers)
    assert handled.status_code == 200 and handled.json["handled_by"] == "coordinator1"
    assert client.get("/api/v1/reports/incidents?handled=false", headers=headers).json["total"] == 0


def test_bad_board_arguments(client, admin_headers, world):
    assert client.get("/api/v1/reports/board?date=yesterday", headers=admin_headers).status_code == 422
    assert client.get("/api/v1/reports/board?depth=99", headers=admin_headers).status_code == 422
    assert client.get("/api/v1/reports/history?days=0", headers=admin_headers).status_code == 422
    assert client.get("/api/v1/reports/board?duty_id=999", headers=admin_headers).status_code == 404


def test_several_duties_need_a_duty_id(client, admin_headers, world, session_factory):
    with session_factory.begin() as session:
        make_duty(session, world, name="另一项")
    response = client.get("/api/v1/reports/board", headers=admin_headers)
    assert response.status_code == 422 and "duty_id" in response.json["error"]["fields"]
    assert client.get(f"/api/v1/reports/board?duty_id={world['duty']}", headers=admin_headers).status_code == 200
