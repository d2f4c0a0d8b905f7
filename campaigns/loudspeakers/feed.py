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
from campaigns.delivery.confirmations import record_village_confirmation
from campaigns.identity.accounts import hash_token
from campaigns.loudspeakers.terminals import SPEAKER_TOKEN_PREFIX
from campaigns.models import (
    AudioClip,
    Campaign,
    CampaignAudio,
    CampaignStatus,
    Run,
    RunKind,
    RunStatus,
    Speaker,
    SpeakerPlay,
)
from campaigns.models.grid import path_ids

LIVE_CAMPAIGN_STATUSES = (CampaignStatus.SCHEDULED, CampaignStatus.FINISHED)
LIVE_RUN_STATUSES = (RunStatus.SENDING, RunStatus.DONE)
CLOCK_SKEW = timedelta(minutes=10)
MAX_TIMES_PER_REPORT = 100

# The feed's queries are built once: building them took longer than running them (bench/README.md).
SPEAKER_BY_TOKEN = select(Speaker).where(Speaker.token_hash == bindparam("token_hash"))
LOUDSPEAKER_RUNS = (
    select(Run, Campaign)
    .join(Campaign, Campaign.id == Run.campaign_id)
    .where(
        Campaign.status.in_((*LIVE_CAMPAIGN_STATUSES, "cancelled")),
        cast(Campaign.channels, String).like(f'%"{CHANNEL}"%'),
        Run.kind == RunKind.REGULAR,
        Run.status.in_((*LIVE_RUN_STATUSES, RunStatus.CANCELLED)),
        Run.occurrence_at <= bindparam("now"),
        Run.occurrence_at > bindparam("since"),
    )
    .order_by(Run.occurrence_at.desc(), Run.id.desc())
)
CAMPAIGN_AUDIO = (
    select(CampaignAudio.campaign_id, CampaignAudio.language, AudioClip)
    .join(AudioClip, AudioClip.id == CampaignAudio.clip_id)
    .where(
        CampaignAudio.campaign_id.in_(bindparam("campaign_ids", expanding=True)),
        CampaignAudio.language.in_(bindparam("languages", expanding=True)),
    )
)


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
    speaker = session.scalar(SPEAKER_BY_TOKEN, {"token_hash": hash_token(token)})
    if speaker is None:
        raise AuthenticationFailed.coded("speaker.token_unknown", "unknown speaker token")
    return speaker


def _ancestor_ids(speaker: Speaker) -> set[int]:
    return set(path_ids(speaker.grid.path))


def window(campaign: Campaign, run: Run) -> tuple[datetime, datetime]:
    """When the run's announcement may play: an alert's own validity (never before the run), otherwise from the run
    for the campaign's `loudspeaker.valid_hours`."""
    if campaign.kind == "alert" and campaign.expires_at is not None:
        return max(run.occurrence_at, campaign.valid_from or run.occurrence_at), campaign.expires_at
    hours = (campaign.loudspeaker or DEFAULTS)["valid_hours"]
    return run.occurrence_at, run.occurrence_at + timedelta(hours=hours)


def _covers(campaign: Campaign, grid_ids: set[int]) -> bool:
    return bool(grid_ids.intersection((campaign.audience or {}).get("grid_ids") or []))


def is_cancelled(campaign: Campaign, run: Run) -> bool:
    return campaign.status == "cancelled" or run.status == "cancelled"


@dataclass(frozen=True)
class FeedSources:
    """What a speaker's feeds are made of: the open runs addressed to it (newest first, cancelled ones included)
    and the audio of their campaigns in the speaker's languages ((campaign id, language) -> clip)."""

    runs: list[tuple[Run, Campaign]]
    clips: dict[tuple[int, str], AudioClip]


def newest_per_campaign(runs: list[tuple[Run, Campaign]]) -> list[tuple[Run, Campaign]]:
    seen: set[int] = set()
    newest = []
    for run, campaign in runs:
        if campaign.id not in seen:
            seen.add(campaign.id)
            newest.append((run, campaign))
    return newest


def feed_sources(session: Session, speaker: Speaker, now: datetime) -> FeedSources:
    """The runs of loudspeaker campaigns addressed to the speaker's grid or a grid above it whose window is open
    (live or cancelled), newest first, with their audio in the speaker's languages."""
    since = now - timedelta(hours=MAX_VALID_HOURS)
    rows = session.execute(LOUDSPEAKER_RUNS, {"now": now, "since": since}).all()
    grid_ids = _ancestor_ids(speaker)
    runs = [(run, campaign) for run, campaign in rows
            if _covers(campaign, grid_ids) and window(campaign, run)[1] > now]  # fmt: skip
    wanted = {"campaign_ids": sorted({campaign.id for _, campaign in runs}), "languages": list(speaker.languages)}
    audio = session.execute(CAMPAIGN_AUDIO, wanted).all()
    return FeedSources(runs, {(campaign_id, language): clip for campaign_id, language, clip in audio})


@dataclass(frozen=True)
class FeedItems:
    """A feed's items (plain dicts, ready to serialize) and when the first of them expires. They depend on the data,
    the time and the speaker's `items_audience` only, so speakers with the same audience can share them; a feed's
    body adds the speaker's own part (`speaker_part`)."""

    items: list[dict[str, Any]]
    expires_at: datetime | None


def items_audience(speaker: Speaker) -> tuple[int, tuple[str, ...], tuple[str, ...]]:
    """What a speaker's feed items depend on besides the data and the time: its grid, its languages (in order) and
    its play slots."""
    return speaker.grid_id, tuple(speaker.languages), tuple(speaker.play_slots)


def speaker_part(speaker: Speaker) -> dict[str, Any]:
    """The `speaker` object of a feed body."""
    return {"id": speaker.id, "name": speaker.name, "grid_code": speaker.grid.code, "languages": speaker.languages}


def announcements(speaker: Speaker, audio_base_url: str, timezone: str, sources: FeedSources) -> FeedItems:
    """Feed v1's announcements from the speaker's feed sources: one per run and language, newest first.

    `audio_base_url` prefixes `/audio/<sha256>.mp3`; `timezone` is the zone of the speaker's own play slots.
    Cancelled runs are left out; when a campaign's windows overlap only its newest live run is in the feed.
    """
    runs = newest_per_campaign([(run, campaign) for run, campaign in sources.runs if not is_cancelled(campaign, run)])
    items, expiries = [], []
    for run, campaign in runs:
        valid_from, valid_until = window(campaign, run)
        for language in speaker.languages:
            clip = sources.clips.get((campaign.id, language))
            if clip is None:
                continue
            expiries.append(valid_until)
            items.append(_announcement(run, campaign, language, clip, (valid_from, valid_until), speaker, timezone,
                                       audio_base_url))  # fmt: skip
    return FeedItems(items, min(expiries) if expiries else None)


def feed_body(speaker: Speaker, items: list[dict[str, Any]]) -> dict[str, Any]:
    """Feed v1's body: the speaker's own part and its announcements."""
    return {"speaker": speaker_part(speaker), "announcements": items}


def speaker_feed(
    session: Session,
    speaker: Speaker,
    now: datetime,
    audio_base_url: str,
    timezone: str,
    sources: FeedSources | None = None,
) -> Feed:
    """The speaker's active announcements (feed v1), one per run and language, newest first (see `announcements`)."""
    made = announcements(speaker, audio_base_url, timezone, sources or feed_sources(session, speaker, now))
    return Feed(speaker.id, feed_body(speaker, made.items), made.expires_at)


def play_plan(campaign: Campaign, speaker: Speaker, timezone: str) -> dict[str, Any]:
    """When the speaker plays the campaign's audio: the campaign's own times, or else the speaker's slots."""
    policy = campaign.loudspeaker or DEFAULTS
    own_times = bool(policy["play_at"])
    return {
        "play_at": policy["play_at"] if own_times else speaker.play_slots,
        "timezone": campaign.timezone if own_times else timezone,
        "times": policy["times"],
    }


def _announcement(
    run: Run,
    campaign: Campaign,
    language: str,
    clip: AudioClip,
    span: tuple[datetime, datetime],
    speaker: Speaker,
    timezone: str,
    audio_base_url: str,
) -> dict[str, Any]:
    return {
        "id": run.id,
        "campaign_id": campaign.id,
        "title": campaign.name,
        "language": language,
        "audio_url": f"{audio_base_url}/audio/{clip.sha256}.mp3",
        "sha256": clip.sha256,
        "size_bytes": clip.size_bytes,
        "duration_ms": clip.duration_ms,
        "valid_from": span[0].isoformat(),
        "valid_until": span[1].isoformat(),
        **play_plan(campaign, speaker, timezone),
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


def parse_reported_time(raw: Any, now: datetime, name: str = "played_at") -> datetime:
    """A terminal's time of an event (ISO 8601 with its offset, at most ten minutes ahead), in UTC; `now` if None."""
    if raw is None:
        return now
    try:
        at = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise ValidationError.coded(
            "speaker.bad_time",
            "%(name)s: a date and time with its offset, e.g. 2026-11-23T08:00:00+08:00",
            fields={name: "not a datetime with offset"},
            name=name,
        )
    if at > now + CLOCK_SKEW:
        raise ValidationError.coded(
            "speaker.time_in_future", "%(name)s is in the future", fields={name: "in the future"}, name=name
        )
    return at.astimezone(UTC)


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


def announcement_run(session: Session, speaker: Speaker, run_id: int) -> tuple[Run, Campaign]:
    """The run `run_id` if it is a loudspeaker announcement addressed to the speaker's grid; NotFound otherwise."""
    run = session.get(Run, run_id)
    campaign = run.campaign if run else None
    if (run is None or campaign is None or run.kind != "regular" or CHANNEL not in (campaign.channels or [])
            or not _covers(campaign, _ancestor_ids(speaker))):  # fmt: skip
        raise NotFound.coded("speaker.announcement_not_found", "announcement not found")
    return run, campaign


def check_played_in_window(campaign: Campaign, run: Run, played_at: datetime) -> None:
    """ValidationError unless `played_at` falls in the run's window, give or take `CLOCK_SKEW`."""
    valid_from, valid_until = window(campaign, run)
    if not valid_from - CLOCK_SKEW <= played_at <= valid_until + CLOCK_SKEW:
        raise ValidationError.coded(
            "speaker.played_at_outside_announcement",
            "played_at is outside the announcement's window",
            fields={"played_at": "outside"},
        )


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
    played_at = parse_reported_time(data.get("played_at"), now)
    times = _whole(data.get("times"), "times", 1, MAX_TIMES_PER_REPORT, 1)
    language = data.get("language")
    if language is not None and language not in speaker.languages:
        raise ValidationError.coded(
            "speaker.bad_language", "language: one of the speaker's languages", fields={"language": "not the speaker's"}
        )
    run, campaign = announcement_run(session, speaker, run_id)
    check_played_in_window(campaign, run, played_at)
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
