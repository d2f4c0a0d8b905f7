"""Feed items shared by the speakers of a village (gateway/loudspeaker_feed/shared_items.py), through the Flask test
client on both backends with the feed cache on: a speaker whose village's items are cached reads only its token from
the database and gets the bytes a render from the database gives; every change (a new alert, a cancel, an alert's
update, an expiry passing, a speaker moved to another village or given other languages) is seen on the next poll by
every speaker sharing the items; formats rendered at an older feed version are never served next to newer ones."""

from __future__ import annotations

import contextlib
import dataclasses
import time
from datetime import timedelta

import pytest
from sqlalchemy import event, update

from audio.store import AudioStore
from campaigns.broadcasts.campaign_service import create_campaign
from campaigns.common.settings import Settings
from campaigns.models import AudioClip, Campaign, CampaignAudio, Speaker
from campaigns.models.base import utcnow
from campaigns.runs.alerts import update_alert
from gateway.app import create_app
from tests.alert_helpers import alert_data, approved_launch, staff
from tests.conftest import settings_environ
from tests.servers import free_port
from tests.speaker_helpers import BASE, add_speaker, bearer, loudspeaker_campaign
from workers.composition import Services

V1, V2 = "/speakers/feed", "/speakers/v2/feed"
VILLAGE, NEIGHBOUR = "623025101201", "623025101202"  # 秀玛村 and 萨合塘村, both in 齐哈玛镇


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    """The test settings with the feed cache on (its default, 300 s)."""
    return Settings.from_env(settings_environ(database_url, tmp_path, PUBLIC_BASE_URL=BASE))


@pytest.fixture
def world(session_factory, people, settings, admin_headers) -> dict:
    """Three speakers in 秀玛村 (bo, zh), one there with Chinese only, one there with play slots of its own, one in
    萨合塘村 (each as (dict, token));
    loudspeaker campaigns launched an hour ago to the county, 齐哈玛镇 and 秀玛村; a blizzard alert to 齐哈玛镇
    launched now; two coordinators; what the changes below need."""
    an_hour_ago = utcnow() - timedelta(hours=1)
    with session_factory.begin() as session:
        made: dict = {"village": [add_speaker(session, VILLAGE, name=f"秀玛村 {n}") for n in range(3)]}
        made["zh_only"] = add_speaker(session, VILLAGE, languages=["zh"], name="秀玛村 zh")
        made["own_slots"] = add_speaker(session, VILLAGE, play_slots=["06:00", "21:30"], name="秀玛村 slots")
        made["neighbour"] = add_speaker(session, NEIGHBOUR, name="萨合塘村")
        for name, code in (("county", "623025"), ("township", "623025101"), ("village", VILLAGE)):
            made[f"{name}_campaign"] = loudspeaker_campaign(session, people, settings.audio_dir, code, an_hour_ago,
                                                            name=name, channels=["loudspeaker"])  # fmt: skip
    made.update(author=staff(session_factory, "author"), approver=staff(session_factory, "approver"))
    made.update(admin_headers=admin_headers, tree=people, settings=settings, session_factory=session_factory)
    made["alert"] = launch_alert(made, "暴雪预警")
    return made


def tokens(world: dict, *others: str) -> list[str]:
    """The tokens of the three bilingual speakers of 秀玛村, then of the speakers named by `others`."""
    return [token for _, token in world["village"]] + [world[key][1] for key in others]


def add_audio(session, settings: Settings, campaign_id: int) -> None:
    for language in ("zh", "bo"):
        data = b"ID3" + f"{campaign_id}-{language}".encode() * 100
        clip = AudioClip(sha256=AudioStore(settings.audio_dir).put(data), size_bytes=len(data), duration_ms=3000,
                         engine="recording", language=language)  # fmt: skip
        session.add(clip)
        session.flush()
        session.add(CampaignAudio(campaign_id=campaign_id, language=language, clip_id=clip.id))


def launch_alert(world: dict, name: str, **fields) -> dict:
    """An alert to 齐哈玛镇 with zh and bo audio, approved by a second coordinator and launched now."""
    now, session_factory = utcnow(), world["session_factory"]
    data = alert_data(world["tree"], name=name, channels=["loudspeaker"], valid_from=now.isoformat(),
                      expires_at=(now + timedelta(hours=6)).isoformat(),
                      texts={"zh": "暴雪预警：今晚有暴雪。", "bo": "ཁ་བ་ཆེན་པོ།"}, **fields)  # fmt: skip
    with session_factory.begin() as session:
        alert = create_campaign(session, world["author"], data, now)
        add_audio(session, world["settings"], alert["id"])
    approved_launch(session_factory, world["author"], world["approver"], alert["id"], now)
    return alert


def poll(client, token: str, path: str = V2, etag: str | None = None, **query):
    headers = {**bearer(token), **({"If-None-Match": etag} if etag else {})}
    return client.get(path, headers=headers, query_string=query)


def shown(response) -> set[tuple[str, ...]]:
    """What a feed shows: (type, title, language) per v2 item, (title, language) per v1 announcement."""
    body = response.get_json()
    if "items" in body:
        return {(item["type"], item["title"], item["language"]) for item in body["items"]}
    return {(item["title"], item["language"]) for item in body["announcements"]}


def titles(response) -> set[str]:
    return {entry[-2] for entry in shown(response)}


@contextlib.contextmanager
def statements_run(engine):
    """The SQL statements run inside the block, heartbeat batches (UPDATE speakers) left out."""
    statements: list[str] = []

    def note(connection, cursor, statement, *args):
        if not statement.lstrip().upper().startswith("UPDATE"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", note)


FORMATS = [(V2, {}), (V1, {}), (V1, {"format": "m3u"})]


def test_the_second_speaker_of_a_village_reads_only_its_token_from_the_database(client, engine, world):
    first, *others = tokens(world)
    for path, query in FORMATS:
        with statements_run(engine) as statements:
            assert poll(client, first, path, **query).status_code == 200
        if query:  # the playlist is made of feed v1's items, which the JSON poll before it rendered
            assert len(statements) == 1, statements
        else:
            assert len(statements) > 1, "the first speaker's poll renders the items from the database"
        for token in others:
            with statements_run(engine) as statements:
                assert poll(client, token, path, **query).status_code == 200
            assert len(statements) == 1, (path, query, statements)


def test_a_feed_made_of_shared_items_is_the_feed_the_database_gives(client, world, settings, engine, session_factory):
    uncached = dataclasses.replace(settings, speaker_feed_cache_seconds=0)
    direct = create_app(runtime=Services(settings=uncached, engine=engine, session_factory=session_factory))
    for path, query in FORMATS:
        for token in tokens(world, "zh_only", "own_slots"):
            fresh = poll(direct.test_client(), token, path, **query)  # first: the apps share Redis, and this one
            shared = poll(client, token, path, **query)  # reads the speaker's cached feed when there is one
            assert (shared.status_code, shared.headers["ETag"]) == (200, fresh.headers["ETag"])
            assert shared.get_data() == fresh.get_data()


def first_round(client, speakers: list[str]) -> dict[tuple[str, str], str]:
    """Every speaker's v2 and v1 feed, then a round of 304s from the cache; their ETags."""
    etags = {(token, path): poll(client, token, path).headers["ETag"] for token in speakers for path in (V2, V1)}
    for (token, path), etag in etags.items():
        assert poll(client, token, path, etag).status_code == 304
    return etags


def new_alert(client, world):
    launch_alert(world, "冰雹预警", event_type="冰雹")
    v2 = {("announcement", "冰雹预警", "bo"), ("announcement", "冰雹预警", "zh")}
    return v2, {("冰雹预警", "bo"), ("冰雹预警", "zh")}, set()


def cancel(client, world):
    url = f"/api/v1/campaigns/{world['village_campaign']['id']}/cancel"
    assert client.post(url, headers=world["admin_headers"]).status_code == 200
    return {("cancel", "village", "bo"), ("cancel", "village", "zh")}, set(), {("village", "bo"), ("village", "zh")}


def alert_update(client, world):
    now, session_factory = utcnow(), world["session_factory"]
    with session_factory.begin() as session:
        updated = update_alert(session, world["author"], world["alert"]["id"], {"name": "暴雪红色预警"}, now)
        add_audio(session, world["settings"], updated["id"])
    approved_launch(session_factory, world["author"], world["approver"], updated["id"], now)
    v2 = {("announcement", "暴雪红色预警", "zh"), ("cancel", "暴雪预警", "zh")}
    return v2, {("暴雪红色预警", "zh")}, {("暴雪预警", "zh")}


@pytest.mark.parametrize("change", [new_alert, cancel, alert_update], ids=["new-alert", "cancel", "update"])
def test_a_change_is_seen_on_the_next_poll_by_every_speaker_sharing_the_items(client, world, change):
    speakers = tokens(world, "zh_only")
    etags = first_round(client, speakers)
    in_v2, in_v1, not_in_v1 = change(client, world)
    for token in speakers:
        languages = {"zh"} if token == world["zh_only"][1] else {"zh", "bo"}
        for path, wanted, unwanted in ((V2, in_v2, set()), (V1, in_v1, not_in_v1)):
            response = poll(client, token, path, etags[(token, path)])
            assert response.status_code == 200, path
            assert {entry for entry in wanted if entry[-1] in languages} <= shown(response), path
            assert not unwanted & shown(response), path


def test_an_expiry_passing_is_seen_by_every_speaker_sharing_the_items(client, world, session_factory):
    expires_at = utcnow() + timedelta(seconds=3)
    with session_factory.begin() as session:  # committed through Gridcast, before the polls below
        session.execute(update(Campaign).where(Campaign.id == world["alert"]["id"]).values(expires_at=expires_at))
    before = {(token, path): poll(client, token, path) for token in tokens(world) for path in (V2, V1)}
    assert all("暴雪预警" in titles(response) for response in before.values())
    time.sleep(max(0.0, (expires_at - utcnow()).total_seconds()) + 0.5)
    for (token, path), earlier in before.items():
        response = poll(client, token, path, earlier.headers["ETag"])
        assert response.status_code == 200, "nothing was committed: the cached feeds and items expired with the alert"
        assert "暴雪预警" not in titles(response) and {"county", "village"} <= titles(response)


def test_a_speaker_moved_to_another_village_gets_that_villages_items(client, world):
    (_, stay), (moving, token), _ = world["village"]
    etags = first_round(client, [stay, token, world["neighbour"][1]])
    assert "village" in titles(poll(client, token))
    url = f"/api/v1/speakers/{moving['id']}"
    assert client.patch(url, json={"grid_code": NEIGHBOUR}, headers=world["admin_headers"]).status_code == 200
    moved = poll(client, token, V2, etags[(token, V2)])
    assert moved.status_code == 200 and moved.get_json()["speaker"]["grid_code"] == NEIGHBOUR
    assert shown(moved) == shown(poll(client, world["neighbour"][1])) and "village" not in titles(moved)
    assert "village" not in titles(poll(client, token, V1, etags[(token, V1)]))
    assert poll(client, stay, V2, etags[(stay, V2)]).status_code == 304, "the others' feeds did not change"


def test_a_speaker_given_other_languages_gets_the_items_of_those_languages(client, world):
    (_, stay), _, (changing, token) = world["village"]
    etags = first_round(client, [stay, token, world["zh_only"][1]])
    url = f"/api/v1/speakers/{changing['id']}"
    assert client.patch(url, json={"languages": ["zh"]}, headers=world["admin_headers"]).status_code == 200
    changed = poll(client, token, V2, etags[(token, V2)])
    assert changed.status_code == 200 and {entry[-1] for entry in shown(changed)} == {"zh"}
    assert shown(changed) == shown(poll(client, world["zh_only"][1]))
    assert {entry[-1] for entry in shown(poll(client, token, V1, etags[(token, V1)]))} == {"zh"}
    assert poll(client, stay, V2, etags[(stay, V2)]).status_code == 304, "the others keep their items"


def test_a_format_rendered_at_an_older_feed_version_is_never_served_with_a_newer_one(client, world):
    token = tokens(world)[0]
    old = {path: poll(client, token, path).headers["ETag"] for path in (V2, V1)}
    launch_alert(world, "冰雹预警", event_type="冰雹")
    assert "冰雹预警" in titles(poll(client, token, V1, old[V1]))  # v1 rendered at the new version...
    newer = poll(client, token, V2, old[V2])  # ...so the speaker's entry holds no v2 of the old one
    assert newer.status_code == 200 and "冰雹预警" in titles(newer)


def test_without_redis_the_feed_is_rendered_from_the_database_and_the_heartbeat_written(
    database_url, tmp_path, engine, session_factory, world
):
    closed = f"redis://127.0.0.1:{free_port()}/0"
    settings = Settings.from_env(settings_environ(database_url, tmp_path, PUBLIC_BASE_URL=BASE, REDIS_URL=closed))
    client = create_app(
        runtime=Services(settings=settings, engine=engine, session_factory=session_factory)
    ).test_client()
    (speaker, token), *_ = world["village"]
    first = poll(client, token)
    assert first.status_code == 200 and {"county", "village", "暴雪预警"} <= titles(first)
    assert poll(client, token, V2, first.headers["ETag"]).status_code == 304
    assert "village" in titles(poll(client, token, V1))
    with session_factory() as session:
        assert session.get(Speaker, speaker["id"]).last_seen_at is not None
