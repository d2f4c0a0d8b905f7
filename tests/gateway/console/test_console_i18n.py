"""The console speaks Chinese by default and English on request, through gettext catalogs: every text and every
domain error's message id has a Chinese translation, placeholders survive translation, English pluralizes."""

from __future__ import annotations

import ast
import io
import json
import os
import shutil

from babel.messages.pofile import read_po

from campaigns.common.errors import DomainError, NotFound, ValidationError
from gateway.console import catalogs
from gateway.console.catalog_tool import extract, problems
from gateway.console.catalogs import po_path
from gateway.console.error_messages import error_text, field_label
from gateway.console.i18n import translate, translate_plural
from tests.console_helpers import logged_in
from tests.gateway.console.test_console_words import visible_text
from tests.servers import REPO_ROOT

ROOT = REPO_ROOT
KINDS = {"ValidationError", "NotFound", "PermissionDenied", "Conflict", "AuthenticationFailed", "DomainError"}
CODED = {"coded", "coded_plural", "broken"}


def _coded_calls(folder: str):
    """(file:line, message id, English template) of every `Kind.coded(...)` call, found by reading the code."""
    for path in sorted((ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CODED:
                first = 3 if node.func.attr == "broken" else 0
                message_id, template = node.args[first], node.args[first + 1]
                assert isinstance(message_id, ast.Constant) and isinstance(template, ast.Constant), path
                yield f"{path.relative_to(ROOT)}:{node.lineno}", message_id.value, template.value


def test_every_domain_error_raised_in_campaigns_has_a_message_id():
    uncoded = []
    for path in sorted((ROOT / "campaigns").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            call = node.exc if isinstance(node, ast.Raise) else None
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in KINDS:
                uncoded.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert uncoded == []


def test_every_message_id_in_campaigns_has_a_chinese_translation():
    with po_path("zh_Hans").open("rb") as source:
        catalog = read_po(source, locale="zh_Hans")
    translated = {(message.context, message.id[0] if isinstance(message.id, tuple) else message.id): message
                  for message in catalog if message.id and message.context}  # fmt: skip
    calls = list(_coded_calls("campaigns"))
    assert len(calls) > 200
    ids: dict[str, str] = {}
    for where, message_id, template in calls:
        assert ids.setdefault(message_id, template) == template, f"{where}: {message_id} names two messages"
        message = translated.get((message_id, template))
        assert message is not None and message.string, f"{where}: {message_id} has no zh_Hans translation"


def test_the_catalogs_match_the_code_and_keep_placeholders():
    """`make i18n-check`: nothing missing, untranslated, unused, or with a placeholder lost."""
    assert problems("zh_Hans") == []
    english = {message.id for message in extract() if message.id}
    assert len(english) > 700


def test_catalogs_compile_when_missing_or_older_than_their_po(tmp_path, monkeypatch):
    shutil.copytree(catalogs.TRANSLATIONS_DIR, tmp_path, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.mo"))
    monkeypatch.setattr(catalogs, "TRANSLATIONS_DIR", tmp_path)
    po = catalogs.po_path("zh_Hans")
    mo = po.with_suffix(".mo")
    assert not mo.exists()
    first = catalogs.compile_catalog("zh_Hans")
    assert mo.read_bytes() == first and "总览".encode() in first
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "总览"', 'msgstr "概览"'), encoding="utf-8")
    os.utime(po, (mo.stat().st_mtime + 10, mo.stat().st_mtime + 10))
    assert "概览".encode() in catalogs.compile_catalog("zh_Hans") and "概览".encode() in mo.read_bytes()


def test_translate_formats_and_falls_back_to_english():
    assert translate("Page {page} of {pages}", "zh-Hans", page=1, pages=3) == "第 1 页，共 3 页"
    assert translate("Dashboard", "en") == "Dashboard"
    assert translate("no such text", "zh-Hans") == "no such text"


def test_english_pluralizes_and_chinese_has_one_form():
    assert translate_plural("{n} incident", "{n} incidents", 1, "en") == "1 incident"
    assert translate_plural("{n} incident", "{n} incidents", 2, "en") == "2 incidents"
    assert translate_plural("{n} incident", "{n} incidents", 0, "en") == "0 incidents"
    assert translate_plural("{n} incident", "{n} incidents", 1, "zh-Hans") == "1 条情况"
    assert translate_plural("{n} incident", "{n} incidents", 5, "zh-Hans") == "5 条情况"


def test_domain_errors_render_per_language_with_field_names_in_words():
    too_long = ValidationError.coded(
        "text.too_long", "%(label)s is longer than %(max_length)s characters", label="texts.bo", max_length=1600
    )
    assert too_long.message == "texts.bo is longer than 1600 characters"
    assert error_text(too_long, "zh-Hans") == "藏语文本超过 1600 个字符"
    assert error_text(too_long, "en") == too_long.message
    assert field_label("schedule.at", "zh-Hans") == "发送时间"
    assert field_label("escalation_delays.1", "zh-Hans") == "升级等待时间第 2 项"
    missing = NotFound.coded("audience.grid_not_found", "grid %(grid_id)s not found", grid_id=7)
    assert (missing.message, error_text(missing, "zh-Hans")) == ("grid 7 not found", "找不到网格 7")
    nested = ValidationError.coded("input.field_error", "%(name)s: %(message)s", name="phone", message=missing)
    assert error_text(nested, "zh-Hans") == "电话号码：找不到网格 7"
    assert error_text(DomainError.from_details(nested.details()), "zh-Hans") == "电话号码：找不到网格 7"
    assert error_text(DomainError("said without an id"), "zh-Hans") == "said without an id"


def test_chinese_by_default_and_english_on_request(client, session_factory, tree):
    login = client.get("/console/login").get_data(as_text=True)
    assert 'lang="zh-Hans"' in login and "登录" in login
    switched = client.get("/console/language/en?next=/console/login")
    assert switched.headers["Location"] == "/console/login"
    assert "gridcast_lang=en" in switched.headers["Set-Cookie"]
    english = client.get("/console/login").get_data(as_text=True)
    assert 'lang="en"' in english and "Log in" in english and "登录" not in english
    assert client.get("/console/language/en?next=https://evil.example/").headers["Location"] == "/console/"


def test_pages_in_chinese_show_no_untranslated_navigation(client, session_factory, tree):
    logged_in(client, session_factory, "zhuoma")
    page = client.get("/console/").get_data(as_text=True)
    for english in ("Dashboard", "Campaigns", "Daily reports", "Inbox", "Log out"):
        assert f">{english}<" not in page
        assert translate(english, "zh-Hans") in page


def test_an_error_whose_parameter_is_another_exception_still_becomes_json():
    """An unreadable XLSX upload once answered 500: its error carried openpyxl's KeyError as a parameter."""
    cause = KeyError("There is no item named '[Content_Types].xml' in the archive")
    error = ValidationError.coded("import.bad_xlsx", "the file cannot be read (%(reason)s)", reason=cause)
    details = json.loads(json.dumps(error.details()))
    assert details["params"] == {"reason": str(cause)}
    assert DomainError.from_details(details).message == f"the file cannot be read ({cause})"


def test_english_pages_say_one_person_one_row_one_alert(client, session_factory, people):
    """Counts on English pages take the singular for one ("1 person", not "1 people")."""
    token = logged_in(client, session_factory, "zhuoma", "admin", "623025")
    client.get("/console/language/en")
    form = {"csrf_token": token, "name": "接种提醒", "grid_ids": str(people["623025102201"]), "text_zh": "明天接种",
            "fallback_language": "zh", "schedule_kind": "now", "channels": ["sms"]}  # fmt: skip
    created = client.post("/console/campaigns/new", data=form)  # 达尔庆村: 多杰 alone
    preview = visible_text(client.get(created.headers["Location"]).get_data(as_text=True))
    assert "1 person reached by SMS or call" in preview and "1 recipient, 1 SMS segment," in preview

    csv = "姓名,手机,网格编码\n新牧民,13800000301,62302510120101\n".encode()
    upload = {"csrf_token": token, "file": (io.BytesIO(csv), "one.csv")}
    report = client.post("/console/contacts/import", data=upload, follow_redirects=True)
    assert "1 row: 1 created" in visible_text(report.get_data(as_text=True))
    dashboard = visible_text(client.get("/console/").get_data(as_text=True))
    assert "0 alerts sent, 0 messages out" in dashboard
