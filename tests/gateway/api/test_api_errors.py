"""Errors under /api/ are JSON with a 4xx status; a real bug is still a 500."""

from __future__ import annotations

import pytest

from campaigns.directory import contacts


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    return response.get_json()["error"]


def test_unknown_api_path_is_a_json_404(client, admin_headers):
    assert _error(client.get("/api/v1/nothing-here", headers=admin_headers), 404)["code"] == "not_found"
    assert _error(client.get("/api/v2/grids"), 404)["code"] == "not_found"


def test_other_paths_keep_html_errors(client):
    response = client.get("/not-an-api-path")
    assert response.status_code == 404 and not response.is_json


def test_wrong_method_is_a_json_405_with_allow(client, admin_headers):
    response = client.put("/api/v1/grids", json={}, headers=admin_headers)
    assert _error(response, 405)["code"] == "method_not_allowed"
    assert {"GET", "POST"} <= set(response.headers["Allow"].split(", "))


@pytest.mark.parametrize("body", ["{bad json", "", b"\xff\xfe\x00", "[" * 100_000 + "]" * 100_000])
def test_malformed_json_is_a_400(client, admin_headers, tree, body):
    response = client.post("/api/v1/contacts", data=body, content_type="application/json", headers=admin_headers)
    error = _error(response, 400)
    assert error["code"] == "malformed_json" and "not valid JSON" in error["message"]


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "null"])
def test_json_that_is_not_an_object_is_a_422(client, admin_headers, tree, body):
    response = client.post("/api/v1/contacts", data=body, content_type="application/json", headers=admin_headers)
    assert "JSON object" in _error(response, 422)["message"]


def test_json_without_content_type_is_read(client, admin_headers, tree):
    body = '{"name": "才让", "phone": "13800000001", "grid_code": "623025101201"}'
    assert client.post("/api/v1/contacts", data=body, headers=admin_headers).status_code == 201


def test_moving_a_grid_to_no_parent_is_a_422(client, admin_headers, tree):
    response = client.patch(f"/api/v1/grids/{tree['623025101']}", json={"parent_id": None}, headers=admin_headers)
    assert _error(response, 422)["fields"] == {"parent_id": "required"}


def test_a_real_bug_is_still_a_500(app, admin_headers, tree, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(contacts, "get_contact", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        app.test_client().get("/api/v1/contacts/1", headers=admin_headers)
    app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)
    assert _error(app.test_client().get("/api/v1/contacts/1", headers=admin_headers), 500)["code"] == "server_error"


# Found by the fuzzer: ids beyond the INTEGER columns made PostgreSQL ("integer out of range") and SQLite
# ("Python int too large") fail with a 500.
@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("get", "/api/v1/grids/2147483648", None, 404),
        ("delete", "/api/v1/contacts/271231858538", None, 404),
        ("get", "/api/v1/grids?parent_id=2147483648", None, 422),
        ("get", "/api/v1/contacts?grid_id=-99999999999999999999", None, 422),
        ("post", "/api/v1/grids", {"code": "X", "name": "x", "level": "village", "parent_id": 2**40}, 422),
        ("patch", "/api/v1/grids/1", {"parent_id": 2**63}, 422),
    ],
)
def test_ids_out_of_range_are_a_4xx(client, admin_headers, tree, method, path, body, status):
    kwargs = {"json": body} if body is not None else {}
    assert _error(getattr(client, method)(path, headers=admin_headers, **kwargs), status)


def test_model_refusals_name_each_field_by_its_path(client, admin_headers, tree):
    """Request models refuse in the API's error format: 422, `code: invalid`, one short word per field path."""
    body = {"name": "才让", "phone": "13800000001", "grid_code": "623025101201", "tags": [7], "households": True}
    error = _error(client.post("/api/v1/contacts", json=body, headers=admin_headers), 422)
    assert error["code"] == "invalid"
    assert error["fields"] == {"tags.0": "not a string", "households": "not a number"}
    campaign = {"name": "x", "texts": {"zh": 1}, "audience": {"grid_ids": ["2"]}}
    fields = _error(client.post("/api/v1/campaigns", json=campaign, headers=admin_headers), 422)["fields"]
    assert fields == {"texts.zh": "not a string", "audience.grid_ids.0": "not a number"}


def test_a_query_string_the_models_refuse_is_a_422_and_an_empty_value_is_absent(client, admin_headers, tree):
    refused = _error(client.get("/api/v1/grids?parent_id=abc&per_page=0", headers=admin_headers), 422)
    assert refused["fields"] == {"parent_id": "not a number", "per_page": "out of range"}
    assert client.get("/api/v1/grids?parent_id=&level=", headers=admin_headers).status_code == 200


def test_a_malformed_body_is_still_a_400_and_an_empty_one_a_400_where_fields_are_required(client, admin_headers, tree):
    assert _error(client.post("/api/v1/grids", data="{", headers=admin_headers), 400)["code"] == "malformed_json"
    assert client.post("/api/v1/grids", data="", headers=admin_headers).status_code == 400
    opt_out = client.post("/api/v1/contacts/999/opt-out", data="", headers=admin_headers)
    assert opt_out.status_code == 404  # an optional body may be empty: the contact is simply not found
