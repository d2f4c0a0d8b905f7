"""Codes found on pages by the day walk (tests/integration/test_console_day_walk_browser.py) and now shown as words: the
currency (元, not CNY), an SMS's encoding (含中文或藏文, not UCS-2), an audit entry's target (通知 7, not campaign 7),
and on English pages the roles, run kinds and intents that were shown as stored (grid_leader, zero_report)."""

from __future__ import annotations

from sqlalchemy import select

from campaigns.directory.roles import CONTACT_ROLES
from campaigns.models import Contact
from campaigns.models.campaign import RUN_KINDS
from campaigns.models.replies import INTENTS
from gateway.console.audit_words import audit_target
from gateway.console.i18n import translate
from gateway.console.labels import currency_name, encoding_name
from tests.console_helpers import logged_in
from tests.gateway.console.test_console_words import visible_text


def test_codes_have_words():
    assert currency_name("CNY", "zh-Hans") == "元" and currency_name("CNY", "en") == "yuan"
    assert currency_name("USD", "zh-Hans") == "USD"
    assert encoding_name("UCS-2", "zh-Hans") == "含中文或藏文" and encoding_name("GSM-7", "en") == "Latin letters only"
    assert audit_target("campaign 7", "zh-Hans") == "通知 7" and audit_target("speaker 2", "en") == "loudspeaker 2"
    assert audit_target("bo confirm", "zh-Hans") == "藏语 · 确认收到"
    assert audit_target("zhuoma", "zh-Hans") == "zhuoma" and audit_target("联系人.csv", "en") == "联系人.csv"


def test_every_code_shown_through_the_catalog_has_an_english_word():
    codes = [code for code in (*CONTACT_ROLES, *RUN_KINDS, *INTENTS, "sms") if "_" in code or code == "sms"]
    words = {code: translate(code, "en") for code in codes}
    assert [code for code, word in words.items() if word == code or "_" in word] == []


def test_preview_and_audit_say_currency_encoding_and_target_in_words(client, session_factory, people):
    token = logged_in(client, session_factory, "zhuoma", "admin")
    form = {"csrf_token": token, "name": "接种提醒", "grid_ids": [str(people["623025101"])], "text_zh": "明天接种",
            "fallback_language": "zh", "schedule_kind": "now", "channels": ["sms"]}  # fmt: skip
    created = client.post("/console/campaigns/new", data=form)
    campaign_id = int(created.headers["Location"].rsplit("/", 1)[1])

    preview = visible_text(client.get(f"/console/campaigns/{campaign_id}").get_data(as_text=True))
    assert "元" in preview and "CNY" not in preview
    assert "含中文或藏文" in preview and "UCS-2" not in preview
    audit = visible_text(client.get("/console/audit").get_data(as_text=True))
    assert f"通知 {campaign_id}" in audit and f"campaign {campaign_id}" not in audit


def test_english_contact_pages_name_roles_in_words(client, session_factory, people):
    logged_in(client, session_factory, "zhuoma", "admin")
    with session_factory.begin() as session:
        contact = session.scalar(select(Contact).where(Contact.phone == "+8613800000001"))
        contact.role = "grid_leader"
        contact_id = contact.id
    client.get("/console/language/en")
    for path in ("/console/contacts", f"/console/contacts/{contact_id}", f"/console/contacts/{contact_id}/edit"):
        page = visible_text(client.get(path).get_data(as_text=True))
        assert "grid leader" in page and "grid_leader" not in page and "household_head" not in page, path
