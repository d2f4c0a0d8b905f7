"""The console speaks Chinese by default and English on request, and every text it shows has a translation."""

from __future__ import annotations

import re
from pathlib import Path

from campaigns.broadcasts.campaign_service import CHANNELS
from campaigns.broadcasts.schedules import KINDS
from campaigns.directory.roles import CONTACT_ROLES
from campaigns.identity.access import ROLES
from campaigns.models.campaign import CAMPAIGN_STATUSES, RUN_STATUSES
from campaigns.models.outbox import OUTBOX_STATUSES
from campaigns.models.replies import INTENTS
from campaigns.voice.call_status import CALL_STATUS_RANK
from gateway.console.catalog_zh import ZH_HANS
from gateway.console.i18n import translate
from tests.console_helpers import logged_in

CONSOLE = Path(__file__).resolve().parent.parent / "gateway" / "console"
LITERAL = re.compile(r"""\b_\(\s*(["'])((?:\\.|(?!\1).)*)\1""")
LEVELS = ("county", "township", "village", "group", "unit")
ACTIONS = ("launch", "approve", "pause", "resume", "cancel")
ENGINES_AND_JOBS = ("gtts", "espeak", "recording", "queued", "started", "finished", "failed", "deferred", "canceled")
OTHER_KEYS = ("pending", "zero_report", "incident", "Not Found", "Bad Request", "Forbidden", "Error")


def texts_in_sources() -> set[str]:
    found = set()
    for path in [*CONSOLE.glob("templates/console/*.html"), *CONSOLE.glob("*.py")]:
        for _quote, text in LITERAL.findall(path.read_text(encoding="utf-8")):
            found.add(text.replace("\\'", "'").replace('\\"', '"'))
    return found


def test_every_console_text_has_a_chinese_translation():
    dynamic = {*CAMPAIGN_STATUSES, *RUN_STATUSES, *OUTBOX_STATUSES, *INTENTS, *ROLES, *CONTACT_ROLES, *KINDS,
               *LEVELS, *ACTIONS, *OTHER_KEYS, *CHANNELS, *ENGINES_AND_JOBS,
               *CALL_STATUS_RANK}  # fmt: skip
    texts = texts_in_sources()
    assert len(texts) > 150
    missing = sorted((texts | dynamic) - set(ZH_HANS))
    assert missing == []


def test_translations_keep_their_placeholders():
    for english, chinese in ZH_HANS.items():
        assert set(re.findall(r"{(\w+)}", english)) == set(re.findall(r"{(\w+)}", chinese)), english


def test_translate_formats_and_falls_back_to_english():
    assert translate("{n} contacts", "zh-Hans", n=3) == ZH_HANS["{n} contacts"].format(n=3)
    assert translate("{n} contacts", "en", n=3) == "3 contacts"
    assert translate("no such text", "zh-Hans") == "no such text"


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
        assert ZH_HANS[english] in page
