"""The composer in a real browser (Debian's Chromium, headless, never a downloaded one): the live character and SMS
segment count agrees with campaigns/common/sms_segments.py on the same texts, and saving a schedule in the past or
a run that waits for its send window asks first. SQLite only, like tests/integration/test_console_browser.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect, sync_playwright

from campaigns.common.sms_segments import count_segments
from campaigns.models.base import utcnow
from tests.console_helpers import add_user
from tests.integration.test_console_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, log_in
from tests.servers import wsgi_server_in_thread

TEXTS = [
    "",
    "Vaccination tomorrow at 9:00",
    "a" * 160,
    "a" * 161,
    "a" * 306,
    "a" * 307,
    "{" * 80,
    "{" * 81,
    "a" * 152 + "{" + "a" * 10,  # an extension character is never split across segments
    "€ [price] ~ ^ | \\ \f",
    "Ça coûte 5€",  # ç is not GSM-7 (only Ç is): the whole text is UCS-2
    "Ñandú @ £ ¥ § ¿ ¡ ÄÖÜäöüà\r\n",
    "中" * 70,
    "中" * 71,
    "中" * 134,
    "中" * 135,
    "中" * 66 + "😀" + "中" * 10,  # a surrogate pair is never split
    "😀" * 35,
    "😀" * 36,
    "{name}，明天9:00在乡卫生院接种疫苗。请回复1确认。" * 3,
    "{name} སང་ཉིན་ཆུ་ཚོད་9ལ་ཁྱབ་སྣོན། ཁྱེད་ཀྱི་ཁྱིམ་ཚང་ལ་བརྡ་ཐོ་གཏོང་།" * 2,
]


@pytest.fixture
def base(app, database_url, session_factory, people):
    if not database_url.startswith("sqlite"):
        pytest.skip("browser tests run on SQLite only")
    add_user(session_factory, "zhuoma", "coordinator", "623025101")
    with wsgi_server_in_thread(app) as url:
        yield url, people


def test_composer_counts_like_the_server_and_warns_before_saving(base):
    base, grids = base
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
            page.set_default_timeout(15_000)
            log_in(page, base, "zhuoma")
            page.goto(f"{base}/console/campaigns/new")
            counted = page.evaluate("texts => texts.map(text => window.GridcastSms.count(text))", TEXTS)
            for text, browser_count in zip(TEXTS, counted, strict=True):
                server = count_segments(text)
                assert (browser_count["encoding"], browser_count["units"], browser_count["segments"]) == (
                    server.encoding, server.units, server.segments), text  # fmt: skip

            page.locator("#text_zh").fill("中" * 71)
            output = page.locator("#count-zh")
            expect(output).to_have_text("71 字 · 含中文或藏文 · 共 2 条短信")
            page.locator("#text_en").fill("a" * 161)
            expect(page.locator("#count-en")).to_have_attribute("data-segments", "2")
            expect(page.locator("#count-en")).to_contain_text("仅拉丁字母")

            page.locator("#name").fill("接种提醒")
            page.locator(".grid-browse summary").click()
            page.locator(f'input[name="grid_ids"][value="{grids["623025101201"]}"]').check()
            expect(page.get_by_test_id("example-zh")).to_have_text(
                f"发给 才让（秀玛村一组）：{'中' * 71} · 共 2 条短信"
            )
            expect(
                page.get_by_test_id("example-bo")
            ).to_be_hidden()  # no Tibetan text: 才让 reads the fallback, Chinese
            page.locator("input[name=schedule_kind][value=once]").check()
            yesterday = (utcnow() + timedelta(hours=8) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
            page.locator("#schedule_at").fill(yesterday)
            warning = page.locator("#schedule-warning")
            expect(warning).to_be_visible()
            expect(warning).to_contain_text("这个时间已经过去")
            dialogs: list[str] = []

            def dismiss(dialog):
                dialogs.append(dialog.message)
                dialog.dismiss()

            page.on("dialog", dismiss)
            page.get_by_role("button", name="保存并预览").click()
            assert dialogs and "这个时间已经过去" in dialogs[0]
            assert page.url.endswith("/console/campaigns/new")  # nothing was sent

            local_now = utcnow() + timedelta(hours=8)
            closed_from = (local_now + timedelta(hours=2)).strftime("%H:%M")
            closed_to = (local_now + timedelta(hours=4)).strftime("%H:%M")
            page.locator("input[name=schedule_kind][value=now]").check()
            expect(warning).to_be_hidden()
            page.locator("#window_start").fill(closed_from)
            page.locator("#window_end").fill(closed_to)
            expect(warning).to_contain_text(f"不在发送时段 {closed_from}–{closed_to} 内")
            page.screenshot(path=str(ARTIFACTS / "composer-warnings.png"), full_page=True)
            page.remove_listener("dialog", dismiss)
            page.on("dialog", lambda dialog: dialog.accept())
            page.get_by_role("button", name="保存并预览").click()
            expect(page.get_by_test_id("campaign-status")).to_have_text("草稿")
            expect(page.locator(".flash.warning")).to_contain_text("要等到")
            expect(page.get_by_test_id("examples")).to_contain_text("中" * 71)
        finally:
            browser.close()
