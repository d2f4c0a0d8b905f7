"""The alert pages as county staff see them in Chromium, on a phone (390x844) and a desktop (1366x768), in Chinese and
English: the alert form, a launched alert (Tibetan text included) and its update draft, its reach page, the list of
campaigns, the county alert rules, the audit log and the dashboard. Every page passes tests/console_page_checks.py
(local short times, no English on Chinese pages, no raw codes, Tibetan drawn with the vendored font) and needs no
sideways scroll. Screenshots go to var/test-artifacts/console/alerts/. SQLite only, like the other browser tests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect, sync_playwright

from campaigns.models.base import utcnow
from campaigns.runs.visit_lists import send_visit_list
from tests.alert_reach_helpers import delivered, launch_alert, reach_world
from tests.console_helpers import PASSWORD, add_user
from tests.console_page_checks import problems, tibetan_rendered
from tests.integration.test_console_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tests.servers import wsgi_server_in_thread

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 768}}
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
USERS = {"root", "author", "approver", "coordinator1"}  # user names are data, shown as typed


@pytest.fixture
def alert_pages(database_url, session_factory, tree, client, make_token) -> list[str]:
    """A blizzard alert (Chinese and Tibetan) launched two minutes ago, one household head's SMS delivered, a visit
    list sent for the grid nobody reached, a draft update written through the API (both in the audit log), and an
    unscoped admin; the pages to walk."""
    if not database_url.startswith("sqlite"):
        pytest.skip("browser tests run on SQLite only")
    world = reach_world(session_factory, tree)
    launched = utcnow() - timedelta(minutes=2)
    valid = {"valid_from": launched.isoformat(), "expires_at": (launched + timedelta(days=1)).isoformat()}
    texts = {"zh": "暴雪预警：今晚有暴雪，请转移牲畜。收到请回复1。", "bo": "ཁ་བ་ཆེན་པོ་འབབ་ཉེན། ལན་1"}
    alert_id, run_id = launch_alert(session_factory, world, at=launched, texts=texts, **valid)
    delivered(session_factory, world, ["户主乙"], run_id, launched + timedelta(minutes=1))
    with session_factory.begin() as session:
        send_visit_list(session, world["author"], alert_id, world["62302510120202"], utcnow())
    token = make_token("coordinator", "623025")
    update = client.post(f"/api/v1/campaigns/{alert_id}/update-alert", json={"texts": {"zh": "暴雪加大，明天停课。"}},
                         headers={"Authorization": f"Bearer {token}"}).json  # fmt: skip
    add_user(session_factory, "root", "admin")
    return ["/console/alerts/new", f"/console/campaigns/{alert_id}", f"/console/campaigns/{update['id']}",
            f"/console/campaigns/{alert_id}/reach", "/console/campaigns", "/console/alert-rules", "/console/audit",
            "/console/"]  # fmt: skip


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_alert_pages_read_in_words_at_phone_and_desktop_size(app, alert_pages, lang):
    found = []
    with wsgi_server_in_thread(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for size, viewport in SIZES.items():
                page = browser.new_context(viewport=viewport, is_mobile=size == "phone").new_page()
                page.goto(f"{base}/console/login")
                if lang == "en":
                    page.get_by_role("link", name="English").click()
                page.locator("#username").fill("root")
                page.locator("#password").fill(PASSWORD)
                page.locator("button[type=submit]").first.click()
                expect(page.get_by_test_id("whoami")).to_contain_text("root")
                folder = ARTIFACTS / "alerts" / f"{lang}-{size}"
                folder.mkdir(parents=True, exist_ok=True)
                for number, path in enumerate(alert_pages, start=1):
                    response = page.goto(f"{base}{path}")
                    assert response is not None and response.status == 200, path
                    name = path.strip("/").replace("/", "-")
                    page.screenshot(path=str(folder / f"{number:02d}-{name}.png"), full_page=True)
                    found += [f"{lang}/{size} {path}: {problem}" for problem in problems(page, lang, USERS)]
                    if not page.evaluate(NO_SIDEWAYS_SCROLL):
                        found.append(f"{lang}/{size} {path}: sideways scroll")
                page.goto(f"{base}{alert_pages[1]}")
                tibetan_rendered(page, page.locator("main dd, main p"))
                page.context.close()
        finally:
            browser.close()
    assert not found, "\n".join(found)
