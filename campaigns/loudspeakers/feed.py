"""What a loudspeaker plays, and what it reports: its feed of active announcements, heartbeats and plays.

An announcement is a run of a campaign whose channels include "loudspeaker", whose audience names the speaker's
grid or a grid above it, that has audio in one of the speaker's languages and whose window is open: from the run's
start for the campaign's `loudspeaker.valid_hours` (see
`campaigns.broadcasts.loudspeaker_policy`). Paused, cancelled and
draft campaigns, paused or cancelled runs, reminders and escalations are never announcements. When a campaign's windows
overlap (a daily run valid for 48 hours) only its newest run is in the feed.

A play report records the play once (a repeated report of the same announcement and time changes nothing) and
counts as the village's confirmation of the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import String, bindparam, cast, select, update
from sqlalchemy.orm import Session

from campaigns.broadcasts.loudspeaker_policy import CHANNEL, DEFAULTS, MAX_VALID_HOURS
from campaigns.common.errors import AuthenticationFailed, NotFound, ValidationError
from campaigns.common.typed_sql import table_of
from campaigns.common.unique_rows import insert_once
from campaigns.identity.accounts import hash_token
from campaigns.loudspeakers.terminals import SPEAKER_TOKEN_PREFIX
from campaigns.models import AudioClip, Campaign, CampaignAudio, Run, Speaker, SpeakerPlay
from campaigns.models.grid import path_ids
from campaigns.replies.confirmations import record_village_confirmation

LIVE_CAMPAIGN_STATUSES = ("scheduled", "finished")
LIVE_RUN_STATUSES = ("sending", "done")
CLOCK_SKEW = timedelta(minutes=10)
MAX_TIMES_PER_REPORT = 100


@dataclass(frozen=True)
class Feed:
    """The speaker's announcements (plain dicts, ready to serialize) and when the first of them expires."""

    speaker_id: int
    body: dict[str, Any]
    expires_at: datetime | None


def authenticate_speaker(session: Session, token: str) -> Speaker:
    """The speaker behind a bearer token; AuthenticationFailed for a missing, malformed or unknown one."""
    if not token or not token.startswith(SPEAKER_TOKEN_PREFIX):
        raise AuthenticationFailed.coded(
            "speaker.token_missing", "send the speaker's token as 'Authorization: Bearer gs_...'"
        )
    speaker = session.scalar(select(Speaker).where(Speaker.token_hash == hash_token(token)))
    if speaker is None:
        raise AuthenticationFailed.coded("speaker.token_unknown", "unknown speaker token")
    return speaker


def _ancestor_ids(speaker: Speaker) -> set[int]:
    return set(path_ids(speaker.grid.path))


def _window(campaign: Campaign, run: Run) -> tuple[datetime, datetime]:
    hours = (campaign.loudspeaker or DEFAULTS)["valid_hours"]
    return run.occurrence_at, run.occurrence_at + timedelta(hours=hours)


def _covers(campaign: Campaign, grid_ids: set[int]) -> bool:
    return bool(grid_ids.intersection((campaign.audience or {}).get("grid_ids") or []))


def _announcement_runs(session: Session, speaker: Speaker, now: datetime) -> list[tuple[Run, Campaign]]:
    """The newest open run of each loudspeaker campaign addressed to the speaker's grid or a grid above it."""
    rows = session.execute(
        select(Run, Campaign)
        .join(Campaign, Campaign.id == Run.campaign_id)
        .where(
            Campaign.status.in_(LIVE_CAMPAIGN_STATUSES),
            cast(Campaign.channels, String).like(f'%"{CHANNEL}"%'),
            Run.kind == "regular",
            Run.status.in_(LIVE_RUN_STATUSES),
            Run.occurrence_at <= now,
            Run.occurrence_at > now - timedelta(hours=MAX_VALID_HOURS),
        )
        .order_by(Run.occurrence_at.desc(), Run.id.desc())
    ).all()
    grid_ids, seen, runs = _ancestor_ids(speaker), set(), []
    for run, campaign in rows:
        if campaign.id in seen or not _covers(campaign, grid_ids) or _window(campaign, run)[1] <= now:
            continue
        seen.add(campaign.id)
        runs.append((run, campaign))
    return runs


def speaker_feed(session: Session, speaker: Speaker, now: datetime, audio_base_url: str, timezone: str) -> Feed:
    """The speaker's active announcements, one per run and language, newest first.

    `audio_base_url` prefixes `/audio/<sha256>.mp3`; `timezone` is the zone of the speaker's own play slots.
    """
    runs = _announcement_runs(session, speaker, now)
    audio = session.execute(
        select(CampaignAudio.campaign_id, CampaignAudio.language, AudioClip)
        .join(AudioClip, AudioClip.id == CampaignAudio.clip_id)
        .where(
            CampaignAudio.campaign_id.in_([campaign.id for _, campaign in runs]),
            CampaignAudio.language.in_(speaker.languages),
        )
    ).all()
    clips = {(campaign_id, language): clip for campaign_id, language, clip in audio}
    items, expiries = [], []
    for run, campaign in runs:
        valid_from, valid_until = _window(campaign, run)
        for language in speaker.languages:
            clip = clips.get((campaign.id, language))
            if clip is None:
                continue
            expiries.append(valid_until)
            items.append(_announcement(run, campaign, language, clip, (valid_from, valid_until), speaker, timezone,
                                       audio_base_url))  # fmt: skip
    body = {
        "speaker": {"id": speaker.id, "name": speaker.name, "grid_code": speaker.grid.code,
                    "languages": speaker.languages},
        "announcements": items,
    }  # fmt: skip
    return Feed(speaker.id, body, min(expiries) if expiries else None)


def _announcement(
    run: Run,
    campaign: Campaign,
    language: str,
    clip: AudioClip,
    window: tuple[datetime, datetime],
    speaker: Speaker,
    timezone: str,
    audio_base_url: str,
) -> dict[str, Any]:
    policy = campaign.loudspeaker or DEFAULTS
    own_times = bool(policy["play_at"])
    return {
        "id": run.id,
        "campaign_id": campaign.id,
        "title": campaign.name,
        "language": language,
        "audio_url": f"{audio_base_url}/audio/{clip.sha256}.mp3",
        "sha256": clip.sha256,
        "size_bytes": clip.size_bytes,
        "duration_ms": clip.duration_ms,
        "valid_from": window[0].isoformat(),
        "valid_until": window[1].isoformat(),
        "play_at": policy["play_at"] if own_times else speaker.play_slots,
        "timezone": campaign.timezone if own_times else timezone,
        "times": policy["times"],
    }


def record_heartbeat(session: Session, speaker_id: int, now: datetime) -> None:
    """Note that the speaker was heard from at `now` (never moving `last_seen_at` backwards)."""
    session.execute(
        update(Speaker)
        .where(Speaker.id == speaker_id, (Speaker.last_seen_at.is_(None)) | (Speaker.last_seen_at < now))
        .values(last_seen_at=now)
    )


def record_heartbeats(session: Session, seen: dict[str, datetime]) -> None:
    """Write polls noted elsewhere (token hash -> when) to `last_seen_at` in one statement, never backwards."""
    if not seen:
        return
    speakers = table_of(Speaker)
    statement = (
        update(speakers)
        .where(speakers.c.token_hash == bindparam("seen_hash"))
        .where((speakers.c.last_seen_at.is_(None)) | (speakers.c.last_seen_at < bindparam("seen_at")))
        .values(last_seen_at=bindparam("seen_at"))
    )
    session.connection().execute(statement, [{"seen_hash": key, "seen_at": at} for key, at in seen.items()])


def _played_at(raw: Any, now: datetime) -> datetime:
    if raw is None:
        return now
    try:
        played_at = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        played_at = None
    if played_at is None or played_at.tzinfo is None:
        raise ValidationError.coded(
            "speaker.bad_played_at",
            "played_at: a date and time with its offset, e.g. 2026-11-23T08:00:00+08:00",
            fields={"played_at": "not a datetime with offset"},
        )
    if played_at > now + CLOCK_SKEW:
        raise ValidationError.coded(
            "speaker.played_in_future", "played_at is in the future", fields={"played_at": "in the future"}
        )
    return played_at.astimezone(UTC)


def _whole(raw: Any, name: str, low: int, high: int, default: int | None) -> int:
    value = default if raw is None else raw
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError.coded(
            "input.whole_number_range",
            "%(name)s: a whole number from %(low)s to %(high)s",
            fields={name: "out of range"},
            name=name,
            low=low,
            high=high,
        )
    return value


def record_play(session: Session, speaker: Speaker, data: dict[str, Any], now: datetime) -> tuple[dict, bool]:
    """Record that `speaker` played announcement `announcement_id` (a run) `times` times at `played_at`.

    The run must be an announcement for the speaker's grid, played inside its window (give or take ten minutes of
    clock skew). Returns the play and whether it is new; a repeat of the same report changes nothing.
    """
    unknown = sorted(set(data) - {"announcement_id", "played_at", "times", "language"})
    if unknown:
        raise ValidationError.coded(
            "input.unknown_fields",
            "unknown fields: %(unknown)s",
            fields={name: "unknown" for name in unknown},
            unknown=unknown,
        )
    run_id = _whole(data.get("announcement_id"), "announcement_id", 1, 2**31 - 1, None)
    played_at = _played_at(data.get("played_at"), now)
    times = _whole(data.get("times"), "times", 1, MAX_TIMES_PER_REPORT, 1)
    language = data.get("language")
    if language is not None and language not in speaker.languages:
        raise ValidationError.coded(
            "speaker.bad_language", "language: one of the speaker's languages", fields={"language": "not the speaker's"}
        )
    run = session.get(Run, run_id)
    campaign = run.campaign if run else None
    if (run is None or run.kind != "regular" or CHANNEL not in (campaign.channels or [])
            or not _covers(campaign, _ancestor_ids(speaker))):  # fmt: skip
        raise NotFound.coded("announcement.not_found", "announcement not found")
    valid_from, valid_until = _window(campaign, run)
    if not valid_from - CLOCK_SKEW <= played_at <= valid_until + CLOCK_SKEW:
        raise ValidationError.coded(
            "speaker.played_outside_window",
            "played_at is outside the announcement's window",
            fields={"played_at": "outside"},
        )
    key = (SpeakerPlay.speaker_id == speaker.id, SpeakerPlay.run_id == run.id, SpeakerPlay.played_at == played_at)
    row = SpeakerPlay(speaker_id=speaker.id, run_id=run.id, played_at=played_at, times=times, language=language,
                      reported_at=now)  # fmt: skip
    play, created = insert_once(session, key, row)
    record_village_confirmation(session, run.id, speaker.grid_id, played_at)
    if speaker.last_play_at is None or speaker.last_play_at < played_at:
        speaker.last_play_at = played_at
    record_heartbeat(session, speaker.id, now)
    session.flush()
    return _play_to_dict(play), created


def _play_to_dict(play: SpeakerPlay) -> dict[str, Any]:
    return {
        "id": play.id,
        "announcement_id": play.run_id,
        "speaker_id": play.speaker_id,
        "language": play.language,
        "played_at": play.played_at.isoformat(),
        "times": play.times,
        "reported_at": play.reported_at.isoformat(),
    }
