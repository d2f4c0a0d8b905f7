"""The console in a real browser (Debian's Chromium, headless) against a real server and a real RQ worker:
log in, import contacts, build and launch a campaign, watch it finish, reply as a herder in the phone simulator,
see the report board change; an out-of-scope coordinator and a viewer are refused. Screenshots go to
var/test-artifacts/console/ (gitignored). SQLite only: the flow is the same on PostgreSQL (test_console_pages.py
covers the pages on both backends) and one browser run costs ~20 s."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.conftest import TEST_REDIS_URL, TEST_SECRET_KEY
from tests.console_helpers import PASSWORD, add_user
from tests.report_factories import build_report_world, make_duty
from tests.servers import REPO_ROOT, stop_group, subprocess_env, wsgi_server_in_thread

ARTIFACTS = REPO_ROOT / "var" / "test-artifacts" / "console"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip
HERDER_LEADER = "+8613900000001"  # 一组长, grid leader of 秀玛村一组, who reports for the group
IMPORT_CSV = "姓名,手机,网格编码,角色\n新牧民,13800000201,62302510120101,户主\n坏号码,12345,62302510120101,户主\n"


@pytest.fixture
def world(database_url, session_factory, tree):
    if not database_url.startswith("sqlite"):
        pytest.skip("browser tests run on SQLite only (see the module docstring)")
    with session_factory.begin() as session:
        world = build_report_world(session, tree)
        world["duty"] = make_duty(session, world, deadline="23:59")["id"]
    add_user(session_factory, "zhuoma", "coordinator", "623025101")
    add_user(session_factory, "ola", "coordinator", "623025102")
    add_user(session_factory, "kan", "viewer", "623025101")
    return world


@pytest.fixture
def worker(settings, tmp_path):
    """A real RQ worker on the test Redis, running jobs against the test database until the test ends."""
    from redis import Redis

    Redis.from_url(TEST_REDIS_URL).flushdb()
    env = subprocess_env(DATABASE_URL=settings.database_url, REDIS_URL=TEST_REDIS_URL, SECRET_KEY=TEST_SECRET_KEY,
                         GRIDCAST_VAR_DIR=str(tmp_path / "var"))  # fmt: skip
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "gateway.cli", "worker", "--without-scheduler"], env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    yield process
    stop_group(process)
    log.close()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/console/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("whoami")).to_contain_text(username)


def test_staff_flow_in_a_browser(app, world, worker, tmp_path):
    csv_file = tmp_path / "联系人.csv"
    csv_file.write_text(IMPORT_CSV, encoding="utf-8")
    with wsgi_server_in_thread(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            phone = browser.new_context(viewport={"width": 375, "height": 800}, locale="zh-CN")
            page = phone.new_page()
            page.on("dialog", lambda dialog: dialog.accept())
            page.set_default_timeout(15_000)

            page.goto(f"{base}/console/login")  # logging in with the keyboard alone
            expect(page.locator("#username")).to_be_focused()
            page.keyboard.type("zhuoma")
            page.keyboard.press("Tab")
            page.keyboard.type(PASSWORD)
            page.keyboard.press("Enter")
            expect(page.get_by_test_id("whoami")).to_contain_text("zhuoma")
            page.keyboard.press("Tab")
            expect(page.locator(":focus")).to_have_text("跳到正文")
            expect(page.get_by_test_id("coverage-tree")).to_contain_text("秀玛村一组")
            expect(page.locator('[data-grid="62302510120101"] > .status')).to_have_attribute("data-status", "missing")
            shot(page, "01-dashboard")

            page.goto(f"{base}/console/contacts/import")
            page.get_by_label("文件").set_input_files(str(csv_file))
            page.get_by_role("button", name="导入", exact=True).click()
            report = page.get_by_test_id("import-report")
            expect(report).to_contain_text("新建 1")
            expect(report).to_contain_text("拒绝 1")
            expect(report.get_by_role("link", name=re.compile("下载被拒绝的行"))).to_be_visible()
            shot(page, "02-import")

            page.goto(f"{base}/console/campaigns/new")
            page.get_by_role("button", name="保存并预览").click()
            expect(page.locator("#err-name")).to_have_text("必填")
            page.get_by_label("标题").fill("明日接种提醒")
            page.get_by_label("网格（包括其下所有人）").fill("秀玛村一组")
            page.locator("[data-grid-results] button", has_text="秀玛村一组").first.click()
            page.locator("#text_zh").fill("{name}，明天9点在乡卫生院接种疫苗，收到请回复1。")
            page.get_by_label("要求接收人确认（回复 1 或 收到）").check()
            page.get_by_role("button", name="保存并预览").click()
            expect(page.get_by_test_id("preview")).to_contain_text("位接收人")
            shot(page, "03-preview")
            campaign_url = page.url
            page.get_by_role("button", name="发布").click()
            page.get_by_role("link", name=re.compile(r"今天 \d\d:\d\d")).first.click()
            expect(page.get_by_test_id("run-status")).to_have_text("已完成", timeout=30_000)
            expect(page.get_by_test_id("by-status")).to_contain_text("已送达")
            expect(page.get_by_test_id("progress-chart")).to_be_visible()
            shot(page, "04-run-done")

            page.goto(f"{base}/console/simulator/{HERDER_LEADER}")
            expect(page.get_by_test_id("phone")).to_contain_text("明天9点在乡卫生院接种疫苗")
            page.get_by_label("以 一组长 的身份回复").fill("0")
            page.get_by_role("button", name="发送").click()
            expect(page.locator('.bubble[data-direction="mo"]')).to_have_text("0")
            expect(page.locator('.bubble[data-direction="mt"]')).to_have_count(2, timeout=30_000)  # the auto-reply
            shot(page, "05-simulator")

            page.goto(f"{base}/console/reports")
            expect(page.locator('[data-grid="62302510120101"] > .status')).to_have_attribute(
                "data-status", "zero_report", timeout=15_000
            )
            shot(page, "06-board")

            page.goto(f"{base}/console/speakers")
            page.get_by_label("设备名称").fill("秀玛村大喇叭")
            page.get_by_label("网格（通常是村）").select_option("623025101201")
            page.get_by_label("藏语").check()
            page.get_by_role("button", name="添加喇叭").click()
            expect(page.get_by_test_id("speaker-token")).to_contain_text("gs_")
            expect(page.get_by_test_id("speakers")).to_contain_text("从未")
            shot(page, "07-loudspeakers")

            outsider = browser.new_context(viewport={"width": 375, "height": 800}).new_page()
            log_in(outsider, base, "ola")
            assert outsider.goto(campaign_url).status == 404
            assert outsider.goto(f"{base}/console/simulator/{HERDER_LEADER}").status == 404
            assert outsider.goto(f"{base}/console/grids?grid_id={world['623025101']}").status == 404
            assert outsider.goto(f"{base}/console/audit").status == 403
            expect(outsider.locator("body")).not_to_contain_text("一组长")
            shot(outsider, "07-out-of-scope")

            viewer = browser.new_context(viewport={"width": 375, "height": 800}).new_page()
            log_in(viewer, base, "kan")
            viewer.goto(campaign_url)
            expect(viewer.get_by_test_id("campaign-status")).to_be_visible()
            expect(viewer.locator("[data-action]")).to_have_count(0)
            viewer.goto(f"{base}/console/simulator/{HERDER_LEADER}")
            expect(viewer.get_by_role("button", name="发送")).to_have_count(0)
            viewer.goto(f"{base}/console/campaigns/new")
            viewer.get_by_label("标题").fill("越权通知")
            viewer.locator("#text_zh").fill("x")
            viewer.get_by_label("网格（包括其下所有人）").fill("秀玛村一组")
            viewer.locator("[data-grid-results] button", has_text="秀玛村一组").first.click()
            viewer.get_by_role("button", name="保存并预览").click()
            expect(viewer.locator(".form-error")).to_contain_text("只能查看")
            shot(viewer, "08-viewer-refused")
        finally:
            browser.close()
