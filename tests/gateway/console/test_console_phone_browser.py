"""The console on a phone (390x844, touch) and a desktop (1366x768) in Chromium: the contact list reads as cards on
the phone and a table on the desktop, settings and audit pages need no sideways scroll (the value first), and the
grid pickers (a contact's grid, a campaign's audience) work by typing a name and tapping a result. Screenshots go to
var/test-artifacts/console/. SQLite only, like tests/integration/test_console_browser.py."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from sqlalchemy import select

from campaigns.models import Campaign, Contact
from tests.console_helpers import PASSWORD, add_user
from tests.integration.test_console_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tests.report_factories import build_report_world, make_duty
from tests.servers import wsgi_server_in_thread

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
HOUSEHOLD_HEAD = "+8613900000009"  # 户主甲, in 一组第一联户
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


@pytest.fixture
def world(database_url, session_factory, tree):
    if not database_url.startswith("sqlite"):
        pytest.skip("browser tests run on SQLite only")
    with session_factory.begin() as session:
        world = build_report_world(session, tree)
        make_duty(session, world)
        make_duty(session, world, name="草场防火日报", level="village")
    add_user(session_factory, "root", "admin")
    return world


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/console/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("whoami")).to_contain_text(username)


def row_display(page: Page) -> str:
    return page.evaluate("getComputedStyle(document.querySelector('table.stack tbody tr')).display")


def test_phone_and_desktop_layouts_and_touch_pickers(app, world, session_factory):
    with session_factory() as session:
        contact_id = session.scalar(select(Contact.id).where(Contact.phone == HOUSEHOLD_HEAD))
    with wsgi_server_in_thread(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            phone = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, locale="zh-CN").new_page()
            log_in(phone, base, "root")
            expect(phone.get_by_test_id("duty-board")).to_have_count(2)
            shot(phone, "phone-01-dashboard-duties")

            phone.goto(f"{base}/console/contacts")
            assert row_display(phone) == "block" and phone.evaluate(NO_SIDEWAYS_SCROLL)
            card = phone.locator(f'tr:has(a[href="/console/contacts/{contact_id}"])')
            expect(card.locator('td[data-label="角色"]')).to_be_visible()
            shot(phone, "phone-02-contact-cards")

            phone.goto(f"{base}/console/contacts/{contact_id}/edit")
            phone.get_by_label("网格", exact=True).fill("萨合")
            option = phone.locator("[data-grid-results] button", has_text="萨合塘村").first
            expect(option).to_be_visible()
            assert option.bounding_box()["height"] >= 44
            option.tap()
            expect(phone.locator("#grid_id-path")).to_have_text("玛曲县 › 齐哈玛镇 › 萨合塘村")
            assert phone.locator('input[name="grid_id"]').input_value() == str(world["623025101202"])
            shot(phone, "phone-03-grid-picked")
            phone.get_by_role("button", name="保存").tap()
            expect(phone.locator("dl.facts")).to_contain_text("萨合塘村")

            phone.goto(f"{base}/console/campaigns/new")
            phone.get_by_label("标题").fill("草场防火提醒")
            phone.get_by_label("网格（包括其下所有人）").fill("秀玛村一")
            phone.locator("[data-grid-results] button", has_text="秀玛村一组").first.tap()
            chosen = phone.locator('[data-grid-chosen] input[name="grid_ids"]')
            expect(chosen).to_have_count(1)
            expect(chosen).to_be_checked()
            assert chosen.bounding_box()["height"] >= 20 and phone.evaluate(NO_SIDEWAYS_SCROLL)
            shot(phone, "phone-04-audience-picked")
            phone.locator("#text_zh").fill("{name}，今天风大，注意草场防火。")
            phone.get_by_role("button", name="保存并预览").tap()
            expect(phone.get_by_test_id("preview")).to_be_visible()

            for path, name in (("/console/settings", "phone-05-settings"), ("/console/audit", "phone-06-audit")):
                phone.goto(f"{base}{path}")
                assert phone.evaluate(NO_SIDEWAYS_SCROLL), path
                assert row_display(phone) == "block"
                lead = phone.locator("table.stack tbody tr").first.locator("td").first
                second = phone.locator("table.stack tbody tr").first.locator("td").nth(1)
                assert "lead" in lead.get_attribute("class")
                assert lead.bounding_box()["y"] < second.bounding_box()["y"]  # stacked, the value (or action) first
                shot(phone, name)

            desktop = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
            log_in(desktop, base, "root")
            desktop.goto(f"{base}/console/contacts")
            assert row_display(desktop) == "table-row" and desktop.evaluate(NO_SIDEWAYS_SCROLL)
            shot(desktop, "desktop-01-contacts")
            desktop.goto(f"{base}/console/audit")
            assert row_display(desktop) == "table-row" and desktop.evaluate(NO_SIDEWAYS_SCROLL)
            shot(desktop, "desktop-02-audit")
        finally:
            browser.close()
    with session_factory() as session:
        assert session.get(Contact, contact_id).grid_id == world["623025101202"]
        campaign = session.scalar(select(Campaign).where(Campaign.name == "草场防火提醒"))
        assert campaign.audience["grid_ids"] == [world["62302510120101"]]
