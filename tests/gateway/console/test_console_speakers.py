"""The console's loudspeaker page (both backends): devices in scope with last seen, silent flag and last plays; add
one (its token shown once and working on the feed), rotate the token, remove; out-of-scope and viewers refused."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from campaigns.models import AuditEntry, Speaker
from campaigns.models.base import utcnow
from tests.console_helpers import logged_in
from tests.speaker_helpers import bearer, make_village

TOKEN = re.compile(r'<code class="token">(gs_[^<]+)</code>')


@pytest.fixture
def village(session_factory, people, settings) -> dict:
    return make_village(session_factory, people, settings)


def _actions(session_factory) -> list[str]:
    with session_factory() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_coordinator_sees_their_speakers_with_last_plays(client, session_factory, village):
    played_at = utcnow().replace(microsecond=0) - timedelta(minutes=5)
    body = {"announcement_id": village["township"]["run_id"], "played_at": played_at.isoformat(), "times": 3}
    assert client.post("/speakers/plays", json=body, headers=bearer(village["token"])).status_code == 201
    logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    listing = client.get("/console/speakers").get_data(as_text=True)
    assert village["speaker"]["name"] in listing and village["other_speaker"]["name"] not in listing
    assert "最近播放" in listing and 'data-testid="silent"' not in listing  # the play was a heartbeat too
    assert village["speaker"]["name"] not in client.get("/console/speakers?silent=yes").get_data(as_text=True)
    page = client.get(f"/console/speakers/{village['speaker']['id']}").get_data(as_text=True)
    assert re.search(r">township</a></td><td></td><td>3</td>", page)
    assert client.get(f"/console/speakers/{village['other_speaker']['id']}").status_code == 404


def test_add_rotate_and_remove_a_speaker(client, session_factory, village):
    token = logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    bad = client.post("/console/speakers", data={"csrf_token": token, "name": "", "grid_code": "623025101202"})
    assert bad.status_code == 422 and 'id="err-name"' in bad.get_data(as_text=True)
    outside = client.post("/console/speakers", data={"csrf_token": token, "name": "外村", "grid_code": "623025102201",
                                                     "languages": ["zh"]})  # fmt: skip
    assert outside.status_code == 422 and 'id="err-grid_code"' in outside.get_data(as_text=True)
    form = {"csrf_token": token, "name": "二村喇叭", "grid_code": "623025101202", "languages": ["bo", "zh"],
            "play_slots": "19:30, 08:00"}  # fmt: skip
    added = client.post("/console/speakers", data=form)
    assert added.status_code == 201
    first = TOKEN.search(added.get_data(as_text=True)).group(1)
    assert added.headers["Cache-Control"] == "no-store" and first not in str(added.headers.getlist("Set-Cookie"))
    assert client.get("/speakers/feed", headers=bearer(first)).status_code == 200
    with session_factory() as session:
        speaker = session.scalar(select(Speaker).where(Speaker.name == "二村喇叭"))
        logged = [(entry.target, entry.detail) for entry in session.scalars(select(AuditEntry))]
        assert speaker.play_slots == ["08:00", "19:30"] and logged and first not in repr(logged)
    page = client.get(f"/console/speakers/{speaker.id}").get_data(as_text=True)
    assert TOKEN.search(page) is None and speaker.token_prefix in page  # shown once only
    rotated = client.post(f"/console/speakers/{speaker.id}/token", data={"csrf_token": token})
    second = TOKEN.search(rotated.get_data(as_text=True)).group(1)
    assert second != first
    assert client.get("/speakers/feed", headers=bearer(first)).status_code == 401
    assert client.get("/speakers/feed", headers=bearer(second)).status_code == 200
    removed = client.post(f"/console/speakers/{speaker.id}/remove", data={"csrf_token": token})
    assert removed.status_code == 302
    assert client.get("/speakers/feed", headers=bearer(second)).status_code == 401
    assert _actions(session_factory)[-3:] == ["speaker.create", "speaker.rotate_token", "speaker.remove"]


def test_viewer_and_outsider_cannot_change_speakers(client, session_factory, village):
    token = logged_in(client, session_factory, "kan", "viewer", "623025101")
    speaker_id = village["speaker"]["id"]
    assert 'action="/console/speakers/' not in client.get(f"/console/speakers/{speaker_id}").get_data(as_text=True)
    assert client.post(f"/console/speakers/{speaker_id}/token", data={"csrf_token": token}).status_code == 403
    assert client.post(f"/console/speakers/{speaker_id}/remove", data={"csrf_token": token}).status_code == 403
    other = village["other_speaker"]["id"]
    client.post("/console/logout", data={"csrf_token": token})
    token = logged_in(client, session_factory, "lamu", "coordinator", "623025101")
    assert client.post(f"/console/speakers/{other}/token", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/console/speakers/{other}/remove", data={"csrf_token": token}).status_code == 404
    with session_factory() as session:
        assert session.get(Speaker, other) is not None


def test_console_shows_online_device_state_item_states_by_village_and_the_signing_key(client, session_factory, village):
    run_id, headers = village["county"]["run_id"], bearer(village["token"])
    report = {"item_id": f"run-{run_id}-bo", "state": "failed", "detail": "存储已满"}
    assert client.post("/speakers/plays", json=report, headers=headers).status_code == 200
    fault = {"device_state": "fault", "detail": "功放"}
    assert client.post("/speakers/heartbeat", json=fault, headers=headers).status_code == 200
    token = logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    listing = client.get("/console/speakers").get_data(as_text=True)
    assert "在线" in listing and "故障" in listing
    row = re.search(rf'<tr data-village="623025101201" data-item="run-{run_id}-bo">(.*?)</tr>', listing, re.S)
    assert row and "秀玛村" in row.group(1) and "失败" in row.group(1) and "county" in row.group(1)
    assert 'data-village="623025102201"' not in listing, "the other township's village is out of scope"
    page = client.get(f"/console/speakers/{village['speaker']['id']}").get_data(as_text=True)
    key = client.get("/speakers/signing-key").get_json()
    assert key["public_key"] in page and "故障: 功放" in page
    assert re.search(rf'<tr data-item="run-{run_id}-bo">.*?失败: 存储已满', page, re.S)
    rotated = client.post(f"/console/speakers/{village['speaker']['id']}/token", data={"csrf_token": token})
    shown = re.search(r'<code class="token" data-testid="signing-key">([^<]+)</code>', rotated.get_data(as_text=True))
    assert shown and shown.group(1) == key["public_key"]
