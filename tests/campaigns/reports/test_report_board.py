"""The report board: roll-up numbers on a small tree, scope, depth, history, CSV export and the incidents list."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from campaigns.common.errors import Conflict, NotFound, PermissionDenied
from campaigns.identity.access import Actor
from campaigns.models import Contact, DailyReport, Grid, User
from campaigns.reports.daily_reports import record_report
from campaigns.reports.incidents import list_incidents, mark_handled
from campaigns.reports.report_board import board_csv, report_board, report_history
from tests.report_factories import build_report_world, local, make_duty


@pytest.fixture
def world(session, tree):
    """一组 zero, 二组 incident, 萨合塘村一组 missing, 萨合塘村二组 zero on the 23rd; on the 22nd only 一组."""
    world = build_report_world(session, tree)
    world["duty"] = make_duty(session, world, now=local(0, days=-3))["id"]
    for name, kind, counts, text in [
        ("一组长", "zero_report", None, ""),
        ("二组长", "incident", {"returnees": 2, "fever": 1}, '=HYPERLINK("http://x") 返乡2人，发热1人'),
        ("萨二组长", "zero_report", None, ""),
    ]:
        contact = session.get(Contact, world[name])
        record_report(session, contact=contact, kind=kind, counts=counts, text=text, inbound=None, now=local(9))
    record_report(session, contact=session.get(Contact, world["一组长"]), kind="zero_report", counts=None, text="",
                  inbound=None, now=local(9, days=-1))  # fmt: skip
    return world


def numbers(node):
    return tuple(node[key] for key in ("reporting", "reported", "zero", "incident", "missing", "percent"))


def coordinator(session, world, code):
    return Actor(user_id=None, role="coordinator", scope_path=session.get(Grid, world[code]).path)


def test_board_rolls_counts_up_the_tree(session, world, system):
    board = report_board(session, system, duty_id=None, day=None, grid_id=None, depth=2, now=local(12))
    assert board["date"] == "2026-11-23" and board["deadline_passed"] is True
    township = board["grid"]
    assert township["name"] == "齐哈玛镇"
    assert numbers(township) == (4, 3, 2, 1, 1, 75.0)
    villages = {child["name"]: child for child in township["children"]}
    assert numbers(villages["秀玛村"]) == (2, 2, 1, 1, 0, 100.0)
    assert numbers(villages["萨合塘村"]) == (2, 1, 1, 0, 1, 50.0)
    groups = {child["name"]: child["status"] for child in villages["萨合塘村"]["children"]}
    assert groups == {"萨合塘村一组": "missing", "萨合塘村二组": "zero_report"}
    assert [child["status"] for child in villages["秀玛村"]["children"]] == ["zero_report", "incident"]


def test_depth_limits_the_tree_and_a_county_board_shows_only_grids_with_reporting_grids(session, world, system):
    board = report_board(session, system, duty_id=world["duty"], day="2026-11-23", grid_id=world["623025"], depth=1,
                         now=local(9))  # fmt: skip
    county = board["grid"]
    assert board["deadline_passed"] is False
    assert numbers(county) == (4, 3, 2, 1, 1, 75.0)
    assert [child["name"] for child in county["children"]] == ["齐哈玛镇"]  # 欧拉镇 has no reporting grid
    assert "children" not in county["children"][0]
    shallow = report_board(session, system, duty_id=None, day=None, grid_id=None, depth=0, now=local(12))
    assert numbers(shallow["grid"]) == (4, 3, 2, 1, 1, 75.0) and "children" not in shallow["grid"]


def test_another_day_and_a_group_as_the_board_grid(session, world, system):
    yesterday = report_board(session, system, duty_id=None, day="2026-11-22", grid_id=None, depth=1, now=local(12))
    assert numbers(yesterday["grid"]) == (4, 1, 1, 0, 3, 25.0)
    group = report_board(session, system, duty_id=None, day=None, grid_id=world["62302510120102"], depth=3,
                         now=local(12))  # fmt: skip
    assert numbers(group["grid"]) == (1, 1, 0, 1, 0, 100.0) and group["grid"]["status"] == "incident"


def test_a_coordinator_sees_their_own_subtree_only(session, world):
    village = coordinator(session, world, "623025101202")
    board = report_board(session, village, duty_id=None, day=None, grid_id=None, depth=1, now=local(12))
    assert board["grid"]["name"] == "萨合塘村" and numbers(board["grid"]) == (2, 1, 1, 0, 1, 50.0)
    for grid_id in (world["623025101"], world["623025101201"]):
        with pytest.raises(NotFound):
            report_board(session, village, duty_id=None, day=None, grid_id=grid_id, depth=1, now=local(12))
    other = coordinator(session, world, "623025102")
    with pytest.raises(NotFound):
        report_board(session, other, duty_id=world["duty"], day=None, grid_id=None, depth=1, now=local(12))


def test_history_counts_each_day(session, world, system):
    history = report_history(session, system, duty_id=None, days=7, grid_id=None, now=local(12))
    days = {day["date"]: numbers(day) for day in history["days"]}
    assert len(days) == 7 and list(days)[-1] == "2026-11-23"
    assert days["2026-11-23"] == (4, 3, 2, 1, 1, 75.0)
    assert days["2026-11-22"] == (4, 1, 1, 0, 3, 25.0)
    assert days["2026-11-17"] == (4, 0, 0, 0, 4, 0.0)
    village = report_history(session, system, duty_id=None, days=30, grid_id=world["623025101202"], now=local(12))
    assert len(village["days"]) == 30
    assert numbers(village["days"][-1]) == (2, 1, 1, 0, 1, 50.0)
    assert numbers(village["days"][-2]) == (2, 0, 0, 0, 2, 0.0)


def test_csv_has_every_grid_and_defuses_formulas(session, world, system):
    text = "".join(board_csv(session, system, duty_id=None, day=None, grid_id=None, now=local(12)))
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    by_name = {row["name"]: row for row in rows}
    assert list(by_name) == ["齐哈玛镇", "秀玛村", "秀玛村一组", "秀玛村二组", "萨合塘村", "萨合塘村一组",
                             "萨合塘村二组"]  # fmt: skip
    incident = by_name["秀玛村二组"]
    assert incident["status"] == "incident" and incident["path"] == "齐哈玛镇/秀玛村/秀玛村二组"
    assert incident["counts"] == "returnees=2; fever=1"
    assert incident["text"].startswith("'=HYPERLINK")
    assert by_name["齐哈玛镇"]["percent"] == "75.0" and by_name["萨合塘村一组"]["status"] == "missing"


def test_incidents_list_and_mark_handled(session, world, system):
    session.add(User(username="staff", role="coordinator", password_hash="x", scope_grid_id=world["623025101"]))
    session.flush()
    page = list_incidents(session, system, day="2026-11-23", handled=False)
    [item] = page.items
    assert item["grid_path"] == "玛曲县 / 齐哈玛镇 / 秀玛村 / 秀玛村二组"
    assert item["counts"] == [{"key": "returnees", "label": "返乡人员", "value": 2},
                              {"key": "fever", "label": "发热", "value": 1}]  # fmt: skip
    assert item["reporter"]["name"] == "二组长" and item["handled"] is False
    user = session.query(User).filter_by(username="staff").one()
    staff = Actor(user_id=user.id, role="coordinator", scope_path=session.get(Grid, world["623025101"]).path)
    handled = mark_handled(session, staff, item["id"], local(12))
    assert handled["handled"] is True and handled["handled_by"] == "staff"
    assert list_incidents(session, system, handled=False).total == 0
    assert list_incidents(session, system, handled=True).total == 1
    assert list_incidents(session, coordinator(session, world, "623025101202")).total == 0
    with pytest.raises(NotFound):
        mark_handled(session, coordinator(session, world, "623025102"), item["id"], local(12))
    with pytest.raises(PermissionDenied):
        mark_handled(session, Actor(user_id=None, role="viewer", scope_path=None), item["id"], local(12))
    zero_id = report_board(session, system, duty_id=None, day=None, grid_id=world["62302510120101"], depth=0,
                           now=local(12))["grid"]["report_id"]  # fmt: skip
    with pytest.raises(Conflict):
        mark_handled(session, system, zero_id, local(12))


def test_history_counts_only_its_own_duty(session, world, system):
    other = make_duty(session, world, name="雪灾", root_grid_id=world["623025101202"])
    session.add(DailyReport(duty_id=other["id"], grid_id=world["62302510120201"], day=date(2026, 11, 21),
                            kind="incident", counts={}, text="", reported_at=local(9, days=-2)))  # fmt: skip
    session.flush()
    days = report_history(session, system, duty_id=world["duty"], days=7, grid_id=None, now=local(12))["days"]
    assert [day["reported"] for day in days] == [0, 0, 0, 0, 0, 1, 3]
    snow = report_history(session, system, duty_id=other["id"], days=7, grid_id=None, now=local(12))["days"]
    assert [day["incident"] for day in snow] == [0, 0, 0, 0, 1, 0, 0]
