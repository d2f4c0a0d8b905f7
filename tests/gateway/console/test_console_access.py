"""Console access: login, cookies, a new session at each login, logout, idle expiry, CSRF, the login rate limit,
and roles and grid scope enforced by the services (both backends)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from sqlalchemy import update

from campaigns.models import Campaign, StaffSession
from campaigns.models.base import utcnow
from gateway.app import create_app
from tests.console_helpers import PASSWORD, add_user, csrf_of, log_in, logged_in
from tests.factories import make_campaign
from workers.composition import Services


def _cookie(response, name: str = "gridcast_session") -> str:
    return next(value for value in response.headers.getlist("Set-Cookie") if value.startswith(name + "="))


def test_login_sets_a_hardened_cookie_and_logout_ends_the_session(client, session_factory, tree):
    add_user(session_factory, "zhuoma")
    assert client.get("/console/contacts").headers["Location"].startswith("/console/login?next=/console/contacts")
    response = log_in(client, "zhuoma")
    assert response.status_code == 302
    cookie = _cookie(response)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # PUBLIC_BASE_URL is http here (local); see the https test below
    stolen = cookie.split(";")[0].split("=", 1)[1]
    page = client.get("/console/")
    assert page.status_code == 200 and "zhuoma" in page.get_data(as_text=True)
    assert client.post("/console/logout", data={"csrf_token": csrf_of(page)}).status_code == 302
    client.set_cookie("gridcast_session", stolen, path="/console")
    assert client.get("/console/").status_code == 302  # the old cookie is worthless after logout


def test_secure_cookie_behind_https(settings, engine, session_factory, tree):
    secure = dataclasses.replace(settings, secure_cookies=True)
    app = create_app(runtime=Services(settings=secure, engine=engine, session_factory=session_factory))
    add_user(session_factory, "zhuoma")
    assert "Secure" in _cookie(log_in(app.test_client(), "zhuoma"))


def test_each_login_makes_a_new_session_and_ends_the_previous_one(client, session_factory, tree):
    add_user(session_factory, "zhuoma")
    first = _cookie(log_in(client, "zhuoma")).split(";")[0]
    second = _cookie(log_in(client, "zhuoma")).split(";")[0]
    assert first != second
    client.set_cookie("gridcast_session", first.split("=", 1)[1], path="/console")
    assert client.get("/console/").status_code == 302


def test_idle_session_expires(client, session_factory, tree):
    logged_in(client, session_factory, "zhuoma")
    assert client.get("/console/").status_code == 200
    with session_factory.begin() as session:
        session.execute(update(StaffSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    assert client.get("/console/").headers["Location"].startswith("/console/login")


def test_forms_need_the_session_csrf_token(client, session_factory, people):
    token = logged_in(client, session_factory, "zhuoma")
    with session_factory.begin() as session:
        campaign_id = make_campaign(session, people)["id"]
    action = f"/console/campaigns/{campaign_id}/cancel"
    assert client.post(action).status_code == 400
    assert client.post(action, data={"csrf_token": "x" + token}).status_code == 400
    assert client.post("/console/logout").status_code == 400
    assert client.post(action, data={"csrf_token": token}).status_code == 302
    assert client.post(action, headers={"X-CSRF-Token": token}).status_code == 302


def test_login_form_has_its_own_csrf_token(client, session_factory, tree):
    add_user(session_factory, "zhuoma")
    client.get("/console/login")
    forged = client.post("/console/login", data={"username": "zhuoma", "password": PASSWORD, "csrf_token": "forged"})
    assert forged.status_code == 400 and "gridcast_session=" not in str(forged.headers)


def test_json_api_and_webhooks_need_no_csrf(client, admin_headers, tree):
    response = client.post("/api/v1/grids", json={"code": "X1", "name": "新村", "level": "village",
                                                  "parent_id": tree["623025101"]}, headers=admin_headers)  # fmt: skip
    assert response.status_code == 201


def test_login_backs_off_per_username_and_address(client, session_factory, tree, monkeypatch):
    clock = [utcnow()]
    monkeypatch.setattr("gateway.console.views_auth.utcnow", lambda: clock[0])
    add_user(session_factory, "zhuoma")
    for _ in range(5):
        assert log_in(client, "zhuoma", "wrong password").status_code == 401
    blocked = log_in(client, "zhuoma")
    assert blocked.status_code == 429 and "gridcast_session=" not in str(blocked.headers)
    assert blocked.headers["Retry-After"] == "1" and "1 秒" in blocked.get_data(as_text=True)
    assert log_in(client, "zhuoma", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 302
    clock[0] += timedelta(seconds=1)
    assert log_in(client, "zhuoma").status_code == 302


def test_disabled_user_cannot_log_in(client, session_factory, tree):
    token = logged_in(client, session_factory, "root")
    add_user(session_factory, "lamu", "viewer", "623025101")
    saved = client.post("/console/users/lamu", data={"csrf_token": token, "role": "viewer",
                                                     "scope_grid_id_name": "齐哈玛镇", "disabled": "on"})  # fmt: skip
    assert saved.status_code == 302
    assert log_in(client.application.test_client(), "lamu").status_code == 401


def test_coordinator_sees_and_acts_only_in_their_township(client, session_factory, people):
    token = logged_in(client, session_factory, "ola", "coordinator", "623025102")
    with session_factory.begin() as session:
        campaign_id = make_campaign(session, people)["id"]  # to 齐哈玛镇, not 欧拉镇
    assert client.get(f"/console/grids?grid_id={people['623025101']}").status_code == 404
    assert client.get(f"/console/grids?grid_id={people['623025102']}").status_code == 200
    assert client.get(f"/console/campaigns/{campaign_id}").status_code == 404
    assert client.post(f"/console/campaigns/{campaign_id}/launch", data={"csrf_token": token}).status_code == 302
    with session_factory() as session:
        assert session.get(Campaign, campaign_id).status == "draft"  # refused as "not found" by the service
    contacts = client.get("/console/contacts").get_data(as_text=True)
    assert "多杰" in contacts and "才让" not in contacts
    assert client.get("/console/contacts/1").status_code == 404  # 才让 lives in 齐哈玛镇
    assert client.get("/console/simulator/+8613800000001").status_code == 404
    assert client.get("/console/users").status_code == 403
    assert client.get("/console/audit").status_code == 403
    refused = client.post("/console/campaigns/new", data={"csrf_token": token, "name": "越权", "text_zh": "x",
                                                          "grid_ids": str(people["623025101"])})  # fmt: skip
    assert refused.status_code == 422 and "越权" in refused.get_data(as_text=True)


def test_viewer_reads_but_cannot_act(client, session_factory, people):
    token = logged_in(client, session_factory, "kan", "viewer", "623025101")
    with session_factory.begin() as session:
        campaign_id = make_campaign(session, people)["id"]
    page = client.get(f"/console/campaigns/{campaign_id}").get_data(as_text=True)
    assert 'data-action="launch"' not in page
    assert client.get("/console/campaigns").status_code == 200
    created = client.post("/console/campaigns/new", data={"csrf_token": token, "name": "x", "text_zh": "x",
                                                          "grid_ids": str(people["623025101"])})  # fmt: skip
    assert created.status_code == 422
    reply = client.post("/console/simulator/+8613800000001", data={"csrf_token": token, "body": "0"})
    assert reply.status_code == 422
    assert client.post(f"/console/campaigns/{campaign_id}/launch", data={"csrf_token": token}).status_code == 302
    with session_factory() as session:
        assert session.get(Campaign, campaign_id).status == "draft"


def test_session_ends_twelve_hours_after_login_even_when_busy(client, session_factory, tree):
    logged_in(client, session_factory, "zhuoma")
    with session_factory.begin() as session:
        session.execute(update(StaffSession).values(created_at=utcnow() - timedelta(hours=12, minutes=1)))
    assert client.get("/console/").headers["Location"].startswith("/console/login")
