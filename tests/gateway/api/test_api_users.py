"""The users API: who am I, list and create staff accounts, issue tokens shown once."""

from __future__ import annotations

import json
import re

import pytest


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_me_tells_role_and_scope(client, make_token, admin_headers):
    coordinator = client.get("/api/v1/me", headers=_bearer(make_token("coordinator", "623025101"))).get_json()
    assert (coordinator["role"], coordinator["can_write"], coordinator["is_admin"]) == ("coordinator", True, False)
    assert (coordinator["scope"]["code"], coordinator["scope"]["level"]) == ("623025101", "township")
    viewer = client.get("/api/v1/me", headers=_bearer(make_token("viewer", "623025101201"))).get_json()
    assert (viewer["can_write"], viewer["scope"]["name"]) == (False, "秀玛村")
    admin = client.get("/api/v1/me", headers=admin_headers).get_json()
    assert (admin["role"], admin["scope"]) == ("admin", None)


def test_admin_creates_a_user_and_a_token_that_works_once_shown(client, admin_headers):
    body = {
        "username": "qihama",
        "role": "coordinator",
        "scope_grid_code": "６２３０２５１０１",
        "display_name": " 网格办 ",
    }
    created = client.post("/api/v1/users", json=body, headers=admin_headers)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["scope_grid_code"] == "623025101"
    assert created.get_json()["display_name"] == "网格办"
    issued = client.post("/api/v1/users/qihama/tokens", json={"name": "sync script"}, headers=admin_headers)
    assert issued.status_code == 201
    token = issued.get_json()["token"]
    assert token.startswith(issued.get_json()["prefix"]) and issued.get_json()["name"] == "sync script"
    me = client.get("/api/v1/me", headers=_bearer(token)).get_json()
    assert (me["username"], me["scope"]["code"]) == ("qihama", "623025101")
    listed = client.get("/api/v1/users", headers=admin_headers).get_data(as_text=True)
    assert "qihama" in listed and token not in listed


def test_a_revoked_token_stops_working_at_once_and_stays_listed(client, admin_headers):
    body = {"username": "qihama", "role": "viewer", "scope_grid_code": "623025101"}
    assert client.post("/api/v1/users", json=body, headers=admin_headers).status_code == 201
    issued = client.post("/api/v1/users/qihama/tokens", json={"name": "laptop"}, headers=admin_headers).get_json()
    assert client.get("/api/v1/me", headers=_bearer(issued["token"])).status_code == 200
    listed = client.get("/api/v1/users/qihama/tokens", headers=admin_headers)
    assert listed.get_json()["items"][0]["prefix"] == issued["prefix"]
    assert issued["token"] not in listed.get_data(as_text=True)
    revoked = client.delete(f"/api/v1/users/qihama/tokens/{issued['id']}", headers=admin_headers)
    assert revoked.status_code == 200 and revoked.get_json()["revoked_at"]
    refused = client.get("/api/v1/me", headers=_bearer(issued["token"]))
    assert refused.status_code == 401 and "revoked" in refused.get_json()["error"]["message"]
    again = client.delete(f"/api/v1/users/qihama/tokens/{issued['id']}", headers=admin_headers).get_json()
    assert again["revoked_at"] == revoked.get_json()["revoked_at"]
    listed = client.get("/api/v1/users/qihama/tokens", headers=admin_headers).get_json()
    assert listed["items"][0]["revoked_at"] == again["revoked_at"]
    assert client.delete("/api/v1/users/qihama/tokens/999999", headers=admin_headers).status_code == 404


def test_token_body_is_optional(client, admin_headers):
    client.post(
        "/api/v1/users",
        json={"username": "qihama", "role": "viewer", "scope_grid_code": "623025101"},
        headers=admin_headers,
    )
    issued = client.post("/api/v1/users/qihama/tokens", headers=admin_headers)
    assert issued.status_code == 201 and issued.get_json()["name"] == "api"


def test_list_shows_only_accounts_inside_the_callers_scope(client, make_token):
    make_token("coordinator", "623025102")
    make_token("viewer", "623025101201")
    township_admin = _bearer(make_token("admin", "623025101"))
    users = client.get("/api/v1/users", headers=township_admin).get_json()
    assert sorted(user["scope_grid_code"] for user in users["items"]) == ["623025101", "623025101201"]
    assert users["total"] == 2


def test_taken_username_is_a_conflict(client, admin_headers):
    body = {"username": "qihama", "role": "viewer", "scope_grid_code": "623025101"}
    assert client.post("/api/v1/users", json=body, headers=admin_headers).status_code == 201
    taken = client.post("/api/v1/users", json=body, headers=admin_headers)
    assert taken.status_code == 409 and taken.get_json()["error"]["fields"] == {"username": "taken"}


# Bodies that used to end in a 500 (AttributeError on non-text, a database error on a too long name).
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": 12345, "role": "viewer", "scope_grid_code": "623025101"}, "username"),
        ({"username": "ab", "role": "viewer", "scope_grid_code": "623025101", "display_name": ["x"]}, "display_name"),
        (
            {"username": "ab", "role": "viewer", "scope_grid_code": "623025101", "display_name": "长" * 101},
            "display_name",
        ),
        ({"username": "ab", "role": "viewer", "scope_grid_code": "623025101", "password": ["x"] * 12}, "password"),
        ({"username": "ab", "role": "viewer", "scope_grid_code": "nowhere"}, "scope_grid_code"),
        ({"username": "ab", "role": "viewer", "scope_grid_code": {"code": 1}}, "scope_grid_code"),
        ({"username": "ab", "role": "boss", "scope_grid_code": "623025101"}, "role"),
    ],
)
def test_bad_user_bodies_are_422(client, admin_headers, body, field):
    response = client.post("/api/v1/users", json=body, headers=admin_headers)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert field in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("name", [["x"], "x" * 101, "a\x00b"])
def test_bad_token_names_are_422(client, admin_headers, name):
    client.post(
        "/api/v1/users",
        json={"username": "qihama", "role": "viewer", "scope_grid_code": "623025101"},
        headers=admin_headers,
    )
    response = client.post("/api/v1/users/qihama/tokens", json={"name": name}, headers=admin_headers)
    assert response.status_code == 422, response.get_data(as_text=True)


def test_the_cli_lists_and_revokes_tokens(app, client, admin_headers):
    from gateway.cli.user_commands import create_token_command, list_tokens_command, revoke_token_command

    body = {"username": "qihama", "role": "viewer", "scope_grid_code": "623025101"}
    assert client.post("/api/v1/users", json=body, headers=admin_headers).status_code == 201
    runner = app.test_cli_runner()
    token = runner.invoke(create_token_command, ["qihama", "--name", "script"]).output.strip()
    listed = runner.invoke(list_tokens_command, ["qihama", "--json"])
    assert '"name": "script"' in listed.output and token not in listed.output
    token_id = listed.output.split('"id": ', 1)[1].split(",", 1)[0]
    revoked = runner.invoke(revoke_token_command, ["qihama", token_id])
    assert revoked.exit_code == 0 and f"revoked token {token_id}" in revoked.output
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 401
    unknown = runner.invoke(revoke_token_command, ["nobody", "1"])
    assert unknown.exit_code == 1 and "not found" in unknown.output


def test_the_cli_lists_tokens_with_local_times(app, client, admin_headers):
    from gateway.cli.user_commands import create_token_command, list_tokens_command, revoke_token_command

    body = {"username": "qihama", "role": "viewer", "scope_grid_code": "623025101"}
    assert client.post("/api/v1/users", json=body, headers=admin_headers).status_code == 201
    runner = app.test_cli_runner()
    runner.invoke(create_token_command, ["qihama", "--name", "script"])
    token_id = json.loads(runner.invoke(list_tokens_command, ["qihama", "--json"]).output)["id"]
    runner.invoke(revoke_token_command, ["qihama", str(token_id)])
    listed = runner.invoke(list_tokens_command, ["qihama"]).output
    assert re.fullmatch(
        rf" *{token_id}  script  \S+\.\.\.  created (just now|\d+ min ago)  last used never  "
        r"revoked (just now|\d+ min ago)\n",
        listed,
    ), listed
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", listed)
