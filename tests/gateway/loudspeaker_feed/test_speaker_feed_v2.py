"""Loudspeaker feed v2 through the Flask test client, on SQLite and PostgreSQL: signed items with priority,
severity, validity, area and audio digest; cancel instructions; priority order; the 304 fast path; v1 unchanged.
The terminal's verification is the one docs/loudspeakers.md shows (run here from the document itself)."""

from __future__ import annotations

import base64
import dataclasses
import re
from datetime import datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from campaigns.common.signing import ItemSigner, canonical_bytes, verify_item
from campaigns.loudspeakers.feed import speaker_feed
from campaigns.loudspeakers.feed_v2 import speaker_feed_v2
from campaigns.models import Campaign, Run, Speaker
from campaigns.models.base import utcnow
from gateway.app import create_app
from tests.servers import REPO_ROOT
from tests.speaker_helpers import BASE, bearer, make_village, uncached_settings
from workers.composition import Services

DOC = REPO_ROOT / "docs" / "loudspeakers.md"
V2 = "/speakers/v2/feed"
V1_KEYS = {"id", "campaign_id", "title", "language", "audio_url", "sha256", "size_bytes", "duration_ms", "valid_from",
           "valid_until", "play_at", "timezone", "times"}  # fmt: skip


@pytest.fixture
def settings(database_url, tmp_path):
    return uncached_settings(database_url, tmp_path)


@pytest.fixture
def village(session_factory, people, settings) -> dict:
    return make_village(session_factory, people, settings)


def documented_verify():
    """The `verify_item` function of docs/loudspeakers.md's terminal example, as the document has it."""
    block = re.search(r"<!-- verify-example -->\n```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert block, "docs/loudspeakers.md lost its verification example"
    namespace: dict = {}
    exec(compile(block.group(1), str(DOC), "exec"), namespace)
    return namespace["verify_item"]


def _v2(client, token, **headers):
    response = client.get(V2, headers={**bearer(token), **headers})
    assert response.status_code in (200, 304), response.get_data(as_text=True)
    return response


def test_items_carry_priority_validity_area_audio_and_a_signature_terminals_verify(client, village, tree):
    body = _v2(client, village["token"]).get_json()
    public_key = client.get("/speakers/signing-key").get_json()
    assert body["version"] == 2 and body["signing_key"] == public_key and public_key["algorithm"] == "Ed25519"
    county = [item for item in body["items"] if item["campaign_id"] == village["county"]["id"]]
    assert sorted(item["language"] for item in county) == ["bo", "zh"]
    item = next(item for item in county if item["language"] == "bo")
    run_id, clip = village["county"]["run_id"], village["county"]["clips"]["bo"]
    started = datetime.fromisoformat(item["valid_from"])
    assert item["id"] == f"run-{run_id}-bo" and item["type"] == "announcement" and item["run_id"] == run_id
    assert (item["priority"], item["severity"], item["references"]) == ("routine", None, None)
    assert datetime.fromisoformat(item["expires_at"]) - started == timedelta(hours=24)
    assert abs(started - (utcnow() - timedelta(hours=1))) < timedelta(minutes=1)
    assert item["area_codes"] == ["623025"]
    assert item["audio"] == {"url": f"{BASE}/audio/{clip.sha256}.mp3", "size_bytes": clip.size_bytes,
                             "sha256": clip.sha256, "duration_ms": clip.duration_ms}  # fmt: skip
    assert item["key_id"] == public_key["key_id"]
    verify = documented_verify()
    assert all(verify(each, public_key["public_key"]) for each in body["items"])
    assert all(verify_item(each, public_key["public_key"]) for each in body["items"])


def test_a_forged_or_altered_item_fails_verification(client, village):
    body = _v2(client, village["token"]).get_json()
    public_key = body["signing_key"]["public_key"]
    verify = documented_verify()
    item = body["items"][0]
    assert verify(item, public_key)
    later = {**item, "expires_at": "2099-01-01T00:00:00+00:00"}
    other_audio = {**item, "audio": {**item["audio"], "url": "http://evil.example/a.mp3"}}
    unsigned = {key: value for key, value in item.items() if key != "signature"}
    forger = Ed25519PrivateKey.generate()
    forged = {**item, "signature": base64.b64encode(forger.sign(canonical_bytes(item))).decode()}
    garbled = {**item, "signature": "not base64!"}
    for bad in (later, other_audio, unsigned, forged, garbled):
        assert not verify(bad, public_key) and not verify_item(bad, public_key)
    assert not verify(item, base64.b64encode(b"\x01" * 32).decode())


def test_a_cancelled_campaign_becomes_a_cancel_instruction_until_its_expiry(client, session_factory, village,
                                                                           admin_headers, settings):  # fmt: skip
    campaign = village["township"]
    assert client.post(f"/api/v1/campaigns/{campaign['id']}/cancel", headers=admin_headers).status_code == 200
    body = _v2(client, village["token"]).get_json()
    mine = [item for item in body["items"] if item["campaign_id"] == campaign["id"]]
    assert {item["type"] for item in mine} == {"cancel"} and len(mine) == 2
    cancel = next(item for item in mine if item["language"] == "bo")
    assert cancel["id"] == f"cancel-{campaign['run_id']}-bo"
    assert cancel["references"] == [f"run-{campaign['run_id']}-bo"]
    assert "audio" not in cancel and "play_at" not in cancel
    assert body["items"][: len(mine)] == mine, "cancels come first"
    assert documented_verify()(cancel, body["signing_key"]["public_key"])
    v1 = client.get("/speakers/feed", headers=bearer(village["token"])).get_json()["announcements"]
    assert campaign["run_id"] not in {item["id"] for item in v1}
    signer = ItemSigner(b"\x07" * 32)
    with session_factory() as session:
        speaker = session.get(Speaker, village["speaker"]["id"])
        after_expiry = datetime.fromisoformat(cancel["expires_at"]) + timedelta(seconds=1)
        later = speaker_feed_v2(session, speaker, after_expiry, BASE, settings.timezone, signer)
    assert not [item for item in later.body["items"] if item["campaign_id"] == campaign["id"]]


def test_a_cancelled_run_is_cancelled_too(client, village, admin_headers):
    run_id = village["county"]["run_id"]
    assert client.post(f"/api/v1/runs/{run_id}/cancel", headers=admin_headers).status_code == 200
    items = _v2(client, village["token"]).get_json()["items"]
    assert {(item["type"], tuple(item["references"] or ())) for item in items if item["run_id"] == run_id} == {
        ("cancel", (f"run-{run_id}-bo",)),
        ("cancel", (f"run-{run_id}-zh",)),
    }


def test_an_alert_comes_before_routine_items_with_its_severity_validity_and_references(
    session_factory, village, settings
):
    alert_id = village["county"]["id"]  # the oldest: last of all while it is routine
    signer = ItemSigner(b"\x01" * 32)
    with session_factory() as session:
        speaker = session.get(Speaker, village["speaker"]["id"])
        plain = speaker_feed_v2(session, speaker, utcnow(), BASE, settings.timezone, signer).body
    assert plain["items"][-1]["campaign_id"] == alert_id
    expires = utcnow().replace(microsecond=0) + timedelta(hours=5)
    with session_factory.begin() as session:
        alert = session.get(Campaign, alert_id)
        alert.kind, alert.severity, alert.event_type, alert.expires_at = "alert", "extreme", "暴雪", expires
        update = session.get(Campaign, village["township"]["id"])
        update.kind, update.severity, update.event_type = "alert", "severe", "暴雪"
        update.msg_type, update.references_id, update.expires_at = "update", alert_id, expires
    with session_factory() as session:
        speaker = session.get(Speaker, village["speaker"]["id"])
        body = speaker_feed_v2(session, speaker, utcnow(), BASE, settings.timezone, signer).body
        alert_runs = session.scalars(select(Run.id).where(Run.campaign_id == alert_id)).all()
    alerts = [item for item in body["items"] if item["priority"] == "alert"]
    assert body["items"][: len(alerts)] == alerts and {item["campaign_id"] for item in alerts} == {alert_id, update.id}
    assert {item["priority"] for item in body["items"][len(alerts) :]} == {"routine"}
    first = next(item for item in alerts if item["campaign_id"] == alert_id)
    assert first["severity"] == "extreme" and first["expires_at"] == expires.isoformat()
    updated = next(item for item in alerts if item["campaign_id"] == update.id)
    assert updated["severity"] == "severe"
    assert updated["references"] == [f"run-{run_id}-{updated['language']}" for run_id in alert_runs]
    assert verify_item(updated, signer.public_key()["public_key"])


def test_v1_is_unchanged(client, session_factory, village, settings):
    body = client.get("/speakers/feed", headers=bearer(village["token"])).get_json()
    assert set(body) == {"speaker", "announcements"}
    assert all(set(item) == V1_KEYS for item in body["announcements"])
    assert all(isinstance(item["id"], int) for item in body["announcements"])
    with session_factory() as session:
        speaker = session.get(Speaker, village["speaker"]["id"])
        direct = speaker_feed(session, speaker, utcnow(), BASE, settings.timezone).body
    assert direct == body


def _cached_client(runtime, session_factory):
    cached = dataclasses.replace(runtime.settings, speaker_feed_cache_seconds=60)
    return create_app(
        runtime=Services(settings=cached, engine=runtime.engine, session_factory=session_factory)
    ).test_client()


def test_v2_polls_get_304_from_the_cache_until_a_cancel_changes_the_feed(runtime, session_factory, village,
                                                                        admin_headers):  # fmt: skip
    client = _cached_client(runtime, session_factory)
    first = _v2(client, village["token"])
    etag = first.headers["ETag"]
    v1_etag = client.get("/speakers/feed", headers=bearer(village["token"])).headers["ETag"]
    assert etag != v1_etag
    again = _v2(client, village["token"], **{"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag
    assert _v2(client, village["token"], **{"If-None-Match": v1_etag}).status_code == 200
    assert client.post(f"/api/v1/campaigns/{village['county']['id']}/cancel", headers=admin_headers).status_code == 200
    changed = _v2(client, village["token"], **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "cancel" in {item["type"] for item in changed.get_json()["items"]}


def test_the_signing_key_is_kept_under_var_or_taken_from_the_setting(client, settings, database_url, tmp_path,
                                                                     runtime, session_factory):  # fmt: skip
    first = client.get("/speakers/signing-key").get_json()
    key_file = settings.var_dir / "speaker-signing-key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    again = create_app(runtime=runtime).test_client().get("/speakers/signing-key").get_json()
    assert again == first, "the same key for every process of the deployment"
    seed = base64.b64encode(b"\x05" * 32).decode()
    given = dataclasses.replace(uncached_settings(database_url, tmp_path / "other"), speaker_signing_key=seed)
    app = create_app(runtime=Services(settings=given, engine=runtime.engine, session_factory=session_factory))
    from_setting = app.test_client().get("/speakers/signing-key").get_json()
    assert from_setting["public_key"] == ItemSigner(b"\x05" * 32).public_key()["public_key"] != first["public_key"]
    assert not (tmp_path / "other" / "var" / "speaker-signing-key").exists()
