"""Failed logins, lockouts and logouts are in the audit log (never the password), and the audit page filters by a
list of known actions shown as words (both backends)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from campaigns.common.errors import AuthenticationFailed
from campaigns.identity.staff_sessions import LoginPolicy, log_in
from campaigns.models import AuditEntry
from tests.console_helpers import PASSWORD, add_user, csrf_of, logged_in
from tests.factories import NOW

POLICY = LoginPolicy(max_failures=3, first_delay=timedelta(seconds=1), max_delay=timedelta(seconds=8))
WRONG = "hunter2-not-the-password"


def _entries(session_factory) -> list[AuditEntry]:
    with session_factory() as session:
        entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        session.expunge_all()
        return entries


def _fail(session_factory, username: str, at, ip: str = "10.0.0.1") -> None:
    with session_factory() as session:
        try:
            log_in(session, username, WRONG, ip, at, POLICY)
        except AuthenticationFailed:
            session.commit()
        else:
            raise AssertionError("the login should have failed")


def test_failed_logins_and_the_lockout_are_audited_without_the_password(session_factory, tree):
    user_id = add_user(session_factory, "zhuoma", "coordinator", "623025101")
    for second in range(3):
        _fail(session_factory, "zhuoma", NOW + timedelta(seconds=second))
    _fail(session_factory, "nobody", NOW)
    entries = _entries(session_factory)
    assert [entry.action for entry in entries] == ["session.login_failed"] * 3 + ["session.lockout"] + [
        "session.login_failed"
    ]
    first, lockout, unknown = entries[0], entries[3], entries[4]
    assert (first.username, first.user_id, first.grid_id) == ("zhuoma", user_id, tree["623025101"])
    assert first.detail == {"ip": "10.0.0.1", "reason": "wrong_password", "failures": 1}
    assert lockout.detail == {"ip": "10.0.0.1", "failures": 3, "wait_seconds": 1}
    assert (unknown.username, unknown.user_id, unknown.detail["reason"]) == ("nobody", None, "unknown_user")
    assert all(WRONG not in repr((entry.target, entry.detail)) for entry in entries)


def test_console_logins_logouts_and_the_action_list(client, session_factory, tree):
    add_user(session_factory, "lamu", "viewer", "623025101")
    token = csrf_of(client.get("/console/login"))
    refused = client.post("/console/login", data={"username": "lamu", "password": WRONG, "csrf_token": token})
    assert refused.status_code == 401
    viewer = client.application.test_client()
    viewer_token = logged_in(viewer, session_factory, "kan", "viewer", "623025101")
    assert viewer.post("/console/logout", data={"csrf_token": viewer_token}).status_code == 302
    assert [(entry.action, entry.username) for entry in _entries(session_factory)] == [
        ("session.login_failed", "lamu"),
        ("session.login", "kan"),
        ("session.logout", "kan"),
    ]

    logged_in(client, session_factory, "root")
    page = client.get("/console/audit").get_data(as_text=True)
    options = dict(re.findall(r'<option value="([^"]*)" ?[^>]*>([^<]+)</option>', page))
    assert options["session.login_failed"] == "登录失败" and options["session.logout"] == "退出登录"
    assert options["session.lockout"] == "登录暂被锁定" and options["duty.create"] == "新建日报任务"
    assert '<select id="action" name="action">' in page
    assert "登录失败" in page and "密码错误" in page and "主动退出" in page and WRONG not in page
    failed = client.get("/console/audit?action=session.login_failed").get_data(as_text=True)
    assert failed.split("<tbody>")[1].count("<tr>") == 1 and "lamu" in failed.split("<tbody>")[1]
    logins = client.get("/console/audit?action=session.login").get_data(as_text=True).split("<tbody>")[1]
    assert logins.count("<tr>") == 2 and "lamu" not in logins  # kan and root; the failure is another action
    assert "selected>登录</option>" in client.get("/console/audit?action=session.login").get_data(as_text=True)
    assert PASSWORD not in page
