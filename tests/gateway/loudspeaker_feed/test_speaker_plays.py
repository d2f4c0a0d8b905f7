"""Loudspeaker play reports and heartbeats through the Flask test client, on SQLite and PostgreSQL: a play is
recorded once and confirms the run for the village; bad reports get clear 4xx errors; silent speakers are flagged.
The feed cache is on here (the default settings)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from campaigns.models import Confirmation, Grid, Speaker, SpeakerPlay
from campaigns.models.base import utcnow
from tests.speaker_helpers import add_speaker, bearer, feed_ok, make_village


@pytest.fixture
def village(session_factory, people, settings) -> dict:
    return make_village(session_factory, people, settings)


def _play(client, token, run_id, played_at, times=2):
    body = {"announcement_id": run_id, "played_at": played_at.isoformat(), "times": times}
    return client.post("/speakers/plays", json=body, headers=bearer(token))


def test_a_play_is_recorded_once_and_confirms_the_run_for_the_village(client, session_factory, village, tree):
    run_id, played_at = village["township"]["run_id"], utcnow().replace(microsecond=0) - timedelta(minutes=3)
    first = _play(client, village["token"], run_id, played_at)
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["play"]["times"] == 2
    assert _play(client, village["token"], run_id, played_at).status_code == 200
    later = _play(client, village["token"], run_id, played_at + timedelta(minutes=1), times=1)
    assert later.status_code == 201
    with session_factory() as session:
        assert session.scalar(select(SpeakerPlay.id).where(SpeakerPlay.played_at == played_at)) is not None
        plays = session.scalars(select(SpeakerPlay).where(SpeakerPlay.run_id == run_id)).all()
        assert sorted(play.times for play in plays) == [1, 2]
        confirmations = session.scalars(select(Confirmation).where(Confirmation.run_id == run_id)).all()
        assert [(row.channel, row.grid_id, row.contact_id) for row in confirmations] == [
            ("loudspeaker", tree["623025101201"], None)
        ]
        assert confirmations[0].confirmed_at == played_at
        speaker = session.get(Speaker, village["speaker"]["id"])
        assert speaker.last_play_at == played_at + timedelta(minutes=1) and speaker.last_seen_at is not None


def test_two_speakers_of_one_village_confirm_it_once(client, session_factory, village):
    with session_factory.begin() as session:
        _, second = add_speaker(session, "623025101201", name="second")
    run_id, now = village["county"]["run_id"], utcnow()
    assert _play(client, village["token"], run_id, now).status_code == 201
    assert _play(client, second, run_id, now).status_code == 201
    with session_factory() as session:
        rows = session.scalars(select(Confirmation).where(Confirmation.run_id == run_id)).all()
        assert len(rows) == 1


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"played_at": "2026-11-23T08:00:00+08:00"}, 422, "announcement_id"),
        ({"announcement_id": "1"}, 422, "announcement_id"),
        ({"announcement_id": "{run}", "played_at": "yesterday"}, 422, "played_at"),
        ({"announcement_id": "{run}", "played_at": "2026-11-23T08:00:00"}, 422, "played_at"),
        ({"announcement_id": "{run}", "played_at": "{future}"}, 422, "played_at"),
        ({"announcement_id": "{run}", "played_at": "{before}"}, 422, "played_at"),
        ({"announcement_id": "{run}", "times": 0}, 422, "times"),
        ({"announcement_id": "{run}", "language": "ug"}, 422, "language"),
        ({"announcement_id": "{run}", "extra": 1}, 422, "extra"),
        ({"announcement_id": "{other_run}"}, 404, None),
        ({"announcement_id": 999999}, 404, None),
    ],
)
def test_bad_play_reports_get_clear_errors(client, session_factory, village, body, status, field):
    values = {"run": village["township"]["run_id"], "other_run": village["other"]["run_id"],
              "future": (utcnow() + timedelta(hours=1)).isoformat(),
              "before": (utcnow() - timedelta(hours=3)).isoformat()}  # fmt: skip
    filled = {key: values[value[1:-1]] if isinstance(value, str) and value[1:-1] in values else value
              for key, value in body.items()}  # fmt: skip
    if isinstance(filled.get("announcement_id"), str) and filled["announcement_id"].isdigit() and body != filled:
        filled["announcement_id"] = int(filled["announcement_id"])
    response = client.post("/speakers/plays", json=filled, headers=bearer(village["token"]))
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    if field:
        assert field in error["fields"], error
    with session_factory() as session:
        assert session.scalar(select(SpeakerPlay.id)) is None


def test_malformed_play_body_is_a_json_400(client, village):
    response = client.post("/speakers/plays", data="{not json", headers=bearer(village["token"]))
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "malformed_json"


def test_polls_and_heartbeats_clear_the_silent_flag(client, session_factory, village, admin_headers):
    def silent() -> dict[str, bool]:
        items = client.get("/api/v1/speakers", headers=admin_headers).get_json()["items"]
        return {item["name"]: item["silent"] for item in items}

    names = (village["speaker"]["name"], village["other_speaker"]["name"])
    assert silent() == dict.fromkeys(names, True), "never heard from"
    feed_ok(client, village["token"])
    assert client.post("/speakers/heartbeat", headers=bearer(village["other_token"])).status_code == 200
    assert silent() == dict.fromkeys(names, False)
    with session_factory.begin() as session:
        session.get(Speaker, village["speaker"]["id"]).last_seen_at = utcnow() - timedelta(minutes=31)
    assert silent() == {names[0]: True, names[1]: False}
    only_silent = client.get("/api/v1/speakers?silent=true", headers=admin_headers).get_json()["items"]
    assert [item["name"] for item in only_silent] == [names[0]]


def test_heartbeat_body_must_be_an_object(client, village):
    response = client.post("/speakers/heartbeat", json=[1], headers=bearer(village["token"]))
    assert response.status_code == 422


def test_a_grid_with_a_speaker_is_not_empty(client, session_factory, tree, admin_headers):
    with session_factory.begin() as session:
        add_speaker(session, "6230251012010101")
    response = client.delete(f"/api/v1/grids/{tree['6230251012010101']}", headers=admin_headers)
    assert response.status_code == 409, response.get_json()
    with session_factory() as session:
        assert session.get(Grid, tree["6230251012010101"]) is not None
