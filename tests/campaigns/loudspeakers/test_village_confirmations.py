"""Villages confirmed by loudspeaker, beside the people, in a run's confirmations (API and console run page)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from campaigns.models.base import utcnow
from tests.console_helpers import logged_in
from tests.speaker_helpers import add_speaker, bearer, make_village


@pytest.fixture
def village(session_factory, people, settings) -> dict:
    return make_village(session_factory, people, settings)


def _play(client, token, run_id, played_at):
    body = {"announcement_id": run_id, "played_at": played_at.isoformat(), "times": 2}
    response = client.post("/speakers/plays", json=body, headers=bearer(token))
    assert response.status_code == 201, response.get_json()


def test_confirmations_list_each_village_a_loudspeaker_confirmed(client, session_factory, village, admin_headers):
    with session_factory.begin() as session:
        _, second = add_speaker(session, "623025101201", name="second")
    run_id, played_at = village["county"]["run_id"], utcnow().replace(microsecond=0) - timedelta(minutes=20)
    _play(client, village["token"], run_id, played_at)
    _play(client, second, run_id, played_at + timedelta(minutes=5))  # the village is already confirmed
    _play(client, village["other_token"], run_id, played_at + timedelta(minutes=1))
    body = client.get(f"/api/v1/runs/{run_id}/confirmations", headers=admin_headers).get_json()
    assert body["villages_confirmed"] == 2
    assert [(item["grid_code"], item["grid_name"], item["speaker"]["name"], item["played_at"])
            for item in body["villages"]] == [
        ("623025101201", "秀玛村", village["speaker"]["name"], played_at.isoformat()),
        ("623025102201", "达尔庆村", village["other_speaker"]["name"], (played_at + timedelta(minutes=1)).isoformat()),
    ]  # fmt: skip
    assert body["recipients"] > 0 and body["items"]  # the people are still there


def test_the_run_page_shows_villages_confirmed_by_loudspeaker(client, session_factory, village):
    run_id, played_at = village["township"]["run_id"], utcnow().replace(microsecond=0) - timedelta(minutes=20)
    _play(client, village["token"], run_id, played_at)
    logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    page = client.get(f"/console/runs/{run_id}").get_data(as_text=True)
    clock = played_at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%H:%M")
    assert f"秀玛村 由大喇叭确认 {clock}" in page
    client.get("/console/language/en")
    english = client.get(f"/console/runs/{run_id}").get_data(as_text=True)
    assert f"秀玛村 confirmed by loudspeaker at {clock}" in english
