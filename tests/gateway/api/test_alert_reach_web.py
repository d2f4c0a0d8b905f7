"""The alert reach dashboard over the API and in the console: the grids nobody reached, the visit list sent to the
liaison (and refused to a viewer), the link from the alert's page, the OpenAPI entries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from campaigns.identity import accounts
from campaigns.identity.access import Actor
from campaigns.models import AuditEntry, OutboxMessage
from campaigns.models.base import utcnow
from tests.alert_reach_helpers import MINUTE, delivered, launch_alert, reach_world
from tests.console_helpers import log_in
from tests.factories import NOW


@pytest.fixture
def world(session_factory, tree):
    return reach_world(session_factory, tree)


def valid_now() -> str:
    """An expiry a day after the real clock: the routes send visit lists at the real time, and none goes out for an
    expired alert."""
    return (utcnow() + timedelta(days=1)).isoformat()


def token_of(session_factory, username: str) -> dict[str, str]:
    with session_factory.begin() as session:
        token = accounts.create_token(session, Actor.system(), username=username, name="test")["token"]
    return {"Authorization": f"Bearer {token}"}


def test_the_api_shows_the_reach_and_sends_the_visit_list(client, session_factory, world, make_token):
    alert_id, run_id = launch_alert(session_factory, world, at=NOW, expires_at=valid_now())
    delivered(session_factory, world, ["户主甲"], run_id, NOW + 3 * MINUTE)
    author = token_of(session_factory, "author")
    body = client.get(f"/api/v1/campaigns/{alert_id}/reach", headers=author).get_json()
    assert body["totals"]["people"] == 6 and body["totals"]["reached"] == 1
    assert [grid["code"] for grid in body["nobody_reached"]] == ["62302510120102", "62302510120201", "62302510120202"]
    assert body["times"]["to_first_message_seconds"] == 60
    grid_id = world["62302510120202"]
    viewer = {"Authorization": f"Bearer {make_token('viewer', '623025')}"}
    assert (
        client.post(f"/api/v1/campaigns/{alert_id}/reach/grids/{grid_id}/visit-list", headers=viewer).status_code == 403
    )
    sent = client.post(f"/api/v1/campaigns/{alert_id}/reach/grids/{grid_id}/visit-list", headers=author)
    assert sent.status_code == 201 and sent.get_json()["names"] == ["户主己"]
    reached = client.post(f"/api/v1/campaigns/{alert_id}/reach/grids/{world['6230251012010101']}/visit-list",
                          headers=author)  # fmt: skip
    assert reached.status_code == 409
    routine_body = {"name": "x", "audience": {"grid_ids": [world["623025101"]]}, "texts": {"zh": "x"}}
    routine = client.post("/api/v1/campaigns", headers=author, json=routine_body)
    assert client.get(f"/api/v1/campaigns/{routine.get_json()['id']}/reach", headers=author).status_code == 422
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/campaigns/{campaign_id}/reach" in paths
    assert "post" in paths["/api/v1/campaigns/{campaign_id}/reach/grids/{grid_id}/visit-list"]


def test_the_console_page_highlights_the_grids_nobody_reached_and_sends_their_names(client, session_factory, world):
    alert_id, run_id = launch_alert(session_factory, world, at=NOW, is_drill=True, expires_at=valid_now())
    delivered(session_factory, world, ["户主甲"], run_id, NOW + 3 * MINUTE)
    assert log_in(client, "author").status_code == 302
    campaign_page = client.get(f"/console/campaigns/{alert_id}").get_data(as_text=True)
    assert f'href="/console/campaigns/{alert_id}/reach"' in campaign_page
    page = client.get(f"/console/campaigns/{alert_id}/reach")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "6 人中已触达 1 人" in text and 'data-testid="drill"' in text
    assert text.count('data-testid="nobody-reached-row"') == 4  # 秀玛村二组, 萨合塘村 and its two groups
    assert "户主己</a> · +8613900000024" in text
    token = text.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(f"/console/campaigns/{alert_id}/reach/grids/{world['62302510120202']}/visit-list",
                           data={"csrf_token": token}, follow_redirects=True)  # fmt: skip
    assert "名单已短信发给 萨二联户长。" in response.get_data(as_text=True)
    with session_factory() as session:
        [row] = session.scalars(select(OutboxMessage).where(OutboxMessage.to == "+8613900000030")).all()
        assert session.scalars(select(AuditEntry.action).where(AuditEntry.action == "alert.visit_list")).all()
    assert "户主己" in row.body and row.body.startswith("【演练】")
