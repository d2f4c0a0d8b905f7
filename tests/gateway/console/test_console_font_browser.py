"""Tibetan renders with the console's own web font in a real browser (Debian's Chromium, headless, never a
downloaded one): on a page with Tibetan text the vendored Noto Serif Tibetan is loaded and used. A screenshot goes
to var/test-artifacts/console/ (gitignored). SQLite only, like tests/integration/test_console_browser.py."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from tests.console_helpers import add_user
from tests.integration.test_console_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, log_in
from tests.servers import wsgi_server_in_thread

LOADED_TIBETAN_FACES = """() => document.fonts.ready.then(() =>
    [...document.fonts].filter(face => face.family.replace(/"/g, "") === "Noto Serif Tibetan"
                                       && face.status === "loaded").length)"""


def test_tibetan_text_uses_the_vendored_font(app, database_url, session_factory, tree):
    if not database_url.startswith("sqlite"):
        pytest.skip("browser tests run on SQLite only")
    add_user(session_factory, "zhuoma", "admin")
    with wsgi_server_in_thread(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport={"width": 375, "height": 800}, locale="zh-CN").new_page()
            page.set_default_timeout(15_000)
            log_in(page, base, "zhuoma")
            page.goto(f"{base}/console/settings")  # the Tibetan reply keywords and auto-replies
            assert "འགོ་འཛུགས" in page.content()
            assert page.evaluate(LOADED_TIBETAN_FACES) >= 1
            assert page.evaluate("""() => document.fonts.check('16px "Noto Serif Tibetan"', 'བོད')""")
            page.get_by_role("heading", name="藏语").first.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "tibetan-font.png"))
        finally:
            browser.close()
