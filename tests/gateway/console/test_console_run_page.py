"""The run page: counts by grid rolled up township > village > group (expandable), long lists paginated, pause and
resume from the page, and runs named by their local date and time (both backends)."""

from __future__ import annotations

import re

from campaigns.identity.access import Actor
from campaigns.models import Campaign
from campaigns.runs.grid_rollup import roll_up_by_grid
from campaigns.runs.planning import launch_campaign
from gateway.console import run_lists
from tests.console_helpers import logged_in
from tests.factories import make_campaign
from tests.gateway.api.test_api_reports import world  # noqa: F401  (the daily report fixture)
from tests.report_factories import local


def test_counts_roll_up_from_units_to_group_village_and_township(session, world):  # noqa: F811
    rows = [
        {"grid_id": world["6230251012010101"], "counts": {"delivered": 2}},  # a unit of 秀玛村一组
        {"grid_id": world["62302510120101"], "counts": {"delivered": 1, "failed": 1}},  # 秀玛村一组 itself
        {"grid_id": world["62302510120102"], "counts": {"queued": 1}},  # 秀玛村二组
        {"grid_id": world["623025101202"], "counts": {"delivered": 1}},  # 萨合塘村 itself
        {"grid_id": world["623025"], "counts": {"sent": 1}},  # the county: above every level rolled up
    ]
    roots = roll_up_by_grid(session, rows)
    assert [(root["name"], root["total"]) for root in roots] == [("玛曲县", 1), ("齐哈玛镇", 6)]
    township = roots[1]
    assert township["counts"] == {"delivered": 4, "failed": 1, "queued": 1}
    village = township["children"][0]
    assert (village["name"], village["counts"]) == ("秀玛村", {"delivered": 3, "failed": 1, "queued": 1})
    assert [(group["name"], group["total"]) for group in village["children"]] == [("秀玛村一组", 4), ("秀玛村二组", 1)]
    assert township["children"][1]["name"] == "萨合塘村" and township["children"][1]["children"] == []


def _launched(session_factory, world, **overrides) -> tuple[int, int]:  # noqa: F811
    with session_factory.begin() as session:
        campaign = make_campaign(session, world, **overrides)
        planned = launch_campaign(session, Actor.system(), campaign["id"], local(9, 18))
    return campaign["id"], planned.run_id


def test_run_page_rolls_up_by_grid_and_pages_long_lists(client, session_factory, world, monkeypatch):  # noqa: F811
    monkeypatch.setattr(run_lists, "LIST_PAGE", 2)
    campaign_id, run_id = _launched(session_factory, world, expects_reply=True)
    logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    page = client.get(f"/console/runs/{run_id}").get_data(as_text=True)
    breakdown = page[page.index('data-testid="by-grid"') :]
    assert "<strong>齐哈玛镇</strong>" in breakdown  # the coordinator's one township is the heading
    assert '<li data-grid="623025101201"><details><summary>秀玛村: 排队中 5</summary>' in breakdown
    assert '<li data-grid="62302510120101">秀玛村一组: 排队中 3</li>' in breakdown  # with its household unit
    assert '<li data-grid="623025101202">' in breakdown and "第 1 页，共 1 页" not in breakdown
    waiting = page[page.index('data-testid="waiting"') :]
    assert waiting.count("<li>") == 2 and 'data-pager="waiting_page"' in waiting and "第 1 页，共 5 页" in waiting
    second = client.get(f"/console/runs/{run_id}?waiting_page=2").get_data(as_text=True)
    assert "第 2 页，共 5 页" in second
    first_names = re.findall(r'/console/contacts/\d+">([^<]+)</a>', waiting)
    second_names = re.findall(r'/console/contacts/\d+">([^<]+)</a>', second[second.index('data-testid="waiting"') :])
    assert first_names and second_names and not set(first_names) & set(second_names)
    assert f'href="/console/runs/{run_id}?waiting_page=2"' in waiting
    campaign_page = client.get(f"/console/campaigns/{campaign_id}").get_data(as_text=True)
    assert re.search(
        rf'href="/console/runs/{run_id}"><time datetime="[^"]+">11-23 09:18</time> 的发送</a>', campaign_page
    )


def test_run_page_breakdown_pages_its_rows(client, session_factory, world, monkeypatch):  # noqa: F811
    monkeypatch.setattr(run_lists, "LIST_PAGE", 1)
    _, run_id = _launched(session_factory, world)
    logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    first = client.get(f"/console/runs/{run_id}").get_data(as_text=True)
    assert 'data-grid="623025101201"' in first and 'data-grid="623025101202"' not in first
    second = client.get(f"/console/runs/{run_id}?grid_page=2").get_data(as_text=True)
    assert 'data-grid="623025101201"' not in second and 'data-grid="623025101202"' in second
    assert 'data-pager="grid_page"' in second


def test_pause_and_resume_from_the_run_page(client, session_factory, world):  # noqa: F811
    campaign_id, run_id = _launched(session_factory, world)
    token = logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    assert 'data-action="pause"' in client.get(f"/console/runs/{run_id}").get_data(as_text=True)
    paused = client.post(f"/console/runs/{run_id}/pause", data={"csrf_token": token}, follow_redirects=True)
    page = paused.get_data(as_text=True)
    assert 'data-testid="run-status">已暂停' in page and 'data-action="resume"' in page
    resumed = client.post(f"/console/runs/{run_id}/resume", data={"csrf_token": token}, follow_redirects=True)
    page = resumed.get_data(as_text=True)
    assert 'data-testid="run-status">发送中' in page and "已恢复" in page and 'data-action="pause"' in page
    with session_factory() as session:
        assert session.get(Campaign, campaign_id).status in ("finished", "scheduled")
