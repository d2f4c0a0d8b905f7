"""Console pages over real data (both backends): dashboard, reports, import with rejected rows, campaign builder
with errors beside fields, preview, launch, progress, inbox, simulator, users and the audit log."""

from __future__ import annotations

import dataclasses
import io
import re

from sqlalchemy import func, select, update

from campaigns.models import AuditEntry, Campaign, Contact, InboundMessage, OutboxMessage, Run
from campaigns.models.base import utcnow
from gateway.app import create_app
from tests.console_helpers import csrf_of, logged_in
from tests.factories import make_campaign
from tests.gateway.api.test_api_reports import world  # noqa: F401  (the daily report fixture)
from tests.reply_helpers import receive, send_run
from workers.composition import Services


def _audit(session_factory) -> list[tuple[str, str]]:
    with session_factory() as session:
        return [tuple(row) for row in session.execute(select(AuditEntry.username, AuditEntry.action))]


def test_dashboard_and_board_show_coverage_incidents_and_handling(client, session_factory, world):  # noqa: F811
    token = logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    page = client.get("/console/").get_data(as_text=True)
    assert 'data-testid="coverage-tree"' in page and "秀玛村" in page and "返乡2人" in page
    assert 'data-status="partial"' in page  # 齐哈玛镇: 3 of 4 groups reported
    board = client.get(f"/console/reports?date={world['today']}&depth=3").get_data(as_text=True)
    assert re.search(r'data-grid="62302510120202">\s*<span class="status status-zero_report"', board)
    assert re.search(r'data-grid="62302510120201">\s*<span class="status status-missing"', board)
    assert 'data-testid="history"' in board and "最近 14 天" in board
    incident_id = re.search(r'data-incident="(\d+)"', board).group(1)
    handled = client.post(f"/console/reports/incidents/{incident_id}/handled",
                          data={"csrf_token": token, "back": "https://evil.example/"})  # fmt: skip
    assert handled.headers["Location"] == "/console/"
    assert "zhuoma" in client.get(f"/console/reports?date={world['today']}").get_data(as_text=True)
    exported = client.get(f"/console/reports/board.csv?date={world['today']}")
    assert exported.content_type.startswith("text/csv") and "秀玛村二组" in exported.get_data(as_text=True)
    assert ("zhuoma", "incident.handled") in _audit(session_factory)


def test_import_shows_rejected_rows_and_offers_them_for_download(client, session_factory, tree):
    token = logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    csv = "姓名,手机,网格编码\n才让,13800000101,623025101201\n卓玛,12345,623025101201\n多杰,13800000102,623025102201\n"
    empty = client.post("/console/contacts/import", data={"csrf_token": token})
    assert empty.status_code == 422 and 'id="err-file"' in empty.get_data(as_text=True)
    response = client.post("/console/contacts/import", content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO(csv.encode()), "联系人.csv")})  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "新建 1" in page and "拒绝 2" in page
    link = re.search(r'href="(/console/imports/\d+/rejected.csv)"', page).group(1)
    rejected = client.get(link).get_data(as_text=True)
    assert "卓玛" in rejected and "多杰" in rejected and "unknown grid code 623025102201" in rejected
    assert ("zhuoma", "contacts.import") in _audit(session_factory)
    exported = client.get("/console/contacts/export").get_data(as_text=True)
    assert "才让" in exported and "多杰" not in exported


def test_builder_shows_errors_beside_fields_then_previews_and_launches(client, session_factory, people):
    token = logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    form = client.get("/console/campaigns/new").get_data(as_text=True)
    assert "秀玛村" in form and "欧拉镇" not in form  # the picker offers only the coordinator's grids
    assert form.count('lang="en">English</a>') == 1 and "Mandarin" not in form  # the header's language switch
    bad = client.post("/console/campaigns/new", data={"csrf_token": token, "name": "", "text_zh": "{nmae}你好"})
    assert bad.status_code == 422
    assert re.search(r'id="err-name" role="alert">必填', bad.get_data(as_text=True))
    good = {"csrf_token": token, "name": "接种提醒", "grid_ids": [str(people["623025101"])], "text_zh": "明天接种",
            "fallback_language": "zh", "expects_reply": "on", "schedule_kind": "now"}  # fmt: skip
    created = client.post("/console/campaigns/new", data=good)
    assert created.status_code == 302
    page = client.get(created.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="preview"' in page and "3 位接收人" in page and 'data-action="launch"' in page
    campaign_id = int(created.headers["Location"].rsplit("/", 1)[1])
    launched = client.post(f"/console/campaigns/{campaign_id}/launch", data={"csrf_token": token})
    assert launched.status_code == 302
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 3
        run_id = session.scalar(select(OutboxMessage.run_id))
    send_run(session_factory, run_id, utcnow())
    progress = client.get(f"/console/runs/{run_id}").get_data(as_text=True)
    assert 'data-testid="run-status"' in progress and "已送达" in progress and "尚未确认" in progress
    assert [action for _, action in _audit(session_factory)][-2:] == ["campaign.create", "campaign.launch"]
    contact_id = session_factory().scalar(select(Contact.id).where(Contact.name == "王芳"))
    assert "明天接种" in client.get(f"/console/contacts/{contact_id}").get_data(as_text=True)


def test_large_campaign_needs_a_second_persons_approval(settings, engine, session_factory, people):
    strict = dataclasses.replace(settings, approval_threshold=2)
    app = create_app(runtime=Services(settings=strict, engine=engine, session_factory=session_factory))
    client = app.test_client()
    token = logged_in(client, session_factory, "author", "coordinator", "623025101")
    good = {"csrf_token": token, "name": "大通知", "grid_ids": [str(people["623025101"])], "text_zh": "通知",
            "fallback_language": "zh"}  # fmt: skip
    campaign_id = int(client.post("/console/campaigns/new", data=good).headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/console/campaigns/{campaign_id}").get_data(as_text=True)
    assert (
        'data-testid="approval"' in page and 'data-action="launch"' not in page and 'data-action="approve"' not in page
    )
    client.post(f"/console/campaigns/{campaign_id}/launch", data={"csrf_token": token})
    client.post(f"/console/campaigns/{campaign_id}/approve", data={"csrf_token": token})
    with session_factory() as session:
        assert session.get(Campaign, campaign_id).status == "draft"
    other = app.test_client()
    token = logged_in(other, session_factory, "second", "coordinator", "623025101")
    assert other.post(f"/console/campaigns/{campaign_id}/approve", data={"csrf_token": token}).status_code == 302
    assert "已由 second" in other.get(f"/console/campaigns/{campaign_id}").get_data(as_text=True)
    other.post(f"/console/campaigns/{campaign_id}/launch", data={"csrf_token": token})
    with session_factory() as session:
        assert session.get(Campaign, campaign_id).status in ("scheduled", "finished")


def test_inbox_links_an_unknown_sender_and_simulator_replies(client, session_factory, people):
    token = logged_in(client, session_factory, "root")
    receive(session_factory, "+8613900000077", "我是王芳的家人")
    senders = client.get("/console/inbox?view=senders").get_data(as_text=True)
    message_id = re.search(r'data-message="(\d+)"', senders).group(1)
    linked = client.post(f"/console/inbox/{message_id}/link",
                         data={"csrf_token": token, "contact": "13800000002", "view": "senders"})  # fmt: skip
    assert linked.status_code == 302
    with session_factory() as session:
        assert session.get(InboundMessage, int(message_id)).contact_id is not None
    empty = client.post("/console/simulator/+8613800000001", data={"csrf_token": token, "body": " "})
    assert empty.status_code == 422 and 'id="err-body"' in empty.get_data(as_text=True)
    sent = client.post("/console/simulator/+8613800000001", data={"csrf_token": token, "body": "收到"})
    assert sent.status_code == 302
    phone = client.get("/console/simulator/+8613800000001").get_data(as_text=True)
    assert re.search(r'data-direction="mo">收到<', phone)
    assert {"inbox.link", "simulator.reply"} <= {action for _, action in _audit(session_factory)}


def test_admin_manages_users_and_reads_the_audit_log(client, session_factory, tree):
    token = logged_in(client, session_factory, "root")
    new_user = {"csrf_token": token, "username": "lamu", "role": "coordinator", "scope_grid_id_name": "齐哈玛镇"}
    short = client.post("/console/users", data={**new_user, "password": "short"})
    assert short.status_code == 422 and re.search(r'id="err-password" role="alert">太短', short.get_data(as_text=True))
    made = client.post("/console/users", data={**new_user, "password": "long enough pw"})
    assert made.status_code == 302
    audit = client.get("/console/audit").get_data(as_text=True)
    assert "新建用户" in audit and "登录" in audit and "user.create" not in audit.split("<tbody>")[1]
    own = client.post("/console/users/root", data={"csrf_token": token, "display_name": "总管", "role": "viewer"})
    assert own.status_code == 302 and "管理员" in client.get("/console/users").get_data(as_text=True)
    assert csrf_of(client.get("/console/users"))


def test_run_controls_pause_resume_retry_and_cancel(client, session_factory, people):
    token = logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    with session_factory.begin() as session:
        campaign = make_campaign(session, people)
    client.post(f"/console/campaigns/{campaign['id']}/launch", data={"csrf_token": token})
    with session_factory() as session:
        run_id = session.scalar(select(Run.id).where(Run.campaign_id == campaign["id"]))
    action = f"/console/campaigns/{campaign['id']}"
    assert client.post(f"{action}/pause", data={"csrf_token": token}).status_code == 302
    assert _run_status(session_factory, run_id) == "paused"
    client.post(f"{action}/resume", data={"csrf_token": token})
    assert _run_status(session_factory, run_id) == "sending"
    with session_factory.begin() as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.to == "+8613800000002").values(status="failed"))
    page = client.get(f"/console/runs/{run_id}").get_data(as_text=True)
    assert "重发失败和未送达的消息" in page and 'data-refresh="3"' in page
    retried = client.post(f"/console/runs/{run_id}/retry", data={"csrf_token": token}, follow_redirects=True)
    assert "1 条已重新排队：失败 1 条，未送达 0 条" in retried.get_data(as_text=True)
    client.post(f"/console/runs/{run_id}/cancel", data={"csrf_token": token})
    assert _run_status(session_factory, run_id) == "cancelled"
    assert [action for _, action in _audit(session_factory)][-4:] == ["campaign.pause", "campaign.resume",
                                                                      "run.retry", "run.cancel"]  # fmt: skip


def _run_status(session_factory, run_id: int) -> str:
    with session_factory() as session:
        return session.get(Run, run_id).status
