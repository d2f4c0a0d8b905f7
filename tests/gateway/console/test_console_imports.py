"""Console imports: a large file goes to a worker and its page follows the progress; broken limits are shown in
Chinese (413 for the size, 422 for the others); in Chromium, the progress page follows a real worker to the result."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect, sync_playwright

from campaigns.common.settings import Settings
from tests.conftest import TEST_REDIS_URL, settings_environ
from tests.console_helpers import add_user, logged_in
from tests.integration.test_console_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    log_in,
    worker,  # noqa: F401  (fixture)
)
from tests.servers import subprocess_env, wsgi_server_in_thread
from tests.workers.test_import_jobs import (
    contacts_csv,
    import_queue,  # noqa: F401  (fixture)
)
from tests.workers.test_worker import restore_signals  # noqa: F401  (fixture)
from workers.main import run_worker
from workers.queues import IMPORTS

LIMITS = {
    "GRIDCAST_IMPORT_MAX_UPLOAD_MB": "1",
    "GRIDCAST_IMPORT_MAX_ROWS": "300",
    "GRIDCAST_IMPORT_MAX_COLUMNS": "4",
    "GRIDCAST_IMPORT_INLINE_MAX_KB": "1",
}


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings.from_env(settings_environ(database_url, tmp_path, **LIMITS))


def post_file(client, token: str, data: bytes, filename: str = "联系人.csv"):
    return client.post("/console/contacts/import", content_type="multipart/form-data",
                       data={"csrf_token": token, "file": (io.BytesIO(data), filename)})  # fmt: skip


def test_a_large_file_is_imported_by_a_worker_while_its_page_shows_progress(
    client,
    session_factory,
    tree,
    settings,
    import_queue,  # noqa: F811
    restore_signals,  # noqa: F811
):
    token = logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    response = post_file(client, token, contacts_csv(200))
    assert response.status_code == 303
    page_url = response.headers["Location"]
    page = client.get(page_url).get_data(as_text=True)
    assert 'data-testid="import-progress"' in page and 'data-status="queued"' in page and "正在等待" in page
    status_url = f"{page_url}/status"
    assert f'data-poll="{status_url}"' in page
    assert client.get(status_url).json == {"status": "queued", "progress": {"done": 0, "total": 0}, "percent": 0,
                                           "error_message": ""}  # fmt: skip

    run_worker(settings, queues=[IMPORTS], with_scheduler=False, burst=True)

    status = client.get(status_url).json
    assert status["status"] == "done" and status["percent"] == 100
    page = client.get(page_url).get_data(as_text=True)
    assert 'data-testid="import-report"' in page and "新建 200" in page and "data-poll" not in page


def test_a_file_over_the_size_limit_gets_413_with_the_limit_in_chinese(client, session_factory, tree):
    token = logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    response = post_file(client, token, b"x" * (1024 * 1024 + 100_000))
    page = response.get_data(as_text=True)
    assert response.status_code == 413 and "文件太大：1.1 MB。上限为 1 MB。" in page and 'id="err-file"' in page


def test_broken_limits_are_named_in_chinese_in_the_request_and_after_a_job(
    client,
    session_factory,
    tree,
    settings,
    import_queue,  # noqa: F811
    restore_signals,  # noqa: F811
):
    token = logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    wide = post_file(client, token, "姓名,手机,网格编码\n才让,13800000001,623025101201,,,x\n".encode())
    assert wide.status_code == 422 and "第 2 行有 6 列，上限为 4 列。" in wide.get_data(as_text=True)

    queued = post_file(client, token, contacts_csv(400))
    run_worker(settings, queues=[IMPORTS], with_scheduler=False, burst=True)
    page = client.get(queued.headers["Location"]).get_data(as_text=True)
    assert "导入失败" in page and "文件超过 300 行。请拆分成较小的文件。" in page


def test_the_progress_page_follows_the_worker_in_a_browser(
    app,
    database_url,
    settings,
    session_factory,
    tree,
    import_queue,  # noqa: F811
    tmp_path,
):
    if not database_url.startswith("sqlite"):
        pytest.skip("browser tests run on SQLite only (see tests/integration/test_console_browser.py)")
    add_user(session_factory, "zhuoma", "coordinator", "623025101")
    csv_file = tmp_path / "牧民.csv"
    csv_file.write_bytes(contacts_csv(200))
    env = subprocess_env(DATABASE_URL=settings.database_url, REDIS_URL=TEST_REDIS_URL,
                         GRIDCAST_VAR_DIR=str(tmp_path / "var"))  # fmt: skip
    with wsgi_server_in_thread(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(locale="zh-CN").new_page()
            log_in(page, base, "zhuoma")
            page.goto(f"{base}/console/contacts/import")
            page.get_by_label("文件").set_input_files(str(csv_file))
            page.get_by_role("button", name="导入", exact=True).click()
            expect(page.get_by_test_id("import-progress")).to_contain_text("正在等待")
            assert re.search(r"/console/imports/\d+$", page.url)
            worker = [sys.executable, "-m", "gateway.cli", "worker", "--burst", "--without-scheduler", IMPORTS]
            subprocess.run(worker, env=env, check=True, capture_output=True, timeout=120)
            expect(page.get_by_test_id("import-report")).to_contain_text("新建 200", timeout=30_000)
        finally:
            browser.close()
