"""Loudspeaker test helpers: speakers with their tokens, launched loudspeaker campaigns with audio per language, and
what the feed tests' fixtures are made of (settings with the feed cache off; speakers and campaigns around them)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from audio.store import AudioStore
from campaigns.common.settings import Settings
from campaigns.identity.access import Actor
from campaigns.loudspeakers import terminals
from campaigns.models import AudioClip, CampaignAudio
from campaigns.models.base import utcnow
from campaigns.runs.planning import launch_campaign
from tests.conftest import TEST_REDIS_URL, TEST_SECRET_KEY
from tests.factories import make_campaign

SILENT_AFTER = timedelta(minutes=30)
BASE = "https://gc.example.cn"


def add_speaker(session: Session, grid_code: str, languages=("bo", "zh"), now: datetime | None = None, **fields):
    """A speaker in `grid_code`; returns (its dict, its token)."""
    data = {"name": fields.pop("name", f"大喇叭 {grid_code}"), "grid_code": grid_code, "languages": list(languages),
            **fields}  # fmt: skip
    made = terminals.create_speaker(session, Actor.system(), data, SILENT_AFTER, now or datetime.now().astimezone())
    return made, made["token"]


def store_clip(session: Session, audio_dir: Path, data: bytes, language: str, duration_ms: int = 2000) -> AudioClip:
    """Put `data` in the audio store and record it as a clip (as the AUDIO library does for a recording)."""
    sha256 = AudioStore(audio_dir).put(data)
    clip = AudioClip(sha256=sha256, size_bytes=len(data), duration_ms=duration_ms, engine="recording",
                     language=language)  # fmt: skip
    session.add(clip)
    session.flush()
    return clip


def loudspeaker_campaign(
    session: Session,
    tree: dict[str, int],
    audio_dir: Path,
    grid_code: str,
    now: datetime,
    audio_languages=("zh", "bo"),
    launch: bool = True,
    **overrides,
) -> dict:
    """A campaign to `grid_code` over SMS and loudspeakers, with (fake MP3) audio for `audio_languages`, launched
    at `now` (its run starts then). Returns the campaign dict with "run_id" and "clips" (language -> clip)."""
    overrides.setdefault("channels", ["sms", "loudspeaker"])
    overrides.setdefault("texts", {"zh": "明天9:00在乡卫生院接种疫苗。", "bo": "སང་ཉིན་ཆུ་ཚོད་9ལ་ཁྱབ་སྣོན།"})
    campaign = make_campaign(session, tree, audience={"grid_ids": [tree[grid_code]]}, **overrides)
    clips = {}
    for language in audio_languages:
        data = b"ID3" + hashlib.sha256(f"{campaign['id']}-{language}".encode()).digest() * 40
        clips[language] = store_clip(session, audio_dir, data, language)
        session.add(CampaignAudio(campaign_id=campaign["id"], language=language, clip_id=clips[language].id))
    session.flush()
    run_id = None
    if launch:
        planned = launch_campaign(session, Actor.system(), campaign["id"], now)
        run_id = planned.run_id if planned else None
    return {**campaign, "run_id": run_id, "clips": clips}


def uncached_settings(database_url: str, tmp_path: Path) -> Settings:
    """The test settings with the feed cache off (every poll reads the database) and a public HTTPS base URL."""
    return Settings.from_env({
        "DATABASE_URL": database_url, "GRIDCAST_VAR_DIR": str(tmp_path / "var"), "REDIS_URL": TEST_REDIS_URL,
        "PUBLIC_BASE_URL": BASE, "GRIDCAST_SPEAKER_FEED_CACHE_SECONDS": "0", "SECRET_KEY": TEST_SECRET_KEY,
    })  # fmt: skip


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def make_village(session_factory, people: dict[str, int], settings: Settings) -> dict:
    """A speaker in 秀玛村 (bo, zh), one in 达尔庆村 of the other township (zh), and campaigns launched an hour
    ago to the county, 齐哈玛镇, 秀玛村一组 (below the speaker), 欧拉镇, and 齐哈玛镇 again with Chinese audio only."""
    an_hour_ago = utcnow() - timedelta(hours=1)
    with session_factory.begin() as session:
        made = {}
        made["speaker"], made["token"] = add_speaker(session, "623025101201", play_slots=["07:30", "19:00"])
        made["other_speaker"], made["other_token"] = add_speaker(session, "623025102201", languages=["zh"])
        for key, code, extra in (
            ("county", "623025", {}),
            ("township", "623025101", {"loudspeaker": {"play_at": ["08:00", "12:30"], "times": 3}}),
            ("below", "62302510120101", {}),
            ("other", "623025102", {}),
        ):
            made[key] = loudspeaker_campaign(session, people, settings.audio_dir, code, an_hour_ago, name=key, **extra)
        made["zh_only"] = loudspeaker_campaign(session, people, settings.audio_dir, "623025101", an_hour_ago,
                                               audio_languages=("zh",), name="zh only")  # fmt: skip
    return made


def feed_ok(client, token: str, **kwargs):
    response = client.get("/speakers/feed", headers=bearer(token), **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response
