"""What terminals report about each feed item (received ... played, failed, cancelled) and about themselves
(a heartbeat's device state), and how staff read it: per speaker, and per village.

Item states move forward only. "cancelled" is final; otherwise a report older than the stored one (by the
terminal's `at`) changes nothing, and along received < downloaded < playing < played a later report lower than the
stored state changes nothing either, unless the stored state is "failed" (a retry after a failure). "failed" never
replaces "played". A "played" report also records a play (`record_play`), which confirms the village.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.common.errors import ValidationError
from campaigns.common.text import clean_text
from campaigns.common.unique_rows import insert_once
from campaigns.directory.grids import load_grid
from campaigns.identity.access import Actor, scope_condition
from campaigns.loudspeakers.feed import (
    announcement_run,
    check_played_in_window,
    parse_reported_time,
    record_heartbeat,
    record_play,
)
from campaigns.loudspeakers.feed_v2 import item_id, parse_item_id
from campaigns.loudspeakers.terminals import is_silent, load_speaker
from campaigns.models import Campaign, Grid, Run, Speaker, SpeakerItemState
from campaigns.models.grid import subtree_bounds

ITEM_STATES = ("received", "downloaded", "playing", "played", "failed", "cancelled")
PROGRESS = ("received", "downloaded", "playing", "played")
DEVICE_STATES = ("normal", "fault", "recovered")
MAX_REPORTS = 100
REPORT_FIELDS = {"item_id", "state", "at", "detail"}
RECENT = timedelta(days=7)  # how far back staff see item states


def _detail(raw: Any) -> str | None:
    return None if raw is None else clean_text(raw, "detail", max_length=200)


def _moves_forward(stored: SpeakerItemState, state: str, at: datetime) -> bool:
    if stored.state == "cancelled" or at < stored.state_at:
        return False
    if state == "failed":
        return stored.state != "played"
    if state in PROGRESS and stored.state in PROGRESS:
        return PROGRESS.index(state) >= PROGRESS.index(stored.state)
    return True


@dataclass(frozen=True)
class _Report:
    run_id: int
    language: str
    state: str
    at: datetime
    detail: str | None


def _checked(session: Session, speaker: Speaker, report: Any, now: datetime) -> _Report:
    if not isinstance(report, dict):
        raise ValidationError.coded(
            "speaker_report.each_report_object_with",
            "each report: an object with item_id and state",
            fields={"reports": "not an object"},
        )
    unknown = sorted(set(report) - REPORT_FIELDS)
    if unknown:
        raise ValidationError.coded(
            "speaker_report.unknown_fields",
            "unknown fields: %(items)s",
            fields={name: "unknown" for name in unknown},
            items=", ".join(unknown),
        )
    parsed = parse_item_id(report.get("item_id"))
    if parsed is None:
        raise ValidationError.coded(
            "speaker_report.bad_item_id",
            'item_id: an item id of the feed, e.g. "run-12-bo"',
            fields={"item_id": "bad"},
        )
    state = report.get("state")
    if state not in ITEM_STATES:
        raise ValidationError.coded(
            "speaker_report.state", "state: one of %(items)s", fields={"state": "unknown"}, items=", ".join(ITEM_STATES)
        )
    run_id, language = parsed
    if language not in speaker.languages:
        raise ValidationError.coded(
            "speaker_report.item_id_not_speaker",
            "item_id: not in one of the speaker's languages",
            fields={"item_id": "not the speaker's"},
        )
    run, campaign = announcement_run(session, speaker, run_id)
    at = parse_reported_time(report.get("at"), now, "at")
    if state == "played":
        check_played_in_window(campaign, run, at)
    return _Report(run.id, language, state, at, _detail(report.get("detail")))


def _apply(session: Session, speaker: Speaker, report: _Report, now: datetime) -> dict[str, Any]:
    key = (SpeakerItemState.speaker_id == speaker.id, SpeakerItemState.run_id == report.run_id,
           SpeakerItemState.language == report.language)  # fmt: skip
    row = SpeakerItemState(speaker_id=speaker.id, run_id=report.run_id, language=report.language, state=report.state,
                           state_at=report.at, detail=report.detail, reported_at=now)  # fmt: skip
    stored, created = insert_once(session, key, row)
    if not created and _moves_forward(stored, report.state, report.at):
        stored.state, stored.state_at, stored.detail, stored.reported_at = report.state, report.at, report.detail, now
    if report.state == "played":
        play = {"announcement_id": report.run_id, "played_at": report.at.isoformat(), "language": report.language}
        record_play(session, speaker, play, now)
    session.flush()
    return _state_to_dict(stored)


def record_item_states(session: Session, speaker: Speaker, data: dict[str, Any], now: datetime) -> list[dict]:
    """Record one report ({"item_id", "state", "at", "detail"}) or several ({"reports": [...]}, at most 100);
    returns each item's state after the reports. Every report is checked before any is recorded: a bad one
    refuses the whole request."""
    reports = data.get("reports", [data])
    if "reports" in data and (set(data) != {"reports"} or not isinstance(reports, list)
                              or not 1 <= len(reports) <= MAX_REPORTS):  # fmt: skip
        raise ValidationError.coded(
            "speaker_report.reports_list_max_reports",
            "reports: a list of 1 to %(MAX_REPORTS)s reports",
            fields={"reports": "bad"},
            MAX_REPORTS=MAX_REPORTS,
        )
    checked = [_checked(session, speaker, report, now) for report in reports]
    states = [_apply(session, speaker, report, now) for report in checked]
    record_heartbeat(session, speaker.id, now)
    return states


def record_device_state(session: Session, speaker: Speaker, data: dict[str, Any], now: datetime) -> None:
    """Keep a heartbeat's `device_state` (normal, fault, recovered) and `detail`; a heartbeat without one keeps
    the previous state (older terminals send none)."""
    if data.get("device_state") is None:
        return
    if data["device_state"] not in DEVICE_STATES:
        raise ValidationError.coded(
            "speaker_report.device_state",
            "device_state: one of %(items)s",
            fields={"device_state": "unknown"},
            items=", ".join(DEVICE_STATES),
        )
    speaker.device_state, speaker.device_state_at = data["device_state"], now
    speaker.device_detail = _detail(data.get("detail"))


def _state_to_dict(row: SpeakerItemState) -> dict[str, Any]:
    return {
        "item_id": item_id(row.run_id, row.language),
        "run_id": row.run_id,
        "language": row.language,
        "state": row.state,
        "at": row.state_at.isoformat(),
        "detail": row.detail,
        "reported_at": row.reported_at.isoformat(),
    }


def speaker_item_states(session: Session, actor: Actor, speaker_id: int, now: datetime) -> list[dict[str, Any]]:
    """The speaker's item states reported in the last `RECENT` days, newest first, each with its campaign's name."""
    since = now - RECENT
    speaker = load_speaker(session, actor, speaker_id)
    rows = session.execute(
        select(SpeakerItemState, Campaign.id, Campaign.name)
        .join(Run, Run.id == SpeakerItemState.run_id)
        .join(Campaign, Campaign.id == Run.campaign_id)
        .where(SpeakerItemState.speaker_id == speaker.id, SpeakerItemState.reported_at >= since)
        .order_by(SpeakerItemState.reported_at.desc(), SpeakerItemState.id.desc())
    ).all()
    return [{**_state_to_dict(row), "campaign_id": cid, "campaign_name": name} for row, cid, name in rows]


def village_item_states(
    session: Session,
    actor: Actor,
    now: datetime,
    silent_after: timedelta,
    grid_id: int | None = None,
    speaker_ids: list[int] | None = None,
) -> list[dict[str, Any]]:
    """Per village (the grid of each speaker in scope, under `grid_id` or among `speaker_ids` when given): its
    speakers, online or offline (heard from within `silent_after`), their device state, and their item states
    reported in the last `RECENT` days."""
    since = now - RECENT
    query = select(Speaker).join(Grid, Grid.id == Speaker.grid_id).where(scope_condition(actor, Grid.path))
    if speaker_ids is not None:
        query = query.where(Speaker.id.in_(speaker_ids))
    if grid_id is not None:
        under = load_grid(session, actor, grid_id)
        low, high = subtree_bounds(under.path)
        query = query.where(Grid.path >= low, Grid.path < high)
    speakers = list(session.scalars(query.order_by(Grid.path, Speaker.name, Speaker.id)))
    states: dict[int, list[dict[str, Any]]] = {speaker.id: [] for speaker in speakers}
    rows = session.execute(
        select(SpeakerItemState, Campaign.name)
        .join(Run, Run.id == SpeakerItemState.run_id)
        .join(Campaign, Campaign.id == Run.campaign_id)
        .where(SpeakerItemState.speaker_id.in_(states), SpeakerItemState.reported_at >= since)
        .order_by(SpeakerItemState.run_id.desc(), SpeakerItemState.language)
    ).all()
    for row, name in rows:
        states[row.speaker_id].append({**_state_to_dict(row), "campaign_name": name})
    villages: dict[int, dict[str, Any]] = {}
    for speaker in speakers:
        village = villages.setdefault(speaker.grid_id, {"grid_id": speaker.grid_id, "grid_code": speaker.grid.code,
                                                        "grid_name": speaker.grid.name, "speakers": []})  # fmt: skip
        village["speakers"].append({
            "id": speaker.id,
            "name": speaker.name,
            "online": not is_silent(speaker.last_seen_at, silent_after, now),
            "last_seen_at": speaker.last_seen_at.isoformat() if speaker.last_seen_at else None,
            "device_state": speaker.device_state,
            "items": states[speaker.id],
        })  # fmt: skip
    return list(villages.values())
