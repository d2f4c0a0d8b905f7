"""The contacts API: create with loosely written phones, search, change, delete, opt out and back in."""

from __future__ import annotations

import dataclasses

import pytest

from gateway.app import create_app
from tests.factories import add_contact
from workers.composition import Services

URL = "/api/v1/contacts"


@pytest.fixture
def people(session_factory, tree) -> dict[str, int]:
    with session_factory.begin() as session:
        rows = {
            "cairang": add_contact(session, tree["623025101201"], "+8613800000001", name="才让", role="grid_leader"),
            "zhuoma": add_contact(session, tree["62302510120101"], "+8613800000002", name="卓玛", language="bo"),
            "lamu": add_contact(session, tree["623025101202"], "+8613911112222", name="拉姆", role="liaison"),
            "dorje": add_contact(session, tree["623025102201"], "+8613800000004", name="多杰 100%"),
        }
        return {key: contact.id for key, contact in rows.items()}


def _names(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [item["name"] for item in response.get_json()["items"]]


@pytest.mark.parametrize(
    "written", ["１３８ ０００ ０００９９", "138-0000-0099", "0086 138 0000 0099", "+86 13800000099"]
)
def test_create_accepts_the_ways_people_write_phones(client, admin_headers, tree, written):
    body = {"name": "才让", "phone": written, "grid_code": "623025101201", "role": "网格长", "language": "藏语"}
    response = client.post(URL, json=body, headers=admin_headers)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert (created["phone"], created["role"], created["language"]) == ("+8613800000099", "grid_leader", "bo")
    assert client.get(f"{URL}/{created['id']}", headers=admin_headers).get_json() == created


def test_phones_without_country_code_use_the_default_region(runtime, make_token, tree):
    british = Services(
        settings=dataclasses.replace(runtime.settings, default_region="GB"),
        engine=runtime.engine,
        session_factory=runtime.session_factory,
    )
    client = create_app(runtime=british).test_client()
    headers = {"Authorization": f"Bearer {make_token('admin')}"}
    body = {"name": "Tom", "phone": "020 7946 0958", "grid_code": "623025101201"}
    response = client.post(URL, json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["phone"] == "+442079460958"


def test_create_rejects_bad_phone_taken_phone_and_unknown_fields(client, admin_headers, people):
    base = {"name": "新人", "grid_code": "623025101201"}
    bad = client.post(URL, json={**base, "phone": "12345"}, headers=admin_headers)
    assert bad.status_code == 422 and "phone" in bad.get_json()["error"]["fields"]
    taken = client.post(URL, json={**base, "phone": "138 0000 0001"}, headers=admin_headers)
    assert taken.status_code == 409 and taken.get_json()["error"]["fields"] == {"phone": "taken"}
    unknown = client.post(URL, json={**base, "phone": "13800000099", "age": 3}, headers=admin_headers)
    assert unknown.status_code == 422 and unknown.get_json()["error"]["fields"] == {"age": "unknown"}


def test_search_filters(client, admin_headers, people, tree):
    def search(query: str) -> list[str]:
        return _names(client.get(f"{URL}?{query}", headers=admin_headers))

    assert search(f"grid_id={tree['623025101201']}") == ["才让", "卓玛"]
    assert search("role=联户长") == ["拉姆"]
    assert search("language=藏语") == ["卓玛"]
    assert search("q=拉") == ["拉姆"]
    assert search("q=1391111") == ["拉姆"]
    assert search("q=139 1111-2222") == ["拉姆"]
    assert search("q=１３９１１") == ["拉姆"]
    assert search("q=%25") == ["多杰 100%"]
    assert search("role=liaison&language=bo") == []


def test_search_by_tag_and_opt_out(client, admin_headers, people):
    tagged = client.patch(f"{URL}/{people['lamu']}", json={"tags": "监测户, 牧民"}, headers=admin_headers)
    assert tagged.get_json()["tags"] == ["牧民", "监测户"]
    assert _names(client.get(f"{URL}?tag=牧民", headers=admin_headers)) == ["拉姆"]
    client.post(f"{URL}/{people['zhuoma']}/opt-out", headers=admin_headers)
    assert _names(client.get(f"{URL}?opted_out=true", headers=admin_headers)) == ["卓玛"]
    assert "卓玛" not in _names(client.get(f"{URL}?opted_out=false", headers=admin_headers))


def test_pagination(client, admin_headers, people):
    first = client.get(f"{URL}?per_page=3", headers=admin_headers).get_json()
    second = client.get(f"{URL}?per_page=3&page=2", headers=admin_headers).get_json()
    assert (first["total"], len(first["items"]), len(second["items"]), second["page"]) == (4, 3, 1, 2)
    assert not {item["id"] for item in first["items"]} & {item["id"] for item in second["items"]}
    assert client.get(f"{URL}?per_page=501", headers=admin_headers).status_code == 422
    assert client.get(f"{URL}?page=0", headers=admin_headers).status_code == 422


def test_update_moves_and_delete_removes(client, admin_headers, people):
    moved = client.patch(
        f"{URL}/{people['cairang']}", json={"grid_code": "623025102201", "households": "3.0"}, headers=admin_headers
    )
    assert moved.status_code == 200
    assert (moved.get_json()["grid_name"], moved.get_json()["households"]) == ("达尔庆村", 3)
    assert client.delete(f"{URL}/{people['cairang']}", headers=admin_headers).status_code == 204
    assert client.get(f"{URL}/{people['cairang']}", headers=admin_headers).status_code == 404


def test_opt_out_records_when_and_how_and_opt_in_clears(client, admin_headers, people):
    url = f"{URL}/{people['lamu']}"
    first = client.post(f"{url}/opt-out", json={"via": "sms"}, headers=admin_headers).get_json()
    assert first["opted_out"] is True and first["opted_out_via"] == "sms" and first["opted_out_at"]
    again = client.post(f"{url}/opt-out", json={"via": "call"}, headers=admin_headers).get_json()
    assert (again["opted_out_at"], again["opted_out_via"]) == (first["opted_out_at"], "sms")
    back = client.post(f"{url}/opt-in", headers=admin_headers).get_json()
    assert (back["opted_out"], back["opted_out_at"], back["opted_out_via"]) == (False, None, None)
    staff = client.post(f"{url}/opt-out", headers=admin_headers).get_json()
    assert staff["opted_out_via"] == "staff"


# Inputs that used to end in a 500 (found while fuzzing): each must be a clear 4xx now.
@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("patch", "/{lamu}", {"households": 1e400}, 422),
        ("patch", "/{lamu}", {"households": 2.5}, 422),
        ("patch", "/{lamu}", {"name": "拉\x00姆"}, 422),
        ("patch", "/{lamu}", '{"name": "\\ud800"}', 422),
        ("patch", "/{lamu}", {"name": ["拉姆"]}, 422),
        ("patch", "/{lamu}", {"tags": ["a\x00b"]}, 422),
        ("post", "/{lamu}/opt-out", {"via": "x" * 33}, 422),
        ("get", "?q=%00", None, 422),
        ("get", "?tag=%00", None, 422),
        ("get", "?grid_id=99999999999999999999", None, 422),
        ("get", "/99999999999999999999", None, 404),
        ("patch", "/99999999999999999999", {"name": "x"}, 404),
    ],
)
def test_bad_input_is_a_4xx_never_a_500(client, admin_headers, people, method, path, body, status):
    kwargs = {"data": body} if isinstance(body, str) else {"json": body} if body is not None else {}
    response = getattr(client, method)(URL + path.format(**people), headers=admin_headers, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.get_json()["error"]["message"]
