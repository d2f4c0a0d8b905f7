"""The admins' settings page (both backends): effective settings read-only with secrets only as set / not set; reply
keywords and auto-reply texts edited through the API's services and rules, audit-logged; non-admins refused."""

from __future__ import annotations

import dataclasses
import re

import pytest
from sqlalchemy import select

from campaigns.common.settings import Settings
from campaigns.common.settings_model import EnvironmentSettings, env_name
from campaigns.models import AuditEntry, ReplyKeyword
from campaigns.replies.auto_replies import reply_text
from gateway.app import create_app
from tests.conftest import TEST_REDIS_URL
from tests.console_helpers import logged_in

AUTH_TOKEN = "tok-0123456789abcdef-secret"
SECRET_KEY = "sk-very-secret-console-key"


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings.from_env({
        "DATABASE_URL": database_url, "GRIDCAST_VAR_DIR": str(tmp_path / "var"), "REDIS_URL": TEST_REDIS_URL,
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "SECRET_KEY": SECRET_KEY,
        "GRIDCAST_APPROVAL_THRESHOLD": "250",
    })  # fmt: skip


def _value(page: str, env: str) -> str:
    match = re.search(rf'data-env="{env}">([^<]*)<', page)
    assert match, env
    return match.group(1)


def _audit(session_factory) -> list[tuple[str, str]]:
    with session_factory() as session:
        return [(entry.action, entry.target) for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_admin_sees_effective_settings_without_secrets(client, session_factory, tree, settings):
    logged_in(client, session_factory, "zhuoma")
    response = client.get("/console/settings")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "设置" in page and 'href="/console/settings"' in page
    assert _value(page, "TWILIO_AUTH_TOKEN") == "已设置" and _value(page, "SECRET_KEY") == "已设置"
    assert _value(page, "KANNEL_PASSWORD") == "未设置" and _value(page, "TWILIO_ACCOUNT_SID") == "已设置"
    assert _value(page, "GRIDCAST_SMS_ROUTES") == "* → twilio"
    assert _value(page, "GRIDCAST_APPROVAL_THRESHOLD") == "250"
    assert _value(page, "GRIDCAST_TTS_ENGINES") == "gtts, espeak"
    assert _value(page, "DATABASE_URL") in ("sqlite", "postgresql")
    for secret in (AUTH_TOKEN, SECRET_KEY, settings.database_url, TEST_REDIS_URL, "AC" + "0" * 32):
        assert secret not in page


def test_non_admins_are_refused(client, session_factory, tree):
    token = logged_in(client, session_factory, "lamu", "coordinator", "623025101")
    assert 'href="/console/settings"' not in client.get("/console/").get_data(as_text=True)
    assert client.get("/console/settings").status_code == 403
    form = {"csrf_token": token, "language": "zh", "intent": "confirm", "keyword": "妥了"}
    assert client.post("/console/settings/keywords", data=form).status_code == 403
    reply = {"csrf_token": token, "text": "好", "enabled": "on"}
    assert client.post("/console/settings/auto-replies/zh/confirm", data=reply).status_code == 403
    with session_factory() as session:
        assert session.scalar(select(ReplyKeyword.id)) is None
        assert reply_text(session, "zh", "confirm") == "已收到您的确认，谢谢！"


def test_admin_adds_and_removes_a_keyword(client, session_factory, tree):
    token = logged_in(client, session_factory, "zhuoma")
    bad = client.post("/console/settings/keywords", data={"csrf_token": token, "language": "zh", "intent": "confirm",
                                                          "keyword": "收到"})  # fmt: skip
    assert bad.status_code == 422 and 'role="alert"' in bad.get_data(as_text=True)
    empty = client.post("/console/settings/keywords", data={"csrf_token": token, "language": "zh",
                                                            "intent": "confirm", "keyword": " "})  # fmt: skip
    assert empty.status_code == 422 and 'id="err-keyword"' in empty.get_data(as_text=True)
    form = {"csrf_token": token, "language": "藏语", "intent": "zero_report", "keyword": "ＢＤＥ"}
    assert client.post("/console/settings/keywords", data=form).status_code == 302
    with session_factory() as session:
        row = session.scalar(select(ReplyKeyword))
        assert (row.language, row.intent, row.keyword) == ("bo", "zero_report", "bde")
    page = client.get("/console/settings").get_data(as_text=True)
    assert re.search(r'data-testid="staff-keyword">bde', page) and "已添加关键词" in page
    removed = client.post(f"/console/settings/keywords/{row.id}/remove", data={"csrf_token": token})
    assert removed.status_code == 302
    assert client.post(f"/console/settings/keywords/{row.id}/remove", data={"csrf_token": token}).status_code == 404
    with session_factory() as session:
        assert session.scalar(select(ReplyKeyword.id)) is None
    assert _audit(session_factory)[-2:] == [("keyword.add", "bo zero_report"), ("keyword.remove", "bo zero_report")]


def test_admin_edits_and_turns_off_an_auto_reply(client, session_factory, tree):
    token = logged_in(client, session_factory, "zhuoma")
    form = {"csrf_token": token, "text": "收到，谢谢您！", "enabled": "on"}
    assert client.post("/console/settings/auto-replies/zh/confirm", data=form).status_code == 302
    assert client.post("/console/settings/auto-replies/en/help", data={"csrf_token": token}).status_code == 302
    with session_factory() as session:
        assert reply_text(session, "zh", "confirm") == "收到，谢谢您！"
        assert reply_text(session, "en", "help") is None  # unchecked: turned off, text kept
    page = client.get("/console/settings").get_data(as_text=True)
    assert "收到，谢谢您！" in page and "已由工作人员修改" in page
    unknown = client.post("/console/settings/auto-replies/zh/nonsense", data=form)
    assert unknown.status_code == 422 and 'id="err-auto-replies"' in unknown.get_data(as_text=True)
    assert _audit(session_factory)[-2:] == [("auto_reply.set", "zh confirm"), ("auto_reply.set", "en help")]


def test_scoped_admin_reads_auto_replies_but_cannot_change_them(client, session_factory, tree):
    token = logged_in(client, session_factory, "dorje", "admin", "623025101")
    page = client.get("/console/settings").get_data(as_text=True)
    assert "只有不限网格范围的管理员可以修改" in page and 'action="/console/settings/auto-replies/' in page
    refused = client.post("/console/settings/auto-replies/zh/confirm", data={"csrf_token": token, "text": "好"})
    assert refused.status_code == 422 and 'id="err-reply-zh-confirm"' in refused.get_data(as_text=True)
    with session_factory() as session:
        assert reply_text(session, "zh", "confirm") == "已收到您的确认，谢谢！"


SECRETS = {
    "TWILIO_AUTH_TOKEN": "twilio-token-secret", "KANNEL_PASSWORD": "kannel-password-secret",
    "KANNEL_WEBHOOK_SECRET": "kannel-webhook-secret-0123", "SECRET_KEY": "flask-key-secret",
    "KANNEL_SENDSMS_URL": "http://gc:kannel-url-secret@127.0.0.1:13013/cgi-bin/sendsms?password=kannel-query-secret",
    "TWILIO_API_BASE": "http://AC1:api-base-secret@127.0.0.1:9/",
}  # fmt: skip


def test_no_secret_from_any_setting_reaches_the_page(runtime, session_factory, tree):
    secretive = Settings.from_env({
        **SECRETS, "DATABASE_URL": runtime.settings.database_url, "REDIS_URL": TEST_REDIS_URL,
        "TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "KANNEL_USERNAME": "gc", "GRIDCAST_SMS_ROUTES": "+86=kannel,*=twilio",
    })  # fmt: skip
    client = create_app(runtime=dataclasses.replace(runtime, settings=secretive)).test_client()
    logged_in(client, session_factory, "zhuoma")
    page = client.get("/console/settings").get_data(as_text=True)
    for name in ("TWILIO_AUTH_TOKEN", "KANNEL_PASSWORD", "KANNEL_WEBHOOK_SECRET", "SECRET_KEY"):
        assert _value(page, name) == "已设置"
    assert _value(page, "KANNEL_SENDSMS_URL") == "http://127.0.0.1:13013/cgi-bin/sendsms"
    assert _value(page, "GRIDCAST_SMS_ROUTES") == "+86 → kannel, * → twilio"
    leaked = re.findall(r"[\w-]*-secret[\w-]*", page)
    assert leaked == [] and "AC" + "1" * 32 not in page
    assert runtime.settings.database_url not in page and TEST_REDIS_URL not in page


def test_every_setting_has_a_row_with_its_value_first(client, session_factory, tree):
    logged_in(client, session_factory, "zhuoma")
    page = client.get("/console/settings").get_data(as_text=True)
    first_cells = re.findall(r"<tr><td class=\"lead\" data-env=\"([A-Z_]*)\">", page)
    assert set(first_cells) >= {env_name(info) for info in EnvironmentSettings.model_fields.values()}
    assert _value(page, "GRIDCAST_IMPORT_MAX_ROWS") == "200000" and _value(page, "GRIDCAST_AUTO_REPLIES") == "开"
    assert _value(page, "GRIDCAST_AUDIO_MAX_UPLOAD_MB") == "20" and _value(page, "GRIDCAST_SIMULATOR_CALL_KEY") == "1"
