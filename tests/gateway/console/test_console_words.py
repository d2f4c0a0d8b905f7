"""No raw codes on console pages: languages, channels, statuses, schedule kinds, opt-out sources and audit actions
appear as words ("藏语", not "bo"); 通知 is the one Chinese word for a campaign; actions say "已发布"."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from campaigns.models import Campaign, Contact, Run
from gateway.console.audit_words import audit_action
from gateway.console.catalog_tool import read_locale
from gateway.console.i18n import translate
from gateway.console.labels import channel_name, done_message, language_name, optout_source
from tests.console_helpers import logged_in
from tests.factories import NOW
from tests.reply_helpers import receive, send_run
from tests.speaker_helpers import add_speaker

CODES = ("zh", "bo", "ug", "mn", "kk", "ii", "yue", "en", "sms", "voice", "loudspeaker", "sms_stop", "carrier_stop",
         "draft", "scheduled", "sending", "finished", "paused", "cancelled", "delivered", "sent", "queued", "failed",
         "undelivered", "skipped", "now", "once", "daily", "weekly", "cron")  # fmt: skip
AUDIT = (
    r"(?:session|campaign|alert|run|grids?|contacts?|duty|incident|inbox|simulator|user|token|keyword|auto_reply|speaker"
    r"|api)\.[a-z_]+"
)
RAW_CODE = re.compile(r"(?<![\w./-])(" + "|".join(CODES) + "|" + AUDIT + r")(?![\w/-])")


def visible_text(page: str) -> str:
    """What a reader sees: no scripts, styles, tags or attributes."""
    page = re.sub(r"<(script|style|title)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]*>", " ", page))


def raw_codes(page: str) -> list[str]:
    return sorted(set(RAW_CODE.findall(visible_text(page))))


def test_codes_have_words_in_both_languages():
    assert language_name("bo", "zh-Hans") == "藏语" and language_name("bo", "en") == "Tibetan"
    assert channel_name("loudspeaker", "zh-Hans") == "大喇叭" and channel_name("voice", "zh-Hans") == "语音电话"
    assert optout_source("sms_stop", "zh-Hans") == "短信退订"
    assert audit_action("campaign.launch", "zh-Hans") == "发布通知"
    assert audit_action("api.create_contact", "en") == "added a contact (through the API)"
    assert audit_action("api.launch", "zh-Hans") == "发布通知（通过接口）"
    assert done_message("launch", "zh-Hans") == "已发布" and done_message("cancel", "en") == "Cancelled."


def test_one_chinese_word_for_a_campaign():
    texts = [str(message.string) for message in read_locale("zh_Hans") if message.id]
    assert len(texts) > 500 and [text for text in texts if "活动" in text] == []
    assert "通知" in translate("Campaigns", "zh-Hans") and translate("Campaign", "zh-Hans") == "通知"


def test_no_raw_code_is_visible_on_any_chinese_page(client, session_factory, people):
    token = logged_in(client, session_factory, "zhuoma", "admin")
    with session_factory.begin() as session:
        speaker, _ = add_speaker(session, "623025101201")
    form = {"csrf_token": token, "name": "接种提醒", "grid_ids": [str(people["623025101"])], "text_zh": "明天接种",
            "text_bo": "སང་ཉིན།", "fallback_language": "zh", "expects_reply": "on", "schedule_kind": "now",
            "channels": ["sms"]}  # fmt: skip
    created = client.post("/console/campaigns/new", data=form)
    campaign_id = int(created.headers["Location"].rsplit("/", 1)[1])
    launched = client.post(f"/console/campaigns/{campaign_id}/launch", data={"csrf_token": token})
    assert launched.status_code == 302
    page = client.get(launched.headers["Location"]).get_data(as_text=True)
    assert "已发布" in page and "已完成" not in page
    with session_factory() as session:
        run_id = session.scalar(select(Run.id).where(Run.campaign_id == campaign_id))
        assert session.get(Campaign, campaign_id).channels == ["sms"]
    send_run(session_factory, run_id, NOW)
    receive(session_factory, "+8613800000002", "退订")
    receive(session_factory, "+8613800000001", "ཅི་ཞིག་རེད")
    with session_factory() as session:
        contact_id = session.scalar(select(Contact.id).where(Contact.phone == "+8613800000002"))
    pages = ["/console/", "/console/campaigns", f"/console/campaigns/{campaign_id}", f"/console/runs/{run_id}",
             "/console/contacts", f"/console/contacts/{contact_id}", "/console/contacts?q=才让", "/console/inbox",
             "/console/inbox?view=optouts", "/console/inbox?view=auto_replies", "/console/inbox?view=senders",
             "/console/speakers", f"/console/speakers/{speaker['id']}", "/console/audit",
             "/console/settings"]  # fmt: skip
    found = {}
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        if codes := raw_codes(response.get_data(as_text=True)):
            found[path] = codes
    assert found == {}
