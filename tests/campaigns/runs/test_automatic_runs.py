"""Automatic runs (duty reminders and escalations, auto-replies) are runs of their own kind, owned by their duty or
by the inbox: no campaign page, list or operation shows them or breaks on them, and no run needs a made-up time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from campaigns.models import Campaign, Confirmation, OutboxMessage, ReportDuty, Run
from campaigns.replies.confirmation_tick import confirmation_work_due
from campaigns.reports.report_tick import duty_notices_due
from tests.console_helpers import logged_in
from tests.factories import NOW
from tests.reply_helpers import receive, send_campaign
from tests.report_factories import duty_world, local

WANGFANG = "+8613800000002"


@pytest.fixture
def world(session_factory, tree):
    with session_factory.begin() as session:
        return duty_world(session, tree)


def tick_duties(session_factory, now) -> list[int]:
    with session_factory.begin() as session:
        return duty_notices_due(session, now)


def carrier_of(session_factory, kind: str) -> int:
    """The campaign row that carries the automatic runs of `kind` (hidden from staff)."""
    with session_factory() as session:
        return session.scalar(select(Run.campaign_id).where(Run.kind == kind).limit(1))


def runs(session_factory) -> list[Run]:
    with session_factory() as session:
        return list(session.scalars(select(Run).order_by(Run.id)))


def test_auto_reply_runs_are_no_campaign_for_the_api(client, admin_headers, session_factory, people):
    receive(session_factory, WANGFANG, "你好")
    carrier = carrier_of(session_factory, "auto_reply")
    assert carrier is not None
    for method, path in [("get", ""), ("get", "/preview"), ("get", "/approval"), ("post", "/launch"),
                         ("patch", ""), ("post", "/cancel"), ("post", "/pause"), ("get", "/runs")]:  # fmt: skip
        kwargs = {"json": {"name": "x"}} if method == "patch" else {}
        response = getattr(client, method)(f"/api/v1/campaigns/{carrier}{path}", headers=admin_headers, **kwargs)
        assert response.status_code == 404, (path, response.status_code, response.get_data(as_text=True)[:300])
        assert "not a staff campaign" in response.json["error"]["message"]
    listed = client.get("/api/v1/campaigns", headers=admin_headers).json["items"]
    assert carrier not in [item["id"] for item in listed]
    reply_run = runs(session_factory)[0].id
    assert client.get(f"/api/v1/runs/{reply_run}", headers=admin_headers).status_code == 404


def test_console_neither_shows_nor_breaks_on_automatic_work(client, session_factory, people, world):
    receive(session_factory, WANGFANG, "你好")
    assert tick_duties(session_factory, local(8, 0))
    auto, duty = carrier_of(session_factory, "auto_reply"), carrier_of(session_factory, "duty_reminder")
    token = logged_in(client, session_factory, "admin1", "admin")
    for carrier in (auto, duty):
        for path in ("", "/edit"):
            assert client.get(f"/console/campaigns/{carrier}{path}").status_code == 404
    listed = client.get("/console/campaigns").get_data(as_text=True)
    assert "自动回复" not in listed and "提醒与上报" not in listed
    client.post("/console/logout", data={"csrf_token": token})
    token = logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    cancelled = client.post(f"/console/campaigns/{duty}/cancel", data={"csrf_token": token})
    assert cancelled.status_code == 404
    with session_factory() as session:
        assert session.get(Campaign, duty).status == "system"


def test_a_paused_duty_sends_nothing_until_resumed_and_an_ended_one_never(client, admin_headers, session_factory,
                                                                          world):  # fmt: skip
    base = f"/api/v1/reports/duties/{world['duty']}"
    assert tick_duties(session_factory, local(8, 0))
    paused = client.post(f"{base}/pause", headers=admin_headers)
    assert paused.status_code == 200, paused.json
    assert (paused.json["status"], paused.json["active"]) == ("paused", False)
    with session_factory() as session:  # the 08:00 reminders not yet sent are withdrawn
        assert {row.status for row in session.scalars(select(OutboxMessage))} == {"cancelled"}
    assert tick_duties(session_factory, local(9, 30)) == []
    resumed = client.post(f"{base}/resume", headers=admin_headers)
    assert resumed.json["status"] == "active"
    assert tick_duties(session_factory, local(9, 31))
    ended = client.post(f"{base}/end", headers=admin_headers)
    assert ended.json["status"] == "ended"
    assert tick_duties(session_factory, local(11, 0)) == []
    assert tick_duties(session_factory, local(8, 0, days=1)) == []
    again = client.post(f"{base}/resume", headers=admin_headers)
    assert again.status_code == 409 and "ended" in again.json["error"]["message"]
    assert client.patch(base, json={"active": True}, headers=admin_headers).status_code == 409


def test_a_viewer_may_not_pause_a_duty(client, make_token, world):
    headers = {"Authorization": f"Bearer {make_token('viewer', '623025101')}"}
    assert client.post(f"/api/v1/reports/duties/{world['duty']}/pause", headers=headers).status_code == 403


def test_duty_runs_are_listed_on_the_duty(client, admin_headers, session_factory, world):
    tick_duties(session_factory, local(8, 0))
    tick_duties(session_factory, local(10, 0))
    listed = client.get(f"/api/v1/reports/duties/{world['duty']}/runs", headers=admin_headers)
    assert listed.status_code == 200, listed.json
    items = listed.json["items"]
    assert [(item["kind"], item["key"], item["planned"]) for item in items] == [
        ("duty_escalation", "2026-11-23 escalation 1", 2),
        ("duty_reminder", "2026-11-23 reminder 08:00", 5),
    ]
    assert items[1]["occurrence_at"] == local(8, 0).isoformat()
    assert items[1]["messages"] == {"queued": 5}


def test_runs_have_their_real_times_and_a_natural_key(session_factory, people, world):
    for moment in (local(8, 0), local(10, 0), local(11, 0)):
        tick_duties(session_factory, moment)
    first = receive(session_factory, WANGFANG, "你好", at=NOW + timedelta(minutes=5))
    second = receive(session_factory, WANGFANG, "在吗", at=NOW + timedelta(minutes=7))
    assert first["reply_run_id"] != second["reply_run_id"]
    seen = {(run.kind, run.run_key): run for run in runs(session_factory)}
    assert seen[("duty_reminder", "2026-11-23 reminder 08:00")].occurrence_at == local(8, 0)
    assert seen[("duty_escalation", "2026-11-23 escalation 1")].occurrence_at == local(10, 0)
    assert seen[("duty_escalation", "2026-11-23 escalation 2")].occurrence_at == local(11, 0)
    assert seen[("auto_reply", "2026-11-23 #1")].occurrence_at == NOW + timedelta(minutes=5)
    assert seen[("auto_reply", "2026-11-23 #2")].occurrence_at == NOW + timedelta(minutes=7)
    duty_runs = [run for run in seen.values() if run.kind.startswith("duty_")]
    assert {run.duty_id for run in duty_runs} == {world["duty"]}
    assert all(run.occurrence_at.microsecond == 0 for run in seen.values())


def test_confirmation_reminders_are_keyed_by_their_run_and_number(session_factory, people):
    policy = {"remind_after_minutes": 30, "max_reminders": 1, "escalate_after_minutes": 30}
    run_id = send_campaign(session_factory, people, expects_reply=True, confirmation=policy)
    later = NOW + timedelta(minutes=31)
    with session_factory.begin() as session:
        [reminder_id] = confirmation_work_due(session, later)
    with session_factory() as session:
        reminder = session.get(Run, reminder_id)
        assert (reminder.kind, reminder.run_key, reminder.occurrence_at) == ("reminder", f"{run_id}:1", later)


def test_a_daily_report_confirms_the_duty_reminder_and_no_campaign(session_factory, people, world):
    campaign_run = send_campaign(session_factory, people, at=local(7, 50), expects_reply=True)
    [reminder_id] = tick_duties(session_factory, local(8, 0))
    with session_factory.begin() as session:
        session.execute(
            OutboxMessage.__table__.update().where(OutboxMessage.run_id == reminder_id).values(status="sent")
        )
    summary = receive(session_factory, "+8613900000002", "0", at=local(8, 30))  # 一组联户长
    assert summary["report_id"] is not None
    assert summary["confirmed_run_id"] == reminder_id != campaign_run
    with session_factory() as session:
        assert list(session.scalars(select(Confirmation.run_id))) == [reminder_id]


def test_console_duty_panel_shows_its_runs_and_pauses_resumes_and_ends_it(client, session_factory, world):
    tick_duties(session_factory, local(8, 0))
    token = logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    page = client.get("/console/reports?date=2026-11-23").get_data(as_text=True)
    assert 'data-testid="duty-status">正常' in page and "报告提醒" in page and "08:00" in page
    paused = client.post(f"/console/reports/duties/{world['duty']}/pause", data={"csrf_token": token})
    assert paused.status_code == 302
    page = client.get(paused.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="duty-status">已暂停' in page and 'class="flash ok" role="status">已暂停<' in page
    again = client.post(f"/console/reports/duties/{world['duty']}/pause", data={"csrf_token": token})
    assert "该报告任务已经暂停" in client.get(again.headers["Location"]).get_data(as_text=True)
    client.post(f"/console/reports/duties/{world['duty']}/resume", data={"csrf_token": token})
    client.post(f"/console/reports/duties/{world['duty']}/end", data={"csrf_token": token})
    with session_factory() as session:
        duty = session.get(ReportDuty, world["duty"])
        assert duty.ended_at is not None and not duty.active
    assert "疫情零报告" not in client.get("/console/reports").get_data(as_text=True)


def test_auto_replies_are_shown_in_the_inbox(client, admin_headers, make_token, session_factory, people):
    receive(session_factory, WANGFANG, "你好")
    receive(session_factory, "+8613900000077", "hello")  # an unknown sender
    listed = client.get("/api/v1/inbox/auto-replies", headers=admin_headers)
    assert listed.status_code == 200, listed.json
    assert [item["to"] for item in listed.json["items"]] == ["+8613900000077", WANGFANG]
    assert listed.json["items"][1]["status"] == "queued" and listed.json["items"][1]["grid_id"]
    scoped = {"Authorization": f"Bearer {make_token('viewer', '623025101')}"}
    assert [item["to"] for item in client.get("/api/v1/inbox/auto-replies", headers=scoped).json["items"]] == [WANGFANG]
    logged_in(client, session_factory, "staff1", "admin")
    page = client.get("/console/inbox?view=auto_replies").get_data(as_text=True)
    assert 'data-testid="auto-replies"' in page and "已发自动回复" in page and WANGFANG in page


def test_a_contacts_automatic_messages_do_not_link_to_a_campaign(client, session_factory, people):
    receive(session_factory, WANGFANG, "你好")
    carrier = carrier_of(session_factory, "auto_reply")
    logged_in(client, session_factory, "staff1", "admin")
    with session_factory() as session:
        contact_id = session.scalar(select(OutboxMessage.contact_id).where(OutboxMessage.to == WANGFANG))
    page = client.get(f"/console/contacts/{contact_id}").get_data(as_text=True)
    assert "自动回复" in page and f"/console/campaigns/{carrier}" not in page
