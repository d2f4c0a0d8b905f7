"""Terminals' item states and device state (feed v2), on SQLite and PostgreSQL: reports move states forward only,
a "played" report confirms the village, old payloads still work, and staff see online/offline, device state and
item states per speaker and per village (API and console), within their scope, with the signing key on
registration."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from campaigns.models import Confirmation, Speaker, SpeakerItemState, SpeakerPlay
from campaigns.models.base import utcnow
from tests.speaker_helpers import bearer, make_village


@pytest.fixture
def village(session_factory, people, settings) -> dict:
    return make_village(session_factory, people, settings)


def _report(client, token, *reports):
    body = reports[0] if len(reports) == 1 else {"reports": list(reports)}
    return client.post("/speakers/plays", json=body, headers=bearer(token))


def _at(minutes_ago: float) -> str:
    return (utcnow() - timedelta(minutes=minutes_ago)).replace(microsecond=0).isoformat()


def _stored(session_factory, speaker_id):
    with session_factory() as session:
        rows = session.scalars(select(SpeakerItemState).where(SpeakerItemState.speaker_id == speaker_id)).all()
        return {(row.run_id, row.language): row.state for row in rows}


def test_item_states_move_forward_only(client, session_factory, village):
    run_id, token = village["township"]["run_id"], village["token"]
    item = f"run-{run_id}-bo"
    first = _report(client, token, {"item_id": item, "state": "received", "at": _at(30)})
    assert first.status_code == 200, first.get_json()
    state = first.get_json()["items"][0]
    assert {key: state[key] for key in ("item_id", "run_id", "language", "state", "detail")} == {
        "item_id": item, "run_id": run_id, "language": "bo", "state": "received", "detail": None}  # fmt: skip
    assert _report(client, token, {"item_id": item, "state": "downloaded", "at": _at(20)}).status_code == 200
    late = _report(client, token, {"item_id": item, "state": "received", "at": _at(10)})
    assert late.get_json()["items"][0]["state"] == "downloaded", "lower on the ladder: ignored"
    older = _report(client, token, {"item_id": item, "state": "failed", "at": _at(25)})
    assert older.get_json()["items"][0]["state"] == "downloaded", "an older report: ignored"
    failed = _report(client, token, {"item_id": item, "state": "failed", "at": _at(9), "detail": "disk full"})
    assert (failed.get_json()["items"][0]["state"], failed.get_json()["items"][0]["detail"]) == ("failed", "disk full")
    retried = _report(client, token, {"item_id": item, "state": "downloaded", "at": _at(8)})
    assert retried.get_json()["items"][0]["state"] == "downloaded", "a retry after a failure"
    assert _report(client, token, {"item_id": item, "state": "cancelled", "at": _at(7)}).status_code == 200
    final = _report(client, token, {"item_id": item, "state": "played", "at": _at(6)})
    assert final.get_json()["items"][0]["state"] == "cancelled", "cancelled is final"
    assert _stored(session_factory, village["speaker"]["id"]) == {(run_id, "bo"): "cancelled"}


def test_a_played_report_records_the_play_and_confirms_the_village(client, session_factory, village, tree):
    run_id, token = village["county"]["run_id"], village["token"]
    played_at = _at(5)
    response = _report(client, token,
                       {"item_id": f"run-{run_id}-zh", "state": "downloaded", "at": _at(6)},
                       {"item_id": f"run-{run_id}-zh", "state": "played", "at": played_at},
                       {"item_id": f"run-{run_id}-bo", "state": "failed", "detail": "no audio device"})  # fmt: skip
    assert response.status_code == 200, response.get_json()
    assert [item["state"] for item in response.get_json()["items"]] == ["downloaded", "played", "failed"]
    again = _report(client, token, {"item_id": f"run-{run_id}-zh", "state": "failed", "at": _at(1)})
    assert again.get_json()["items"][0]["state"] == "played", "failed never replaces played"
    with session_factory() as session:
        plays = session.scalars(select(SpeakerPlay).where(SpeakerPlay.run_id == run_id)).all()
        assert [(play.language, play.played_at.isoformat()) for play in plays] == [("zh", played_at)]
        confirmed = session.scalars(select(Confirmation.grid_id).where(Confirmation.run_id == run_id)).all()
        assert confirmed == [tree["623025101201"]]
        assert session.get(Speaker, village["speaker"]["id"]).last_seen_at is not None


COUNTY, OTHER = "run-{county}-bo", "run-{other}-zh"
BAD_REPORTS = [
    ({"item_id": "run-x-bo", "state": "played"}, 422, "item_id"),
    ({"item_id": "cancel-1-bo", "state": "played"}, 422, "item_id"),
    ({"item_id": "RUN", "state": "played"}, 422, "item_id"),
    ({"item_id": COUNTY, "state": "lost"}, 422, "state"),
    ({"item_id": "run-{county}-ug", "state": "received"}, 422, "item_id"),
    ({"item_id": COUNTY, "state": "received", "at": "yesterday"}, 422, "at"),
    ({"item_id": COUNTY, "state": "received", "color": "red"}, 422, "color"),
    ({"item_id": OTHER, "state": "received"}, 404, None),
    ({"item_id": "run-999999-bo", "state": "received"}, 404, None),
    ({"reports": []}, 422, "reports"),
    ({"reports": "run-1-bo"}, 422, "reports"),
    ({"reports": [{"item_id": COUNTY, "state": "received"}], "extra": 1}, 422, "reports"),
    ({"reports": [{"item_id": COUNTY, "state": "received"}, "x"]}, 422, "reports"),
    ({"reports": [{"item_id": COUNTY, "state": "received"}, {"item_id": OTHER, "state": "played"}]}, 404, None),
    (
        {
            "reports": [
                {"item_id": COUNTY, "state": "received"},
                {"item_id": COUNTY, "state": "played", "at": "2020-01-01T08:00:00+08:00"},
            ]
        },
        422,
        "played_at",
    ),
]


def _filled(value, runs: dict[str, int]):
    if isinstance(value, dict):
        return {key: _filled(item, runs) for key, item in value.items()}
    if isinstance(value, list):
        return [_filled(item, runs) for item in value]
    return value.format(**runs) if isinstance(value, str) else value


@pytest.mark.parametrize(("body", "status", "field"), BAD_REPORTS)
def test_bad_item_reports_are_refused_whole(client, session_factory, village, body, status, field):
    runs = {"county": village["county"]["run_id"], "other": village["other"]["run_id"]}
    response = client.post("/speakers/plays", json=_filled(body, runs), headers=bearer(village["token"]))
    assert response.status_code == status, response.get_json()
    if field:
        assert field in response.get_json()["error"]["fields"]
    assert _stored(session_factory, village["speaker"]["id"]) == {}


def test_heartbeats_carry_the_device_state_and_old_ones_still_work(client, session_factory, village, admin_headers):
    token, url = village["token"], f"/api/v1/speakers/{village['speaker']['id']}"
    assert client.post("/speakers/heartbeat", headers=bearer(token)).status_code == 200
    assert client.post("/speakers/heartbeat", json={"uptime": 12}, headers=bearer(token)).status_code == 200
    assert client.get(url, headers=admin_headers).get_json()["device_state"] is None
    fault = client.post("/speakers/heartbeat", json={"device_state": "fault", "detail": "amplifier"},
                        headers=bearer(token))  # fmt: skip
    assert fault.status_code == 200
    speaker = client.get(url, headers=admin_headers).get_json()
    assert (speaker["device_state"], speaker["device_detail"], speaker["online"]) == ("fault", "amplifier", True)
    assert client.post("/speakers/heartbeat", json={"uptime": 13}, headers=bearer(token)).status_code == 200
    assert client.get(url, headers=admin_headers).get_json()["device_state"] == "fault", "kept without a new one"
    bad = client.post("/speakers/heartbeat", json={"device_state": "on fire"}, headers=bearer(token))
    assert bad.status_code == 422 and "device_state" in bad.get_json()["error"]["fields"]
    recovered = client.post("/speakers/heartbeat", json={"device_state": "recovered"}, headers=bearer(token))
    assert recovered.status_code == 200
    assert client.get(url, headers=admin_headers).get_json()["device_state"] == "recovered"


def test_staff_see_online_offline_and_item_states_per_village(client, session_factory, village, admin_headers,
                                                              make_token):  # fmt: skip
    run_id = village["county"]["run_id"]
    _report(client, village["token"], {"item_id": f"run-{run_id}-bo", "state": "downloaded"})
    with session_factory.begin() as session:
        session.get(Speaker, village["other_speaker"]["id"]).last_seen_at = utcnow() - timedelta(hours=2)
    villages = client.get("/api/v1/speakers/items", headers=admin_headers).get_json()["villages"]
    by_code = {entry["grid_code"]: entry for entry in villages}
    assert set(by_code) == {"623025101201", "623025102201"}
    mine = by_code["623025101201"]["speakers"][0]
    assert mine["online"] is True and mine["items"][0]["state"] == "downloaded"
    assert mine["items"][0]["item_id"] == f"run-{run_id}-bo" and mine["items"][0]["campaign_name"] == "county"
    other = by_code["623025102201"]["speakers"][0]
    assert other["online"] is False and other["items"] == []
    township = {"Authorization": f"Bearer {make_token('coordinator', '623025102')}"}
    scoped = client.get("/api/v1/speakers/items", headers=township).get_json()["villages"]
    assert [entry["grid_code"] for entry in scoped] == ["623025102201"]
    items_url = f"/api/v1/speakers/{village['speaker']['id']}/items"
    assert client.get(items_url, headers=township).status_code == 404
    listed = client.get(items_url, headers=admin_headers).get_json()["items"]
    assert [(item["item_id"], item["state"], item["campaign_name"]) for item in listed] == [
        (f"run-{run_id}-bo", "downloaded", "county")]  # fmt: skip


def test_the_signing_key_is_given_at_registration(client, admin_headers, tree):
    key = client.get("/speakers/signing-key").get_json()
    made = client.post("/api/v1/speakers", json={"name": "新喇叭", "grid_code": "623025101201", "languages": ["zh"]},
                       headers=admin_headers)  # fmt: skip
    assert made.status_code == 201 and made.get_json()["feed_signing_key"] == key
    speaker_url = f"/api/v1/speakers/{made.get_json()['id']}"
    assert client.get(speaker_url, headers=admin_headers).get_json()["feed_signing_key"] == key
    rotated = client.post(f"{speaker_url}/token", headers=admin_headers).get_json()
    assert rotated["feed_signing_key"] == key and rotated["token"] != made.get_json()["token"]
