"""The console's own 404, 405 and 500 pages (base template, the user's language), and huge ids in any console or
API path answering 404, never 500 (both backends)."""

from __future__ import annotations

import pytest

from tests.console_helpers import logged_in

HUGE_IDS = ["99999999999999999999", str(2**63), str(2**31), "1e30"]
CONSOLE_PATHS = ["/console/runs/{}", "/console/campaigns/{}", "/console/contacts/{}", "/console/speakers/{}",
                 "/console/campaigns/{}/edit", "/console/imports/{}/rejected.csv"]  # fmt: skip
API_PATHS = ["/api/v1/campaigns/{}", "/api/v1/runs/{}", "/api/v1/contacts/{}", "/api/v1/speakers/{}"]


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_a_huge_id_in_a_console_path_is_a_404_page(client, session_factory, tree, huge):
    logged_in(client, session_factory, "zhuoma", "admin")
    for path in CONSOLE_PATHS:
        response = client.get(path.format(huge))
        page = response.get_data(as_text=True)
        assert response.status_code == 404, path
        assert "找不到" in page and 'class="brand"' in page, path


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_a_huge_id_in_an_api_path_is_a_json_404(client, admin_headers, huge):
    for path in API_PATHS:
        response = client.get(path.format(huge), headers=admin_headers)
        assert response.status_code == 404, path
        assert response.get_json()["error"]["code"], path


def test_a_huge_id_posted_to_a_console_action_is_a_404(client, session_factory, tree):
    token = logged_in(client, session_factory, "zhuoma", "admin")
    response = client.post(f"/console/runs/{2**63}/cancel", data={"csrf_token": token})
    assert response.status_code == 404


def test_an_unknown_console_path_is_the_consoles_404_in_chinese(client, session_factory, tree):
    logged_in(client, session_factory, "zhuoma", "admin")
    response = client.get("/console/no-such-page")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert '<html lang="zh-Hans">' in page and "找不到这个页面" in page and "返回总览" in page
    assert 'class="brand"' in page


def test_the_404_page_follows_the_language_cookie(client, session_factory, tree):
    logged_in(client, session_factory, "zhuoma", "admin")
    client.get("/console/language/en")
    page = client.get("/console/no-such-page").get_data(as_text=True)
    assert '<html lang="en">' in page and "This page does not exist" in page


def test_an_unknown_console_path_without_login_is_a_404_page_too(client):
    response = client.get("/console/no-such-page")
    assert response.status_code == 404 and "找不到这个页面" in response.get_data(as_text=True)


def test_a_wrong_method_is_the_consoles_405_page(client, session_factory, tree):
    logged_in(client, session_factory, "zhuoma", "admin")
    response = client.delete("/console/campaigns")
    page = response.get_data(as_text=True)
    assert response.status_code == 405 and "这个页面不支持这种请求方式" in page and 'class="brand"' in page
    assert "GET" in response.headers["Allow"]


def test_an_unexpected_failure_is_the_consoles_500_page(app, client, session_factory, tree):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def explode():
        raise RuntimeError("boom")

    logged_in(client, session_factory, "zhuoma", "admin")
    app.view_functions["console.dashboard"] = explode
    response = client.get("/console/")
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and "服务器出错了" in page and "boom" not in page
    assert 'class="brand"' in page


def test_an_api_path_keeps_json_errors(client):
    assert client.get("/api/v1/no-such-thing").get_json()["error"]["code"] == "not_found"
