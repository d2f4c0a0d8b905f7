"""Drafts are deleted, campaigns archived (hidden from the default list, shown by the "archived" filter) and
restored; a campaign that may still send is never archived; in the console, the API and the audit log (both
backends)."""

from __future__ import annotations

from sqlalchemy import func, select

from campaigns.identity.access import Actor
from campaigns.models import AuditEntry, Campaign, CampaignApproval, Run
from campaigns.models.base import utcnow
from campaigns.runs.planning import launch_campaign
from tests.console_helpers import logged_in
from tests.factories import make_campaign


def _names(page: str, *names: str) -> list[str]:
    return [name for name in names if name in page]


def test_console_deletes_a_draft_archives_and_restores(client, session_factory, people):
    with session_factory.begin() as session:
        draft = make_campaign(session, people, name="废弃草稿")["id"]
        session.add(CampaignApproval(campaign_id=draft, recipients=3, fingerprint="x"))
        kept = make_campaign(session, people, name="旧的通知")["id"]
        sending = make_campaign(session, people, name="正在发的通知")["id"]
        launch_campaign(session, Actor.system(), sending, utcnow())
    token = logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    page = client.get(f"/console/campaigns/{draft}").get_data(as_text=True)
    assert 'data-action="delete"' in page and 'data-action="archive"' in page
    deleted = client.post(f"/console/campaigns/{draft}/delete", data={"csrf_token": token})
    assert deleted.headers["Location"] == "/console/campaigns"
    assert "草稿已删除" in client.get("/console/campaigns").get_data(as_text=True)
    assert client.get(f"/console/campaigns/{draft}").status_code == 404
    with session_factory() as session:
        assert session.get(Campaign, draft) is None
        assert session.scalar(select(func.count()).select_from(CampaignApproval)) == 0

    sending_page = client.get(f"/console/campaigns/{sending}").get_data(as_text=True)
    assert 'data-action="archive"' not in sending_page and 'data-action="delete"' not in sending_page
    refused = client.post(f"/console/campaigns/{sending}/archive", data={"csrf_token": token}, follow_redirects=True)
    assert "“发送中”的通知不能归档" in refused.get_data(as_text=True)
    refused = client.post(f"/console/campaigns/{sending}/delete", data={"csrf_token": token}, follow_redirects=True)
    assert "只有草稿可以删除" in refused.get_data(as_text=True)

    client.post(f"/console/campaigns/{kept}/archive", data={"csrf_token": token})
    archived_page = client.get(f"/console/campaigns/{kept}").get_data(as_text=True)
    assert 'data-testid="campaign-archived"' in archived_page and 'data-action="restore"' in archived_page
    assert 'data-action="launch"' not in archived_page
    assert _names(client.get("/console/campaigns").get_data(as_text=True), "旧的通知", "正在发的通知") == [
        "正在发的通知"
    ]
    archived_list = client.get("/console/campaigns?status=archived").get_data(as_text=True)
    assert _names(archived_list, "旧的通知", "正在发的通知") == ["旧的通知"]
    assert 'value="archived" selected' in archived_list
    client.post(f"/console/campaigns/{kept}/restore", data={"csrf_token": token})
    assert "旧的通知" in client.get("/console/campaigns").get_data(as_text=True)
    with session_factory() as session:
        actions = set(session.scalars(select(AuditEntry.action)))
    assert {"campaign.delete", "campaign.archive", "campaign.restore"} <= actions


def test_api_archives_restores_and_deletes(client, admin_headers, session_factory, people):
    with session_factory.begin() as session:
        draft = make_campaign(session, people, name="草稿")["id"]
        done = make_campaign(session, people, name="完成")["id"]
        launch_campaign(session, Actor.system(), done, utcnow())
    assert client.post(f"/api/v1/campaigns/{done}/archive", headers=admin_headers).status_code == 409
    with session_factory.begin() as session:
        session.get(Campaign, done).status = "cancelled"
    with session_factory.begin() as session:
        for run in session.scalars(select(Run).where(Run.campaign_id == done)):
            run.status = "cancelled"
    archived = client.post(f"/api/v1/campaigns/{done}/archive", headers=admin_headers)
    assert archived.status_code == 200 and archived.json["archived_at"]
    listed = client.get("/api/v1/campaigns", headers=admin_headers).json["items"]
    assert [item["id"] for item in listed] == [draft]
    only_archived = client.get("/api/v1/campaigns?status=archived", headers=admin_headers).json["items"]
    assert [item["id"] for item in only_archived] == [done]
    assert client.post(f"/api/v1/campaigns/{done}/launch", headers=admin_headers).status_code == 409
    restored = client.post(f"/api/v1/campaigns/{done}/restore", headers=admin_headers)
    assert restored.status_code == 200 and restored.json["archived_at"] is None
    assert client.delete(f"/api/v1/campaigns/{done}", headers=admin_headers).status_code == 409
    assert client.delete(f"/api/v1/campaigns/{draft}", headers=admin_headers).status_code == 204
    assert client.get(f"/api/v1/campaigns/{draft}", headers=admin_headers).status_code == 404


def test_an_archived_draft_is_restored_before_it_is_edited_or_launched(client, admin_headers, session_factory, people):
    with session_factory.begin() as session:
        draft = make_campaign(session, people)["id"]
    assert client.post(f"/api/v1/campaigns/{draft}/archive", headers=admin_headers).status_code == 200
    edited = client.patch(f"/api/v1/campaigns/{draft}", json={"name": "改名"}, headers=admin_headers)
    assert edited.status_code == 409 and "restore it first" in edited.json["error"]["message"]
    assert client.post(f"/api/v1/campaigns/{draft}/launch", headers=admin_headers).status_code == 409


def test_a_viewer_cannot_archive_or_delete(client, make_token, session_factory, people):
    with session_factory.begin() as session:
        draft = make_campaign(session, people)["id"]
    viewer = {"Authorization": f"Bearer {make_token('viewer', '623025')}"}
    assert client.post(f"/api/v1/campaigns/{draft}/archive", headers=viewer).status_code == 403
    assert client.delete(f"/api/v1/campaigns/{draft}", headers=viewer).status_code == 403
